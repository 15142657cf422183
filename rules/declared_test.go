package rules

import (
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// declaredList is a cookie declaration as a consent banner publishes it.
func declaredList(extra ...policy.DeclaredCookie) *policy.Policy {
	cs := []policy.DeclaredCookie{
		{Name: "session_id", Days: -1, Category: "essential", Quote: "session_id | Shop | Keeps you signed in | Session"},
		{Name: "cart", Days: 30, Category: "essential", Quote: "cart | Shop | Your basket | 30 days"},
		{Name: "_ga", Days: 395, Category: "analytics", Quote: "_ga | Google | Statistics | 13 months"},
	}
	return &policy.Policy{Source: "https://shop.example/cookies", Cookies: append(cs, extra...)}
}

func init() {
	ruleCases = append(ruleCases,
		// cookie-undeclared
		ruleCase{rule: RuleCookieUndeclared, name: "hotjar cookie missing from the list", fires: true, severity: Medium,
			subject: "_hjSessionUser_1", vendor: "hotjar", disc: detectors.DisclosureUndisclosed, quote: "session_id | Shop",
			in: Input{Policy: declaredList(), Cookies: []detectors.Cookie{
				cookie("_ga", "google-analytics", kb.Analytics, 395, accept),
				cookie("_hjSessionUser_1", "hotjar", kb.SessionReplay, 365, accept)}}},
		ruleCase{rule: RuleCookieUndeclared, name: "declared by prefix", in: Input{
			Policy:  declaredList(policy.DeclaredCookie{Name: "_hjSessionUser_*", Days: 365, Quote: "_hjSessionUser_* | Hotjar | 1 year"}),
			Cookies: []detectors.Cookie{cookie("_hjSessionUser_1", "hotjar", kb.SessionReplay, 365, accept)}}},
		ruleCase{rule: RuleCookieUndeclared, name: "a policy that names one cookie has no list", in: Input{
			Policy:  &policy.Policy{Cookies: []policy.DeclaredCookie{{Name: "_ga", Days: 730, Quote: "_ga, 2 years"}}},
			Cookies: []detectors.Cookie{cookie("_fbp", "facebook", kb.Advertising, 90, accept)}}},
		ruleCase{rule: RuleCookieUndeclared, name: "blocked cookie was never stored", in: Input{Policy: declaredList(),
			Cookies: []detectors.Cookie{func() detectors.Cookie {
				c := cookie("_fbp", "facebook", kb.Advertising, 90, accept)
				c.Stored = false
				return c
			}()}}},

		// cookie-declared-necessary-tracker
		ruleCase{rule: RuleCookieNecessaryButTracker, name: "facebook pixel cookie filed as necessary", fires: true, severity: High,
			subject: "_fbp", vendor: "facebook", disc: detectors.DisclosureContradicted, quote: "_fbp | Facebook | Necessary",
			in: Input{Policy: declaredList(policy.DeclaredCookie{Name: "_fbp", Days: 90, Category: "essential", Quote: "_fbp | Facebook | Necessary | 3 months"}),
				Cookies: []detectors.Cookie{cookie("_fbp", "facebook", kb.Advertising, 90, accept)}}},
		ruleCase{rule: RuleCookieNecessaryButTracker, name: "necessary cookie that is necessary", in: Input{Policy: declaredList(),
			Cookies: []detectors.Cookie{cookie("session_id", "", kb.Essential, -1, pre)}}},
		ruleCase{rule: RuleCookieNecessaryButTracker, name: "tracker filed under its own category", in: Input{Policy: declaredList(),
			Cookies: []detectors.Cookie{cookie("_ga", "google-analytics", kb.Analytics, 395, accept)}}},
	)
}
