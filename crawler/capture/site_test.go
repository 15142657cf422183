package capture

import (
	"slices"
	"testing"
)

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

func TestHostUnder(t *testing.T) {
	tests := []struct {
		host, domain string
		want         bool
	}{
		{"hotjar.com", "hotjar.com", true},
		{"static.hotjar.com", "hotjar.com", true},
		{"nothotjar.com", "hotjar.com", false},
		{"hotjar.com.evil.example", "hotjar.com", false},
		{"com", "hotjar.com", false},
		{"", "hotjar.com", false},
	}
	for _, tt := range tests {
		if got := HostUnder(tt.host, tt.domain); got != tt.want {
			t.Errorf("HostUnder(%q, %q) = %v, want %v", tt.host, tt.domain, got, tt.want)
		}
	}
}

func TestAddPhases(t *testing.T) {
	tests := []struct {
		set, add, want []Phase
	}{
		{nil, []Phase{AfterAccept, PreConsent}, []Phase{PreConsent, AfterAccept}},
		{[]Phase{PreConsent, AfterAccept}, []Phase{AfterReject, PreConsent}, Phases},
		{[]Phase{AfterReject}, nil, []Phase{AfterReject}},
		{[]Phase{"later"}, []Phase{AfterAccept}, []Phase{AfterAccept, "later"}},
	}
	for _, tt := range tests {
		got := AddPhases(append([]Phase(nil), tt.set...), tt.add...)
		if !slices.Equal(got, tt.want) {
			t.Errorf("AddPhases(%v, %v) = %v, want %v", tt.set, tt.add, got, tt.want)
		}
	}
}
