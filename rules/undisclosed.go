package rules

import (
	"strings"

	"github.com/trackscan/trackscan/detectors"
)

// Naming rules: a non-essential vendor the policy does not name at all, or
// covers only by its kind of processing. How the policy names a vendor is
// decided in disclosure.go.

// Rule ids of this family.
const (
	RuleUndisclosedVendor      = "undisclosed-vendor"
	RuleCategoryOnlyDisclosure = "category-only-disclosure"
)

var undisclosedRules = []Rule{
	{
		ID: RuleUndisclosedVendor, Title: "Vendor not disclosed in the policy", Severity: High, NeedsPolicy: true,
		Why: "A non-essential third party received data from the site but neither it, its parent company nor " +
			"its kind of processing appears in the privacy policy. Visitors must be told who receives their " +
			"data before they can consent to it.",
		Fix:        "Name the vendor (or its parent company) and the purpose in the privacy policy, or remove the tag.",
		References: []string{refGDPR13, refGDPR5, refWP29Trans},
		check:      checkDisclosure(detectors.DisclosureUndisclosed),
	},
	{
		ID: RuleCategoryOnlyDisclosure, Title: "Vendor disclosed only by category", Severity: Low, NeedsPolicy: true,
		Why: "The policy mentions the kind of processing (\"analytics providers\", \"web beacons\", \"cookies\") " +
			"but never names this vendor or its parent company. Regulators expect recipients to be named, or " +
			"at least precise categories with a way to learn the names.",
		Fix:        "Add the vendor's name and purpose to the policy's list of recipients.",
		References: []string{refGDPR13, refWP29Trans},
		check:      checkDisclosure(detectors.DisclosureCategoryOnly),
	},
}

// checkDisclosure reports non-essential vendors at one disclosure level.
func checkDisclosure(level detectors.Disclosure) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		var out []Finding
		for _, v := range ev.in.Vendors {
			d := ev.naming[v.ID]
			if d.level != level || !v.Category.NonEssential() {
				continue
			}
			out = append(out, ev.vendorFinding(v, d))
		}
		return out
	}
}

func (ev *evaluation) vendorFinding(v detectors.Vendor, d disclosure) Finding {
	phases := make([]string, len(v.Phases))
	for i, p := range v.Phases {
		phases[i] = string(p)
	}
	evidence := v.Name
	if v.Owner != "" && v.Owner != v.Name {
		evidence += " (" + v.Owner + ")"
	}
	evidence += " [" + string(v.Category) + "]"
	if len(phases) > 0 {
		evidence += " seen " + strings.Join(phases, ", ")
	}
	if len(v.Hosts) > 0 {
		evidence += " on " + listSome(v.Hosts, 3)
	}
	return Finding{Vendor: v.ID, Category: v.Category, Disclosure: d.level, PolicyQuote: d.quote,
		Target: ev.firstPage(ev.vendorPages(v.ID)), Evidence: evidence, URLs: capURLs(ev.urls[v.ID])}
}
