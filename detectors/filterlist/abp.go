package filterlist

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"

	"github.com/trackscan/trackscan/detectors/kb"
)

// Resource types a network rule may be limited to.
const (
	tScript uint16 = 1 << iota
	tImage
	tStylesheet
	tXHR
	tSubdocument
	tPing
	tMedia
	tFont
	tOther
	tDocument
)

var typeOptions = map[string]uint16{
	"script": tScript, "image": tImage, "stylesheet": tStylesheet, "xmlhttprequest": tXHR,
	"subdocument": tSubdocument, "ping": tPing, "media": tMedia, "font": tFont, "other": tOther,
}

// requestType maps the resource types of Chrome DevTools (and the ABP
// names themselves) to a rule type bit; 0 means unknown, which lets any
// type-limited rule match (a lookup of a bare URL has no type).
func requestType(t string) uint16 {
	switch strings.ToLower(t) {
	case "":
		return 0
	case "script":
		return tScript
	case "image", "img":
		return tImage
	case "stylesheet", "css":
		return tStylesheet
	case "xhr", "fetch", "xmlhttprequest", "eventsource":
		return tXHR
	case "subdocument", "iframe", "sub_frame", "frame":
		return tSubdocument
	case "ping", "beacon", "cspviolationreport":
		return tPing
	case "media", "texttrack":
		return tMedia
	case "font":
		return tFont
	case "document", "main_frame":
		return tDocument
	}
	return tOther
}

// ABP is a parsed Adblock Plus filter list (network rules only).
type ABP struct {
	name    string
	block   index
	allow   index
	vendors vendorCache
	rules   int
}

// index finds the few rules that can match a URL: rules anchored on a host
// (||host^) by that host, the others by their rarest literal token.
type index struct {
	byHost  map[string][]*rule
	byToken map[string][]*rule
	generic []*rule // no usable token: tried on every URL
}

type rule struct {
	line       int
	text       string
	pattern    string // without anchors, lower-case unless matchCase
	re         *regexp.Regexp
	hostAnchor bool // ||
	start, end bool // | anchors
	host       string
	hostOnly   bool // ||host^ : the host index alone decides
	matchCase  bool
	important  bool
	party      int8 // 1 third-party only, -1 first-party only
	types      uint16
	notTypes   uint16
	domains    []string
	notDomains []string
}

// Name is the file name the list was loaded from.
func (a *ABP) Name() string { return a.name }

// Len is the number of network rules in use.
func (a *ABP) Len() int { return a.rules }

// ParseABP parses filter-list text. Cosmetic rules are skipped silently;
// network rules with options trackscan does not implement are skipped and
// counted in one warning, so that no rule ever matches more than it says.
func ParseABP(name string, data []byte) (*ABP, []string) {
	a := &ABP{name: name, vendors: vendorCache{cat: listCategory(name)}}
	var parsed []*rule
	unsupported := map[string]int{}
	skipped := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		r, bad := parseRule(strings.TrimSpace(sc.Text()), line)
		if len(bad) > 0 {
			skipped++
			for _, o := range bad {
				unsupported[o]++
			}
			continue
		}
		if r != nil {
			parsed = append(parsed, r)
		}
	}
	var warns []string
	if err := sc.Err(); err != nil {
		warns = append(warns, fmt.Sprintf("%s: stopped reading at line %d: %v", name, line+1, err))
	}
	if skipped > 0 {
		opts := make([]string, 0, len(unsupported))
		for o := range unsupported {
			opts = append(opts, o)
		}
		sort.Slice(opts, func(i, j int) bool {
			if unsupported[opts[i]] != unsupported[opts[j]] {
				return unsupported[opts[i]] > unsupported[opts[j]]
			}
			return opts[i] < opts[j]
		})
		if len(opts) > 8 {
			opts = append(opts[:8], "...")
		}
		warns = append(warns, fmt.Sprintf("%s: skipped %d rules using options trackscan does not support (%s)", name, skipped, strings.Join(opts, ", ")))
	}
	a.build(parsed)
	return a, warns
}

func (a *ABP) build(rs []*rule) {
	count := map[string]int{}
	for _, r := range rs {
		if r.host == "" && r.re == nil {
			for _, t := range safeTokens(r) {
				count[t]++
			}
		}
	}
	a.block = index{byHost: map[string][]*rule{}, byToken: map[string][]*rule{}}
	a.allow = index{byHost: map[string][]*rule{}, byToken: map[string][]*rule{}}
	for _, r := range rs {
		ix := &a.block
		if strings.HasPrefix(r.text, "@@") {
			ix = &a.allow
		}
		a.rules++
		switch {
		case r.host != "":
			ix.byHost[r.host] = append(ix.byHost[r.host], r)
		case r.re != nil:
			ix.generic = append(ix.generic, r)
		default:
			best := ""
			for _, t := range safeTokens(r) {
				if best == "" || count[t] < count[best] || (count[t] == count[best] && len(t) > len(best)) {
					best = t
				}
			}
			if best == "" {
				ix.generic = append(ix.generic, r)
			} else {
				ix.byToken[best] = append(ix.byToken[best], r)
			}
		}
	}
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '%' || 'A' <= c && c <= 'Z'
}

// safeTokens are the literal runs of a pattern that must appear as whole
// tokens in any URL the rule matches: bounded on both sides by a literal
// separator, '^' or an anchor, never by '*'.
func safeTokens(r *rule) []string {
	p := r.pattern
	var out []string
	for i := 0; i < len(p); {
		if !isTokenChar(p[i]) {
			i++
			continue
		}
		j := i
		for j < len(p) && isTokenChar(p[j]) {
			j++
		}
		leftOK := i > 0 && p[i-1] != '*' || i == 0 && (r.start || r.hostAnchor)
		rightOK := j < len(p) && p[j] != '*' || j == len(p) && r.end
		if leftOK && rightOK && j-i >= 2 {
			out = append(out, strings.ToLower(p[i:j]))
		}
		i = j
	}
	return out
}

// parseRule returns the rule on a line, nil for comments and cosmetic
// rules, or the unsupported options that make it unusable.
func parseRule(s string, line int) (*rule, []string) {
	if s == "" || s[0] == '!' || s[0] == '[' {
		return nil, nil
	}
	for _, marker := range []string{"##", "#@#", "#?#", "#$#", "#@$#", "#%#", "#@?#"} {
		if strings.Contains(s, marker) {
			return nil, nil
		}
	}
	r := &rule{line: line, text: s}
	body := strings.TrimPrefix(s, "@@")
	// Options follow the last '$', unless that '$' is inside a /regexp/.
	if i := strings.LastIndexByte(body, '$'); i >= 0 && !(strings.HasPrefix(body, "/") && strings.LastIndexByte(body, '/') > i) {
		if bad := r.parseOptions(body[i+1:]); len(bad) > 0 {
			return nil, bad
		}
		body = body[:i]
	}
	if len(body) > 2 && body[0] == '/' && body[len(body)-1] == '/' {
		expr := body[1 : len(body)-1]
		if !r.matchCase {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, []string{"regexp syntax"}
		}
		r.re = re
		return r, nil
	}
	switch {
	case strings.HasPrefix(body, "||"):
		r.hostAnchor, body = true, body[2:]
	case strings.HasPrefix(body, "|"):
		r.start, body = true, body[1:]
	}
	if strings.HasSuffix(body, "|") {
		r.end, body = true, body[:len(body)-1]
	}
	if !r.matchCase {
		body = strings.ToLower(body)
	}
	// A pattern of only wildcards matches everything: keep it literal
	// (options usually narrow it) but mark it empty.
	r.pattern = strings.TrimLeft(body, "*")
	if len(r.pattern) != len(body) {
		r.start, r.hostAnchor = false, false
	}
	if r.hostAnchor {
		j := 0
		for j < len(body) && (isTokenChar(body[j]) || body[j] == '.' || body[j] == '-' || body[j] == '_') {
			j++
		}
		host := strings.ToLower(body[:j])
		if host != "" && !strings.HasSuffix(host, ".") && strings.Contains(host, ".") && (j == len(body) || strings.IndexByte("^/:", body[j]) >= 0) {
			r.host = host
			rest := body[j:]
			r.hostOnly = (rest == "" || rest == "^") && !r.end
		}
	}
	return r, nil
}

func (r *rule) parseOptions(opts string) []string {
	var bad []string
	for _, o := range strings.Split(opts, ",") {
		o = strings.TrimSpace(o)
		neg := strings.HasPrefix(o, "~")
		name := strings.ToLower(strings.TrimPrefix(o, "~"))
		switch {
		case name == "third-party" || name == "3p":
			r.party = 1
			if neg {
				r.party = -1
			}
		case name == "first-party" || name == "1p":
			r.party = -1
			if neg {
				r.party = 1
			}
		case name == "match-case":
			r.matchCase = !neg
		case name == "important":
			r.important = true
		case typeOptions[name] != 0:
			if neg {
				r.notTypes |= typeOptions[name]
			} else {
				r.types |= typeOptions[name]
			}
		case strings.HasPrefix(name, "domain="):
			for _, d := range strings.Split(o[len("domain="):], "|") {
				d = strings.ToLower(strings.TrimSpace(d))
				switch {
				case strings.HasPrefix(d, "~") && len(d) > 1:
					r.notDomains = append(r.notDomains, d[1:])
				case d != "":
					r.domains = append(r.domains, d)
				}
			}
		case name == "":
		default:
			if k, _, _ := strings.Cut(name, "="); k != "" {
				name = k
			}
			bad = append(bad, name)
		}
	}
	return bad
}

// req is one request being classified, with its facts computed lazily.
type req struct {
	url, lower string
	host       string
	page       string // page host, "" when unknown
	typ        uint16
	party      int8 // 0 not computed yet, 1 third, -1 first
}

func (q *req) thirdParty() int8 {
	if q.party == 0 {
		q.party = -1
		if q.page == "" || capture.Site(q.host) != capture.Site(q.page) {
			q.party = 1
		}
	}
	return q.party
}

func (r *rule) optionsMatch(q *req) bool {
	if r.party != 0 && q.page != "" && q.thirdParty() != r.party {
		return false
	}
	if q.typ != 0 {
		if r.types != 0 && r.types&q.typ == 0 {
			return false
		}
		if r.notTypes&q.typ != 0 {
			return false
		}
	}
	if len(r.domains) > 0 || len(r.notDomains) > 0 {
		if q.page == "" {
			return len(r.domains) == 0
		}
		for _, d := range r.notDomains {
			if capture.HostUnder(q.page, d) {
				return false
			}
		}
		if len(r.domains) > 0 {
			for _, d := range r.domains {
				if capture.HostUnder(q.page, d) {
					return true
				}
			}
			return false
		}
	}
	return true
}

func (r *rule) matches(q *req) bool {
	if !r.optionsMatch(q) {
		return false
	}
	if r.hostOnly {
		return true // found through the host index, which checked the host
	}
	s := q.lower
	if r.matchCase {
		s = q.url
	}
	if r.re != nil {
		return r.re.MatchString(s)
	}
	switch {
	case r.start:
		return abpMatch(r.pattern, s, r.end)
	case r.hostAnchor:
		// Start at the host or after any dot inside it.
		hs := strings.Index(s, "://")
		if hs < 0 {
			return false
		}
		hs += 3
		he := hs + len(q.host)
		if he > len(s) {
			he = len(s)
		}
		for i := hs; i < he; i++ {
			if (i == hs || s[i-1] == '.') && abpMatch(r.pattern, s[i:], r.end) {
				return true
			}
		}
		return false
	}
	if r.pattern == "" {
		return true
	}
	first := r.pattern[0]
	for i := 0; i <= len(s); i++ {
		if first != '*' && first != '^' {
			j := strings.IndexByte(s[i:], first)
			if j < 0 {
				return false
			}
			i += j
		}
		if abpMatch(r.pattern, s[i:], r.end) {
			return true
		}
	}
	return false
}

func isSeparator(c byte) bool {
	return !(isTokenChar(c) || c == '_' || c == '-' || c == '.')
}

// abpMatch matches an ABP pattern ('*' any run, '^' a separator or the end)
// at the start of s; whole reports whether it must also reach the end.
func abpMatch(p, s string, whole bool) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for {
		if px == len(p) {
			if !whole || sx == len(s) {
				return true
			}
		} else if sx < len(s) {
			switch c := p[px]; {
			case c == '*':
				starP, starS = px, sx
				px++
				continue
			case c == '^' && isSeparator(s[sx]), c == s[sx]:
				px++
				sx++
				continue
			}
		} else { // end of s: only '*' and '^' can still match
			for px < len(p) && (p[px] == '*' || p[px] == '^') {
				px++
			}
			if px == len(p) {
				return true
			}
		}
		if starP < 0 || starS >= len(s) {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
}

// MatchRequest reports the first blocking rule that matches a request and
// that no exception rule overrides.
func (a *ABP) MatchRequest(rawURL, pageURL, resourceType string) (kb.Match, bool) {
	host := hostOf(rawURL)
	if host == "" {
		return kb.Match{}, false
	}
	q := &req{url: rawURL, lower: lowerASCII(rawURL), host: host, page: hostOf(pageURL), typ: requestType(resourceType)}
	r := a.block.find(q)
	if r == nil {
		return kb.Match{}, false
	}
	if !r.important && a.allow.find(q) != nil {
		return kb.Match{}, false
	}
	v := a.vendors.get(capture.Site(host))
	return kb.Match{Vendor: v, Category: v.Category, Source: a.name + ":" + strconv.Itoa(r.line) + " " + r.text}, true
}

func (ix *index) find(q *req) *rule {
	for h := q.host; h != ""; {
		for _, r := range ix.byHost[h] {
			if r.matches(q) {
				return r
			}
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	if len(ix.byToken) > 0 {
		s := q.lower
		for i := 0; i < len(s); {
			if !isTokenChar(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && isTokenChar(s[j]) {
				j++
			}
			for _, r := range ix.byToken[s[i:j]] {
				if r.matches(q) {
					return r
				}
			}
			i = j
		}
	}
	for _, r := range ix.generic {
		if r.matches(q) {
			return r
		}
	}
	return nil
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// listCategory guesses what a list is about from its file name: privacy
// lists name trackers, social lists widgets, everything else ads.
func listCategory(name string) kb.Category {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "privacy") || strings.Contains(n, "tracking") || strings.Contains(n, "tracker"):
		return kb.Analytics
	case strings.Contains(n, "social"):
		return kb.Social
	}
	return kb.Advertising
}
