package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/detectors/kb"
)

// TCF rule: the IAB TCF API reports consent the visitor never gave.

// Rule id of this family.
const RuleConsentBeforeChoice = "consent-before-choice"

var tcfRules = []Rule{
	{
		ID: RuleConsentBeforeChoice, Title: "TCF consent stored before any choice", Severity: High,
		Why: "The IAB TCF API reported purposes as consented on a page where the visitor had not interacted " +
			"with the banner. Pre-ticked or implied consent is not valid consent, and vendors reading this " +
			"string will act on it.",
		Fix: "Configure the CMP so that no purpose consent is set until the visitor chooses; do not pre-select " +
			"purposes or vendors.",
		References: []string{refGDPR7, refEDPB052, refEPrivacy},
		check:      checkConsentBeforeChoice,
	},
}

func checkConsentBeforeChoice(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, p := range ev.in.Pages {
		if p.Phase != PhasePre || p.Consent == nil || p.Consent.TCF == nil {
			continue
		}
		t := p.Consent.TCF
		purposes := trueKeys(t.PurposeConsents)
		if len(purposes) == 0 {
			continue
		}
		ev := fmt.Sprintf("TCF purposes %s consented before any interaction (CMP id %d", strings.Join(purposes, ", "), t.CMPID)
		if t.EventStatus != "" {
			ev += ", event " + t.EventStatus
		}
		ev += ")"
		if n := len(trueKeys(t.VendorConsents)); n > 0 {
			ev += "; " + strconv.Itoa(n) + " vendor consents set"
		}
		out = append(out, Finding{Phase: p.Phase, Target: p.URL, Subject: "tcf", Evidence: ev,
			Category: kb.ConsentManagement})
	}
	return out
}

// trueKeys returns the keys set to true, numeric ones in numeric order.
func trueKeys(m map[string]bool) []string {
	var ks []string
	for k, v := range m {
		if v {
			ks = append(ks, k)
		}
	}
	sort.Slice(ks, func(i, j int) bool {
		a, ea := strconv.Atoi(ks[i])
		b, eb := strconv.Atoi(ks[j])
		if ea == nil && eb == nil {
			return a < b
		}
		return ks[i] < ks[j]
	})
	return ks
}
