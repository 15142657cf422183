package rules

import (
	"fmt"
	"strings"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// Rules about the cookies a site declares: the cookie table of its policy
// or its consent banner's cookie declaration (Cookiebot, OneTrust,
// Usercentrics, Didomi), read as declared cookies with a category, a
// provider and a lifetime. A cookie living longer than declared is
// cookie-lifetime-exceeds-declared (checks.go).

// Declared-cookie rule ids.
const (
	RuleCookieUndeclared          = "cookie-undeclared"
	RuleCookieNecessaryButTracker = "cookie-declared-necessary-tracker"
)

// minDeclaredList is how many cookies a declaration must list before a
// cookie missing from it counts as undeclared: a policy that mentions
// "_ga, 2 years" in passing has no cookie list to be missing from.
const minDeclaredList = 3

var declaredRules = []Rule{
	{
		ID: RuleCookieUndeclared, Title: "Cookie not in the declared cookie list", Severity: Medium, NeedsPolicy: true,
		Why: "The site publishes a list of the cookies it sets (a cookie table in its policy or its consent " +
			"banner's cookie declaration) and the scan saw a cookie stored that the list does not name, " +
			"exactly or by a declared prefix. Visitors consent to the list they are shown.",
		Fix:        "Add the cookie, its purpose, provider and lifetime to the declaration, or stop setting it.",
		References: []string{refGDPR13, refEPrivacy, refCNIL2020},
		check:      checkUndeclaredCookies,
	},
	{
		ID: RuleCookieNecessaryButTracker, Title: "Tracking cookie declared as necessary", Severity: High, NeedsPolicy: true,
		Why: "The cookie declaration files a cookie under strictly necessary (which needs no consent), but " +
			"the knowledge base knows the cookie as a tracking vendor's (analytics, advertising, session " +
			"recording, fingerprinting or social). Necessary cookies escape the consent choice, so a " +
			"tracker filed there runs whatever the visitor chose.",
		Fix:        "Move the cookie to its real category in the consent banner so it waits for consent.",
		References: []string{refEPrivacy, refEDPB052, refCNIL2020},
		check:      checkNecessaryTrackers,
	},
}

// declaredList is the policy's cookie declarations that form a list; nil
// when there are too few for a missing cookie to mean anything.
func (ev *evaluation) declaredList() []policy.DeclaredCookie {
	if ev.in.Policy == nil {
		return nil
	}
	decls := ev.declaredCookies()
	if len(decls) < minDeclaredList {
		return nil
	}
	return decls
}

func checkUndeclaredCookies(ev *evaluation, r *Rule) []Finding {
	decls := ev.declaredList()
	if decls == nil {
		return nil
	}
	quote := listQuote(decls)
	var out []Finding
	for _, c := range ev.in.Cookies {
		if !c.Stored || declaredName(decls, c.Name) {
			continue
		}
		f := ev.cookieFinding(c, fmt.Sprintf("%s on %s is stored but not in the declared list of %d cookies", c.Name, c.Domain, len(decls)))
		f.Disclosure, f.PolicyQuote = detectors.DisclosureUndisclosed, quote
		out = append(out, f)
	}
	return out
}

// declaredName reports whether a declaration names the cookie, exactly or
// by a "prefix*" (or a name ending in a wildcard-like "_xxx" suffix the
// declaration writes as "_hjSessionUser_*").
func declaredName(decls []policy.DeclaredCookie, name string) bool {
	for _, d := range decls {
		if strings.EqualFold(d.Name, name) {
			return true
		}
		if prefix, ok := strings.CutSuffix(d.Name, "*"); ok && strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// listQuote names the declaration a missing cookie is missing from.
func listQuote(decls []policy.DeclaredCookie) string {
	src := decls[0].Source
	if src == "" && len(decls) > 0 {
		return fmt.Sprintf("the declared cookie list (%d cookies, first: %s)", len(decls), decls[0].Quote)
	}
	return fmt.Sprintf("the declared cookie list in %s (%d cookies, first: %s)", src, len(decls), decls[0].Quote)
}

// trackingCategories are the knowledge-base categories that need consent
// and track.
var trackingCategories = map[kb.Category]bool{kb.Analytics: true, kb.Advertising: true, kb.SessionReplay: true,
	kb.Fingerprinting: true, kb.Social: true}

func checkNecessaryTrackers(ev *evaluation, r *Rule) []Finding {
	if ev.in.Policy == nil {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	for _, d := range ev.declaredCookies() {
		if d.Category != string(kb.Essential) {
			continue
		}
		// The cookie as the scan saw it: its vendor and category come from
		// the knowledge base, whatever the declaration says.
		for _, c := range ev.in.Cookies {
			if seen[c.Name] || !trackingCategories[c.Category] || !declaredName([]policy.DeclaredCookie{d}, c.Name) {
				continue
			}
			seen[c.Name] = true
			f := ev.cookieFinding(c, fmt.Sprintf("%s is declared necessary; it is %s's %s cookie", c.Name, vendorOrUnknown(c.Vendor), c.Category))
			f.Disclosure, f.PolicyQuote = detectors.DisclosureContradicted, d.Quote
			out = append(out, f)
		}
	}
	return out
}

func vendorOrUnknown(v string) string {
	if v == "" {
		return "an unknown vendor"
	}
	return v
}

// cookieFinding is a cookie rule's finding: the cookie as its subject, on
// the first page that saw it, with the request that set it.
func (ev *evaluation) cookieFinding(c detectors.Cookie, evidence string) Finding {
	return Finding{Vendor: c.Vendor, Category: c.Category, Target: ev.firstPage(c.Pages), Subject: c.Name,
		Evidence: evidence, URLs: capURLs([]string{c.SetBy})}
}
