package rules

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// consentPages is one page per phase: pre-consent saw the banner, the
// consent phases carry c (accept clicked on its first layer).
func consentPages(c capture.Consent) []PageInfo {
	acc := capture.Consent{BannerFound: true, CMP: c.CMP, Action: "accept", Clicked: true, Verified: true, Layer: 1, Offered: c.Offered}
	rej := c
	rej.BannerFound, rej.Action = true, "reject"
	return []PageInfo{
		{URL: site, Phase: pre, Consent: &capture.Consent{BannerFound: true, CMP: c.CMP}},
		{URL: site, Phase: reject, Consent: &rej},
		{URL: site, Phase: accept, Consent: &acc},
	}
}

var (
	firstLayerReject = capture.Consent{CMP: "generic", Clicked: true, Verified: true, Layer: 1, Offered: []string{"reject", "accept"}}
	secondLayerOnly  = capture.Consent{CMP: "generic", Clicked: true, Verified: true, Layer: 2, Offered: []string{"accept", "settings"},
		Steps: []string{`settings "customize"`, `reject "reject all"`}}
	acceptOnly = capture.Consent{CMP: "generic", Reason: capture.ReasonNotOffered, Offered: []string{"accept"},
		Note: "generic banner has no reject button"}
	unreadable = capture.Consent{CMP: "onetrust", Reason: capture.ReasonNotFound, Offered: []string{"accept", "settings"},
		Note: `OneTrust: step "#onetrust-pc-sdk .ot-pc-refuse-all-handler" did not appear`}
	look = func(acceptArea int, acceptFill float64, rejectArea int, rejectFill float64) *capture.BannerDesign {
		return &capture.BannerDesign{Accept: &capture.ButtonLook{Area: acceptArea, Fill: acceptFill, Text: 7},
			Reject: &capture.ButtonLook{Area: rejectArea, Fill: rejectFill, Text: 7}, Screenshot: "shots/home-after-reject-banner.png"}
	}
	withDesign = func(c capture.Consent, d *capture.BannerDesign) capture.Consent { c.Design = d; return c }
	// The always-on tracker of a scan: analytics cookie in every phase.
	gaEverywhere = Input{Vendors: []detectors.Vendor{ga(pre, reject, accept)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre, reject, accept)}}
	withPages = func(in Input, pages []PageInfo) Input { in.Pages = pages; return in }
)

func init() {
	ruleCases = append(ruleCases,
		ruleCase{rule: RuleRejectNotOffered, name: "accept only", fires: true, severity: High,
			in: Input{Pages: consentPages(acceptOnly)}},
		ruleCase{rule: RuleRejectNotOffered, name: "reject only in the settings layer is medium", fires: true, severity: Medium,
			in: Input{Pages: consentPages(secondLayerOnly)}},
		ruleCase{rule: RuleRejectNotOffered, name: "first-layer reject", in: Input{Pages: consentPages(firstLayerReject)}},
		ruleCase{rule: RuleRejectNotOffered, name: "trackscan could not read the banner", in: Input{Pages: consentPages(capture.Consent{CMP: "generic", Reason: capture.ReasonNotFound})}},
		ruleCase{rule: RuleRejectNotOffered, name: "no banner", in: Input{Pages: []PageInfo{{URL: site, Phase: reject, Consent: &capture.Consent{Action: "reject"}}}}},

		ruleCase{rule: RuleRejectNotFound, name: "settings step missing", fires: true, severity: Low, in: Input{Pages: consentPages(unreadable)}},
		ruleCase{rule: RuleRejectNotFound, name: "click failed", fires: true, severity: Low,
			in: Input{Pages: consentPages(capture.Consent{CMP: "generic", Reason: capture.ReasonClickFailed, Note: "click failed: context canceled"})}},
		ruleCase{rule: RuleRejectNotFound, name: "not offered is the other rule", in: Input{Pages: consentPages(acceptOnly)}},
		ruleCase{rule: RuleRejectNotFound, name: "clicked", in: Input{Pages: consentPages(secondLayerOnly)}},

		ruleCase{rule: RuleAcceptMoreProminent, name: "accept twice the size", fires: true, severity: Medium,
			in: Input{Pages: consentPages(withDesign(firstLayerReject, look(9000, 4, 3000, 4)))}},
		ruleCase{rule: RuleAcceptMoreProminent, name: "accept filled, reject a link", fires: true, severity: Medium,
			in: Input{Pages: consentPages(withDesign(firstLayerReject, look(4000, 4.5, 3500, 1)))}},
		ruleCase{rule: RuleAcceptMoreProminent, name: "same style", in: Input{Pages: consentPages(withDesign(firstLayerReject, look(4000, 4.5, 3800, 4.5)))}},
		ruleCase{rule: RuleAcceptMoreProminent, name: "no reject to compare", in: Input{Pages: consentPages(withDesign(acceptOnly,
			&capture.BannerDesign{Accept: &capture.ButtonLook{Area: 9000, Fill: 4}}))}},

		ruleCase{rule: RulePreTickedToggles, name: "marketing pre-ticked", fires: true, severity: High,
			in: Input{Pages: consentPages(withDesign(secondLayerOnly, &capture.BannerDesign{PreTicked: []string{"marketing", "statistics"}}))}},
		ruleCase{rule: RulePreTickedToggles, name: "all off", in: Input{Pages: consentPages(withDesign(secondLayerOnly, &capture.BannerDesign{}))}},

		ruleCase{rule: RuleLegitInterestOn, name: "legitimate interest on", fires: true, severity: Medium,
			in: Input{Pages: consentPages(withDesign(secondLayerOnly, &capture.BannerDesign{LegitimateInterestOn: []string{"measure content performance (legitimate interest)"}}))}},
		ruleCase{rule: RuleLegitInterestOn, name: "none", in: Input{Pages: consentPages(secondLayerOnly)}},

		// tracking-after-reject judges only a phase that made its choice.
		ruleCase{rule: RuleTrackingAfterReject, name: "reject could not be made", in: withPages(gaEverywhere, consentPages(acceptOnly))},
		ruleCase{rule: RuleTrackingAfterReject, name: "reject found but not clickable", in: withPages(gaEverywhere, consentPages(unreadable))},
		ruleCase{rule: RuleTrackingAfterReject, name: "rejected in the settings layer", fires: true, severity: Critical,
			vendor: "google-analytics", in: withPages(gaEverywhere, consentPages(secondLayerOnly))},
		ruleCase{rule: RuleTrackingAfterReject, name: "no banner on the site", fires: true, severity: Critical,
			vendor: "google-analytics", in: withPages(gaEverywhere, []PageInfo{{URL: site, Phase: reject, Consent: &capture.Consent{Action: "reject"}}})},
	)
}

func TestBannerEvidence(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		c     capture.Consent
		wants []string
	}{
		{RuleRejectNotOffered, secondLayerOnly, []string{"first layer offers accept, settings", `settings "customize", then reject "reject all"`}},
		{RuleRejectNotOffered, acceptOnly, []string{"no reject found", "generic banner has no reject button"}},
		{RuleAcceptMoreProminent, withDesign(firstLayerReject, look(9000, 4, 3000, 4)), []string{"3.0 times the area", "screenshot shots/home-after-reject-banner.png"}},
		{RuleRejectNotFound, unreadable, []string{"onetrust banner found", "reject-not-found", "did not appear"}},
	} {
		var ev string
		for _, f := range Evaluate(Input{Target: site, Pages: consentPages(tc.c)}).Findings {
			if f.Rule == tc.rule {
				ev = f.Evidence
			}
		}
		for _, w := range tc.wants {
			if !strings.Contains(ev, w) {
				t.Errorf("%s evidence %q lacks %q", tc.rule, ev, w)
			}
		}
	}
}
