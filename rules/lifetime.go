package rules

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/rules/policy"
)

// Lifetime rules: cookies that live longer than the policy declares, or
// longer than the 13 months CNIL accepts for trackers.

// Rule ids of this family.
const (
	RuleCookieLifetimeDeclared = "cookie-lifetime-exceeds-declared"
	RuleCookieLifetime13Months = "cookie-lifetime-over-13-months"
)

var lifetimeRules = []Rule{
	{
		ID: RuleCookieLifetimeDeclared, Title: "Cookie lives longer than declared", Severity: Medium, NeedsPolicy: true,
		Why: "A cookie's expiry is more than 1.5 times the lifetime the policy declares for it (the threshold " +
			"used by the CookieBlock study), or the policy declares a session cookie that persists. The " +
			"declared lifetime is part of what visitors consent to.",
		Fix:        "Shorten the cookie's expiry in the tag's configuration or correct the declared lifetime.",
		References: []string{refGDPR5e, refGDPR13, refCNIL2020},
		check:      checkDeclaredLifetime,
	},
	{
		ID: RuleCookieLifetime13Months, Title: "Non-essential cookie lives longer than 13 months", Severity: Low,
		Why: "CNIL recommends that trackers needing consent expire at most 13 months (about 395 days) after " +
			"they are set, after which consent must be asked again. Longer lifetimes are common defaults " +
			"(two years for several analytics cookies).",
		Fix:        "Configure the tag's cookie expiry to 13 months or less.",
		References: []string{refCNIL13, refGDPR5e},
		check:      checkThirteenMonths,
	},
}

// declaredCookies is every cookie the policy lists with a lifetime.
func (ev *evaluation) declaredCookies() []policy.DeclaredCookie {
	p := ev.in.Policy
	var out []policy.DeclaredCookie
	if p.Structured != nil {
		// The file's entries first: they win over text cookies of the same name.
		for _, c := range p.Structured.Cookies {
			if c.Quote == "" {
				c.Quote = structuredCookieQuote(c)
			}
			out = append(out, c)
		}
	}
	for _, c := range p.Cookies {
		if c.Quote == "" && p.Structured != nil && slices.ContainsFunc(p.Structured.Cookies, func(s policy.DeclaredCookie) bool { return s.Name == c.Name }) {
			c.Quote = structuredCookieQuote(c)
		}
		out = append(out, c)
	}
	return out
}

// structuredCookieQuote quotes a structured file's cookie entry.
func structuredCookieQuote(c policy.DeclaredCookie) string {
	switch {
	case c.Lifetime != "":
		return "cookies[" + c.Name + "].lifetime: " + c.Lifetime + " (structured policy)"
	case c.Days != 0:
		return "cookies[" + c.Name + "].days: " + days(c.Days) + " (structured policy)"
	}
	return "cookies[" + c.Name + "] (structured policy)"
}

// matchDeclared finds the declaration of a cookie: an exact name wins over
// the longest matching "prefix*".
func matchDeclared(decls []policy.DeclaredCookie, name string) (policy.DeclaredCookie, bool) {
	best, bestLen, found := policy.DeclaredCookie{}, -1, false
	for _, d := range decls {
		if d.Days == 0 {
			continue
		}
		if d.Name == name {
			return d, true
		}
		if prefix, ok := strings.CutSuffix(d.Name, "*"); ok && strings.HasPrefix(name, prefix) && len(prefix) > bestLen {
			best, bestLen, found = d, len(prefix), true
		}
	}
	return best, found
}

// lifetimeTolerance is CookieBlock's threshold: an expiry up to 1.5 times
// the declared lifetime is accepted (rounding, renewal on visit).
const lifetimeTolerance = 1.5

func checkDeclaredLifetime(ev *evaluation, r *Rule) []Finding {
	decls := ev.declaredCookies()
	var out []Finding
	for _, c := range ev.in.Cookies {
		d, ok := matchDeclared(decls, c.Name)
		if !ok || c.ExpiresDays < 0 {
			continue
		}
		var evidence string
		switch {
		case d.Days < 0 && c.ExpiresDays >= 1:
			evidence = fmt.Sprintf("%s on %s expires after %s; the policy declares a session cookie", c.Name, c.Domain, lifetime(c.ExpiresDays, ""))
		case d.Days > 0 && c.ExpiresDays > lifetimeTolerance*d.Days:
			evidence = fmt.Sprintf("%s on %s expires after %s; the policy declares %s (tolerance 1.5x = %s)",
				c.Name, c.Domain, lifetime(c.ExpiresDays, ""), lifetime(d.Days, d.Lifetime), lifetime(lifetimeTolerance*d.Days, ""))
		default:
			continue
		}
		f := ev.cookieFinding(c, evidence)
		f.PolicyQuote = d.Quote
		out = append(out, f)
	}
	return out
}

// thirteenMonthsDays is CNIL's 13-month maximum, in days.
const thirteenMonthsDays = 395

func checkThirteenMonths(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, c := range ev.in.Cookies {
		if !c.Category.NonEssential() || c.ExpiresDays <= thirteenMonthsDays {
			continue
		}
		// No disclosure level: the limit holds whatever the policy says.
		out = append(out, ev.cookieFinding(c, fmt.Sprintf("%s on %s expires after %s days (limit %d)", c.Name, c.Domain, days(c.ExpiresDays), thirteenMonthsDays)))
	}
	return out
}

func days(d float64) string { return strconv.FormatFloat(d, 'f', -1, 64) }

// lifetime writes a number of days rounded to whole days ("395 days"), with
// the lifetime as the policy wrote it when given ("395 days (13 months)").
func lifetime(d float64, written string) string {
	n := math.Round(d)
	s := strconv.FormatFloat(n, 'f', 0, 64) + " days"
	if n == 1 {
		s = "1 day"
	}
	if d > 0 && d < 0.5 {
		s = "less than a day"
	}
	if written != "" && !strings.EqualFold(strings.TrimSpace(written), s) {
		s += " (" + strings.TrimSpace(written) + ")"
	}
	return s
}
