package rules

import (
	"strings"

	"github.com/trackscan/trackscan/detectors"
)

// Contradiction rule: the policy denies what the scan observed (a vendor, a
// practice, or nothing non-essential before consent).

// Rule id of this family.
const RuleContradictedPractice = "contradicted-practice"

var contradictedRules = []Rule{
	{
		ID: RuleContradictedPractice, Title: "Observed practice contradicts the policy", Severity: High, NeedsPolicy: true,
		Why: "The policy denies something the scan observed: it says a vendor or a kind of tracking is not used, " +
			"or it claims no non-essential cookies are set before consent while the pre-consent phase showed " +
			"them. A false statement makes any consent obtained on its basis uninformed.",
		Fix:        "Either stop the practice or correct the policy; then rescan.",
		References: []string{refGDPR5, refGDPR7, refWP29Trans},
		on:         []InputKind{SiteInput, EmailInput},
		check:      checkContradicted,
	},
}

func checkContradicted(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, v := range ev.in.Vendors {
		d := ev.disc[v.ID]
		if d.level != detectors.DisclosureContradicted {
			continue
		}
		f := ev.vendorFinding(v, d)
		// Broken consent claim (not a denial): say what was stored before the choice.
		if d.phase != "" && d.phase != PhasePre {
			// A structured allowed list of a later phase: say what ran in it.
			if g := ev.vendorGroup(d.phase, v.ID); g != nil {
				f.Evidence = v.Name + " [" + string(v.Category) + "] " + g.evidence(d.phase)
			}
		} else if ev.naming[v.ID].level != detectors.DisclosureContradicted {
			if g := ev.vendorGroup(PhasePre, v.ID); g != nil && g.stored {
				f.Evidence = v.Name + " [" + string(v.Category) + "] before any choice: " +
					strings.TrimPrefix(g.evidence(PhasePre), "seen "+string(PhasePre)+"; ")
			}
		}
		out = append(out, f)
	}
	// A denied practice: "we never use session recording", "we do not track
	// whether you opened our emails".
	for _, ps := range []practiceSpec{practiceSessionRecording, practiceFingerprinting} {
		out = append(out, ev.practiceFindings(ps, detectors.DisclosureContradicted)...)
	}
	for _, ep := range []emailPractice{practiceEmailOpen, practiceEmailClick} {
		out = append(out, ev.emailFindings(ep, detectors.DisclosureContradicted)...)
	}
	// Cookies and storage of no known vendor still break a consent claim.
	for _, g := range ev.phaseGroups(PhasePre) {
		if g.vendor != "" || !g.stored || ev.allowedIn(string(PhasePre), g.category) {
			continue
		}
		claim, ok := ev.consentClaim("", g.category)
		if !ok {
			continue
		}
		out = append(out, Finding{Category: g.category, Phase: PhasePre, Disclosure: detectors.DisclosureContradicted,
			Target: ev.firstPage(g.pages), Subject: g.subject, PolicyQuote: claim, Evidence: g.evidence(PhasePre), URLs: capURLs(g.urls)})
	}
	return out
}
