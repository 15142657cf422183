package rules

import (
	"cmp"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

func TestVendorDisclosure(t *testing.T) {
	fb := vendor("facebook", "Facebook", "Meta", kb.Advertising, accept)
	aliases := func(id string) *kb.Vendor {
		if id == "google-analytics" {
			return &kb.Vendor{ID: id, Name: "Google Analytics", Owner: "Google", Aliases: []string{"GA4", "Universal Analytics"}}
		}
		return nil
	}
	tests := []struct {
		name  string
		v     detectors.Vendor
		pre   bool // the vendor set a cookie before consent
		decls []policy.Declaration
		info  func(string) *kb.Vendor
		want  detectors.Disclosure
		quote string
	}{
		{name: "named by id", v: ga(accept), decls: []policy.Declaration{aff(policy.VendorPractice, "google-analytics", "q1")},
			want: detectors.DisclosureNamed, quote: "q1"},
		{name: "named in the quote, any case for a two-word name", v: ga(accept),
			decls: []policy.Declaration{aff(policy.Analytics, "", "We rely on google analytics.")}, want: detectors.DisclosureNamed},
		{name: "alias from the knowledge base", v: ga(accept), info: aliases,
			decls: []policy.Declaration{aff(policy.Analytics, "", "Statistics come from GA4.")}, want: detectors.DisclosureNamed},
		{name: "alias unknown without the knowledge base", v: ga(accept),
			decls: []policy.Declaration{aff(policy.Analytics, "", "Statistics come from GA4.")}, want: detectors.DisclosureCategoryOnly},
		{name: "one-word name is case-sensitive", v: vendor("segment", "Segment", "Twilio", kb.Analytics, accept),
			decls: []policy.Declaration{aff(policy.ThirdPartySharing, "", "Each segment of our audience is different.")}, want: detectors.DisclosureUndisclosed},
		{name: "name inside another word does not count", v: vendor("heap", "Heap", "", kb.Analytics, accept),
			decls: []policy.Declaration{aff(policy.ThirdPartySharing, "", "We use Heaplike tools.")}, want: detectors.DisclosureUndisclosed},
		{name: "owner named", v: fb, decls: []policy.Declaration{aff(policy.SocialWidgets, "", "Meta Platforms receives data.")},
			want: detectors.DisclosureOwnerNamed},
		{name: "named only in another role", v: fb,
			decls: []policy.Declaration{{Practice: policy.VendorPractice, Polarity: policy.Affirmed, Vendor: "facebook", Role: "login", Quote: "Log in with Facebook."}},
			want:  detectors.DisclosureOwnerNamed},
		{name: "named in a fitting role", v: fb,
			decls: []policy.Declaration{{Practice: policy.VendorPractice, Polarity: policy.Affirmed, Vendor: "facebook", Role: "advertising", Quote: "Facebook shows our ads."}},
			want:  detectors.DisclosureNamed},
		{name: "the precise category is quoted before a generic term", v: fb, decls: []policy.Declaration{
			aff(policy.WebBeacons, "", "We use web beacons."), aff(policy.Advertising, "", "We use advertising partners.")},
			want: detectors.DisclosureCategoryOnly, quote: "We use advertising partners."},
		{name: "web beacons cover advertising", v: fb, decls: []policy.Declaration{aff(policy.WebBeacons, "", "We use web beacons.")},
			want: detectors.DisclosureCategoryOnly},
		{name: "vendor denial beats naming", v: ga(accept), decls: []policy.Declaration{
			aff(policy.Analytics, "", "We use Google Analytics."), den(policy.VendorPractice, "google-analytics", "We stopped using Google Analytics.")},
			want: detectors.DisclosureContradicted, quote: "We stopped using Google Analytics."},
		{name: "naming beats a category denial", v: ga(accept), decls: []policy.Declaration{
			den(policy.Analytics, "", "No analytics."), aff(policy.VendorPractice, "google-analytics", "GA.")}, want: detectors.DisclosureNamed},
		{name: "broken consent claim beats naming", v: ga(pre, accept), pre: true, decls: []policy.Declaration{
			aff(policy.VendorPractice, "google-analytics", "GA."), aff(policy.ConsentBeforeNonEssential, "", "Only with consent.")},
			want: detectors.DisclosureContradicted, quote: "Only with consent."},
		{name: "owner field from the parser", v: fb, decls: []policy.Declaration{{Practice: policy.ThirdPartySharing,
			Polarity: policy.Affirmed, Owner: "meta", Quote: "Our parent partner receives data."}}, want: detectors.DisclosureOwnerNamed},
		{name: "category used only with consent, broken", v: ga(pre, accept), pre: true, decls: []policy.Declaration{
			{Practice: policy.Analytics, Polarity: policy.Affirmed, Scope: policy.ScopeWithConsent, Quote: "Analytics cookies are set only with your consent."}},
			want: detectors.DisclosureContradicted, quote: "Analytics cookies are set only with your consent."},
		{name: "category used only with consent, kept", v: ga(accept), decls: []policy.Declaration{
			{Practice: policy.Analytics, Polarity: policy.Affirmed, Scope: policy.ScopeWithConsent, Quote: "Analytics only with consent."}},
			want: detectors.DisclosureCategoryOnly},
		{name: "nothing", v: ga(accept), decls: []policy.Declaration{unrelated}, want: detectors.DisclosureUndisclosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Target: site, Vendors: []detectors.Vendor{tc.v}, Policy: pol(tc.decls...), VendorInfo: tc.info}
			if tc.pre {
				in.Cookies = []detectors.Cookie{cookie("c", tc.v.ID, tc.v.Category, 30, pre)}
			}
			res := Evaluate(in)
			if got := res.Vendors[0].Disclosure; got != tc.want {
				t.Fatalf("disclosure = %q, want %q", got, tc.want)
			}
			if tc.quote != "" {
				if ev, _ := newEvaluation(in); ev.disc[tc.v.ID].quote != tc.quote {
					t.Errorf("quote = %q, want %q", ev.disc[tc.v.ID].quote, tc.quote)
				}
			}
		})
	}
}

func TestNoPolicyLeavesDisclosureEmpty(t *testing.T) {
	res := Evaluate(Input{Target: site, Vendors: []detectors.Vendor{ga(pre)}})
	if res.Vendors[0].Disclosure != "" {
		t.Fatalf("disclosure = %q without a policy", res.Vendors[0].Disclosure)
	}
	for _, f := range res.Findings {
		if r, _ := Lookup(f.Rule); r.NeedsPolicy {
			t.Errorf("rule %s ran without a policy", f.Rule)
		}
	}
}

func TestFingerprintStable(t *testing.T) {
	tests := []struct {
		name   string
		kind   InputKind
		a, b   string
		first  string // the scan's first target
		firstB string // the first target of b's scan, when another
		same   bool
	}{
		{"query string ignored", SiteInput, "https://shop.example/cart?sid=1&utm_source=x", "https://shop.example/cart?sid=2", "https://shop.example/", "", true},
		{"host of the target ignored", SiteInput, "https://staging.shop.example/cart", "https://www.shop.example/cart#top", "https://staging.shop.example/", "https://www.shop.example/", true},
		{"no first target", SiteInput, "https://staging.shop.example/cart", "https://www.shop.example/cart", "", "", true},
		{"empty path is root", SiteInput, "https://shop.example", "https://shop.example/", "https://shop.example/", "", true},
		{"different path", SiteInput, "https://shop.example/cart", "https://shop.example/checkout", "https://shop.example/", "", false},
		{"second site kept apart", SiteInput, "http://bakery.example/", "http://garden.example/", "http://bakery.example/", "", false},
		{"host case ignored", SiteInput, "http://Garden.example/", "http://garden.example/", "http://bakery.example/", "", true},
		{"second site stable", SiteInput, "http://garden.example/?x=1", "http://garden.example/", "http://bakery.example/", "", true},
		{"email directory ignored", EmailInput, "/tmp/a/campaign.eml", "mail/campaign.eml", "/tmp/a", "mail", true},
		{"different email", EmailInput, "mail/a.eml", "mail/b.eml", "mail", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			firstB := cmp.Or(tc.firstB, tc.first)
			pa, pb := pagePath(tc.kind, tc.a, tc.first), pagePath(tc.kind, tc.b, firstB)
			fa, fb := Fingerprint("r", pa, "v", "s"), Fingerprint("r", pb, "v", "s")
			if (fa == fb) != tc.same {
				t.Errorf("pagePath %q vs %q: same=%v, want %v", pa, pb, fa == fb, tc.same)
			}
		})
	}
	if Fingerprint("r", "/", "v", "a") == Fingerprint("r", "/", "v", "b") {
		t.Error("subject does not change the fingerprint")
	}
	if Fingerprint("ab", "/", "", "") == Fingerprint("a", "b/", "", "") {
		t.Error("fields run into each other")
	}
}

// The same observation with different values, query strings and cookie
// lifetimes keeps its fingerprint; a second run of the same scan is equal.
func TestFindingFingerprintIgnoresValues(t *testing.T) {
	mk := func(query string, days float64) Input {
		c := cookie("_ga", "google-analytics", kb.Analytics, days, pre)
		c.Pages = []string{"https://shop.example/" + query}
		c.SetBy = "https://www.googletagmanager.com/gtag/js?id=G-" + query
		return Input{Target: site + query, Vendors: []detectors.Vendor{ga(pre)}, Cookies: []detectors.Cookie{c}}
	}
	a, b := Evaluate(mk("?a=1", 730)), Evaluate(mk("?b=2", 400))
	if len(a.Findings) == 0 || len(a.Findings) != len(b.Findings) {
		t.Fatalf("finding counts differ: %d vs %d", len(a.Findings), len(b.Findings))
	}
	for i := range a.Findings {
		if a.Findings[i].Fingerprint != b.Findings[i].Fingerprint {
			t.Errorf("%s: fingerprint changed with values: %s vs %s", a.Findings[i].Rule, a.Findings[i].Fingerprint, b.Findings[i].Fingerprint)
		}
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	in := Input{Target: site, Policy: pol(unrelated),
		Vendors: []detectors.Vendor{ga(pre, accept), vendor("facebook", "Facebook", "Meta", kb.Advertising, pre, reject),
			vendor("hotjar", "Hotjar", "", kb.SessionReplay, accept)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre), cookie("_fbp", "facebook", kb.Advertising, 90, reject),
			cookie("x1", "", kb.Advertising, 500, pre), cookie("x2", "", kb.Analytics, 500, reject)},
	}
	want := Evaluate(in)
	r := rand.New(rand.NewSource(1))
	for range 20 {
		shuffled := in
		shuffled.Vendors = append([]detectors.Vendor(nil), in.Vendors...)
		shuffled.Cookies = append([]detectors.Cookie(nil), in.Cookies...)
		r.Shuffle(len(shuffled.Vendors), func(i, j int) { shuffled.Vendors[i], shuffled.Vendors[j] = shuffled.Vendors[j], shuffled.Vendors[i] })
		r.Shuffle(len(shuffled.Cookies), func(i, j int) { shuffled.Cookies[i], shuffled.Cookies[j] = shuffled.Cookies[j], shuffled.Cookies[i] })
		if got := Evaluate(shuffled); !reflect.DeepEqual(got.Findings, want.Findings) {
			t.Fatalf("findings depend on input order:\n%+v\nvs\n%+v", got.Findings, want.Findings)
		}
	}
	seen := map[string]bool{}
	for _, f := range want.Findings {
		if seen[f.Fingerprint] {
			t.Errorf("duplicate fingerprint %s", f.Fingerprint)
		}
		seen[f.Fingerprint] = true
	}
}

func FuzzNameIn(f *testing.F) {
	f.Add("We use Google Analytics.", "Google Analytics")
	f.Add("Heaplike", "Heap")
	f.Add("ÄÖ Segment", "Segment")
	f.Fuzz(func(t *testing.T, text, name string) {
		if nameIn(text, name) && len(name) > 0 && !strings.Contains(strings.ToLower(text), strings.ToLower(strings.TrimSpace(name))) {
			t.Fatalf("nameIn(%q, %q) matched text that does not contain the name", text, name)
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	in := Input{Target: site, Policy: pol(unrelated, aff(policy.Analytics, "", "We use analytics providers."),
		aff(policy.ConsentBeforeNonEssential, "", "Only after consent."))}
	cats := []kb.Category{kb.Analytics, kb.Advertising, kb.Social, kb.Essential, kb.SessionReplay}
	for i := range 200 {
		id := "v" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		c := cats[i%len(cats)]
		in.Vendors = append(in.Vendors, vendor(id, "Vendor "+id, "Owner", c, pre, reject, accept))
		for j := range 5 {
			in.Cookies = append(in.Cookies, cookie(id+string(rune('0'+j)), id, c, float64(100*j), pre, accept))
		}
		in.Detections = append(in.Detections, detectors.Detection{Kind: detectors.KindThirdPartyScript, Vendor: id, Category: c,
			Phase: pre, Page: site, Host: id + ".test"})
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(in)
	}
}
