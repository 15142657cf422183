package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/internal/textfmt"
)

// Banner rule ids: how a cookie banner presents the choice, read from the
// after-reject phase (the one that looks for a reject). They need no policy.
const (
	RuleRejectNotOffered    = "reject-not-offered"
	RuleRejectNotFound      = "reject-not-found"
	RuleAcceptMoreProminent = "accept-more-prominent"
	RulePreTickedToggles    = "pre-ticked-toggles"
	RuleLegitInterestOn     = "legitimate-interest-preset"
)

const refPlanet49 = "CJEU C-673/17 Planet49 (a pre-ticked box is not consent)"

// bannerRules are appended to the catalogue (catalogue.go).
var bannerRules = []Rule{
	{
		ID: RuleRejectNotOffered, Title: "Banner offers no reject on its first layer", Severity: High,
		Why: "The cookie banner lets the visitor accept everything with one click but offers no equally easy " +
			"way to refuse: no \"reject all\" or \"necessary only\" button on the first layer. Regulators treat " +
			"this as invalid consent, since refusing must be as easy as accepting. When trackscan still " +
			"rejected through the settings layer, the finding is medium and its evidence names the steps.",
		Fix:        "Put a \"Reject all\" button next to \"Accept all\" on the first layer, in the same style.",
		References: []string{refEDPBTask, refGDPR7, refCNIL2020},
		check:      checkRejectNotOffered,
	},
	{
		ID: RuleRejectNotFound, Title: "Reject could not be made on the banner", Severity: Low,
		Why: "A cookie banner was found, but trackscan could not tell how to refuse on it (no button read as " +
			"reject, a settings step that did not appear, or a click that failed). The after-reject phase of " +
			"the site therefore ran without a choice and is not judged by tracking-after-reject; check the " +
			"banner by hand or give its selectors (consent.reject in .trackscan.yml).",
		Fix:        "Give the banner a recognisable \"Reject all\" button, or configure its selector for the scan.",
		References: []string{refEDPBTask},
		check:      checkRejectNotFound,
	},
	{
		ID: RuleAcceptMoreProminent, Title: "Accept is more prominent than reject", Severity: Medium,
		Why: "On the banner's first layer the accept button is at least twice the size of the reject button, " +
			"or it has a coloured fill while reject is drawn as plain text or a link. Steering the visitor " +
			"towards accepting by design makes the consent not freely given.",
		Fix:        "Give reject and accept the same size, weight and colour treatment.",
		References: []string{refEDPBTask, refEDPB052, refCNIL2020},
		check:      checkAcceptProminent,
	},
	{
		ID: RulePreTickedToggles, Title: "Non-essential purposes pre-ticked in the settings layer", Severity: High,
		Why: "When the banner's settings layer opened, toggles for non-essential purposes were already " +
			"switched on. A pre-ticked box is not an affirmative act and gives no valid consent; a visitor " +
			"who saves without looking would \"consent\" to everything.",
		Fix:        "Show every non-essential toggle switched off until the visitor turns it on.",
		References: []string{refPlanet49, refGDPR7, refEDPB052},
		check:      checkPreTicked,
	},
	{
		ID: RuleLegitInterestOn, Title: "Legitimate-interest toggles switched on by default", Severity: Medium,
		Why: "The settings layer has purposes switched on by default on the ground of \"legitimate interest\". " +
			"Tracking and personalisation are purposes that need consent under ePrivacy Art. 5(3), and a " +
			"visitor who rejects all must not have to find and switch off a second set of toggles.",
		Fix: "Make \"reject all\" also object to every legitimate-interest purpose, and do not base cookies " +
			"or tracking on legitimate interest.",
		References: []string{refEPrivacy, refEDPBTask},
		check:      checkLegitInterest,
	},
}

// rejectPages are the pages of the after-reject phase that met a banner
// themselves (a page that got the choice carried did not), in page order.
func (ev *evaluation) rejectPages() []PageInfo {
	var out []PageInfo
	for _, p := range ev.in.Pages {
		if p.Phase == PhaseReject && p.Consent != nil && p.Consent.BannerFound && !p.Consent.Carried {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b PageInfo) int { return strings.Compare(a.URL, b.URL) })
	return out
}

// rejectMade reports whether the after-reject phase of this site made its
// choice: some page clicked reject or got the click carried, or no page
// met a banner it could not click (a site without a banner is judged as
// it is, as before). A phase that could not click is no after-reject phase.
func (ev *evaluation) rejectMade() bool {
	unclicked := false
	for _, p := range ev.in.Pages {
		if p.Phase != PhaseReject || p.Consent == nil {
			continue
		}
		c := p.Consent
		if c.Clicked || c.Carried {
			return true
		}
		if c.BannerFound || c.Reason != "" {
			unclicked = true
		}
	}
	return !unclicked
}

// onlyWhereRejected runs a check only on a site whose reject was made.
func onlyWhereRejected(check func(*evaluation, *Rule) []Finding) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		if !ev.rejectMade() {
			return nil
		}
		return check(ev, r)
	}
}

func bannerName(c *capture.Consent) string {
	if c.CMP == "" || c.CMP == "generic" {
		return "cookie banner"
	}
	return c.CMP + " banner"
}

// withScreenshot appends the banner screenshot, when one was taken.
func withScreenshot(evidence string, c *capture.Consent) string {
	if c.Design != nil && c.Design.Screenshot != "" {
		return evidence + "; screenshot " + c.Design.Screenshot
	}
	return evidence
}

// bannerFinding is a banner rule's finding on a page of the after-reject
// phase, with the banner screenshot appended to the evidence.
func bannerFinding(severity Severity, p PageInfo, evidence string) Finding {
	return Finding{Severity: severity, Phase: PhaseReject, Target: p.URL, Evidence: withScreenshot(evidence, p.Consent)}
}

// firstBannerFinding reports the first banner of the after-reject phase on
// which evidence finds something (a non-empty string): one finding a site.
func (ev *evaluation) firstBannerFinding(r *Rule, evidence func(c *capture.Consent) string) []Finding {
	for _, p := range ev.rejectPages() {
		if e := evidence(p.Consent); e != "" {
			return []Finding{bannerFinding(r.Severity, p, e)}
		}
	}
	return nil
}

func checkRejectNotOffered(ev *evaluation, r *Rule) []Finding {
	for _, p := range ev.rejectPages() {
		c := p.Consent
		firstLayerReject := slices.Contains(c.Offered, "reject") || (c.Clicked && c.Layer == 1)
		if firstLayerReject || !slices.Contains(c.Offered, "accept") {
			continue
		}
		offered := "first layer offers " + strings.Join(c.Offered, ", ")
		if c.Clicked {
			return []Finding{bannerFinding(severityBelow(r.Severity), p, fmt.Sprintf("%s: %s; reject reached only through the settings layer: %s",
				bannerName(c), offered, strings.Join(c.Steps, ", then ")))}
		}
		return []Finding{bannerFinding(r.Severity, p, fmt.Sprintf("%s: %s; no reject found there or in a settings layer (%s)", bannerName(c), offered, c.Note))}
	}
	return nil
}

func checkRejectNotFound(ev *evaluation, r *Rule) []Finding {
	return ev.firstBannerFinding(r, func(c *capture.Consent) string {
		if c.Clicked || c.Reason == capture.ReasonNotOffered {
			return ""
		}
		return fmt.Sprintf("%s found; reject not made: %s", bannerName(c), textfmt.JoinNonEmpty(": ", c.Reason, c.Note))
	})
}

// prominenceGap says why accept stands out more than reject, or "".
func prominenceGap(d *capture.BannerDesign) string {
	if d == nil || d.Accept == nil || d.Reject == nil || d.Reject.Area <= 0 {
		return ""
	}
	a, rj := d.Accept, d.Reject
	switch {
	case a.Area >= 2*rj.Area:
		return fmt.Sprintf("accept button %.1f times the area of reject (%d vs %d px²)", float64(a.Area)/float64(rj.Area), a.Area, rj.Area)
	case a.Fill >= 3 && rj.Fill < 1.5:
		return fmt.Sprintf("accept filled (contrast %.1f against the banner) while reject has no fill (%.1f)", a.Fill, rj.Fill)
	}
	return ""
}

func checkAcceptProminent(ev *evaluation, r *Rule) []Finding {
	return ev.firstBannerFinding(r, func(c *capture.Consent) string {
		if gap := prominenceGap(c.Design); gap != "" {
			return bannerName(c) + ": " + gap
		}
		return ""
	})
}

func checkPreTicked(ev *evaluation, r *Rule) []Finding {
	return ev.firstBannerFinding(r, func(c *capture.Consent) string {
		if d := c.Design; d != nil && len(d.PreTicked) > 0 {
			return fmt.Sprintf("%s settings layer: %d toggle(s) on before any choice: %s",
				bannerName(c), len(d.PreTicked), listSome(d.PreTicked, 3))
		}
		return ""
	})
}

func checkLegitInterest(ev *evaluation, r *Rule) []Finding {
	return ev.firstBannerFinding(r, func(c *capture.Consent) string {
		if d := c.Design; d != nil && len(d.LegitimateInterestOn) > 0 {
			return fmt.Sprintf("%s settings layer: legitimate-interest toggle(s) on by default: %s",
				bannerName(c), listSome(d.LegitimateInterestOn, 3))
		}
		return ""
	})
}
