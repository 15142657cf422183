package rules

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// structuredPolicy loads the repository's example structured policy file:
// vendors google-analytics and hotjar; pre-consent allows essential and
// consent-management, after-reject adds functional, after-accept adds
// analytics and session-replay; _ga declared for 13 months.
func structuredPolicy(t *testing.T) *policy.Policy {
	t.Helper()
	p, err := policy.Load(context.Background(), "../testdata/policy/structured.yml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStructuredPolicyDisclosure(t *testing.T) {
	all := []capture.Phase{pre, reject, accept}
	tests := []struct {
		name       string
		v          detectors.Vendor
		overall    detectors.Disclosure
		quote      string // prefix of the overall quote
		naming     detectors.Disclosure
		namingFrom string
	}{
		{name: "declared, only after accept: named", v: ga(accept), overall: detectors.DisclosureNamed, quote: "vendors: google-analytics",
			naming: detectors.DisclosureNamed},
		{name: "declared, seen before consent: contradicted by the pre-consent list", v: ga(all...),
			overall: detectors.DisclosureContradicted, quote: "allowed.pre-consent: [essential, consent-management]", naming: detectors.DisclosureNamed},
		{name: "declared, seen after reject only: contradicted by the after-reject list",
			v: vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, reject, accept), overall: detectors.DisclosureContradicted,
			quote: "allowed.after-reject: [essential, functional, consent-management]", naming: detectors.DisclosureNamed},
		{name: "undeclared social widget after accept: contradicted by the after-accept list, and undisclosed",
			v: vendor("twitter", "X (Twitter)", "X Corp.", kb.Social, accept), overall: detectors.DisclosureContradicted,
			quote: "allowed.after-accept: [", naming: detectors.DisclosureUndisclosed},
		{name: "undeclared analytics vendor in an allowed phase: undisclosed, not category-only",
			v: vendor("matomo", "Matomo", "InnoCraft", kb.Analytics, accept), overall: detectors.DisclosureUndisclosed, naming: detectors.DisclosureUndisclosed},
		{name: "undeclared fingerprinter: undisclosed by name", v: vendor("fingerprintjs", "Fingerprint", "FingerprintJS", kb.Fingerprinting, all...),
			overall: detectors.DisclosureContradicted, quote: "allowed.pre-consent:", naming: detectors.DisclosureUndisclosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, _ := newEvaluation(Input{Kind: SiteInput, Target: site, Vendors: []detectors.Vendor{tc.v}, Policy: structuredPolicy(t)})
			d, n := ev.disc[tc.v.ID], ev.naming[tc.v.ID]
			if d.level != tc.overall || !strings.HasPrefix(d.quote, tc.quote) {
				t.Errorf("overall = %s %q, want %s %q...", d.level, d.quote, tc.overall, tc.quote)
			}
			if n.level != tc.naming {
				t.Errorf("naming = %s %q, want %s", n.level, n.quote, tc.naming)
			}
		})
	}
}

// TestStructuredPolicyFindings runs the catalogue on the demo shop's shape
// with the structured file: undeclared vendors are undisclosed, each phase
// rule quotes its own phase's allowed list, and the lifetime finding names
// the cookie and quotes the file's entry.
func TestStructuredPolicyFindings(t *testing.T) {
	all := []capture.Phase{pre, reject, accept}
	gaCookie := cookie("_ga", "google-analytics", kb.Analytics, 730, all...)
	gaCookie.SetBy = "https://www.googletagmanager.com/gtag/js?id=G-X"
	fp := vendor("fingerprintjs", "Fingerprint", "FingerprintJS", kb.Fingerprinting, all...)
	in := Input{Kind: SiteInput, Target: site, Policy: structuredPolicy(t),
		Vendors: []detectors.Vendor{ga(all...), fp, vendor("youtube", "YouTube", "Google", kb.Social, all...)},
		Cookies: []detectors.Cookie{gaCookie},
		Detections: []detectors.Detection{{Vendor: "fingerprintjs", Kind: detectors.KindFingerprinting, Phase: pre, Page: site,
			Host: "fingerprintjs.test", URL: "https://fingerprintjs.test/v3/collect", Category: kb.Fingerprinting}}}
	res := Evaluate(in)
	byRule := map[string][]Finding{}
	for _, f := range res.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	var undisclosed []string
	for _, f := range byRule[RuleUndisclosedVendor] {
		undisclosed = append(undisclosed, f.Vendor)
	}
	if want := []string{"fingerprintjs", "youtube"}; !slices.Equal(undisclosed, want) {
		t.Errorf("undisclosed-vendor for %v, want %v", undisclosed, want)
	}
	if len(byRule["fingerprinting-undeclared"]) != 1 {
		t.Errorf("fingerprinting-undeclared: %+v, want one finding", byRule["fingerprinting-undeclared"])
	}
	for _, f := range byRule["tracking-after-reject"] {
		if !strings.HasPrefix(f.PolicyQuote, "allowed.after-reject: [essential, functional, consent-management]") || f.Disclosure != detectors.DisclosureContradicted {
			t.Errorf("after-reject %s quotes %q (%s)", f.Vendor, f.PolicyQuote, f.Disclosure)
		}
	}
	for _, f := range byRule["pre-consent-tracking"] {
		if !strings.HasPrefix(f.PolicyQuote, "allowed.pre-consent: [essential, consent-management]") {
			t.Errorf("pre-consent %s quotes %q", f.Vendor, f.PolicyQuote)
		}
	}
	lt := byRule["cookie-lifetime-exceeds-declared"]
	if len(lt) != 1 {
		t.Fatalf("cookie-lifetime-exceeds-declared: %+v, want one", lt)
	}
	want := "_ga on .shop.example expires after 730 days; the policy declares 395 days (13 months) (tolerance 1.5x = 593 days)"
	if lt[0].Evidence != want || lt[0].PolicyQuote != "cookies[_ga].lifetime: 13 months (structured policy)" {
		t.Errorf("lifetime finding: evidence %q quote %q\nwant %q", lt[0].Evidence, lt[0].PolicyQuote, want)
	}
	if !slices.Equal(lt[0].URLs, []string{gaCookie.SetBy}) {
		t.Errorf("lifetime URLs %v", lt[0].URLs)
	}
}

func TestLifetimeWording(t *testing.T) {
	tests := []struct {
		days    float64
		written string
		want    string
	}{
		{395.4167, "13 months", "395 days (13 months)"},
		{593.12505, "", "593 days"},
		{1, "", "1 day"},
		{0.2, "", "less than a day"},
		{365, "365 days", "365 days"},
	}
	for _, tc := range tests {
		if got := lifetime(tc.days, tc.written); got != tc.want {
			t.Errorf("lifetime(%v, %q) = %q, want %q", tc.days, tc.written, got, tc.want)
		}
	}
}

// TestOwnerNamedAlone: "Google" as the first word of "Google Analytics"
// names the product, not the company; named on its own it counts.
func TestOwnerNamedAlone(t *testing.T) {
	ads := vendor("google-ads", "Google Ads", "Google", kb.Advertising, accept)
	info := func(id string) *kb.Vendor {
		switch id {
		case "google-analytics":
			return &kb.Vendor{ID: id, Name: "Google Analytics", Owner: "Google", Aliases: []string{"GA4"}}
		case "matomo":
			return &kb.Vendor{ID: id, Name: "Matomo", Owner: "InnoCraft"}
		}
		return nil
	}
	product := "We use Google Analytics 4 and Matomo to count visits."
	tests := []struct {
		name  string
		decls []policy.Declaration
		want  detectors.Disclosure
	}{
		{name: "product name only", decls: []policy.Declaration{
			aff(policy.VendorPractice, "google-analytics", product), aff(policy.VendorPractice, "matomo", product)},
			want: detectors.DisclosureUndisclosed},
		{name: "company named too", decls: []policy.Declaration{
			aff(policy.VendorPractice, "google-analytics", "Google Analytics and other Google services measure visits.")},
			want: detectors.DisclosureOwnerNamed},
		{name: "company alone", decls: []policy.Declaration{aff(policy.ThirdPartySharing, "", "We share data with Google.")},
			want: detectors.DisclosureOwnerNamed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, _ := newEvaluation(Input{Kind: SiteInput, Target: site, Vendors: []detectors.Vendor{ads}, Policy: pol(tc.decls...), VendorInfo: info})
			if got := ev.naming["google-ads"]; got.level != tc.want {
				t.Errorf("google-ads = %s (%q), want %s", got.level, got.quote, tc.want)
			}
		})
	}
}

// TestConsentModeAggregatesPerSite: the same signal on several pages of one
// site is one finding per vendor, on the first page, with at most three
// request URLs and evidence that says which signal was not honoured; a
// second site gets its own finding.
func TestConsentModeAggregatesPerSite(t *testing.T) {
	det := func(page, phase string) detectors.Detection {
		d := consentModeDetection(capture.Phase(phase), page, "G111")
		d.Category, d.Host, d.URL = kb.Analytics, "www.google-analytics.com", "https://www.google-analytics.com/g/collect?gcs=G111&dl="+page
		return d
	}
	var dets []detectors.Detection
	var pages []PageInfo
	for _, p := range []string{"https://shop.example/b", "https://shop.example/a", "https://shop.example/c", "https://shop.example/d",
		"https://blog.test/"} {
		dets = append(dets, det(p, string(pre)))
		pages = append(pages, PageInfo{URL: p, Phase: pre})
	}
	res := Evaluate(Input{Kind: SiteInput, Target: "https://shop.example/", Pages: pages, Detections: dets})
	var got []Finding
	for _, f := range res.Findings {
		if f.Rule == RuleConsentModeDeniedFiring {
			got = append(got, f)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d findings, want one per site: %+v", len(got), got)
	}
	slices.SortFunc(got, func(a, b Finding) int { return strings.Compare(a.Target, b.Target) })
	if got[0].Target != "https://blog.test/" || got[1].Target != "https://shop.example/a" {
		t.Errorf("targets %q, %q", got[0].Target, got[1].Target)
	}
	if len(got[1].URLs) != 3 || len(got[0].URLs) != 1 {
		t.Errorf("urls %v / %v, want 1 and 3", got[0].URLs, got[1].URLs)
	}
	want := "no choice made yet, but requests to www.google-analytics.com signalled ad_storage and analytics_storage granted " +
		"(gcs=G111 ad_storage=granted analytics_storage=granted) on 4 pages"
	if got[1].Evidence != want {
		t.Errorf("evidence %q\nwant %q", got[1].Evidence, want)
	}
}

// TestThirteenMonthsCarriesSetter: the finding lists where the cookie was set.
func TestThirteenMonthsCarriesSetter(t *testing.T) {
	c := cookie("_ga", "google-analytics", kb.Analytics, 730, accept)
	c.SetBy = "https://www.googletagmanager.com/gtag/js?id=G-X"
	res := Evaluate(Input{Kind: SiteInput, Target: site, Vendors: []detectors.Vendor{ga(accept)}, Cookies: []detectors.Cookie{c}})
	n := 0
	for _, f := range res.Findings {
		if f.Rule == RuleCookieLifetime13Months {
			n++
			if !slices.Equal(f.URLs, []string{c.SetBy}) {
				t.Errorf("urls %v, want the setter %s", f.URLs, c.SetBy)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d 13-month findings, want 1", n)
	}
}

func FuzzOwnerNamedAlone(f *testing.F) {
	f.Add("We use Google Analytics 4 and Google.", "Google", "Google Analytics")
	f.Add("İstanbul Google analytics", "Google", "GOOGLE ANALYTICS")
	f.Fuzz(func(t *testing.T, quote, owner, name string) {
		if got := replaceFold(quote, name); len(got) != len(quote) {
			t.Fatalf("replaceFold changed the length: %q -> %q", quote, got)
		}
		ev, _ := newEvaluation(Input{Kind: SiteInput, Vendors: []detectors.Vendor{vendor("x", name, "", kb.Analytics)},
			Policy: pol(aff(policy.VendorPractice, "x", quote))})
		ev.ownerNamedAlone(quote, owner)
	})
}
