package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/detectors"
)

// RuleAdvancedMatchingBeforeConsent: a pixel sent the visitor's email,
// phone or name (hashed or not) before consent or after a refusal.
const RuleAdvancedMatchingBeforeConsent = "advanced-matching-before-consent"

// evidenceRules judge what the decoded beacons carried.
var evidenceRules = []Rule{
	{
		ID: RuleAdvancedMatchingBeforeConsent, Title: "Personal data sent to a tracker before consent", Severity: High,
		Why: "A tracking beacon carried the visitor's email address, phone number, name or address (\"advanced " +
			"matching\", \"enhanced conversions\", user-provided data) before the visitor agreed, or after they " +
			"refused. A hash of an email or phone number is pseudonymous personal data, not anonymous: it is the same " +
			"value on every site, which is exactly why ad platforms ask for it to match the visitor to an account.",
		Fix: "Send user data to the pixel only after an opt-in for advertising: set advanced matching or enhanced " +
			"conversions in the tag manager behind the consent trigger, and do not pass identifiers in the pixel's " +
			"init call on pages that load before the choice.",
		References: []string{refEPrivacy, refGDPR6, refEDPB052, refGDPR5},
		check:      checkAdvancedMatching,
	},
}

// checkAdvancedMatching raises one finding per page, phase, vendor and set
// of fields for beacons that carried personal identifiers before consent
// or after a refusal.
func checkAdvancedMatching(ev *evaluation, r *Rule) []Finding {
	type obs struct {
		d      detectors.Detection
		fields map[string]string // field -> "kind encoding"
		urls   []string
	}
	seen := map[string]*obs{}
	for _, d := range ev.in.Detections {
		if d.Kind != detectors.KindBeaconPayload || d.Sent == nil || (d.Phase != PhasePre && d.Phase != PhaseReject) {
			continue
		}
		fields := map[string]string{}
		for _, id := range d.Sent.Identifiers {
			if detectors.Personal(id.Kind) {
				fields[id.Field] = id.Kind + " " + id.Encoding
			}
		}
		if len(fields) == 0 {
			continue
		}
		names := slices.Sorted(maps.Keys(fields))
		key := strings.Join([]string{string(d.Phase), d.Page, d.Vendor, strings.Join(names, ",")}, "\x00")
		o := seen[key]
		if o == nil {
			o = &obs{d: d, fields: fields}
			seen[key] = o
		}
		o.urls = append(o.urls, d.URL)
	}
	var out []Finding
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		o := seen[k]
		names := slices.Sorted(maps.Keys(o.fields))
		var sent []string
		for _, n := range names {
			sent = append(sent, n+" ("+o.fields[n]+")")
		}
		when := "before any consent"
		if o.d.Phase == PhaseReject {
			when = "after \"reject all\""
		}
		f := Finding{Vendor: o.d.Vendor, Phase: string(o.d.Phase), Target: o.d.Page, Category: string(o.d.Category),
			Subject: strings.Join(names, ","), URLs: capURLs(o.urls), Severity: r.Severity,
			Evidence: o.d.Sent.Format + " beacon sent " + strings.Join(sent, ", ") + " " + when + "; " + o.d.Evidence}
		out = append(out, f)
	}
	return out
}

// loadedBy is the step a finding's vendor was loaded by, for the finding's
// phase and page (else the phase's first page, else any phase): the file,
// line or tag-manager container a developer changes. Nil when unknown.
func (ev *evaluation) loadedBy(f Finding) *detectors.LoadStep {
	v := ev.vendors[f.Vendor]
	if v == nil || f.Vendor == "" {
		return nil
	}
	var best *detectors.LoadedBy
	for i := range v.LoadedBy {
		l := &v.LoadedBy[i]
		if f.Phase != "" && string(l.Phase) != f.Phase {
			continue
		}
		if l.Page == f.Target {
			best = l
			break
		}
		if best == nil {
			best = l
		}
	}
	if best == nil {
		return nil
	}
	s, ok := best.Actionable()
	if !ok {
		return nil
	}
	return &s
}
