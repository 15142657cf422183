package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

const site = "https://shop.example/"

var (
	pre    = capture.PreConsent
	reject = capture.AfterReject
	accept = capture.AfterAccept
)

func vendor(id, name, owner string, c kb.Category, phases ...capture.Phase) detectors.Vendor {
	return detectors.Vendor{ID: id, Name: name, Owner: owner, Category: c, Phases: phases, Hosts: []string{id + ".test"}}
}

// consentModeDetection is what the site detector records for a Google
// Analytics request carrying gcs on a page: the state decoded by
// consent.DecodeGCS, as in a scan.
func consentModeDetection(phase capture.Phase, page, gcs string) detectors.Detection {
	u := "https://region1.google-analytics.com/g/collect?gcs=" + gcs
	cm, ok := consent.DecodeGCS(u)
	if !ok {
		panic("not a Consent Mode request: " + u)
	}
	return detectors.Detection{Kind: detectors.KindConsentMode, Vendor: "google-analytics", Phase: phase, Page: page,
		Host: "region1.google-analytics.com", URL: u, Evidence: cm.String(), ConsentMode: &cm}
}

func ga(phases ...capture.Phase) detectors.Vendor {
	v := vendor("google-analytics", "Google Analytics", "Google", kb.Analytics, phases...)
	v.Hosts = []string{"www.google-analytics.com"}
	return v
}

func cookie(name, vendorID string, c kb.Category, days float64, phases ...capture.Phase) detectors.Cookie {
	return detectors.Cookie{Name: name, Domain: ".shop.example", Vendor: vendorID, Category: c, ExpiresDays: days,
		Phases: phases, Stored: true, Pages: []string{site}}
}

func pol(ds ...policy.Declaration) *policy.Policy {
	return &policy.Policy{Source: "privacy.md", Declarations: ds}
}

func aff(practice policy.Practice, vendorID, quote string) policy.Declaration {
	return policy.Declaration{Practice: practice, Polarity: policy.Affirmed, Vendor: vendorID, Quote: quote}
}

func den(practice policy.Practice, vendorID, quote string) policy.Declaration {
	return policy.Declaration{Practice: practice, Polarity: policy.Denied, Vendor: vendorID, Quote: quote}
}

var unrelated = aff(policy.ThirdPartySharing, "", "We share your order with the courier.")

func email(trackers ...detectors.EmailTracker) []detectors.Email {
	return []detectors.Email{{File: "mail/campaign.eml", ESP: "mailchimp", Trackers: trackers}}
}

// ruleCase is one in-memory scan and what one rule must (or must not) report.
type ruleCase struct {
	rule     string
	name     string
	in       Input
	fires    bool
	severity Severity // checked when fires
	vendor   string
	subject  string
	disc     detectors.Disclosure
	quote    string // substring of the policy quote, when fires
}

var ruleCases = []ruleCase{
	// pre-consent-tracking
	{rule: RulePreConsentTracking, name: "analytics cookie before consent", fires: true, severity: High, vendor: "google-analytics",
		in: Input{Vendors: []detectors.Vendor{ga(pre, accept)}, Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre, accept)}}},
	{rule: RulePreConsentTracking, name: "requests only are medium", fires: true, severity: Medium, vendor: "google-analytics",
		in: Input{Vendors: []detectors.Vendor{ga(pre)}}},
	{rule: RulePreConsentTracking, name: "unknown-vendor advertising cookie", fires: true, severity: High, subject: "adid",
		in: Input{Cookies: []detectors.Cookie{cookie("adid", "", kb.Advertising, 30, pre)}}},
	{rule: RulePreConsentTracking, name: "only after accept", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, accept)}}},
	{rule: RulePreConsentTracking, name: "essential cookie before consent",
		in: Input{Cookies: []detectors.Cookie{cookie("PHPSESSID", "", kb.Essential, -1, pre)}}},
	{rule: RulePreConsentTracking, name: "structured policy allows analytics pre-consent",
		in: Input{Vendors: []detectors.Vendor{ga(pre)}, Policy: &policy.Policy{Structured: &policy.File{
			Allowed: map[string][]string{"pre-consent": {"essential", "analytics"}}}}}},

	// tracking-after-reject
	{rule: RuleTrackingAfterReject, name: "advertising cookie after reject", fires: true, severity: Critical, vendor: "facebook",
		in: Input{Vendors: []detectors.Vendor{vendor("facebook", "Facebook", "Meta", kb.Advertising, reject)},
			Cookies: []detectors.Cookie{cookie("_fbp", "facebook", kb.Advertising, 90, reject)}}},
	{rule: RuleTrackingAfterReject, name: "requests only after reject are high", fires: true, severity: High, vendor: "facebook",
		in: Input{Vendors: []detectors.Vendor{vendor("facebook", "Facebook", "Meta", kb.Advertising, reject)}}},
	{rule: RuleTrackingAfterReject, name: "only after accept",
		in: Input{Vendors: []detectors.Vendor{vendor("facebook", "Facebook", "Meta", kb.Advertising, accept)},
			Cookies: []detectors.Cookie{cookie("_fbp", "facebook", kb.Advertising, 90, accept)}}},

	// consent-before-choice
	{rule: RuleConsentBeforeChoice, name: "purposes consented on first load", fires: true, severity: High, subject: "tcf",
		in: Input{Pages: []PageInfo{{URL: site, Phase: pre, Consent: &capture.Consent{TCF: &capture.TCF{CMPID: 10,
			PurposeConsents: map[string]bool{"1": true, "10": true, "2": false}}}}}}},
	{rule: RuleConsentBeforeChoice, name: "no purpose consented",
		in: Input{Pages: []PageInfo{{URL: site, Phase: pre, Consent: &capture.Consent{TCF: &capture.TCF{
			PurposeConsents: map[string]bool{"1": false}}}}}}},
	{rule: RuleConsentBeforeChoice, name: "consent after accept is expected",
		in: Input{Pages: []PageInfo{{URL: site, Phase: accept, Consent: &capture.Consent{TCF: &capture.TCF{
			PurposeConsents: map[string]bool{"1": true}}}}}}},

	// consent-mode-denied-firing
	{rule: RuleConsentModeDeniedFiring, name: "granted signal before consent", fires: true, severity: Medium,
		vendor: "google-analytics",
		in:     Input{Detections: []detectors.Detection{consentModeDetection(pre, site, "G111")}}},
	{rule: RuleConsentModeDeniedFiring, name: "denied but analytics cookie set", fires: true, severity: Medium,
		vendor: "google-analytics",
		in: Input{Vendors: []detectors.Vendor{ga(reject)},
			Cookies:    []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, reject)},
			Detections: []detectors.Detection{consentModeDetection(reject, site, "G100")}}},
	{rule: RuleConsentModeDeniedFiring, name: "denied ping without cookies",
		in: Input{Detections: []detectors.Detection{consentModeDetection(pre, site, "G100")}}},
	{rule: RuleConsentModeDeniedFiring, name: "granted after accept",
		in: Input{Detections: []detectors.Detection{consentModeDetection(accept, site, "G111")}}},

	// undisclosed-vendor
	{rule: RuleUndisclosedVendor, name: "vendor absent from the policy", fires: true, severity: High, vendor: "google-analytics",
		disc: detectors.DisclosureUndisclosed, in: Input{Vendors: []detectors.Vendor{ga(accept)}, Policy: pol(unrelated)}},
	{rule: RuleUndisclosedVendor, name: "absent and breaking the consent claim", fires: true, severity: High, vendor: "hotjar",
		disc: detectors.DisclosureUndisclosed, in: Input{Vendors: []detectors.Vendor{vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, pre)},
			Cookies: []detectors.Cookie{cookie("_hjSession_1", "hotjar", kb.SessionReplay, 1, pre)},
			Policy:  pol(aff(policy.ConsentBeforeNonEssential, "", "Non-essential cookies are set only after you consent."))}},
	{rule: RuleUndisclosedVendor, name: "vendor denied by name", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Policy: pol(den(policy.VendorPractice, "google-analytics", "We do not use Google Analytics."))}},
	{rule: RuleUndisclosedVendor, name: "vendor named", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Policy: pol(aff(policy.Analytics, "", "We use Google Analytics to count visits."))}},
	{rule: RuleUndisclosedVendor, name: "no policy given", in: Input{Vendors: []detectors.Vendor{ga(accept)}}},
	{rule: RuleUndisclosedVendor, name: "essential vendor", in: Input{Policy: pol(unrelated),
		Vendors: []detectors.Vendor{vendor("cdn", "Some CDN", "", kb.Essential, accept)}}},
	{rule: RuleUndisclosedVendor, name: "owner named", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Policy: pol(aff(policy.ThirdPartySharing, "", "Some services are provided by Google."))}},

	// category-only-disclosure
	{rule: RuleCategoryOnlyDisclosure, name: "only analytics providers mentioned", fires: true, severity: Low, vendor: "google-analytics",
		disc: detectors.DisclosureCategoryOnly, quote: "analytics providers",
		in: Input{Vendors: []detectors.Vendor{ga(accept)}, Policy: pol(aff(policy.Analytics, "", "We work with analytics providers."))}},
	{rule: RuleCategoryOnlyDisclosure, name: "generic cookies sentence covers a cookie-setting vendor", fires: true, severity: Low,
		vendor: "facebook", disc: detectors.DisclosureCategoryOnly,
		in: Input{Vendors: []detectors.Vendor{vendor("facebook", "Facebook", "Meta", kb.Advertising, accept)},
			Cookies: []detectors.Cookie{cookie("_fbp", "facebook", kb.Advertising, 90, accept)},
			Policy:  pol(aff(policy.Cookies, "", "Our partners place cookies."))}},
	{rule: RuleCategoryOnlyDisclosure, name: "categorised and breaking the consent claim", fires: true, severity: Low,
		vendor: "facebook", disc: detectors.DisclosureCategoryOnly, quote: "advertising partners",
		in: Input{Vendors: []detectors.Vendor{vendor("facebook", "Facebook", "Meta", kb.Advertising, pre)},
			Cookies: []detectors.Cookie{cookie("fr", "facebook", kb.Advertising, 90, pre)},
			Policy: pol(aff(policy.Advertising, "", "We use advertising partners."),
				aff(policy.ConsentBeforeNonEssential, "", "Non-essential cookies are set only after you consent."))}},
	{rule: RuleCategoryOnlyDisclosure, name: "named by id", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Policy: pol(aff(policy.Analytics, "", "We work with analytics providers."), aff(policy.VendorPractice, "google-analytics", "GA counts visits."))}},
	{rule: RuleCategoryOnlyDisclosure, name: "category of another kind", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Policy: pol(aff(policy.Advertising, "", "We show ads from advertising partners."))}},

	// contradicted-practice
	{rule: RuleContradictedPractice, name: "analytics denied", fires: true, severity: High, vendor: "google-analytics",
		disc: detectors.DisclosureContradicted, quote: "do not use third-party analytics",
		in: Input{Vendors: []detectors.Vendor{ga(accept)}, Policy: pol(den(policy.Analytics, "", "We do not use third-party analytics."))}},
	{rule: RuleContradictedPractice, name: "consent claim broken by a named vendor", fires: true, severity: High, vendor: "google-analytics",
		disc: detectors.DisclosureContradicted, quote: "only after you consent",
		in: Input{Vendors: []detectors.Vendor{ga(pre, accept)}, Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre)},
			Policy: pol(aff(policy.Analytics, "", "We use Google Analytics."),
				aff(policy.ConsentBeforeNonEssential, "", "Non-essential cookies are set only after you consent."))}},
	{rule: RuleContradictedPractice, name: "consent claim broken by an unknown cookie", fires: true, severity: High, subject: "trk",
		in: Input{Cookies: []detectors.Cookie{cookie("trk", "", kb.Advertising, 30, pre)},
			Policy: pol(aff(policy.ConsentBeforeNonEssential, "", "Non-essential cookies are set only after you consent."))}},
	{rule: RuleContradictedPractice, name: "consent claim broken by an undisclosed vendor", fires: true, severity: High, vendor: "hotjar",
		disc: detectors.DisclosureContradicted, quote: "only after you consent",
		in: Input{Vendors: []detectors.Vendor{vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, pre)},
			Cookies: []detectors.Cookie{cookie("_hjSession_1", "hotjar", kb.SessionReplay, 1, pre)},
			Policy:  pol(aff(policy.ConsentBeforeNonEssential, "", "Non-essential cookies are set only after you consent."))}},
	{rule: RuleContradictedPractice, name: "consent claim kept", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, accept)},
		Policy:  pol(aff(policy.ConsentBeforeNonEssential, "", "Non-essential cookies are set only after you consent."))}},
	{rule: RuleContradictedPractice, name: "denied sale is not a denied use", in: Input{Vendors: []detectors.Vendor{ga(accept)},
		Policy: pol(den(policy.SaleOfData, "google-analytics", "We never sell your data to Google Analytics."))}},

	// cookie-lifetime-exceeds-declared
	{rule: RuleCookieLifetimeDeclared, name: "two years against one declared", fires: true, severity: Medium, subject: "_ga", vendor: "google-analytics",
		quote: "_ga: 1 year", in: Input{Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, accept)},
			Policy: &policy.Policy{Cookies: []policy.DeclaredCookie{{Name: "_ga", Days: 365, Quote: "_ga: 1 year"}}}}},
	{rule: RuleCookieLifetimeDeclared, name: "declared session cookie persists", fires: true, severity: Medium, subject: "sid",
		in: Input{Cookies: []detectors.Cookie{cookie("sid", "", kb.Functional, 30, accept)},
			Policy: &policy.Policy{Structured: &policy.File{Cookies: []policy.DeclaredCookie{{Name: "sid", Days: -1}}}}}},
	{rule: RuleCookieLifetimeDeclared, name: "prefix declaration", fires: true, severity: Medium, subject: "_ga_X1", vendor: "google-analytics",
		in: Input{Cookies: []detectors.Cookie{cookie("_ga_X1", "google-analytics", kb.Analytics, 400, accept)},
			Policy: &policy.Policy{Cookies: []policy.DeclaredCookie{{Name: "_ga*", Days: 90, Quote: "_ga*: 90 days"}}}}},
	{rule: RuleCookieLifetimeDeclared, name: "within 1.5x", in: Input{Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 540, accept)},
		Policy: &policy.Policy{Cookies: []policy.DeclaredCookie{{Name: "_ga", Days: 365}}}}},
	{rule: RuleCookieLifetimeDeclared, name: "cookie not declared", in: Input{Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, accept)},
		Policy: &policy.Policy{Cookies: []policy.DeclaredCookie{{Name: "_fbp", Days: 90}}}}},

	// cookie-lifetime-over-13-months
	{rule: RuleCookieLifetime13Months, name: "two-year analytics cookie", fires: true, severity: Low, subject: "_ga", vendor: "google-analytics",
		in: Input{Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, accept)}}},
	{rule: RuleCookieLifetime13Months, name: "essential cookie", in: Input{Cookies: []detectors.Cookie{cookie("csrf", "", kb.Essential, 800, accept)}}},
	{rule: RuleCookieLifetime13Months, name: "exactly 13 months", in: Input{Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 395, accept)}}},

	// session-recording-undeclared
	{rule: RuleSessionRecordingUndecl, name: "recorder vendor not declared", fires: true, severity: High, vendor: "hotjar",
		disc: detectors.DisclosureUndisclosed, in: Input{Vendors: []detectors.Vendor{vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, accept)},
			Policy: pol(unrelated)}},
	// A denied practice is contradicted-practice (high), not "not declared".
	{rule: RuleSessionRecordingUndecl, name: "recording by an unknown script is denied",
		in: Input{Detections: []detectors.Detection{{Kind: detectors.KindSessionRecorder, Phase: accept, Page: site, Host: "rec.example"}},
			Policy: pol(den(policy.SessionRecording, "", "We never record your session."))}},
	{rule: RuleContradictedPractice, name: "recording by an unknown script is denied", fires: true, severity: High,
		subject: "rec.example", disc: detectors.DisclosureContradicted, quote: "never record",
		in: Input{Detections: []detectors.Detection{{Kind: detectors.KindSessionRecorder, Phase: accept, Page: site, Host: "rec.example"}},
			Policy: pol(den(policy.SessionRecording, "", "We never record your session."))}},
	{rule: RuleContradictedPractice, name: "fingerprinting denied", fires: true, severity: High,
		subject: "fp.example", disc: detectors.DisclosureContradicted, quote: "never use device fingerprinting",
		in: Input{Detections: []detectors.Detection{{Kind: detectors.KindFingerprinting, Phase: pre, Page: site, Host: "fp.example"}},
			Policy: pol(den(policy.Fingerprinting, "", "We never use device fingerprinting."))}},
	{rule: RuleFingerprintingUndeclared, name: "fingerprinting denied",
		in: Input{Detections: []detectors.Detection{{Kind: detectors.KindFingerprinting, Phase: pre, Page: site, Host: "fp.example"}},
			Policy: pol(den(policy.Fingerprinting, "", "We never use device fingerprinting."))}},
	// A recorder vendor under a denial is one finding, not one per rule path.
	{rule: RuleContradictedPractice, name: "recorder vendor denied", fires: true, severity: High, vendor: "hotjar",
		disc: detectors.DisclosureContradicted, quote: "never record",
		in: Input{Vendors: []detectors.Vendor{vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, accept)},
			Policy: pol(den(policy.SessionRecording, "", "We never record your session."))}},
	{rule: RuleSessionRecordingUndecl, name: "practice declared", in: Input{Vendors: []detectors.Vendor{vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, accept)},
		Policy: pol(aff(policy.SessionRecording, "", "We record how visitors use our pages."))}},
	{rule: RuleSessionRecordingUndecl, name: "recorder vendor named", in: Input{Vendors: []detectors.Vendor{vendor("hotjar", "Hotjar", "Contentsquare", kb.SessionReplay, accept)},
		Policy: pol(aff(policy.VendorPractice, "", "We use Hotjar to improve the site."))}},

	// fingerprinting-undeclared
	{rule: RuleFingerprintingUndeclared, name: "canvas fingerprinting not declared", fires: true, severity: High, subject: "fp.example",
		in: Input{Detections: []detectors.Detection{{Kind: detectors.KindFingerprinting, Phase: pre, Page: site, Host: "fp.example",
			Category: kb.Fingerprinting}}, Policy: pol(unrelated)}},
	{rule: RuleFingerprintingUndeclared, name: "fingerprinting declared", in: Input{Detections: []detectors.Detection{{Kind: detectors.KindFingerprinting,
		Phase: pre, Page: site, Host: "fp.example"}}, Policy: pol(aff(policy.Fingerprinting, "", "We use device fingerprinting to prevent fraud."))}},
	{rule: RuleFingerprintingUndeclared, name: "nothing observed", in: Input{Policy: pol(unrelated)}},

	// email-open-tracking-undeclared
	{rule: RuleEmailOpenUndeclared, name: "open pixel not declared", fires: true, severity: Medium, vendor: "mailchimp",
		subject: "shop.us1.list-manage.com", disc: detectors.DisclosureUndisclosed, in: Input{Kind: EmailInput, Policy: pol(unrelated),
			Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us1.list-manage.com", URL: "https://shop.us1.list-manage.com/track/open.php?u=1"})}},
	{rule: RuleEmailOpenUndeclared, name: "open tracking denied",
		in: Input{Kind: EmailInput, Policy: pol(den(policy.EmailOpenTracking, "", "We do not track whether you open our emails.")),
			Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us1.list-manage.com"})}},
	{rule: RuleContradictedPractice, name: "open tracking denied", fires: true, severity: High, vendor: "mailchimp",
		subject: "shop.us1.list-manage.com", disc: detectors.DisclosureContradicted, quote: "do not track",
		in: Input{Kind: EmailInput, Policy: pol(den(policy.EmailOpenTracking, "", "We do not track whether you open our emails.")),
			Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us1.list-manage.com"})}},
	{rule: RuleContradictedPractice, name: "click tracking denied", fires: true, severity: High, vendor: "mailchimp",
		subject: "shop.us1.list-manage.com", disc: detectors.DisclosureContradicted, quote: "do not record",
		in: Input{Kind: EmailInput, Policy: pol(den(policy.EmailClickTracking, "", "We do not record which links you click.")),
			Emails: email(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "shop.us1.list-manage.com"})}},
	{rule: RuleEmailClickUndeclared, name: "click tracking denied",
		in: Input{Kind: EmailInput, Policy: pol(den(policy.EmailClickTracking, "", "We do not record which links you click.")),
			Emails: email(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "shop.us1.list-manage.com"})}},
	{rule: RuleEmailOpenUndeclared, name: "structured policy declares it", in: Input{Kind: EmailInput,
		Policy: &policy.Policy{Structured: &policy.File{EmailTracking: &policy.EmailTracking{OpenTracking: true}}},
		Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us1.list-manage.com"})}},
	{rule: RuleEmailOpenUndeclared, name: "web beacons in emails", in: Input{Kind: EmailInput,
		Policy: pol(aff(policy.WebBeacons, "", "Our emails contain web beacons.")),
		Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us1.list-manage.com"})}},

	// email-click-tracking-undeclared
	{rule: RuleEmailClickUndeclared, name: "tracked links not declared", fires: true, severity: Medium, subject: "shop.us1.list-manage.com", vendor: "mailchimp",
		in: Input{Kind: EmailInput, Policy: pol(unrelated),
			Emails: email(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "shop.us1.list-manage.com", Vendor: "mailchimp"})}},
	{rule: RuleEmailClickUndeclared, name: "click tracking declared", in: Input{Kind: EmailInput,
		Policy: pol(aff(policy.EmailClickTracking, "", "We record which links in our emails you click.")),
		Emails: email(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "shop.us1.list-manage.com"})}},

	// recipient-address-leak
	{rule: RuleRecipientAddressLeak, name: "address to a third party", fires: true, severity: High, subject: "ads.example",
		in: Input{Kind: EmailInput, Emails: email(detectors.EmailTracker{Kind: detectors.KindAddressLeak, Host: "ads.example",
			ThirdParty: true, LeakEncoding: "sha256"})}},
	{rule: RuleRecipientAddressLeak, name: "address to the sender", fires: true, severity: Low, subject: "shop.example",
		in: Input{Kind: EmailInput, Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.example",
			LeakEncoding: "base64"})}},
	{rule: RuleRecipientAddressLeak, name: "no address in URLs", in: Input{Kind: EmailInput,
		Emails: email(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "ads.example", ThirdParty: true})}},
}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			if tc.in.Target == "" {
				tc.in.Target = site
			}
			var got []Finding
			for _, f := range Evaluate(tc.in).Findings {
				if f.Rule == tc.rule {
					got = append(got, f)
				}
			}
			if !tc.fires {
				if len(got) > 0 {
					t.Fatalf("want no %s finding, got %+v", tc.rule, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one %s finding, got %d: %+v", tc.rule, len(got), got)
			}
			f := got[0]
			if f.Severity != tc.severity || f.Vendor != tc.vendor || f.Subject != tc.subject {
				t.Errorf("got severity %q vendor %q subject %q, want %q %q %q", f.Severity, f.Vendor, f.Subject, tc.severity, tc.vendor, tc.subject)
			}
			if tc.disc != "" && f.Disclosure != tc.disc {
				t.Errorf("disclosure = %q, want %q", f.Disclosure, tc.disc)
			}
			if !strings.Contains(f.PolicyQuote, tc.quote) {
				t.Errorf("policy quote = %q, want it to contain %q", f.PolicyQuote, tc.quote)
			}
			r, _ := Lookup(tc.rule)
			if f.Title != r.Title || f.Fingerprint == "" || f.Evidence == "" || f.Target == "" {
				t.Errorf("incomplete finding %+v", f)
			}
			if r.NeedsPolicy && f.PolicyQuote == "" && !strings.Contains(f.Evidence, "no policy sentence matched") {
				t.Errorf("evidence %q does not say that no policy sentence matched", f.Evidence)
			}
		})
	}
}

// Every rule needs at least one case where it fires and one where it must not.
func TestEveryRuleHasCases(t *testing.T) {
	pos, neg := map[string]int{}, map[string]int{}
	for _, tc := range ruleCases {
		if _, ok := Lookup(tc.rule); !ok {
			t.Errorf("case %q names unknown rule %q", tc.name, tc.rule)
		}
		if tc.fires {
			pos[tc.rule]++
		} else {
			neg[tc.rule]++
		}
	}
	for _, r := range Rules() {
		if pos[r.ID] == 0 || neg[r.ID] == 0 {
			t.Errorf("rule %s has %d positive and %d negative cases; want at least one of each", r.ID, pos[r.ID], neg[r.ID])
		}
	}
}

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Why == "" || r.Fix == "" || len(r.References) == 0 || r.Severity.Rank() == 0 || r.check == nil {
			t.Errorf("rule %s is incomplete", r.ID)
		}
		if strings.ToLower(r.ID) != r.ID || strings.ContainsAny(r.ID, " _") {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
	}
	if _, ok := Lookup("no-such-rule"); ok {
		t.Error("Lookup found a rule that does not exist")
	}
}

// TestEveryFamilyRegistered: every []Rule slice a family file declares is
// part of the catalogue, so a new family file cannot be forgotten in
// catalogue.go.
func TestEveryFamilyRegistered(t *testing.T) {
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	declared := 0
	var families []string
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Values) != 1 {
				return true
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				return true
			}
			if at, ok := lit.Type.(*ast.ArrayType); ok {
				if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "Rule" {
					declared += len(lit.Elts)
					families = append(families, vs.Names[0].Name)
				}
			}
			return true
		})
	}
	if len(families) == 0 || declared != len(catalogue) {
		t.Errorf("family slices %v declare %d rules, the catalogue holds %d: add the missing slice to catalogue.go",
			families, declared, len(catalogue))
	}
}

// The consent claim is about cookies and storage: a vendor that only sent
// requests before consent is reported without quoting the claim, and a
// vendor that stored something is reported against it.
func TestPreConsentQuotesClaimOnlyWhenStored(t *testing.T) {
	claim := "Non-essential cookies are set only after you consent."
	in := Input{Target: site, Vendors: []detectors.Vendor{ga(pre), vendor("twitter", "X", "X Corp.", kb.Social, pre)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre)},
		Policy:  pol(aff(policy.ConsentBeforeNonEssential, "", claim))}
	got := map[string]Finding{}
	for _, f := range Evaluate(in).Findings {
		if f.Rule == RulePreConsentTracking {
			got[f.Vendor] = f
		}
	}
	if f := got["google-analytics"]; f.PolicyQuote != claim || f.Disclosure != detectors.DisclosureContradicted || f.Severity != High {
		t.Errorf("GA: %+v", f)
	}
	if f := got["twitter"]; f.PolicyQuote != "" || f.Disclosure != detectors.DisclosureUndisclosed || f.Severity != Medium {
		t.Errorf("X: %+v", f)
	}
}

// The 13-month limit does not depend on the policy, so its findings carry
// no disclosure level even when a policy was compared.
func TestThirteenMonthsCarriesNoDisclosure(t *testing.T) {
	in := Input{Target: site, Vendors: []detectors.Vendor{ga(accept)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, accept)}, Policy: pol(unrelated)}
	for _, f := range Evaluate(in).Findings {
		if f.Rule == RuleCookieLifetime13Months && (f.Disclosure != "" || f.PolicyQuote != "") {
			t.Errorf("%+v", f)
		}
	}
}

// A broken consent claim is explained by what was stored before the choice.
func TestContradictedEvidenceSaysWhatWasStored(t *testing.T) {
	in := Input{Target: site, Vendors: []detectors.Vendor{ga(pre, accept)},
		Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre)},
		Policy:  pol(aff(policy.ConsentBeforeNonEssential, "", "Only with consent."))}
	for _, f := range Evaluate(in).Findings {
		if f.Rule == RuleContradictedPractice && !strings.Contains(f.Evidence, "before any choice: cookies _ga") {
			t.Errorf("evidence %q", f.Evidence)
		}
	}
}

// The catalogue has a rule for every check the project promises.
func TestCatalogueCoversPromisedChecks(t *testing.T) {
	promised := map[string][]string{
		"non-essential tracking before consent":               {RulePreConsentTracking},
		"tracking still present after reject":                 {RuleTrackingAfterReject},
		"consent stored before any choice (TCF)":              {RuleConsentBeforeChoice},
		"Google Consent Mode tags firing with consent denied": {RuleConsentModeDeniedFiring},
		"undisclosed vendor":                                  {RuleUndisclosedVendor},
		"category-only disclosure":                            {RuleCategoryOnlyDisclosure},
		"contradicted practice or claim":                      {RuleContradictedPractice},
		"cookie lifetime beyond the declared or 13 months":    {RuleCookieLifetimeDeclared, RuleCookieLifetime13Months},
		"session recording or fingerprinting not declared":    {RuleSessionRecordingUndecl, RuleFingerprintingUndeclared},
		"email open or click tracking not declared":           {RuleEmailOpenUndeclared, RuleEmailClickUndeclared},
		"recipient address sent to a third party":             {RuleRecipientAddressLeak},
	}
	for check, ids := range promised {
		for _, id := range ids {
			if _, ok := Lookup(id); !ok {
				t.Errorf("%s: no rule %s in the catalogue", check, id)
			}
		}
	}
}

// A leak from an email whose sender is unknown is a third party's, and the
// evidence says why.
func TestAddressLeakParty(t *testing.T) {
	tests := []struct {
		name          string
		thirdParty    bool
		senderUnknown bool
		severity      Severity
		evidence      string
	}{
		{"sender's own domain", false, false, Low, "on shop.example, the sender's own domain"},
		{"third party", true, false, High, "on shop.example, a third party"},
		{"sender unknown", true, true, High, "a third party (sender unknown, see --first-party)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Kind: EmailInput, Target: "-", Emails: []detectors.Email{{File: "-", SenderUnknown: tt.senderUnknown,
				Trackers: []detectors.EmailTracker{{Kind: detectors.KindAddressLeak, Host: "shop.example", ThirdParty: tt.thirdParty}}}}}
			fs := Evaluate(in).Findings
			if len(fs) != 1 || fs[0].Severity != tt.severity || !strings.HasSuffix(fs[0].Evidence, tt.evidence) {
				t.Fatalf("findings %+v, want one %s ending %q", fs, tt.severity, tt.evidence)
			}
		})
	}
}

// Findings with request evidence carry the request URLs (sorted, at most
// three, query included); the fingerprint ignores them.
func TestFindingURLs(t *testing.T) {
	beacon := func(q string) detectors.Detection {
		return detectors.Detection{Kind: detectors.KindWebBeacon, Vendor: "google-analytics", Category: kb.Analytics, Phase: pre,
			Page: site, Host: "www.google-analytics.com", URL: "https://www.google-analytics.com/g/collect?" + q}
	}
	gaCookie := cookie("_ga", "google-analytics", kb.Analytics, 730, pre)
	gaCookie.SetBy = "https://www.googletagmanager.com/gtag/js?id=G-1"
	leakURL := "https://ads.example/o.gif?e=jane%40example.com"
	tests := []struct {
		name string
		in   Input
		rule string
		want []string
	}{
		{"pre-consent: requests and the cookie's setter, capped at three", Input{Vendors: []detectors.Vendor{ga(pre)},
			Cookies:    []detectors.Cookie{gaCookie},
			Detections: []detectors.Detection{beacon("tid=G-1&cid=3"), beacon("tid=G-1&cid=1"), beacon("tid=G-1&cid=2"), beacon("tid=G-1&cid=1")}},
			RulePreConsentTracking, []string{"https://www.google-analytics.com/g/collect?tid=G-1&cid=1",
				"https://www.google-analytics.com/g/collect?tid=G-1&cid=2", "https://www.google-analytics.com/g/collect?tid=G-1&cid=3"}},
		{"undisclosed vendor", Input{Vendors: []detectors.Vendor{ga(pre)}, Detections: []detectors.Detection{beacon("tid=G-1")},
			Policy: pol(aff(policy.Cookies, "", "We use cookies."))},
			RuleUndisclosedVendor, []string{"https://www.google-analytics.com/g/collect?tid=G-1"}},
		{"no URL without request evidence (empty setter)", Input{Vendors: []detectors.Vendor{ga(pre)},
			Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre)}},
			RulePreConsentTracking, nil},
		{"email: a URL carrying the address stays out", Input{Kind: EmailInput, Policy: pol(unrelated), Emails: email(
			detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "ads.example", URL: leakURL},
			detectors.EmailTracker{Kind: detectors.KindAddressLeak, Host: "ads.example", URL: leakURL, LeakEncoding: "urlencoded"},
			detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "ads.example", URL: "https://ads.example/o.gif?t=opaque"})},
			RuleEmailOpenUndeclared, []string{"https://ads.example/o.gif?t=opaque"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Finding
			for _, f := range Evaluate(tt.in).Findings {
				if f.Rule == tt.rule {
					got = append(got, f)
				}
			}
			if len(got) != 1 {
				t.Fatalf("want one %s finding, got %+v", tt.rule, got)
			}
			if !slices.Equal(got[0].URLs, tt.want) {
				t.Errorf("urls = %q, want %q", got[0].URLs, tt.want)
			}
			// Other URLs, same identity.
			for i := range tt.in.Detections {
				tt.in.Detections[i].URL += "&x=1"
			}
			for _, f := range Evaluate(tt.in).Findings {
				if f.Rule == tt.rule && f.Fingerprint != got[0].Fingerprint {
					t.Errorf("fingerprint changed with the URLs: %s -> %s", got[0].Fingerprint, f.Fingerprint)
				}
			}
		})
	}
}

// A finding quotes the policy sentence most relevant to it, never one that
// names a different vendor.
func TestQuoteRelevance(t *testing.T) {
	const (
		meta     = "With your permission, we use Meta Pixel and LinkedIn Insight Tag to measure our ad campaigns."
		analytic = `Analytics cookies are only placed after you click "Accept" in the cookie banner.`
		general  = "We only set non-essential cookies after you have given your consent."
		youtube  = "Some of our pages embed YouTube videos in privacy-enhanced mode."
	)
	claim := func(q string) policy.Declaration { return aff(policy.ConsentBeforeNonEssential, "", q) }
	metaDecls := []policy.Declaration{claim(meta), aff(policy.Advertising, "", meta), aff(policy.VendorPractice, "facebook", meta),
		aff(policy.VendorPractice, "linkedin", meta)}
	analyticDecls := []policy.Declaration{claim(analytic), aff(policy.Analytics, "", analytic), aff(policy.Cookies, "", analytic)}
	fb := vendor("facebook", "Meta Pixel", "Meta", kb.Advertising, pre)
	tw := vendor("twitter", "X (Twitter)", "X Corp", kb.Social, pre, accept)
	preCookies := []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 730, pre), cookie("_fbp", "facebook", kb.Advertising, 90, pre),
		cookie("guest_id", "twitter", kb.Social, 400, pre)}
	tests := []struct {
		name   string
		decls  []policy.Declaration
		rule   string
		vendor string
		quote  string // "" for no quote
		disc   detectors.Disclosure
	}{
		{"analytics vendor: the analytics claim, not the Meta one", append(append([]policy.Declaration{}, metaDecls...), analyticDecls...),
			RulePreConsentTracking, "google-analytics", analytic, detectors.DisclosureContradicted},
		{"analytics claim listed first makes no difference", append(append([]policy.Declaration{}, analyticDecls...), metaDecls...),
			RulePreConsentTracking, "google-analytics", analytic, detectors.DisclosureContradicted},
		{"the vendor named in the claim", append(append([]policy.Declaration{}, analyticDecls...), metaDecls...),
			RuleContradictedPractice, "facebook", meta, detectors.DisclosureContradicted},
		{"a general claim before one about another category", append(append([]policy.Declaration{claim(general)}, analyticDecls...), metaDecls...),
			RulePreConsentTracking, "twitter", general, detectors.DisclosureContradicted},
		{"a claim about analytics says nothing about a social widget", append(append([]policy.Declaration{}, analyticDecls...), metaDecls...),
			RuleContradictedPractice, "twitter", "-", ""},
		{"a denial naming the vendor is quoted before the claim", append(append([]policy.Declaration{claim(general)},
			den(policy.VendorPractice, "twitter", "We never embed X (Twitter) buttons.")), analyticDecls...),
			RulePreConsentTracking, "twitter", "We never embed X (Twitter) buttons.", detectors.DisclosureContradicted},
		{"only a claim naming other vendors: no claim about this one", metaDecls,
			RuleContradictedPractice, "google-analytics", "-", ""},
		{"a category sentence naming another vendor does not disclose this one", []policy.Declaration{
			aff(policy.SocialWidgets, "", youtube), aff(policy.VendorPractice, "youtube", youtube)},
			RuleUndisclosedVendor, "twitter", "", detectors.DisclosureUndisclosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Target: site, Vendors: []detectors.Vendor{ga(pre), fb, tw}, Cookies: preCookies, Policy: pol(tt.decls...)}
			var got []Finding
			for _, f := range Evaluate(in).Findings {
				if f.Rule == tt.rule && f.Vendor == tt.vendor {
					got = append(got, f)
				}
			}
			if tt.quote == "-" {
				if len(got) != 0 {
					t.Fatalf("want no %s finding for %s, got %+v", tt.rule, tt.vendor, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one %s finding for %s, got %+v", tt.rule, tt.vendor, got)
			}
			if got[0].PolicyQuote != tt.quote || got[0].Disclosure != tt.disc {
				t.Errorf("quote %q (%s), want %q (%s)", got[0].PolicyQuote, got[0].Disclosure, tt.quote, tt.disc)
			}
		})
	}
}
