package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Consent Mode rule: the Google Consent Mode state that Google requests
// carried (decoded once, by consent.DecodeGCS, in the site detector) does not
// match the visitor's choice.

// Rule id of this family.
const RuleConsentModeDeniedFiring = "consent-mode-denied-firing"

var consentModeRules = []Rule{
	{
		ID: RuleConsentModeDeniedFiring, Title: "Google Consent Mode signal not honoured", Severity: Medium,
		Why: "Google requests carried Consent Mode parameters that either claimed consent (gcs=G1x1 or G11x) " +
			"before the visitor chose or after a rejection, or said storage was denied while the same Google " +
			"service still set identifier cookies. Either way the consent state Google receives does not " +
			"match the visitor's choice.",
		Fix: "Set the Consent Mode default to denied before any Google tag loads, update it only from the CMP's " +
			"callback, and remove tags that write cookies regardless of ad_storage/analytics_storage.",
		References: []string{refEPrivacy, refGDPR7, refEDPB022},
		check:      checkConsentMode,
	},
}

// checkConsentMode reports Google requests whose Consent Mode state does
// not match the visitor's choice, one finding per vendor (per site, as
// Evaluate splits sites): the evidence says which signal was not honoured
// and on how many pages.
func checkConsentMode(ev *evaluation, r *Rule) []Finding {
	type group struct {
		category    kb.Category
		phase       int // index in capture.Phases of the earliest phase seen
		pages, urls []string
		msgs        map[string][]string // what was not honoured -> pages
	}
	groups := map[string]*group{}
	note := func(d detectors.Detection, msg string) {
		g := groups[d.Vendor]
		if g == nil {
			g = &group{category: d.Category, phase: len(capture.Phases), msgs: map[string][]string{}}
			groups[d.Vendor] = g
		}
		if i := slices.Index(capture.Phases, d.Phase); i >= 0 && i < g.phase {
			g.phase = i
		}
		g.pages = append(g.pages, d.Page)
		g.urls = append(g.urls, d.URL)
		g.msgs[msg] = append(g.msgs[msg], d.Page)
	}
	for _, d := range ev.in.Detections {
		if d.Kind != detectors.KindConsentMode || d.ConsentMode == nil {
			continue
		}
		st := d.ConsentMode
		signal := strings.TrimSpace(d.Evidence)
		if d.Phase == PhasePre || d.Phase == PhaseReject {
			var granted []string
			if st.AdStorage == consent.Granted {
				granted = append(granted, "ad_storage")
			}
			if st.AnalyticsStorage == consent.Granted {
				granted = append(granted, "analytics_storage")
			}
			if len(granted) > 0 {
				when := "no choice made yet"
				if d.Phase == PhaseReject {
					when = "the visitor rejected"
				}
				note(d, fmt.Sprintf("%s, but requests to %s signalled %s granted (%s)", when, d.Host, strings.Join(granted, " and "), signal))
				continue
			}
		}
		var set, denied []string
		for _, c := range ev.in.Cookies {
			if !hasPhase(c.Phases, d.Phase) || !ev.sameCompany(c.Vendor, d.Vendor) {
				continue
			}
			if len(c.Pages) > 0 && !slices.Contains(c.Pages, d.Page) {
				continue
			}
			if (st.AdStorage == consent.Denied && c.Category == kb.Advertising) || (st.AnalyticsStorage == consent.Denied && c.Category == kb.Analytics) {
				set = append(set, c.Name)
			}
		}
		if len(set) == 0 {
			continue
		}
		if st.AdStorage == consent.Denied {
			denied = append(denied, "ad_storage")
		}
		if st.AnalyticsStorage == consent.Denied {
			denied = append(denied, "analytics_storage")
		}
		note(d, fmt.Sprintf("requests to %s signalled %s denied (%s), yet cookies %s were set %s",
			d.Host, strings.Join(denied, " and "), signal, listSome(set, 5), d.Phase))
	}
	var out []Finding
	for _, vendor := range slices.Sorted(maps.Keys(groups)) {
		g := groups[vendor]
		var parts []string
		for _, msg := range slices.Sorted(maps.Keys(g.msgs)) {
			if n := len(sortedSet(g.msgs[msg])); n > 1 {
				msg += fmt.Sprintf(" on %d pages", n)
			}
			parts = append(parts, msg)
		}
		out = append(out, Finding{Vendor: vendor, Category: g.category, Phase: capture.Phases[g.phase],
			Target: ev.firstPage(g.pages), Evidence: strings.Join(parts, "; "), URLs: capURLs(g.urls)})
	}
	return out
}

// sameCompany reports whether two vendor ids are the same vendor or share
// an owner (Google Ads cookies while Google Analytics signalled denied).
func (ev *evaluation) sameCompany(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	va, vb := ev.vendors[a], ev.vendors[b]
	return va != nil && vb != nil && va.Owner != "" && va.Owner == vb.Owner
}
