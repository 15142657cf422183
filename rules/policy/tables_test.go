package policy

import "testing"

// TestPipeTableWithoutLeadingPipes: GitHub-flavoured tables may leave out
// the outer pipes; the separator row tells them from prose with a "|".
func TestPipeTableWithoutLeadingPipes(t *testing.T) {
	src := "Provider | Cookie Name | Description | Expiration\n" +
		"---------|-------------|-------------|-----------\n" +
		"Shop | `cart` | Keeps your basket. | Five minutes\n" +
		"Shop | `theme` | Your colour scheme. | Session\n" +
		"[Meta](https://meta.example/) | `_fbp` | Measures ads. | 90 Days\n" +
		"\n" +
		"Prices are in EUR | taxes included.\n"
	pol, err := Default().Parse("cookies.md", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"cart": 5.0 / 60 / 24, "theme": -1, "_fbp": 90}
	got := map[string]float64{}
	for _, c := range pol.Cookies {
		got[c.Name] = c.Days
	}
	if len(got) != len(want) {
		t.Fatalf("cookies %v, want %v", got, want)
	}
	for n, d := range want {
		if g, ok := got[n]; !ok || g < d-0.001 || g > d+0.001 {
			t.Errorf("%s: %v days, want %v", n, g, d)
		}
	}
}
