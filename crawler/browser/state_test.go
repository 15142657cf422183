package browser

import (
	"reflect"
	"testing"

	"github.com/chromedp/cdproto/network"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestStateScope(t *testing.T) {
	sc := scopeOf(&capture.Page{FinalURL: "https://www.shop.co.uk/cart"}, "https://shop.co.uk/cart",
		"https://consent.cmp.example/frame", func(h string) bool { return h == "cdn.cookielaw.org" })
	tests := []struct {
		domain string
		want   bool
	}{
		{".shop.co.uk", true},         // the site's registrable domain
		{"www.shop.co.uk", true},      // a host of it
		{"consent.cmp.example", true}, // the banner's own frame
		{".cmp.example", true},        // a domain cookie covering that frame
		{"cdn.cookielaw.org", true},   // a host the caller knows as a CMP's
		{"co.uk", false},              // a public suffix is no site
		{".facebook.com", false},      // a tracker's
		{"other.co.uk", false},        // another site under the same suffix
		{"", false},
	}
	for _, tt := range tests {
		if got := sc.allows(tt.domain); got != tt.want {
			t.Errorf("allows(%q) = %t, want %t", tt.domain, got, tt.want)
		}
	}
}

func TestDiffState(t *testing.T) {
	ck := func(name, value, domain string) *network.Cookie {
		return &network.Cookie{Name: name, Value: value, Domain: domain, Path: "/", Expires: 1.9e9}
	}
	snap := func(origin string, local map[string]string, cs ...*network.Cookie) stateSnapshot {
		s := stateSnapshot{origin: origin, local: local, cookies: map[string]*network.Cookie{}}
		for _, c := range cs {
			s.cookies[c.Name+"|"+c.Domain+"|"+c.Path] = c
		}
		return s
	}
	before := snap("http://shop.example", map[string]string{"cart": "[]", "consent": "old"},
		ck("session_id", "s1", "shop.example"), ck("_ga", "GA1.1", ".shop.example"))
	after := snap("http://shop.example", map[string]string{"cart": "[]", "consent": "new", "OptanonConsent": "groups=C0001:1", "_hjid": "x"},
		ck("session_id", "s1", "shop.example"),       // unchanged
		ck("_ga", "GA1.2", ".shop.example"),          // changed, but a tracker's
		ck("demo_consent", "reject", "shop.example"), // new: the choice
		ck("euconsent-v2", "CP", ".shop.example"),    // new: the TC string
		ck("fr", "1", ".facebook.com"),               // new, out of scope
		ck("_fbp", "fb.1", ".shop.example"))          // new, a tracker's
	trackers := map[string]bool{"_ga": true, "_fbp": true, "_hjid": true}
	keep := func(kind, name, domain string) bool { return !trackers[name] }
	sc := stateScope{site: "shop.example"}
	got := diffState(before, after, sc, keep)
	want := &capture.ConsentState{
		Origin: "http://shop.example",
		Cookies: []capture.StateCookie{
			{Name: "euconsent-v2", Value: "CP", Domain: ".shop.example", Path: "/", Expires: 1.9e9},
			{Name: "demo_consent", Value: "reject", Domain: "shop.example", Path: "/", Expires: 1.9e9},
		},
		LocalStorage: []capture.StateItem{{Key: "OptanonConsent", Value: "groups=C0001:1"}, {Key: "consent", Value: "new"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if names := stateNames(got); !reflect.DeepEqual(names, []string{"cookie euconsent-v2@shop.example", "cookie demo_consent@shop.example",
		"localStorage OptanonConsent", "localStorage consent"}) {
		t.Errorf("names %q", names)
	}
	// Storage of another origin (the page navigated away) is not carried.
	after.origin = "http://other.example"
	if got := diffState(before, after, sc, keep); len(got.LocalStorage) != 0 {
		t.Errorf("storage of another origin carried: %+v", got.LocalStorage)
	}
}
