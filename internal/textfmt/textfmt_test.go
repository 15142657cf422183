package textfmt

import "testing"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "emails", 1: "email", 2: "emails"} {
		if got := Plural(n, "email"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

type phase string

func TestOrDash(t *testing.T) {
	tests := []struct{ in, want string }{{"", "-"}, {"  ", "-"}, {"named", "named"}, {" x ", " x "}}
	for _, tt := range tests {
		if got := OrDash(tt.in); got != tt.want {
			t.Errorf("OrDash(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := OrDash(phase("pre-consent")); got != "pre-consent" {
		t.Errorf("OrDash of a string type = %q", got)
	}
}

func TestJoinNonEmpty(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{nil, ""},
		{[]string{"", ""}, ""},
		{[]string{"a", "", "b"}, "a; b"},
		{[]string{"", "only"}, "only"},
	}
	for _, tt := range tests {
		if got := JoinNonEmpty("; ", tt.parts...); got != tt.want {
			t.Errorf("JoinNonEmpty(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}
