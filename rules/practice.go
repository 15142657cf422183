package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// Practice rules: session recording and fingerprinting the policy must
// declare by name.

// Rule ids of this family.
const (
	RuleSessionRecordingUndecl   = "session-recording-undeclared"
	RuleFingerprintingUndeclared = "fingerprinting-undeclared"
)

var practiceRules = []Rule{
	{
		ID: RuleSessionRecordingUndecl, Title: "Session recording not declared", Severity: High, NeedsPolicy: true,
		Why: "A session-replay script records clicks, scrolling and often typed text, but the policy neither " +
			"mentions session recording nor names the recording vendor. Recording the whole visit is an " +
			"intrusive practice visitors must be told about specifically.",
		Fix: "Declare session recording and the vendor in the policy, mask form fields, and load the recorder " +
			"only after consent.",
		References: []string{refGDPR13, refEPrivacy, refWP29Trans},
		check:      checkPractice(practiceSessionRecording),
	},
	{
		ID: RuleFingerprintingUndeclared, Title: "Browser fingerprinting not declared", Severity: High, NeedsPolicy: true,
		Why: "A script read device characteristics (canvas, fonts, audio, WebGL) in a way used to recognise the " +
			"browser without cookies, and the policy does not mention fingerprinting. Reading information " +
			"from the device needs consent just as cookies do.",
		Fix:        "Remove the fingerprinting script or declare it and obtain consent before it runs.",
		References: []string{refEDPB022, refEPrivacy, refGDPR13},
		check:      checkPractice(practiceFingerprinting),
	},
}

// practiceSpec describes a practice the policy must declare by name.
type practiceSpec struct {
	practice policy.Practice
	category kb.Category
	kind     detectors.Kind // detection kind that shows it
}

var (
	practiceSessionRecording = practiceSpec{policy.SessionRecording, kb.SessionReplay, detectors.KindSessionRecorder}
	practiceFingerprinting   = practiceSpec{policy.Fingerprinting, kb.Fingerprinting, detectors.KindFingerprinting}
)

// checkPractice reports session recording or fingerprinting the policy does
// not declare: by the practice, or (for a vendor whose whole business it
// is) by naming the vendor. A policy that denies the practice is
// contradicted-practice's to report.
func checkPractice(ps practiceSpec) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		return ev.practiceFindings(ps, detectors.DisclosureUndisclosed)
	}
}

// practiceFindings are the observations of a practice whose disclosure is
// level, one per vendor (or per host of an unknown script).
func (ev *evaluation) practiceFindings(ps practiceSpec, level detectors.Disclosure) []Finding {
	type obs struct {
		vendor, subject    string
		hosts, pages, urls []string
	}
	seen := map[string]*obs{}
	add := func(vendor, host string, urls []string, pages ...string) {
		key, subject := vendor, ""
		if vendor == "" {
			key, subject = "host:"+host, host
		}
		o := seen[key]
		if o == nil {
			o = &obs{vendor: vendor, subject: subject}
			seen[key] = o
		}
		o.hosts = append(o.hosts, host)
		o.urls = append(o.urls, urls...)
		o.pages = append(o.pages, pages...)
	}
	for _, v := range ev.in.Vendors {
		if v.Category == ps.category {
			for _, h := range v.Hosts {
				add(v.ID, h, ev.urls[v.ID], ev.vendorPages(v.ID)...)
			}
			if len(v.Hosts) == 0 {
				add(v.ID, "", ev.urls[v.ID], ev.vendorPages(v.ID)...)
			}
		}
	}
	for _, d := range ev.in.Detections {
		if d.Kind == ps.kind {
			add(d.Vendor, d.Host, []string{d.URL}, d.Page)
		}
	}
	keys := slices.Sorted(maps.Keys(seen))
	var out []Finding
	for _, k := range keys {
		o := seen[k]
		l, quote := ev.practiceDisclosure(ps, o.vendor)
		if l != level {
			continue
		}
		out = append(out, Finding{Vendor: o.vendor, Category: ps.category, Disclosure: l, PolicyQuote: quote,
			Target: ev.firstPage(o.pages), Subject: o.subject, URLs: capURLs(o.urls),
			Evidence: strings.ReplaceAll(string(ps.practice), "-", " ") + " by " + listSome(o.hosts, 3)})
	}
	return out
}

// practiceDisclosure decides how the policy covers a practice done by a
// vendor (or an unknown script when vendor is "").
func (ev *evaluation) practiceDisclosure(ps practiceSpec, vendor string) (detectors.Disclosure, string) {
	applies := func(d policy.Declaration) bool {
		return d.Practice == ps.practice && (d.Vendor == "" || d.Vendor == vendor) && (d.SiteWide() || d.Subject == vendor) && !derivedFromAllowed(d)
	}
	for _, d := range ev.in.Policy.Declarations {
		if d.Polarity == policy.Denied && applies(d) {
			return detectors.DisclosureContradicted, d.Quote
		}
	}
	for _, d := range ev.in.Policy.Declarations {
		if d.Polarity == policy.Affirmed && applies(d) {
			return detectors.DisclosureNamed, d.Quote
		}
	}
	if v := ev.vendors[vendor]; v != nil && v.Category == ps.category {
		if d := ev.naming[vendor]; d.level == detectors.DisclosureNamed || d.level == detectors.DisclosureOwnerNamed {
			return d.level, d.quote
		}
	}
	return detectors.DisclosureUndisclosed, ""
}
