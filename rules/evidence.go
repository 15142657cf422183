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

// RulePIISentToThirdParty: a value typed into a form reached a third party.
// RuleKeyLogging: it did so while being typed, before any submit.
const (
	RulePIISentToThirdParty = "pii-sent-to-third-party"
	RuleKeyLogging          = "key-logging"
)

// evidenceRules judge what the decoded beacons carried and where values
// typed into forms (--forms) went.
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
	{
		ID: RulePIISentToThirdParty, Title: "Personal data typed into a form sent to a third party", Severity: Critical,
		Why: "With --forms, trackscan typed a test identity into the page's forms. A value of it (email, phone, " +
			"name or postcode), plain, encoded or hashed, then left for another company's server. Visitors give " +
			"these details to the site for one purpose; a third party receiving them is a disclosure the visitor " +
			"did not make, and a hash still identifies them.",
		Fix: "Find the script named in the evidence and stop it reading form fields: turn off automatic advanced " +
			"matching or form-field capture in the vendor's settings, mask inputs in session-replay tools, and " +
			"send user data to vendors, if at all, from the server after consent and a contract.",
		References: []string{refGDPR5, refGDPR6, refGDPR13},
		check:      checkFormValues(false),
	},
	{
		ID: RuleKeyLogging, Title: "Form input sent while typing, before any submit", Severity: Critical,
		Why: "A third-party script sent what was typed into a form before the form was submitted (trackscan " +
			"submits only with --forms submit, after it has watched the fill): it listens to the keystrokes or input events of the fields. A visitor who types and then " +
			"changes their mind has still handed the data over.",
		Fix: "Remove the script or its form-listening feature (auto advanced matching, \"capture inputs\", " +
			"abandoned-form tracking); if the site itself needs drafts, keep them first party.",
		References: []string{refGDPR5, refEPrivacy, refGDPR6},
		check:      checkFormValues(true),
	},
}

// checkFormValues raises, per page, phase, vendor and host, the typed
// values a third party received. Key logging counts only what left while
// the form was being filled, before any submit (--forms submit sends the
// rest).
func checkFormValues(keyLogging bool) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		type obs struct {
			d     detectors.Detection
			kinds map[string]string // kind -> encoding
			urls  []string
		}
		seen := map[string]*obs{}
		for _, d := range ev.in.Detections {
			if d.Kind != detectors.KindFormValueSent || d.FirstParty || d.Sent == nil {
				continue
			}
			// What left after trackscan submitted the form was not logged
			// from the keys.
			if keyLogging && d.Sent.Format == detectors.SentFormSubmit {
				continue
			}
			key := strings.Join([]string{string(d.Phase), d.Page, d.Vendor, d.Host}, "\x00")
			o := seen[key]
			if o == nil {
				o = &obs{d: d, kinds: map[string]string{}}
				seen[key] = o
			}
			for _, id := range d.Sent.Identifiers {
				if o.kinds[id.Kind] == "" {
					o.kinds[id.Kind] = id.Encoding
				}
			}
			o.urls = append(o.urls, d.URL)
		}
		var out []Finding
		for _, k := range slices.Sorted(maps.Keys(seen)) {
			o := seen[k]
			var parts []string
			for _, kind := range slices.Sorted(maps.Keys(o.kinds)) {
				parts = append(parts, kind+" ("+o.kinds[kind]+")")
			}
			verb := "received the typed "
			if keyLogging {
				verb = "received, before any submit, the typed "
			}
			out = append(out, Finding{Vendor: o.d.Vendor, Phase: o.d.Phase, Target: o.d.Page, Category: o.d.Category,
				Subject: o.d.Host, URLs: capURLs(o.urls), Severity: r.Severity,
				Evidence: o.d.Host + " " + verb + strings.Join(parts, ", ") + "; " + o.d.Evidence})
		}
		return out
	}
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
		f := Finding{Vendor: o.d.Vendor, Phase: o.d.Phase, Target: o.d.Page, Category: o.d.Category,
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
		if f.Phase != "" && l.Phase != f.Phase {
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
