package kb

import (
	"strings"
	"testing"
)

func TestMatchHostAndURL(t *testing.T) {
	k := Default()
	tests := []struct {
		in, wantID string
		wantCat    Category
	}{
		{"static.hotjar.com", "hotjar", SessionReplay},
		{"STATIC.HOTJAR.COM.", "hotjar", SessionReplay},
		{"nothotjar.com", "", ""},
		{"hotjar.com.evil.example", "", ""},
		{"www.youtube-nocookie.com", "youtube-nocookie", Functional},
		{"www.youtube.com", "youtube", Social},
		{"fls.doubleclick.net", "google-campaign-manager", Advertising},
		{"googleads.g.doubleclick.net", "google-ads", Advertising},
		{"fonts.gstatic.com", "google-fonts", Functional},
		{"www.gstatic.com", "google", Functional},
		{"www.googletagmanager.com", "google-tag-manager", Analytics},
		{"cdn.cookielaw.org", "onetrust", ConsentManagement},
		{"", "", ""},
	}
	for _, tt := range tests {
		m, ok := k.MatchHost(tt.in)
		if tt.wantID == "" {
			if ok {
				t.Errorf("MatchHost(%q) = %s, want none", tt.in, m.Vendor.ID)
			}
			continue
		}
		if !ok || m.Vendor.ID != tt.wantID || m.Category != tt.wantCat || m.Source != SourceBase {
			t.Errorf("MatchHost(%q) = %v %+v, want %s %s", tt.in, ok, m, tt.wantID, tt.wantCat)
		}
	}
	urls := []struct{ in, wantID string }{
		{"https://www.googletagmanager.com/gtag/js?id=G-ABC", "google-analytics"},
		{"https://www.googletagmanager.com/gtag/js?id=AW-123", "google-ads"},
		{"https://www.googletagmanager.com/gtm.js?id=GTM-1", "google-tag-manager"},
		{"https://www.google.com/recaptcha/api.js", "google-recaptcha"},
		{"https://www.google.com/pagead/1p-conversion/1/", "google-ads"},
		{"https://www.google.com/maps/embed?pb=1", "google-maps"},
		{"https://www.google.com/search?q=x", "google"},
		{"https://analytics.shop.example/js/matomo.js", "matomo"},
		{"https://shop.example/mautic/mtc.js", "mautic"},
		{"https://shop.example/mtc.json", ""},
		{"https://shop.example/c/hotjar-99.js", "hotjar"},
		{"//static.hotjar.com/c/x.js", "hotjar"},
		{"https://user:pw@static.hotjar.com:8443/x#frag", "hotjar"},
		{"https://[::1]:8080/x", ""},
		{"static.hotjar.com/c/x.js", "hotjar"},
		{"https://", ""},
	}
	for _, tt := range urls {
		m, ok := k.MatchURL(tt.in)
		got := ""
		if ok {
			got = m.Vendor.ID
		}
		if got != tt.wantID {
			t.Errorf("MatchURL(%q) = %q, want %q", tt.in, got, tt.wantID)
		}
	}
}

func TestMatchCookieCategories(t *testing.T) {
	k := Default()
	tests := []struct {
		name, domain, wantID string
		wantCat              Category
	}{
		{"_ga", ".shop.example", "google-analytics", Analytics},
		{"_ga_ABC123", "", "google-analytics", Analytics},
		{"__cf_bm", ".shop.example", "cloudflare", Essential},
		{"datr", ".facebook.com", "facebook", Essential}, // a vendor's security cookie stays essential
		{"_fbp", ".shop.example", "facebook", Advertising},
		{"AWSALB", "", "amazon-web-services", Essential},
		{"_hjSessionUser_42", "", "hotjar", SessionReplay},
		{"mp_0123abcd_mixpanel", "", "mixpanel", Analytics},
		{"OptanonConsent", "", "onetrust", ConsentManagement},
		{"_GA", "", "", ""}, // names are case-sensitive
		{"", "", "", ""},
	}
	for _, tt := range tests {
		m, ok := k.MatchCookie(tt.name, tt.domain)
		if tt.wantID == "" {
			if ok {
				t.Errorf("MatchCookie(%q) = %s, want none", tt.name, m.Vendor.ID)
			}
			continue
		}
		if !ok || m.Vendor.ID != tt.wantID || m.Category != tt.wantCat {
			t.Errorf("MatchCookie(%q) = %v %s/%s, want %s/%s", tt.name, ok, idOf(m), m.Category, tt.wantID, tt.wantCat)
		}
	}
	if m, ok := k.MatchStorageKey("ajs_user_traits"); !ok || m.Vendor.ID != "segment" {
		t.Errorf("MatchStorageKey(ajs_user_traits) = %v %s, want segment", ok, idOf(m))
	}
	if m, ok := k.MatchStorageKey("_hjTLDTest_abc"); !ok || m.Vendor.ID != "hotjar" {
		t.Errorf("MatchStorageKey(_hjTLDTest_abc) = %v %s, want hotjar (prefix)", ok, idOf(m))
	}
}

func idOf(m Match) string {
	if m.Vendor == nil {
		return ""
	}
	return m.Vendor.ID
}

func TestNewIndexes(t *testing.T) {
	k, err := New([]*Vendor{
		{ID: "b-net", Name: "B", Category: Advertising, Domains: []string{"b.example"},
			Cookies: []Cookie{{Name: "uid"}, {Name: "lb", Category: Essential}, {Name: "bb_*"}, {Name: "bb_long_*", Category: Analytics}}},
		{ID: "a-net", Name: "A", Category: Analytics, Domains: []string{"a.example"},
			Cookies: []Cookie{{Name: "uid"}, {Name: "/^re[0-9]+$/"}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, domain, wantID string
		wantCat              Category
	}{
		{"uid", "", "a-net", Analytics},             // tie, no domain: first by id
		{"uid", ".b.example", "b-net", Advertising}, // tie broken by the cookie's domain
		{"uid", "www.a.example", "a-net", Analytics},
		{"lb", "", "b-net", Essential},
		{"bb_x", "", "b-net", Advertising},
		{"bb_long_x", "", "b-net", Analytics}, // longest prefix wins
		{"re42", "", "a-net", Analytics},
		{"re42x", "", "", ""},
	}
	for _, tt := range tests {
		m, ok := k.MatchCookie(tt.name, tt.domain)
		if idOf(m) != tt.wantID || (ok && m.Category != tt.wantCat) {
			t.Errorf("MatchCookie(%q, %q) = %s/%s, want %s/%s", tt.name, tt.domain, idOf(m), m.Category, tt.wantID, tt.wantCat)
		}
	}
	if ids := []string{k.Vendors()[0].ID, k.Vendors()[1].ID}; ids[0] != "a-net" || ids[1] != "b-net" {
		t.Errorf("Vendors() not sorted by id: %v", ids)
	}
	bad := []struct {
		vs   []*Vendor
		want string
	}{
		{[]*Vendor{{ID: "x", Name: "X"}, {ID: "x", Name: "Y"}}, "defined twice"},
		{[]*Vendor{{ID: "x", Name: "X", Cookies: []Cookie{{Name: "/([/"}}}}, "cookie"},
		{[]*Vendor{{ID: "x", Name: "X", Cookies: []Cookie{{Name: "*"}}}}, "trailing"},
		{[]*Vendor{{Name: "no id"}}, "no id"},
	}
	for _, b := range bad {
		if _, err := New(b.vs, nil); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("New(%v) error = %v, want %q", b.vs[0].ID, err, b.want)
		}
	}
}

func TestCheckFindsProblems(t *testing.T) {
	k, err := New([]*Vendor{
		{ID: "good", Name: "Good", Category: Analytics, Domains: []string{"good.example"},
			Samples: &Samples{Match: []string{"x.good.example"}, NoMatch: []string{"notgood.example"}}},
		{ID: "zz_Bad", Name: "", Category: "tracking", Domains: []string{"good.example", "not a host"},
			Scripts: []string{"host.example"}, Cookies: []Cookie{{Name: "c", Category: "nope"}},
			Samples: &Samples{Match: []string{"x.good.example", "nothing.example"}, NoMatch: []string{"x.good.example"}}},
		{ID: "no-samples", Name: "N", Category: Analytics},
	}, map[string]string{"good": "a.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(k.Check(), "\n")
	for _, want := range []string{
		"zz_Bad: id must be lower-case",
		"zz_Bad: has no name",
		`zz_Bad: unknown category "tracking"`,
		`zz_Bad: domain "good.example" is also claimed by good`,
		`zz_Bad: domain "not a host" is not a host name`,
		`zz_Bad: script pattern "host.example" needs a path`,
		`zz_Bad: cookie "c": unknown category "nope"`,
		`zz_Bad: sample "nothing.example" matches no vendor`,
		`no-samples: needs at least one sample that must match it`,
		`no-samples: needs at least one sample that must not match it`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Check() lacks %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "a.yaml: good:") {
		t.Errorf("the good vendor was reported:\n%s", got)
	}
}

func TestLookupGuessesKind(t *testing.T) {
	k := Default()
	tests := []struct{ in, wantID string }{
		{"static.hotjar.com", "hotjar"},
		{"https://static.hotjar.com/x", "hotjar"},
		{"static.hotjar.com/c/hotjar-1.js", "hotjar"},
		{"_ga", "google-analytics"},
		{"cookie:_fbp", "facebook"},
		{"cookie:no-such-cookie-xyz;domain=.example.invalid", ""},
		{"storage:ajs_anonymous_id", "segment"},
		{"_pk_id.1.abcd", "matomo"}, // looks like a host, is a cookie
		{"no-such-thing", ""},
	}
	for _, tt := range tests {
		m, _ := k.Lookup(tt.in)
		if idOf(m) != tt.wantID {
			t.Errorf("Lookup(%q) = %q, want %q", tt.in, idOf(m), tt.wantID)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"/gtag/js?id=G-*", "/gtag/js?id=G-123&l=x", true},
		{"/gtag/js?id=G-*", "/gtag/js?id=AW-1", false},
		{"*/mtc.js", "/a/b/mtc.js", true},
		{"*/mtc.js", "/a/b/mtc.json", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
		{"*", "", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"static.hotjar.com", "https://www.googletagmanager.com/gtag/js?id=G-1", "cookie:_ga;domain=.x", "storage:ajs_user_id", "//[::1]:80/", "_pk_id.1.x"} {
		f.Add(s)
	}
	k := Default()
	f.Fuzz(func(t *testing.T, in string) {
		if m, ok := k.Lookup(in); ok && (m.Vendor == nil || m.Source != SourceBase) {
			t.Fatalf("bad match %+v", m)
		}
		k.MatchURL(in)
		k.MatchCookie(in, in)
	})
}
