package resolve

import "testing"

func TestMap(t *testing.T) {
	rs, err := Parse("MAP *:443 127.0.0.1:8443, MAP *.example.com 127.0.0.2, EXCLUDE keep.test, MAP * 127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"www.google-analytics.com:443", "127.0.0.1:8443"},
		{"a.example.com:80", "127.0.0.2:80"},
		{"keep.test:80", "keep.test:80"},
		{"shop.example:80", "127.0.0.1:8080"},
	}
	for _, tt := range tests {
		got, _, err := rs.Map(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Map(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"MAP onlyone", "FOO a b", "MAP a b c"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a bad rule", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("MAP *:443 127.0.0.1:8443, MAP * 127.0.0.1:8080")
	f.Add("EXCLUDE x:1")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := Parse(s)
		if err != nil {
			return
		}
		_, _, _ = rs.Map("host.example:443")
	})
}
