package rules

import (
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

// Phase rules: non-essential tracking where consent is missing (before any
// choice) or refused (after "reject all").

// Rule ids of this family.
const (
	RulePreConsentTracking  = "pre-consent-tracking"
	RuleTrackingAfterReject = "tracking-after-reject"
)

var phaseRules = []Rule{
	{
		ID: RulePreConsentTracking, Title: "Non-essential tracking before consent", Severity: High,
		Why: "Cookies, storage or requests of analytics, advertising, social, session-replay or fingerprinting vendors " +
			"appeared on first load, before the visitor made any choice. Storing or reading such identifiers needs " +
			"prior consent, and silence or continued browsing is not consent. A vendor that only received requests " +
			"(no cookie, no storage) is reported as medium.",
		Fix: "Load these tags only after an affirmative opt-in: gate them in the tag manager or CMP, or block the " +
			"scripts until the consent signal arrives. Declare categories that truly need no consent in the " +
			"structured policy's allowed.pre-consent list.",
		References: []string{refEPrivacy, refGDPR6, refEDPB052, refCNIL2020},
		check:      checkPhase(PhasePre),
	},
	{
		ID: RuleTrackingAfterReject, Title: "Tracking continues after \"reject all\"", Severity: Critical,
		Why: "Non-essential cookies, storage or requests were still present after the visitor rejected all " +
			"non-essential purposes, so the choice is ignored. Refusing must be as easy and as effective as " +
			"accepting. A vendor that only received requests is reported as high. A site whose reject could not " +
			"be made (reject-not-offered, reject-not-found) is not judged by this rule.",
		Fix: "Make the reject action reach every tag: check the CMP's vendor and purpose mapping, remove " +
			"hard-coded tags that bypass the CMP, and delete cookies set before the choice.",
		References: []string{refEPrivacy, refGDPR7, refEDPBTask, refCNIL2020},
		check:      onlyWhereRejected(checkPhase(PhaseReject)),
	},
}

// checkPhase reports non-essential activity in a phase where consent is
// missing (pre-consent) or refused (after-reject).
func checkPhase(phase capture.Phase) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		var out []Finding
		for _, g := range ev.phaseGroups(phase) {
			if ev.allowedIn(string(phase), g.category) {
				continue
			}
			claim, hasClaim := ev.consentClaim(g.vendor, g.category)
			f := Finding{
				Severity: r.Severity, Category: g.category, Vendor: g.vendor, Phase: phase,
				Target: ev.firstPage(g.pages), Subject: g.subject, Evidence: g.evidence(phase), URLs: capURLs(g.urls),
			}
			if !g.stored {
				f.Severity = severityBelow(r.Severity)
			}
			if d, ok := ev.disc[g.vendor]; ok && g.vendor != "" {
				f.Disclosure, f.PolicyQuote = d.level, d.quote
			}
			// The claim is about what is stored; requests alone do not break it.
			// A denial naming the vendor ("we never use Hotjar") is quoted first.
			if hasClaim && phase == PhasePre && g.stored && ev.naming[g.vendor].level != detectors.DisclosureContradicted {
				f.PolicyQuote, f.Disclosure = claim, detectors.DisclosureContradicted
			}
			// A structured allowed list for this phase is what the activity breaks.
			if q, ok := ev.allowedQuote(phase); ok && ev.naming[g.vendor].level != detectors.DisclosureContradicted {
				f.PolicyQuote, f.Disclosure = q, detectors.DisclosureContradicted
			}
			out = append(out, f)
		}
		return out
	}
}

// severityBelow is the severity one step below s (info stays info).
func severityBelow(s Severity) Severity {
	switch s {
	case Critical:
		return High
	case High:
		return Medium
	case Medium:
		return Low
	}
	return Info
}
