package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

// RuleNavigationOutOfScope is a page that tried to take the visitor to
// another site or to a private address by itself.
const RuleNavigationOutOfScope = "navigation-out-of-scope"

var navigationRules = []Rule{
	{
		ID: RuleNavigationOutOfScope, Title: "Page navigates away by itself to another site or a private address", Severity: Medium,
		Why: "A page redirected, set location, refreshed or opened a window toward a host outside the scanned site, " +
			"without the visitor asking. Toward a private, loopback or link-local address (the visitor's router, " +
			"a cloud metadata service) it is a request forgery every visitor's browser makes (medium); toward " +
			"another site it is worth knowing, since that site receives the visitor with the page as referrer " +
			"(info). The scanner refused to load it, so what that destination does is not in the report.",
		Fix: "Remove the redirect, script or refresh that sends visitors away unasked, or scan the destination as a " +
			"target of its own (or widen the scope with --include) when the move is intended.",
		References: []string{refGDPR5},
		check:      checkNavigationOutOfScope,
	},
}

// checkNavigationOutOfScope reports each refused destination host once,
// with the first page that tried to go there.
func checkNavigationOutOfScope(ev *evaluation, r *Rule) []Finding {
	type dest struct {
		pages, urls []string
		evidence    string
		private     bool
		phase       capture.Phase
	}
	seen := map[string]*dest{}
	for _, d := range ev.in.Detections {
		if d.Kind != detectors.KindNavigationOutOfScope {
			continue
		}
		o := seen[d.Host]
		if o == nil {
			o = &dest{evidence: d.Evidence, phase: d.Phase}
			seen[d.Host] = o
		}
		o.pages = append(o.pages, d.Page)
		o.urls = append(o.urls, d.URL)
		o.private = o.private || strings.Contains(d.Evidence, "refused: private-address")
	}
	var out []Finding
	for _, host := range slices.Sorted(maps.Keys(seen)) {
		o := seen[host]
		f := Finding{Target: ev.firstPage(o.pages), Subject: host, Severity: Info, Phase: o.phase, Evidence: o.evidence}
		if o.private {
			f.Severity = r.Severity
		}
		out = append(out, f)
	}
	return out
}
