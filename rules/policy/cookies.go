package policy

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/detectors/kb"
)

var (
	// Abbreviated units only after digits: "2y", "30 d", but "and" is no "a" + "d".
	lifetimeRe = regexp.MustCompile(`(?i)^\s*(?:(\d+(?:[.,]\d+)?)\s*[- ]?\s*(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wk|months?|mo|years?|yrs?|y)|(an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|eighteen|twenty[- ]four|thirty)[- ]\s*(seconds?|minutes?|hours?|days?|weeks?|months?|years?))\b`)
	sessionRe  = regexp.MustCompile(`(?i)^\s*(?:end of (?:the )?(?:browser |browsing )?session|(?:browser |browsing )?session(?: cookie| only| end)?|when (?:you close )?(?:the|your) browser(?: is)? close[sd]?)\b`)
)

var numberWords = map[string]float64{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "eighteen": 18,
	"twenty-four": 24, "twenty four": 24, "thirty": 30}

// ParseLifetime reads a cookie lifetime as policies write it ("2 years",
// "13 months", "24 hours", "session") into days; -1 is a session cookie.
func ParseLifetime(s string) (float64, error) {
	if d, _, ok := lifetimePrefix(s); ok {
		return d, nil
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f >= 0 {
		return f, nil // a bare number is days
	}
	return 0, fmt.Errorf("unreadable lifetime %q (want e.g. \"13 months\", \"30 days\", \"session\")", s)
}

// lifetimePrefix reads a lifetime at the start of s, returning its length.
func lifetimePrefix(s string) (days float64, n int, ok bool) {
	if m := sessionRe.FindStringIndex(s); m != nil {
		return -1, m[1], true
	}
	m := lifetimeRe.FindStringSubmatchIndex(s)
	if m == nil {
		return 0, 0, false
	}
	ni, ui := 2, 4
	if m[2] < 0 {
		ni, ui = 6, 8
	}
	num := strings.ToLower(s[m[ni]:m[ni+1]])
	v, isWord := numberWords[num]
	if !isWord {
		f, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", "."), 64)
		if err != nil {
			return 0, 0, false
		}
		v = f
	}
	unit := strings.ToLower(s[m[ui]:m[ui+1]])
	var per float64
	switch {
	case strings.HasPrefix(unit, "s"):
		per = 1.0 / 86400
	case strings.HasPrefix(unit, "mi"):
		per = 1.0 / 1440
	case strings.HasPrefix(unit, "mo"):
		per = 365.0 / 12
	case strings.HasPrefix(unit, "h"):
		per = 1.0 / 24
	case strings.HasPrefix(unit, "d"):
		per = 1
	case strings.HasPrefix(unit, "w"):
		per = 7
	case strings.HasPrefix(unit, "y"):
		per = 365
	}
	return roundDays(v * per), m[1], true
}

func roundDays(d float64) float64 { return math.Round(d*10000) / 10000 }

// A cookie name, then what may stand between it and its lifetime:
// "NAME, 2 years", "NAME (Google Analytics): 2 years", "NAME cookie from
// Google Analytics expires after 2 years", "NAME cookie, which expires after
// 13 months", "NAME has a lifetime of 24 months", "NAME cookie (2 years)".
// The lifetime must follow the name and its provider closely, so a sentence
// that names a cookie and then a data retention period declares nothing.
var (
	cookieNameRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_.\-]*[A-Za-z0-9_*]|_[A-Za-z0-9]`)
	// lifeVerb is how prose says a cookie lives: "expires after", "is kept
	// for", "has a lifetime of", "is retained for up to".
	lifeVerb = `(?:expires?|lasts?|(?:is |are )?(?:kept|stored|retained|held)|persists?|remains?(?: stored| active| valid)?|stays?|duration|lifetime|retention|valid|expiry|` +
		`has an? (?:lifetime|duration|expiry|expiration(?: period)?|retention(?: period)?|lifespan|life ?span|max(?:imum)?[- ]age))`
	cookieToLife = `(?:[,:–—-]|\s)\s*(?:(?:which |that |and |it )?` + lifeVerb + `(?: for| after| in| of|:)?\s*)?(?:for\s+|after\s+|up to\s+)?`
	// cookieFrom names who sets the cookie, after the word "cookie" and in
	// capitals, so "from your order" or "order_id from Shopify" is not one:
	// "cookie from Google Analytics", "cookie set by Meta".
	cookieFrom     = `(?:\s+(?:from|set by|placed by|used by|of|by)\s+[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})?`
	cookieToLifeRe = regexp.MustCompile(`^["'”’]?(?:\s*\([^)]{0,60}\))?(?:\s+cookies?` + cookieFrom + `)?(?:\s*\([^)]{0,60}\))?\s*` + cookieToLife)
	// "NAME cookie, which caps how often you see an ad, expires after 13
	// months" or "NAME cookie, set by Google Analytics, expires after 2
	// years": tried when the plain form finds no lifetime.
	cookieClauseToLifeRe = regexp.MustCompile(`^["'”’]?(?:\s+cookies?)?,\s*(?:which|that|set by|placed by|used by|from)\s[^,.;]{0,80},\s*` + cookieToLife)
	// "NAME cookie (2 years)", "NAME (expires after 13 months)".
	cookieParenLifeRe = regexp.MustCompile(`^["'”’]?(?:\s+cookies?)?\s*\(\s*(?:` + lifeVerb + `(?: for| after| in| of|:)?\s*)?(?:for\s+|after\s+|up to\s+)?`)
)

// cookiesFromSentence reads declared cookie lifetimes from a sentence.
func cookiesFromSentence(s string, known func(string) bool) []DeclaredCookie {
	var out []DeclaredCookie
	for _, m := range cookieNameRe.FindAllStringIndex(s, -1) {
		if m[0] > 0 && !strings.ContainsRune(" \t,;(\"'“‘", rune(s[m[0]-1])) && s[m[0]-1] < 0x80 {
			continue
		}
		name := s[m[0]:m[1]]
		if !looksLikeCookieName(name, known) {
			continue
		}
		var (
			at, n int
			days  float64
			ok    bool
		)
		for _, re := range []*regexp.Regexp{cookieToLifeRe, cookieClauseToLifeRe, cookieParenLifeRe} {
			if sep := re.FindStringIndex(s[m[1]:]); sep != nil {
				at = m[1] + sep[1]
				if days, n, ok = lifetimePrefix(s[at:]); ok {
					break
				}
			}
		}
		if !ok {
			continue
		}
		out = append(out, DeclaredCookie{Name: name, Days: days, Lifetime: strings.TrimSpace(s[at : at+n]), Quote: s})
	}
	return out
}

// looksLikeCookieName accepts names with an underscore, a digit or a
// prefix star, and any name the knowledge base knows as a cookie.
func looksLikeCookieName(n string, known func(string) bool) bool {
	if len(n) < 2 {
		return false
	}
	if strings.ContainsAny(n, "_0123456789*") && !isNumber(n) {
		return true
	}
	return known != nil && known(n)
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// Table columns of a cookie list.
var (
	colName     = regexp.MustCompile(`(?i)^(?:cookie(?:\s*name)?|name(?:\s*of\s*(?:the\s*)?cookie)?|key|identifier)s?$`)
	colExpiry   = regexp.MustCompile(`(?i)expir|duration|lifetime|retention|storage period|max[- ]?age|lifespan|validity|how long`)
	colPurpose  = regexp.MustCompile(`(?i)purpose|description|used for|function|what it does|category|type`)
	colProvider = regexp.MustCompile(`(?i)provider|vendor|set by|owner|service|source|domain|party`)
)

// cookiesFromTable reads a cookie list table: a header row with a name
// column and an expiry column; purpose and provider columns are optional.
func cookiesFromTable(t table) []DeclaredCookie {
	if len(t.rows) < 2 {
		return nil
	}
	name, expiry, purpose, provider := -1, -1, -1, -1
	for i, h := range t.rows[0] {
		h = strings.TrimSpace(h)
		switch {
		case name < 0 && colName.MatchString(h):
			name = i
		case expiry < 0 && colExpiry.MatchString(h):
			expiry = i
		case purpose < 0 && colPurpose.MatchString(h):
			purpose = i
		case provider < 0 && colProvider.MatchString(h):
			provider = i
		}
	}
	if name < 0 || expiry < 0 {
		return nil
	}
	var out []DeclaredCookie
	for _, row := range t.rows[1:] {
		if name >= len(row) || expiry >= len(row) {
			continue
		}
		n := strings.TrimSpace(row[name])
		if n == "" || strings.ContainsAny(n, " \t") && !strings.Contains(n, ",") {
			// "Google Analytics cookie" in a name cell is prose, not a name.
			if len(strings.Fields(n)) > 2 {
				continue
			}
		}
		days, _, _ := lifetimePrefix(row[expiry])
		c := DeclaredCookie{Days: days, Lifetime: strings.TrimSpace(row[expiry]), Quote: strings.Join(row, " | ")}
		text := ""
		if purpose >= 0 && purpose < len(row) {
			text += " " + row[purpose]
		}
		if provider >= 0 && provider < len(row) {
			text += " " + row[provider]
		}
		c.Category = categoryOf(text + " " + t.section)
		if provider >= 0 && provider < len(row) {
			c.Provider = strings.TrimSpace(row[provider])
		}
		for _, one := range strings.Split(n, ",") {
			one = strings.Trim(strings.TrimSpace(one), "`'\"")
			if one == "" {
				continue
			}
			c.Name = one
			out = append(out, c)
		}
	}
	return out
}

// categoryOf maps a purpose description to a knowledge-base category.
func categoryOf(s string) string {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "strictly necessary") || strings.Contains(l, "essential") && !strings.Contains(l, "non-essential") || strings.Contains(l, "necessary"):
		return string(kb.Essential)
	case strings.Contains(l, "advertis") || strings.Contains(l, "marketing") || strings.Contains(l, "targeting") || strings.Contains(l, "retargeting"):
		return string(kb.Advertising)
	case strings.Contains(l, "session replay") || strings.Contains(l, "session recording") || strings.Contains(l, "heatmap"):
		return string(kb.SessionReplay)
	case strings.Contains(l, "analytic") || strings.Contains(l, "statistic") || strings.Contains(l, "performance") || strings.Contains(l, "measure"):
		return string(kb.Analytics)
	case strings.Contains(l, "social"):
		return string(kb.Social)
	case strings.Contains(l, "consent"):
		return string(kb.ConsentManagement)
	case strings.Contains(l, "functional") || strings.Contains(l, "preference") || strings.Contains(l, "language"):
		return string(kb.Functional)
	}
	return ""
}

// CookieCategory maps a declaration's category or purpose words ("Strictly
// Necessary Cookies", "Statistics") to a knowledge-base category, "" when
// none fits.
func CookieCategory(words string) string { return categoryOf(words) }
