package capture

import "testing"

func TestSite(t *testing.T) {
	tests := []struct{ host, want string }{
		{"www.shop.example.co.uk", "example.co.uk"},
		{"Static.Hotjar.COM.", "hotjar.com"},
		{"hotjar.com", "hotjar.com"},
		{"127.0.0.1", "127.0.0.1"},
		{"[::1]", "[::1]"},
		{"::1", "::1"},
		{"localhost", "localhost"},
		{"co.uk", "co.uk"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Site(tt.host); got != tt.want {
			t.Errorf("Site(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestHostOf(t *testing.T) {
	if got := SiteOfURL("https://cdn.shop.example.co.uk/x"); got != "example.co.uk" {
		t.Errorf("SiteOfURL = %q", got)
	}
	tests := []struct{ raw, want string }{
		{"https://WWW.Example.com:8443/a?b", "www.example.com"},
		{"http://[::1]:80/", "::1"},
		{"not a url\x7f", ""},
		{"/relative/path", ""},
	}
	for _, tt := range tests {
		if got := HostOf(tt.raw); got != tt.want {
			t.Errorf("HostOf(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
