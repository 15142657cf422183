package rules

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/detectors"
)

func init() { ruleCases = append(ruleCases, emailTrackingCases...) }

// emailTrackingCases run in TestRules with the other rules' cases.
var emailTrackingCases = []ruleCase{
	{rule: RuleEmailIndividualOpen, name: "ESP pixel with a subscriber id, no policy", fires: true, severity: Medium,
		vendor: "mailchimp", subject: "shop.us1.list-manage.com",
		in: Input{Kind: "email", Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us1.list-manage.com",
			Vendor: "mailchimp", URL: "https://shop.us1.list-manage.com/track/open.php?u=1&e=5a1c", Individual: "Mailchimp URL with a subscriber id"})}},
	{rule: RuleEmailIndividualOpen, name: "pixel that differs between copies", fires: true, severity: Medium, vendor: "mailchimp",
		subject: "t.shop.example", in: Input{Kind: "email", Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel,
			Host: "t.shop.example", RecipientSpecific: true, Individual: "differs between the recipients' copies"})}},
	{rule: RuleEmailIndividualOpen, name: "aggregate pixel is information", fires: true, severity: Info, vendor: "mailchimp",
		subject: "stats.shop.example", in: Input{Kind: "email", Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel,
			Host: "stats.shop.example", URL: "https://stats.shop.example/open.gif?c=spring"})}},
	{rule: RuleEmailIndividualOpen, name: "no pixel", in: Input{Kind: "email",
		Emails: email(detectors.EmailTracker{Kind: detectors.KindThirdPartyContent, Host: "cdn.shop.example"})}},
	{rule: RuleEmailIndividualOpen, name: "a site scan", in: Input{Vendors: []detectors.Vendor{ga(accept)}}},

	{rule: RuleEmailIndividualClick, name: "links with per-recipient tokens", fires: true, severity: Medium, vendor: "mailchimp",
		subject: "t.shop.example", in: Input{Kind: "email", Emails: email(
			detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "t.shop.example", Individual: "per-recipient token in its URL"},
			detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "t.shop.example"})}},
	{rule: RuleEmailIndividualClick, name: "redirect that only counts", fires: true, severity: Info, vendor: "mailchimp",
		subject: "go.shop.example", in: Input{Kind: "email", Emails: email(detectors.EmailTracker{Kind: detectors.KindClickTracking,
			Host: "go.shop.example", URL: "https://go.shop.example/r?url=https%3A%2F%2Fshop.example%2F"})}},
	{rule: RuleEmailIndividualClick, name: "open pixel only", in: Input{Kind: "email",
		Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "t.shop.example"})}},
}

// The finding says why the tracking is individual, cites the CNIL
// recommendation, and keeps URLs holding the address out.
func TestIndividualOpenTrackingEvidence(t *testing.T) {
	in := Input{Kind: "email", Target: "mail", Emails: email(
		detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "t.shop.example", URL: "https://t.shop.example/o/amFuZUBleGFtcGxlLmNvbQ",
			LeakEncoding: "base64", Individual: "carries the recipient's address (base64)"},
		detectors.EmailTracker{Kind: detectors.KindCSSTracker, Host: "t.shop.example", URL: "https://t.shop.example/print/a.gif"},
	)}
	var got []Finding
	for _, f := range Evaluate(in).Findings {
		if f.Rule == RuleEmailIndividualOpen {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("findings %+v", got)
	}
	f := got[0]
	if f.Severity != Medium || !strings.Contains(f.Evidence, "1 of 2 element(s) on t.shop.example identify the recipient (carries the recipient's address (base64))") {
		t.Errorf("evidence %q (%s)", f.Evidence, f.Severity)
	}
	for _, u := range f.URLs {
		if strings.Contains(u, "amFuZUBleGFtcGxlLmNvbQ") {
			t.Errorf("the URL holding the address is in the finding: %v", f.URLs)
		}
	}
	r, _ := Lookup(RuleEmailIndividualOpen)
	if r.NeedsPolicy || !strings.Contains(strings.Join(r.References, "|"), "CNIL deliberation 2026-042 of 12 March 2026") {
		t.Errorf("rule %+v", r)
	}
	if !r.AppliesTo("email", false) || r.AppliesTo("site", false) {
		t.Error("the rule must run on emails without a policy, and not on sites")
	}
}
