package rules

import (
	"testing"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// TestVendorScopedDenial: "<Vendor> does not use cookies" is about that
// vendor. It never makes another vendor contradicted, and it contradicts
// the vendor itself only when the scan saw it set a cookie.
func TestVendorScopedDenial(t *testing.T) {
	text := "We use Google Analytics to count visits and Hotjar to see which pages are hard to use.\n\n" +
		"Payments are handled by Stripe. Stripe does not use cookies and does not store anything on your device.\n"
	p, err := policy.Parse("privacy.md", []byte(text), "")
	if err != nil {
		t.Fatal(err)
	}
	stripe := vendor("stripe", "Stripe", "Stripe", kb.Essential, accept)
	fb := vendor("facebook", "Facebook", "Meta", kb.Advertising, accept)
	tests := []struct {
		name       string
		stripeSets bool
		want       map[string]detectors.Disclosure
	}{
		{"stripe sets no cookie", false, map[string]detectors.Disclosure{
			"google-analytics": detectors.DisclosureNamed, "hotjar": detectors.DisclosureNamed, "stripe": detectors.DisclosureNamed, "facebook": detectors.DisclosureUndisclosed}},
		{"stripe sets a cookie", true, map[string]detectors.Disclosure{
			"google-analytics": detectors.DisclosureNamed, "hotjar": detectors.DisclosureNamed, "stripe": detectors.DisclosureContradicted, "facebook": detectors.DisclosureUndisclosed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hj := vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, accept)
			in := Input{Target: site, Policy: p, Vendors: []detectors.Vendor{ga(accept), hj, stripe, fb},
				Cookies: []detectors.Cookie{
					cookie("_ga", "google-analytics", kb.Analytics, 395, accept),
					cookie("_hjSessionUser_1", "hotjar", kb.SessionReplay, 365, accept),
					cookie("_fbp", "facebook", kb.Advertising, 90, accept),
				}}
			if tc.stripeSets {
				in.Cookies = append(in.Cookies, cookie("__stripe_mid", "stripe", kb.Essential, 365, accept))
			}
			res := Evaluate(in)
			for _, v := range res.Vendors {
				if got := v.Disclosure; got != tc.want[v.ID] {
					t.Errorf("%s: disclosure %q, want %q", v.ID, got, tc.want[v.ID])
				}
			}
		})
	}
}

// TestCompanyAliases: "Facebook" names Meta, "Alphabet" names Google, for
// every brand they own (owner-named); a product's name is not the company.
func TestCompanyAliases(t *testing.T) {
	p, err := policy.Parse("privacy.md", []byte("We share data with Facebook to measure our adverts. "+
		"Our video provider belongs to Alphabet. We use Google Analytics to count visits.\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	info := func(id string) *kb.Vendor { return kb.Default().Vendor(id) }
	in := Input{Target: site, Policy: p, VendorInfo: info, Vendors: []detectors.Vendor{
		vendor("instagram", "Instagram", "Meta", kb.Social, accept),
		vendor("youtube", "YouTube", "Google", kb.Social, accept),
		vendor("facebook", "Facebook", "Meta", kb.Advertising, accept),
		vendor("tiktok", "TikTok", "ByteDance", kb.Advertising, accept),
		vendor("google-ads", "Google Ads", "Google", kb.Advertising, accept),
	}}
	// Google Ads: "Alphabet" names its owner too.
	want := map[string]detectors.Disclosure{"instagram": detectors.DisclosureOwnerNamed, "youtube": detectors.DisclosureOwnerNamed,
		"facebook": detectors.DisclosureNamed, "tiktok": detectors.DisclosureUndisclosed, "google-ads": detectors.DisclosureOwnerNamed}
	for _, v := range Evaluate(in).Vendors {
		if v.Disclosure != want[v.ID] {
			t.Errorf("%s: %q, want %q", v.ID, v.Disclosure, want[v.ID])
		}
	}
}
