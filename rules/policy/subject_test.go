package policy

import (
	"strings"
	"testing"
)

// TestSubjectScopedStatements: a statement about a vendor or provider is
// scoped to it; the site's own statements stay the site's.
func TestSubjectScopedStatements(t *testing.T) {
	cases := []struct {
		text     string
		practice Practice
		polarity Polarity
		subject  string // "" = the site itself
	}{
		// About a vendor or a provider.
		{"Stripe does not use cookies and does not store anything on your device.", Cookies, Denied, "stripe"},
		{"Plausible Analytics does not use cookies.", Cookies, Denied, "plausible"},
		{"Fathom never sets cookies or collects personal data.", Cookies, Denied, "fathom"},
		{"Cloudflare does not set tracking cookies on this site.", Cookies, Denied, "cloudflare"},
		{"Our hosting provider does not use cookies.", Cookies, Denied, "hosting provider"},
		{"The chat widget does not set cookies before you open it.", Cookies, Denied, "chat widget"},
		{"Our payment provider does not share your card details with third parties.", ThirdPartySharing, Denied, "payment provider"},
		{"Hotjar does not record keystrokes in form fields.", SessionRecording, Denied, "hotjar"},
		{"PayPal and Stripe do not sell your personal data.", SaleOfData, Denied, "paypal"},
		{"Matomo, which we host ourselves, does not share data with third parties.", ThirdPartySharing, Denied, "matomo"},
		{"Cookies are not set by Stripe.", Cookies, Denied, "stripe"},
		{"The YouTube player does not set cookies until you play a video.", Cookies, Denied, "youtube"},
		{"Mailchimp does not track whether you opened our emails.", EmailOpenTracking, Denied, "mailchimp"},
		{"Our advertising partners do not use fingerprinting.", Fingerprinting, Denied, "advertising partners"},
		{"We use Plausible for statistics. It does not use cookies.", Cookies, Denied, "plausible"},
		{"Google Analytics uses cookies to count visits.", Cookies, Affirmed, "google-analytics"},
		// The site's own.
		{"We do not use cookies for advertising.", Advertising, Denied, ""},
		{"This website does not use cookies.", Cookies, Denied, ""},
		{"We never sell your data.", SaleOfData, Denied, ""},
		{"Our website does not use analytics tools such as Google Analytics.", Analytics, Denied, ""},
		{"We do not use Hotjar or any other session recording tool.", SessionRecording, Denied, ""},
		{"Cookies are not used on this site.", Cookies, Denied, ""},
		{"No cookies are set by our website.", Cookies, Denied, ""},
		{"Unlike Google Analytics, we do not use cookies.", Cookies, Denied, ""},
		{"Stripe sets cookies for fraud prevention, but we do not use cookies ourselves.", Cookies, Denied, ""},
		{"We and our partners do not use fingerprinting.", Fingerprinting, Denied, ""},
		{"Our shop does not share your data with advertisers.", ThirdPartySharing, Denied, ""},
		{"We don't use third-party analytics.", Analytics, Denied, ""},
	}
	for _, c := range cases {
		pol, err := Default().Parse("p.txt", []byte(c.text), FormatText)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range pol.Declarations {
			if d.Practice != c.practice || d.Polarity != c.polarity {
				continue
			}
			if d.Subject == c.subject {
				found = true
				break
			}
		}
		if !found {
			var got []string
			for _, d := range pol.Declarations {
				got = append(got, string(d.Practice)+"/"+string(d.Polarity)+"/subject="+d.Subject)
			}
			t.Errorf("%q: want %s %s about %q, got %s", c.text, c.practice, c.polarity, c.subject, strings.Join(got, ", "))
		}
		// A denial about a vendor is not the site's: the summary leaves it out.
		if c.polarity == Denied {
			_, inSummary := pol.Summary()[c.practice]
			if c.subject != "" && inSummary && !strings.Contains(c.text, ". ") && !strings.Contains(c.text, "but we") {
				t.Errorf("%q: a denial about %s is in the site's summary", c.text, c.subject)
			}
			// (Stripe's own cookies make the site's summary affirm cookies.)
			if c.subject == "" && pol.Summary()[c.practice] != Denied && !strings.HasPrefix(c.text, "Stripe sets") {
				t.Errorf("%q: the site's denial is missing from the summary", c.text)
			}
		}
	}
}
