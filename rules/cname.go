package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/detectors"
)

// CNAME rule: a tracker hidden behind a first-party subdomain.

// Rule id of this family.
const RuleCNAMECloakedTracker = "cname-cloaked-tracker"

var cnameRules = []Rule{
	{
		ID: RuleCNAMECloakedTracker, Title: "Tracker hidden behind a first-party subdomain (CNAME cloaking)", Severity: High,
		Why: "A subdomain of the site is a DNS alias (CNAME) of a tracking vendor's host, so the vendor's requests " +
			"and cookies look first party: browsers' third-party cookie protections, filter lists and the " +
			"visitor's own expectations all miss it, and cookies on the site's domain are sent to the vendor. " +
			"High when it sets cookies before consent or the policy does not disclose the vendor, medium " +
			"otherwise; one level lower when the target is not a known tracker but its traffic looks like one " +
			"(a suspicion).",
		Fix: "Load the vendor from its own domain, or treat the alias exactly as the vendor: gate it behind " +
			"consent, name the vendor in the policy, and scope its cookies to the alias host rather than the " +
			"whole site.",
		References: []string{refEPrivacy, refGDPR13, refEDPB022, refCNIL2020},
		check:      checkCNAMECloaking,
	},
}

// checkCNAMECloaking reports each first-party host the detectors found to
// be a DNS alias of a tracker, once per vendor and host.
func checkCNAMECloaking(ev *evaluation, r *Rule) []Finding {
	type obs struct {
		vendor, host, evidence, confidence string
		pages                              []string
		pre                                bool
	}
	seen := map[string]*obs{}
	for _, d := range ev.in.Detections {
		if d.Kind != detectors.KindCNAMECloaking || !d.FirstParty {
			continue
		}
		key := d.Vendor + "\x00" + d.Host
		o := seen[key]
		if o == nil {
			o = &obs{vendor: d.Vendor, host: d.Host, evidence: d.Evidence, confidence: d.Confidence}
			seen[key] = o
		}
		o.pages = append(o.pages, d.Page)
		o.pre = o.pre || d.Phase == PhasePre
	}
	keys := slices.Sorted(maps.Keys(seen))
	var out []Finding
	for _, k := range keys {
		o := seen[k]
		var preCookies []string
		for _, c := range ev.in.Cookies {
			if c.Vendor == o.vendor && o.vendor != "" && hasPhase(c.Phases, PhasePre) {
				preCookies = append(preCookies, c.Name)
			}
		}
		f := Finding{Vendor: o.vendor, Target: ev.firstPage(o.pages), Subject: o.host, Severity: Medium}
		if v := ev.vendors[o.vendor]; v != nil {
			f.Category = v.Category
		}
		parts := []string{o.evidence}
		if len(preCookies) > 0 {
			f.Severity, f.Phase = r.Severity, PhasePre
			parts = append(parts, "sets cookies before consent: "+listSome(preCookies, 5))
		} else if o.pre {
			f.Phase = PhasePre
		}
		if d, ok := ev.disc[o.vendor]; ok {
			f.Disclosure, f.PolicyQuote = d.level, d.quote
			if d.level == detectors.DisclosureUndisclosed || d.level == detectors.DisclosureContradicted {
				f.Severity = r.Severity
				parts = append(parts, "vendor "+string(d.level)+" in the policy")
			}
		}
		if o.confidence == "low" {
			f.Severity = severityBelow(f.Severity)
		}
		f.Evidence = strings.Join(parts, "; ")
		out = append(out, f)
	}
	return out
}
