package cli

import (
	"testing"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/policyfind"
	"github.com/trackscan/trackscan/crawler/scan"
)

func TestCMPDeclaration(t *testing.T) {
	d := scan.PolicyDocument{Candidate: policyfind.Candidate{URL: "https://shop.example/cookies"}, Doc: &browser.Document{
		CMPCookies: []browser.CMPCookie{
			{CMP: "OneTrust", Name: "OptanonConsent", Category: "Strictly Necessary Cookies", Days: 365},
			{CMP: "OneTrust", Name: "_ga", Category: "Performance Cookies", Provider: "google-analytics.com", Days: 730},
			{CMP: "OneTrust", Name: "_gat", Category: "Performance Cookies", Provider: "google-analytics.com", Days: -1},
		}}}
	p := cmpDeclaration(d)
	if p == nil || len(p.Cookies) != 3 || p.Sources[0].How != "cmp" {
		t.Fatalf("policy %+v", p)
	}
	want := map[string]struct {
		cat, quote string
		days       float64
	}{
		"OptanonConsent": {"essential", "OptanonConsent |  | Strictly Necessary Cookies | 365 days (OneTrust cookie declaration)", 365},
		"_ga":            {"analytics", "_ga | google-analytics.com | Performance Cookies | 730 days (OneTrust cookie declaration)", 730},
		"_gat":           {"analytics", "_gat | google-analytics.com | Performance Cookies | session (OneTrust cookie declaration)", -1},
	}
	for _, c := range p.Cookies {
		w := want[c.Name]
		if c.Category != w.cat || c.Quote != w.quote || c.Days != w.days {
			t.Errorf("%s: category %q days %v quote %q, want %q %v %q", c.Name, c.Category, c.Days, c.Quote, w.cat, w.days, w.quote)
		}
	}
	if cmpDeclaration(scan.PolicyDocument{Doc: &browser.Document{}}) != nil {
		t.Error("a page without a banner declares cookies")
	}
}
