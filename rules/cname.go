package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/detectors"
)

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
			f.Severity = lower(f.Severity)
		}
		f.Evidence = strings.Join(parts, "; ")
		out = append(out, f)
	}
	return out
}
