package rules

import "slices"

// Rule is one entry of the catalogue: a stable id CI configurations and
// ignore files refer to, and the text a report shows beside a finding.
type Rule struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"` // default; a finding may be lower (see Why)
	// NeedsPolicy rules compare with a declared policy and do not run without one.
	NeedsPolicy bool     `json:"needs_policy"`
	Why         string   `json:"why"`
	Fix         string   `json:"fix"`
	References  []string `json:"references"`

	// on lists the report kinds the rule fires on; nil means site reports.
	on    []InputKind
	check func(*evaluation, *Rule) []Finding
}

// Reference names, kept in one place so docs and reports spell them alike.
const (
	refGDPR6     = "GDPR Art. 6(1)(a) (consent as the lawful basis)"
	refGDPR7     = "GDPR Art. 7 (conditions for consent, withdrawal as easy as giving it)"
	refGDPR13    = "GDPR Art. 13(1)(e) (recipients of personal data must be named)"
	refGDPR5     = "GDPR Art. 5(1)(a) (lawfulness, fairness and transparency)"
	refGDPR5e    = "GDPR Art. 5(1)(e) (storage limitation)"
	refEPrivacy  = "ePrivacy Directive Art. 5(3) (storing or reading information on the terminal needs consent)"
	refEDPB052   = "EDPB Guidelines 05/2020 on consent"
	refEDPB022   = "EDPB Guidelines 2/2023 on the technical scope of Art. 5(3) ePrivacy"
	refCNIL2020  = "CNIL guidelines and recommendation on cookies and other trackers (2020)"
	refCNIL13    = "CNIL recommendation on trackers: 13-month maximum lifetime"
	refWP29Trans = "Article 29 WP Guidelines on transparency (WP260 rev.01), endorsed by the EDPB"
	refEDPBTask  = "EDPB Cookie Banner Taskforce report (2023)"
)

// catalogue is the explicit list of rules, in the order they are
// documented: each family's slice, declared in its own file beside its
// checks. A new rule is one entry in its family's slice (and one check); a
// new family is one file and one line here.
var catalogue = slices.Concat(
	phaseRules,
	tcfRules,
	consentModeRules,
	undisclosedRules,
	contradictedRules,
	lifetimeRules,
	practiceRules,
	cnameRules,
	emailRules,
	emailTrackingRules,
	navigationRules,
	bannerRules,
	declaredRules,
	evidenceRules,
)

// Rules returns the catalogue in documentation order.
func Rules() []Rule {
	return append([]Rule(nil), catalogue...)
}

// Lookup returns the rule with this id.
func Lookup(id string) (Rule, bool) {
	for _, r := range catalogue {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ParseSeverity parses a --fail-on value; "none" gives "" and true.
func ParseSeverity(s string) (Severity, bool) {
	switch v := Severity(s); v {
	case Info, Low, Medium, High, Critical:
		return v, true
	case "none", "":
		return "", true
	}
	return "", false
}

// AppliesTo reports whether the rule can fire on a report of this kind
// with or without a policy.
func (r Rule) AppliesTo(kind InputKind, hasPolicy bool) bool {
	if r.NeedsPolicy && !hasPolicy {
		return false
	}
	if r.on == nil {
		return kind == SiteInput
	}
	return slices.Contains(r.on, kind)
}
