package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Rule ids of the email-tracking family that runs without a policy.
const (
	RuleEmailIndividualOpen  = "email-individual-open-tracking"
	RuleEmailIndividualClick = "email-individual-click-tracking"
)

const refCNILPixels = "CNIL deliberation 2026-042 of 12 March 2026 (recommendation on tracking pixels in emails)"

// emailTrackingRules judge open and click tracking in emails without a
// policy: tracking that tells the sender which recipient opened or clicked
// needs the recipient's consent; aggregate counting is reported as
// information.
var emailTrackingRules = []Rule{
	{
		ID: RuleEmailIndividualOpen, Title: "Email open tracking per recipient", Severity: Medium,
		Why: "An open pixel or CSS tracker tells the sender which recipient opened the email, and when: its URL " +
			"differs between two recipients' copies, carries the recipient's address, is an ESP's open pixel " +
			"(which carries a subscriber id) or carries an opaque per-recipient token. Reading whether a given " +
			"person opened a message is tracking that needs their consent; only pixels strictly needed for " +
			"security or authentication, or measuring open rates in aggregate without identifying anyone, are " +
			"exempt. A pixel with no per-recipient part is reported as info (aggregate measurement).",
		Fix: "Ask for consent to open tracking (separately from the newsletter subscription) and leave the pixel " +
			"out for recipients who refuse, or switch the ESP to aggregate open-rate measurement.",
		References: []string{refCNILPixels, refEPrivacy, refGDPR6},
		on:         []InputKind{EmailInput},
		check:      checkIndividualTracking(string(detectors.KindOpenPixel), string(detectors.KindCSSTracker)),
	},
	{
		ID: RuleEmailIndividualClick, Title: "Email click tracking per recipient", Severity: Medium,
		Why: "Links go through a redirect that tells the sender which recipient clicked: the link differs " +
			"between two recipients' copies, carries the address, is an ESP's redirect (with a subscriber id) " +
			"or carries an opaque per-recipient token. Per-person click tracking needs the same consent as open " +
			"tracking; a redirect with no per-recipient part only counts clicks and is reported as info.",
		Fix: "Ask for consent to click tracking, or send untracked links (or links that count clicks per campaign " +
			"without a subscriber id) to recipients who did not consent.",
		References: []string{refCNILPixels, refEPrivacy, refGDPR6},
		on:         []InputKind{EmailInput},
		check:      checkIndividualTracking(string(detectors.KindClickTracking)),
	},
}

// checkIndividualTracking reports, per email and host, trackers of these
// kinds: medium when one of them identifies the recipient, info when they
// only count.
func checkIndividualTracking(kinds ...string) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		var out []Finding
		for _, e := range ev.in.Emails {
			byHost := map[string][]detectors.EmailTracker{}
			var hosts []string
			for _, t := range e.Trackers {
				if !slices.Contains(kinds, string(t.Kind)) {
					continue
				}
				if _, ok := byHost[t.Host]; !ok {
					hosts = append(hosts, t.Host)
				}
				byHost[t.Host] = append(byHost[t.Host], t)
			}
			slices.Sort(hosts)
			for _, host := range hosts {
				out = append(out, individualFinding(e, host, byHost[host]))
			}
		}
		return out
	}
}

func individualFinding(e detectors.Email, host string, ts []detectors.EmailTracker) Finding {
	f := Finding{Vendor: ts[0].Vendor, Category: kb.EmailTracking, Target: e.File, Subject: host, Severity: Info}
	if f.Vendor == "" {
		f.Vendor = e.ESP
	}
	noun := "open tracking"
	if ts[0].Kind == detectors.KindClickTracking {
		noun = "click tracking"
	}
	var why, urls []string
	individual := 0
	for _, t := range ts {
		if t.Individual != "" {
			individual++
			if !slices.Contains(why, t.Individual) {
				why = append(why, t.Individual)
			}
		}
		if t.LeakEncoding == "" && !strings.HasPrefix(t.Individual, "carries the recipient's address") {
			urls = append(urls, t.URL) // a URL holding the address stays out, as in recipient-address-leak
		}
	}
	f.URLs = capURLs(urls)
	if individual == 0 {
		f.Evidence = fmt.Sprintf("aggregate %s: %d element(s) on %s with no per-recipient part", noun, len(ts), host)
		return f
	}
	slices.Sort(why)
	f.Severity = Medium
	f.Evidence = fmt.Sprintf("individual %s: %d of %d element(s) on %s identify the recipient (%s)",
		noun, individual, len(ts), host, strings.Join(why, "; "))
	return f
}
