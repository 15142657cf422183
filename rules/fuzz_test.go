package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// FuzzEvaluate runs every rule over a scan and a policy built from fuzzed
// text: the result is deterministic, every finding is complete, and its
// fingerprint ignores the cookie's lifetime and the page's query string.
func FuzzEvaluate(f *testing.F) {
	f.Add("We use Google Analytics.", "Google Analytics", "_ga", "gcs=G100", "https://shop.example/a?x=1", 730.0, true, uint8(0))
	f.Add("We never record your session.", "Hotjar", "_hj", "gcs=G111", "/", -1.0, false, uint8(3))
	f.Add("", "", "", "", "", 0.0, true, uint8(255))
	f.Fuzz(func(t *testing.T, quote, name, cookieName, cm, page string, days float64, affirmed bool, sel uint8) {
		phases := []capture.Phase{pre, reject, accept}
		ph := phases[int(sel)%3]
		cat := kb.Categories[int(sel)%len(kb.Categories)]
		pol := policy.Affirmed
		if !affirmed {
			pol = policy.Denied
		}
		practices := []policy.Practice{policy.Analytics, policy.Cookies, policy.ConsentBeforeNonEssential, policy.SessionRecording,
			policy.Fingerprinting, policy.EmailOpenTracking, policy.WebBeacons, policy.VendorPractice}
		gaURL := "https://www.google-analytics.com/g/collect?" + cm
		var mode *consent.ConsentMode
		if m, ok := consent.DecodeGCS(gaURL); ok {
			mode = &m
		}
		build := func(days float64, page string) Input {
			v := detectors.Vendor{ID: "v", Name: name, Owner: quote, Category: cat, Phases: []capture.Phase{ph}, Hosts: []string{"v.test"}}
			return Input{Kind: []InputKind{SiteInput, EmailInput}[sel%2], Target: page, Vendors: []detectors.Vendor{v},
				Cookies: []detectors.Cookie{{Name: cookieName, Vendor: "v", Category: cat, ExpiresDays: days, Phases: []capture.Phase{ph}, Pages: []string{page}, Stored: true}},
				Detections: []detectors.Detection{{Kind: detectors.KindConsentMode, Vendor: "v", Phase: ph, Page: page, Host: "v.test", URL: gaURL, Evidence: cm, ConsentMode: mode},
					{Kind: detectors.KindFingerprinting, Vendor: "v", Category: cat, Phase: ph, Page: page, Host: "v.test"}},
				Emails: []detectors.Email{{File: page, Trackers: []detectors.EmailTracker{{Kind: detectors.KindOpenPixel, Host: name, LeakEncoding: cm}}}},
				Pages:  []PageInfo{{URL: page, Phase: ph, Consent: &capture.Consent{TCF: &capture.TCF{PurposeConsents: map[string]bool{cm: affirmed}}}}},
				Policy: &policy.Policy{Declarations: []policy.Declaration{{Practice: practices[int(sel)%len(practices)], Polarity: pol, Quote: quote}},
					Cookies: []policy.DeclaredCookie{{Name: cookieName, Days: days / 3, Quote: quote}}},
			}
		}
		a, b := Evaluate(build(days, page)), Evaluate(build(days, page))
		if !reflect.DeepEqual(a, b) {
			t.Fatal("Evaluate is not deterministic")
		}
		for _, f := range a.Findings {
			r, ok := Lookup(f.Rule)
			if !ok || f.Title != r.Title || f.Severity.Rank() == 0 || len(f.Fingerprint) != 16 {
				t.Fatalf("incomplete finding %+v", f)
			}
			if r.NeedsPolicy && f.PolicyQuote == "" && !strings.Contains(f.Evidence, "no policy sentence matched") {
				t.Fatalf("%s relies on nothing and does not say so: %+v", f.Rule, f)
			}
		}
		// A different lifetime or query string must not change any fingerprint
		// of a finding that survives (the lifetime decides whether some fire).
		fps := map[string]bool{}
		for _, f := range a.Findings {
			fps[f.Fingerprint] = true
		}
		for _, f := range Evaluate(build(days+1e6, page+"?utm=fuzz#x")).Findings {
			if f.Rule != RuleCookieLifetime13Months && f.Rule != RuleCookieLifetimeDeclared && !fps[f.Fingerprint] && sel%2 == 0 &&
				!strings.ContainsAny(page, "?#") {
				t.Fatalf("fingerprint of %s changed with the lifetime or query string", f.Rule)
			}
		}
	})
}
