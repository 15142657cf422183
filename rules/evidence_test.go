package rules

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

const testHash = "3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"

func pixel(phase capture.Phase, ids ...detectors.Identifier) detectors.Detection {
	return detectors.Detection{Kind: detectors.KindBeaconPayload, Vendor: "facebook", Category: kb.Advertising, Phase: phase, Page: site,
		URL: "https://www.facebook.com/tr/?ev=Lead", Host: "www.facebook.com", Evidence: "meta-pixel to https://www.facebook.com/tr/?…",
		Sent: &detectors.Sent{Format: "meta-pixel", Events: []string{"Lead"}, Identifiers: ids}}
}

var (
	hashedEmail = detectors.Identifier{Field: "ud[em]", Kind: detectors.IDEmail, Encoding: "sha256", Prefix: testHash[:8] + "…"}
	fbp         = detectors.Identifier{Field: "fbp", Kind: detectors.IDClient, Encoding: "plain"}
)

func init() {
	fb := vendor("facebook", "Facebook", "Meta", kb.Advertising, pre, accept)
	ruleCases = append(ruleCases,
		ruleCase{rule: RuleAdvancedMatchingBeforeConsent, name: "hashed email before consent", fires: true, severity: High,
			vendor: "facebook", subject: "ud[em]",
			in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{pixel(pre, hashedEmail, fbp)}}},
		ruleCase{rule: RuleAdvancedMatchingBeforeConsent, name: "after reject counts too", fires: true, severity: High,
			vendor: "facebook", subject: "ud[em]",
			in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{pixel(reject, hashedEmail)}}},
		ruleCase{rule: RuleAdvancedMatchingBeforeConsent, name: "hashed email after accept is consented",
			in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{pixel(accept, hashedEmail)}}},
		ruleCase{rule: RuleAdvancedMatchingBeforeConsent, name: "only the pixel's own visitor id",
			in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{pixel(pre, fbp)}}},
	)
}

func TestAdvancedMatchingEvidenceNamesEncoding(t *testing.T) {
	in := Input{Target: site, Vendors: []detectors.Vendor{vendor("facebook", "Facebook", "Meta", kb.Advertising, pre)},
		Detections: []detectors.Detection{pixel(pre, hashedEmail, fbp), pixel(pre, hashedEmail, fbp)}}
	var got []Finding
	for _, f := range Evaluate(in).Findings {
		if f.Rule == RuleAdvancedMatchingBeforeConsent {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("findings = %+v, want one", got)
	}
	if !strings.Contains(got[0].Evidence, "ud[em] (email sha256) before any consent") || len(got[0].URLs) != 1 {
		t.Errorf("evidence = %q urls %v", got[0].Evidence, got[0].URLs)
	}
}

func TestFindingCarriesLoadedBy(t *testing.T) {
	fb := vendor("facebook", "Facebook", "Meta", kb.Advertising, pre)
	fb.LoadedBy = []detectors.LoadedBy{
		{Phase: accept, Page: site, Chain: []detectors.LoadStep{{Kind: detectors.LoadPage, URL: site, Line: 9}}},
		{Phase: pre, Page: site + "other", Chain: []detectors.LoadStep{{Kind: detectors.LoadPage, URL: site + "other", Line: 3}}},
		{Phase: pre, Page: site, Chain: []detectors.LoadStep{
			{Kind: detectors.LoadPage, URL: site, Line: 4},
			{Kind: detectors.LoadTagManager, URL: "https://www.googletagmanager.com/gtm.js?id=GTM-X1", Container: "GTM-X1"},
			{Kind: detectors.LoadVendor, URL: "https://static.ads-twitter.com/uwt.js", Vendor: "twitter"}}},
	}
	in := Input{Target: site, Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{pixel(pre, hashedEmail)}}
	for _, f := range Evaluate(in).Findings {
		if f.Rule != RuleAdvancedMatchingBeforeConsent {
			continue
		}
		if f.LoadedBy == nil || f.LoadedBy.Container != "GTM-X1" {
			t.Errorf("loaded_by = %+v, want the GTM container of this page and phase", f.LoadedBy)
		}
		return
	}
	t.Fatal("no finding")
}

func typed(firstParty bool, phase capture.Phase) detectors.Detection {
	host := "www.facebook.com"
	if firstParty {
		host = "shop.example"
	}
	return detectors.Detection{Kind: detectors.KindFormValueSent, Vendor: "facebook", Phase: phase, Page: site, Host: host,
		URL: "https://" + host + "/tr/?ev=Lead", FirstParty: firstParty, Evidence: "email typed into email (sha256 of the lower-cased value) sent to " + host,
		Sent: &detectors.Sent{Format: "form-fill", Identifiers: []detectors.Identifier{{Field: "email", Kind: detectors.IDEmail, Encoding: "sha256 of the lower-cased value"}}}}
}

func init() {
	fb := vendor("facebook", "Facebook", "Meta", kb.Advertising, pre, accept)
	for _, rule := range []string{RulePIISentToThirdParty, RuleKeyLogging} {
		ruleCases = append(ruleCases,
			ruleCase{rule: rule, name: "typed email hashed to a pixel", fires: true, severity: Critical, vendor: "facebook", subject: "www.facebook.com",
				in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{typed(false, pre)}}},
			ruleCase{rule: rule, name: "after accept too: consent does not cover form contents", fires: true, severity: Critical, vendor: "facebook", subject: "www.facebook.com",
				in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{typed(false, accept)}}},
			ruleCase{rule: rule, name: "first-party draft saving",
				in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{typed(true, pre)}}},
		)
	}
	// After --forms submit: a third party still received it, but not from the keys.
	submitted := typed(false, pre)
	submitted.Sent = &detectors.Sent{Format: detectors.SentFormSubmit, Identifiers: submitted.Sent.Identifiers}
	ruleCases = append(ruleCases,
		ruleCase{rule: RulePIISentToThirdParty, name: "typed email sent on submit", fires: true, severity: Critical, vendor: "facebook", subject: "www.facebook.com",
			in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{submitted}}},
		ruleCase{rule: RuleKeyLogging, name: "typed email sent on submit",
			in: Input{Vendors: []detectors.Vendor{fb}, Detections: []detectors.Detection{submitted}}},
	)
}
