package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// Email rules: open and click tracking the policy does not declare, and
// the recipient's address in tracking URLs.

// Rule ids of this family.
const (
	RuleEmailOpenUndeclared  = "email-open-tracking-undeclared"
	RuleEmailClickUndeclared = "email-click-tracking-undeclared"
	RuleRecipientAddressLeak = "recipient-address-leak"
)

var emailRules = []Rule{
	{
		ID: RuleEmailOpenUndeclared, Title: "Email open tracking not declared", Severity: Medium, NeedsPolicy: true,
		Why: "The email contains an open pixel or CSS tracker that tells the sender when, and often where, each " +
			"recipient opened it, but the policy does not mention open tracking or web beacons in emails.",
		Fix:        "Declare open tracking in the policy and ask for consent, or turn off open tracking in the ESP.",
		References: []string{refEPrivacy, refGDPR13, refCNIL2020},
		on:         []InputKind{EmailInput},
		check:      checkEmail(practiceEmailOpen),
	},
	{
		ID: RuleEmailClickUndeclared, Title: "Email click tracking not declared", Severity: Medium, NeedsPolicy: true,
		Why: "Links in the email go through a tracking redirect that records which recipient clicked what, but " +
			"the policy does not mention click tracking.",
		Fix:        "Declare click tracking in the policy, or turn off link tracking in the ESP.",
		References: []string{refGDPR13, refGDPR5},
		on:         []InputKind{EmailInput},
		check:      checkEmail(practiceEmailClick),
	},
	{
		ID: RuleRecipientAddressLeak, Title: "Recipient address sent in a tracking URL", Severity: High,
		Why: "The recipient's email address (plain, encoded or hashed) appears in a URL the email loads or links " +
			"to. Sent to a third party it is a disclosure of personal data that lets the third party join the " +
			"open or click with its own profile (high); sent to the sender's own host it is low. When the email " +
			"names no sender (no From, DKIM or Return-Path domain, no --first-party), every host is a third party.",
		Fix:        "Use opaque per-recipient tokens instead of the address or its hash in tracking URLs.",
		References: []string{refGDPR5, refGDPR6, refGDPR13},
		on:         []InputKind{EmailInput},
		check:      checkAddressLeak,
	},
}

// emailPractice is open or click tracking in emails.
type emailPractice struct {
	practice policy.Practice
	kinds    []detectors.Kind
	// alsoBy lists generic practices that declare it too ("web beacons in our emails").
	alsoBy   []policy.Practice
	declared func(*policy.EmailTracking) bool
	noun     string
}

var (
	practiceEmailOpen = emailPractice{policy.EmailOpenTracking, []detectors.Kind{detectors.KindOpenPixel, detectors.KindCSSTracker},
		[]policy.Practice{policy.WebBeacons}, func(e *policy.EmailTracking) bool { return e.OpenTracking }, "open tracking"}
	practiceEmailClick = emailPractice{policy.EmailClickTracking, []detectors.Kind{detectors.KindClickTracking},
		nil, func(e *policy.EmailTracking) bool { return e.ClickTracking }, "click tracking"}
)

func (ep emailPractice) disclosure(p *policy.Policy) (detectors.Disclosure, string) {
	for _, d := range p.Declarations {
		if d.Polarity == policy.Denied && d.Practice == ep.practice {
			return detectors.DisclosureContradicted, d.Quote
		}
	}
	if p.Structured != nil && p.Structured.EmailTracking != nil && ep.declared(p.Structured.EmailTracking) {
		return detectors.DisclosureNamed, "email_tracking: " + ep.noun + " (structured policy)"
	}
	for _, d := range p.Declarations {
		if d.Polarity == policy.Affirmed && d.Practice == ep.practice {
			return detectors.DisclosureNamed, d.Quote
		}
	}
	for _, d := range p.Declarations {
		if d.Polarity == policy.Affirmed && slices.Contains(ep.alsoBy, d.Practice) {
			return detectors.DisclosureCategoryOnly, d.Quote
		}
	}
	return detectors.DisclosureUndisclosed, ""
}

// checkEmail reports email open or click tracking the policy does not
// declare; a policy that denies it is contradicted-practice's to report.
func checkEmail(ep emailPractice) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		return ev.emailFindings(ep, detectors.DisclosureUndisclosed)
	}
}

// emailFindings are the trackers of an email practice, one finding per
// email and host, when the policy's disclosure of the practice is level.
func (ev *evaluation) emailFindings(ep emailPractice, level detectors.Disclosure) []Finding {
	l, quote := ep.disclosure(ev.in.Policy)
	if l != level {
		return nil
	}
	var out []Finding
	for _, e := range ev.in.Emails {
		// A URL that carries the address stays out of the finding, as in
		// recipient-address-leak.
		leaky := map[string]bool{}
		for _, t := range e.Trackers {
			if t.Kind == detectors.KindAddressLeak || t.LeakEncoding != "" {
				leaky[t.URL] = true
			}
		}
		byHost := map[string][]detectors.EmailTracker{}
		for _, t := range e.Trackers {
			if slices.Contains(ep.kinds, t.Kind) {
				byHost[t.Host] = append(byHost[t.Host], t)
			}
		}
		for host, ts := range byHost {
			vendor := ts[0].Vendor
			if vendor == "" {
				vendor = e.ESP
			}
			var urls []string
			for _, t := range ts {
				if !leaky[t.URL] {
					urls = append(urls, t.URL)
				}
			}
			out = append(out, Finding{Vendor: vendor, Category: kb.EmailTracking, Disclosure: level, PolicyQuote: quote,
				Target: e.File, Subject: host, URLs: capURLs(urls),
				Evidence: fmt.Sprintf("%s: %d %s element(s) on %s", ep.noun, len(ts), strings.Join(sortedSet(kindNames(ts)), "/"), host)})
		}
	}
	return out
}

// kindNames is the kind of each tracker, for evidence text.
func kindNames(ts []detectors.EmailTracker) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Kind)
	}
	return out
}

// checkAddressLeak reports URLs that carry the recipient's address; the
// evidence names the host and encoding, never the URL (it holds the address).
func checkAddressLeak(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, e := range ev.in.Emails {
		for _, t := range e.Trackers {
			if t.Kind != detectors.KindAddressLeak && t.LeakEncoding == "" {
				continue
			}
			f := Finding{Vendor: t.Vendor, Category: t.Category, Target: e.File, Subject: t.Host, Severity: High}
			party := "a third party"
			switch {
			case !t.ThirdParty:
				f.Severity, party = Low, "the sender's own domain"
			case e.SenderUnknown:
				party = "a third party (sender unknown, see --first-party)"
			}
			enc := t.LeakEncoding
			if enc == "" {
				enc = "plain"
			}
			f.Evidence = fmt.Sprintf("recipient address (%s) in a URL on %s, %s", enc, t.Host, party)
			out = append(out, f)
		}
	}
	return out
}
