package reports

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestTableColor(t *testing.T) {
	rep := loadFixture(t, "site")
	tests := []struct {
		name      string
		mode      ColorMode
		noColor   bool
		wantColor bool
	}{
		{"always", ColorAlways, false, true},
		{"never", ColorNever, false, false},
		{"auto to a buffer", ColorAuto, false, false},
		{"always beats NO_COLOR", ColorAlways, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noColor {
				t.Setenv("NO_COLOR", "1")
			}
			var buf bytes.Buffer
			if err := (&Table{Color: tt.mode}).Report(&buf, rep); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(buf.String(), "\x1b["); got != tt.wantColor {
				t.Errorf("colour = %v, want %v", got, tt.wantColor)
			}
		})
	}
}

// A file is not a terminal, and NO_COLOR turns colour off even on one.
func TestTableAutoColorOnFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb := &Table{}
	if tb.useColor(f) {
		t.Error("colour on a regular file")
	}
	t.Setenv("NO_COLOR", "")
	if tb.useColor(os.Stdout) {
		t.Error("colour with NO_COLOR set (even empty)")
	}
}

func TestTableSections(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string
		notWant []string
	}{
		{"site", []string{
			"pages: pre-consent 2, after-reject 1, after-accept 1; third-party cookies: allow",
			"Vendors", "Cookies", "Storage", "Findings", "blocked: ThirdPartyPhaseout", "2.0 years", "session",
			"[1]  \u201cWe only set non-essential", "6 findings: 1 critical, 1 high, 2 medium, 1 low, 1 info (2 suppressed",
			"navigation timeout",
		}, []string{"Declarations", "Emails"}},
		{"email", []string{"Emails", "campaign/welcome.eml", "md5 to tracker.example (3rd party)", "error: no text/html", "1 (sendgrid.net)", "CSS TRACKERS"}, []string{"Cookies"}},
		{"policy", []string{"Declarations", "sale-of-data", "denied", "Declared cookies", "not stated", "no findings"}, []string{"Findings\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			out := string(render(t, "table", loadFixture(t, tt.fixture)))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("table lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("table has %q", w)
				}
			}
		})
	}
	// Findings come most severe first.
	out := string(render(t, "table", loadFixture(t, "site")))
	if strings.Index(out, "critical") > strings.Index(out, "tracking-after-reject") || strings.Index(out, "tracking-after-reject") > strings.Index(out, "category-only-disclosure") {
		t.Error("findings are not sorted by severity")
	}
}

func TestLifetime(t *testing.T) {
	for days, want := range map[float64]string{-1: "session", 0: "expired", 0.5: "< 1 day", 1: "1 day", 30: "30 days",
		90: "3 months", 395: "13 months", 730: "2.0 years"} {
		if got := lifetime(days); got != want {
			t.Errorf("lifetime(%v) = %q, want %q", days, got, want)
		}
	}
}

func TestShortTarget(t *testing.T) {
	tests := []struct{ site, target, want string }{
		{"https://shop.example/", "https://shop.example/", "/"},
		{"https://shop.example/", "https://shop.example/basket?id=1", "/basket?id=1"},
		{"https://shop.example/", "https://cdn.example/x", "https://cdn.example/x"},
		{"http://bakery.example/", "http://garden.example/", "http://garden.example/"},
		{"https://shop.example/", "http://shop.example/x", "http://shop.example/x"},
		{"campaign/", "campaign/a.eml", "campaign/a.eml"},
		{"%zz", "https://shop.example/", "https://shop.example/"},
	}
	for _, tt := range tests {
		if got := shortTarget(tt.site, tt.target); got != tt.want {
			t.Errorf("shortTarget(%q, %q) = %q, want %q", tt.site, tt.target, got, tt.want)
		}
	}
}

func TestTableGroupsPages(t *testing.T) {
	out := string(render(t, "table", repeatedFinding()))
	if n := strings.Count(out, "consent-mode-denied-firing"); n != 1 {
		t.Errorf("rule appears %d times, want one row:\n%s", n, out)
	}
	for _, want := range []string{"/products/mug.html", "+1 more", "5 findings: 5 medium", "Evidence\n  1  Google Consent Mode signal not honoured: gcs=G100",
		"Policy sentences relied on\n[1]  \u201cOnly with consent.\u201d"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "Only with consent.") != 1 {
		t.Error("the policy sentence is repeated")
	}
}

func TestWrapCell(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"a\nb", 10, []string{"a", "b"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"x \x1b[31mred", 20, []string{"x \ufffd[31mred"}},
		{"", 5, []string{""}},
		{"日本語の文字", 4, []string{"日本", "語の", "文字"}},
	}
	for _, tt := range tests {
		if got := wrapCell(tt.in, tt.max); !slices.Equal(got, tt.want) {
			t.Errorf("wrapCell(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
