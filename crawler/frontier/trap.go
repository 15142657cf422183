package frontier

import (
	"net/url"
	"strconv"
	"strings"
)

// Trap guard defaults.
const (
	defaultMaxURLLength    = 2048
	defaultMaxQueryVariant = 20 // distinct queries on one path
	defaultMaxPathVariant  = 20 // distinct paths with the same shape once digits are masked
	maxSegmentRepeats      = 3  // the same path segment this many times
	maxPathSegments        = 20
)

// trapGuard counts URL variants. It is not safe for concurrent use: the
// Frontier calls it under its lock.
type trapGuard struct {
	maxQuery, maxShape int
	queries            map[string]map[string]bool // scheme://host/path -> queries seen
	shapes             map[string]map[string]bool // digit-masked URL -> paths seen
}

func newTrapGuard(maxQuery, maxShape int) *trapGuard {
	if maxQuery <= 0 {
		maxQuery = defaultMaxQueryVariant
	}
	if maxShape <= 0 {
		maxShape = defaultMaxPathVariant
	}
	return &trapGuard{maxQuery: maxQuery, maxShape: maxShape,
		queries: map[string]map[string]bool{}, shapes: map[string]map[string]bool{}}
}

// check says why u (normalised) looks like a trap, or "" when it does not.
// An accepted URL is counted; a rejected one is not, so the first variants
// of a calendar are still crawled.
func (g *trapGuard) check(u *url.URL) string {
	if len(u.String()) > defaultMaxURLLength {
		return "URL longer than 2048 characters"
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(segs) > maxPathSegments {
		return "more than 20 path segments"
	}
	counts := map[string]int{}
	for _, s := range segs {
		if s == "" {
			continue
		}
		if counts[s]++; counts[s] >= maxSegmentRepeats {
			return "path segment " + s + " repeated"
		}
	}
	if looksLikeSessionToken(u) {
		return "session id in URL"
	}

	base := u.Scheme + "://" + u.Host + u.EscapedPath()
	shape := u.Scheme + "://" + u.Host + maskDigits(u.EscapedPath())
	newQuery := u.RawQuery != "" && !g.queries[base][u.RawQuery]
	if newQuery && len(g.queries[base]) >= g.maxQuery {
		return "more than " + strconv.Itoa(g.maxQuery) + " query variants of " + base
	}
	hasDigits := shape != base
	newShape := hasDigits && !g.shapes[shape][u.EscapedPath()]
	if newShape && len(g.shapes[shape]) >= g.maxShape {
		return "more than " + strconv.Itoa(g.maxShape) + " numbered variants of " + shape + " (calendar or endless pages)"
	}
	if newQuery {
		addTo(g.queries, base, u.RawQuery)
	}
	if newShape {
		addTo(g.shapes, shape, u.EscapedPath())
	}
	return ""
}

func addTo(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

// maskDigits replaces each run of digits by "0", so /2026/11/ and /2027/01/
// share the shape /0/0/.
func maskDigits(s string) string {
	var b strings.Builder
	inRun := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if !inRun {
				b.WriteByte('0')
			}
			inRun = true
			continue
		}
		inRun = false
		b.WriteByte(c)
	}
	return b.String()
}

// looksLikeSessionToken catches session ids the normaliser cannot strip
// because they are embedded in a path segment, e.g. "/(S(abc123...))/" of
// ASP.NET cookieless sessions.
func looksLikeSessionToken(u *url.URL) bool {
	p := strings.ToLower(u.EscapedPath())
	return strings.Contains(p, "/(s(") || strings.Contains(p, ";jsessionid=") || strings.Contains(p, ";phpsessid=")
}
