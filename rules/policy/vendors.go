package policy

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trackscan/trackscan/detectors/kb"
)

// How a vendor may be named in a policy.
//
// The rule for names that are ordinary words: a single-word name that is a
// common English word (Segment, Drift, Heap, Indeed, Next) matches only
// capitalised, as a whole word, and never as the first word of a sentence or
// in a heading, where English capitalises anyway. Other single-word names
// (Hotjar, HubSpot) match whole-word when capitalised, brands written in
// lower case (etracker, iubenda) in any case; all-capital short
// names (VWO, AWS) match exactly; names of several words or with
// punctuation (Google Analytics, Customer.io) match whole-word in any case.
// Names shorter than three letters (X) are never matched in prose.

type termKind int

const (
	kindName termKind = iota
	kindOwner
)

type vendorTerm struct {
	words  []string // lower-case tokens of the name
	text   string   // the name as the knowledge base writes it
	vendor *kb.Vendor
	owner  string // set for owner terms
	kind   termKind
	// capital: the first letter must be upper case in the policy.
	capital bool
	// exact: the policy must write it exactly so (acronyms).
	exact bool
	// common: an English word; not matched sentence-initially or in headings.
	common bool
}

// vendorIndex finds knowledge-base vendors named in a sentence.
type vendorIndex struct {
	byFirst map[string][]*vendorTerm
	domains map[string]*kb.Vendor
	cookies map[string]*kb.Vendor // distinctive cookie names, exact
	prefix  []cookiePrefix
}

type cookiePrefix struct {
	prefix string
	vendor *kb.Vendor
}

func newVendorIndex(vendors []*kb.Vendor) *vendorIndex {
	ix := &vendorIndex{byFirst: map[string][]*vendorTerm{}, domains: map[string]*kb.Vendor{}, cookies: map[string]*kb.Vendor{}}
	names := map[string]bool{} // lower-case vendor names: an owner equal to one is that vendor
	for _, v := range vendors {
		names[strings.ToLower(v.Name)] = true
		for _, a := range v.Aliases {
			names[strings.ToLower(a)] = true
		}
	}
	ambiguousCookie := map[string]bool{}
	for _, v := range vendors {
		seen := map[string]bool{}
		add := func(text string, kind termKind) {
			text = strings.TrimSpace(stripMarks(text))
			key := strings.ToLower(text)
			if seen[key] || utf8.RuneCountInString(text) < 3 {
				return
			}
			seen[key] = true
			t := newTerm(text, v, kind)
			if t == nil {
				return
			}
			ix.byFirst[t.words[0]] = append(ix.byFirst[t.words[0]], t)
		}
		add(v.Name, kindName)
		for _, a := range v.Aliases {
			add(a, kindName)
		}
		if v.Owner != "" && !names[strings.ToLower(v.Owner)] {
			add(v.Owner, kindOwner)
		}
		for _, d := range v.Domains {
			d = strings.ToLower(strings.TrimPrefix(d, "*."))
			if i := strings.IndexAny(d, "/"); i >= 0 {
				d = d[:i]
			}
			if strings.Contains(d, ".") && ix.domains[d] == nil {
				ix.domains[d] = v
			}
		}
		for _, c := range v.Cookies {
			n := c.Name
			switch {
			case strings.HasPrefix(n, "/"):
				continue
			case strings.HasSuffix(n, "*"):
				p := strings.TrimSuffix(n, "*")
				if len(p) >= 4 && distinctiveCookie(p) && !strings.ContainsAny(p, "*?") {
					ix.prefix = append(ix.prefix, cookiePrefix{p, v})
				}
			case distinctiveCookie(n) && !strings.ContainsAny(n, "*?"):
				if o, dup := ix.cookies[n]; dup && o != v {
					ambiguousCookie[n] = true
				}
				ix.cookies[n] = v
			}
		}
	}
	for n := range ambiguousCookie {
		delete(ix.cookies, n) // a name two vendors use names neither
	}
	for _, ts := range ix.byFirst {
		// Longest name first, so "Google Analytics" wins over "Google".
		sort.SliceStable(ts, func(i, j int) bool { return len(ts[i].words) > len(ts[j].words) })
	}
	sort.Slice(ix.prefix, func(i, j int) bool { return len(ix.prefix[i].prefix) > len(ix.prefix[j].prefix) })
	return ix
}

// distinctiveCookie reports cookie names that cannot be ordinary words in
// prose: with an underscore or a digit, at least three characters.
func distinctiveCookie(n string) bool {
	return len(n) >= 3 && strings.ContainsAny(n, "_0123456789") && strings.Trim(n, "_") != ""
}

func newTerm(text string, v *kb.Vendor, kind termKind) *vendorTerm {
	toks := tokenize(text)
	var ws []string
	for _, t := range toks {
		if !t.punct {
			ws = append(ws, t.w)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	t := &vendorTerm{words: ws, text: text, vendor: v, kind: kind}
	if kind == kindOwner {
		t.owner = text
	}
	single := len(ws) == 1 && isLetters(text)
	if len(ws) > 1 && isLowerPhrase(text) {
		// "session cookie", "header bidding": a description, not a name.
		return nil
	}
	switch {
	case single && isUpperWord(text) && len(text) <= 5:
		t.exact = true
	case single:
		// A brand written in lower case by its owner (etracker, iubenda) is
		// matched in any case; others need their capital.
		r, _ := utf8.DecodeRuneInString(text)
		t.capital = unicode.IsUpper(r)
		t.common = commonWords[strings.ToLower(text)]
	}
	return t
}

// isLowerPhrase reports words in lower case only, with no dot or digit
// that would make them a brand ("impact.com", "etracker").
func isLowerPhrase(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsDigit(r) || r == '.' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

func isUpperWord(s string) bool {
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

var marks = strings.NewReplacer("®", "", "™", "", "©", "", "\u00a0", " ")

func stripMarks(s string) string { return marks.Replace(s) }

// vendorHit is one vendor (or owner) named in a sentence.
type vendorHit struct {
	vendor     *kb.Vendor
	owner      string
	start, end int // byte offsets in the sentence
	text       string
}

var domainRe = regexp.MustCompile(`(?i)(?:^|[^@\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,})\b`)

// find returns the vendors named in a sentence, in order, each once.
func (ix *vendorIndex) find(s string, toks []token, heading bool) []vendorHit {
	var hits []vendorHit
	used := make([]bool, len(toks))
	seen := map[string]bool{}
	addHit := func(h vendorHit) {
		key := h.owner
		if h.vendor != nil {
			key = h.vendor.ID
		}
		if key == "" || seen[key] {
			return
		}
		seen[key] = true
		hits = append(hits, h)
	}
	firstWord := -1
	for i, t := range toks {
		if !t.punct {
			firstWord = i
			break
		}
	}
	for i := 0; i < len(toks); i++ {
		if used[i] || toks[i].punct {
			continue
		}
		for _, t := range ix.byFirst[toks[i].w] {
			j, ok := matchWords(toks, i, t.words)
			if !ok {
				continue
			}
			raw := s[toks[i].start:toks[j-1].end]
			start := i == firstWord && !(t.common && j < len(toks) && vendorVerbs[toks[j].w])
			if !termAccepts(t, raw, start, heading) {
				continue
			}
			for k := i; k < j; k++ {
				used[k] = true
			}
			addHit(vendorHit{vendor: termVendor(t), owner: t.owner, start: toks[i].start, end: toks[j-1].end, text: raw})
			break
		}
	}
	for _, t := range toks {
		if t.punct {
			continue
		}
		raw := s[t.start:t.end]
		if !strings.ContainsAny(raw, "_0123456789") {
			continue // cookie names and prefixes we match all have one
		}
		if v := ix.cookies[raw]; v != nil {
			addHit(vendorHit{vendor: v, start: t.start, end: t.end, text: raw})
			continue
		}
		for _, p := range ix.prefix {
			if strings.HasPrefix(raw, p.prefix) {
				addHit(vendorHit{vendor: p.vendor, start: t.start, end: t.end, text: raw})
				break
			}
		}
	}
	if hasInnerDot(s) {
		for _, m := range domainRe.FindAllStringSubmatchIndex(s, -1) {
			host := strings.ToLower(s[m[2]:m[3]])
			for h := host; strings.Contains(h, "."); h = h[strings.IndexByte(h, '.')+1:] {
				if v := ix.domains[h]; v != nil {
					addHit(vendorHit{vendor: v, start: m[2], end: m[3], text: s[m[2]:m[3]]})
					break
				}
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].start < hits[j].start })
	return hits
}

func termVendor(t *vendorTerm) *kb.Vendor {
	if t.kind == kindOwner {
		return nil
	}
	return t.vendor
}

// matchWords matches the term's words at toks[i:], skipping nothing; it
// returns the index after the match.
func matchWords(toks []token, i int, words []string) (int, bool) {
	k := i
	for _, w := range words {
		for k < len(toks) && toks[k].punct && toks[k].w != "," {
			k++
		}
		if k >= len(toks) || toks[k].w != w {
			return 0, false
		}
		k++
	}
	return k, true
}

func termAccepts(t *vendorTerm, raw string, sentenceStart, heading bool) bool {
	switch {
	case t.exact:
		return raw == t.text
	case t.capital || t.common:
		r, _ := utf8.DecodeRuneInString(raw)
		if !unicode.IsUpper(r) {
			return false
		}
		if t.common && (sentenceStart || heading) {
			return false
		}
		return strings.EqualFold(raw, t.text)
	}
	// Several words: the words must be written as in the name ("Customer.io",
	// not "customer io"), and a word the name capitalises must be capitalised
	// ("Cookie Notice" is a product, "the cookie notice" is not).
	if !strings.EqualFold(collapseSpace(stripMarks(raw)), collapseSpace(t.text)) {
		return false
	}
	return capitalsKept(t.text, raw)
}

// capitalsKept reports whether every word of name that starts upper case
// starts upper case in raw too.
func capitalsKept(name, raw string) bool {
	nw, rw := tokenize(name), tokenize(raw)
	if len(nw) != len(rw) {
		return true // punctuation differs; EqualFold already held
	}
	for k := range nw {
		n, _ := utf8.DecodeRuneInString(name[nw[k].start:])
		r, _ := utf8.DecodeRuneInString(raw[rw[k].start:])
		if unicode.IsUpper(n) && !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// vendorVerbs, after a common-word name at the start of a sentence, make it
// the subject: "Intercom runs the chat window", "Fathom never sets
// cookies", not "Segment your list".
var vendorVerbs = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`runs hosts provides delivers processes receives collects stores sends sets records
		tracks powers handles analyses analyzes measures supplies operates helps uses places reads shows displays
		serves acts does doesn't never won't`) {
		vendorVerbs[w] = true
	}
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	paymentCue = regexp.MustCompile(`(?i)\b(?:payments?|billing|credit[- ]cards?|card (?:details|payments?)|checkout|invoic\w+|process(?:es|ed|ing)? (?:your |subscription |all )?(?:payments?|transactions?|orders?|purchases?)|payment (?:processors?|providers?|services?)|zahlung\pL*|bezahl\pL*|paiements?|moyens? de paiement)\b`)
	hostingCue = regexp.MustCompile(`(?i)\b(?:host(?:s|ed|ing)?|ddos|firewalls?|protect\w* (?:\w+ ){0,3}against|data ?cent(?:er|re)s?|infrastructure|cloud (?:providers?|platforms?|hosting|services?|computing)|content delivery|cdn|servers? (?:are|is) (?:located|provided|operated)|gehostet|hosting-anbieter|datenspeicherung|hébergé\pL*|hébergement|hébergeur)\b`)
	trackerCue = regexp.MustCompile(`(?i)\b(?:analytics|advertis\w+|track\w*|marketing|cookies?|pixels?|beacons?|remarketing|retargeting|embedded into our website)\b`)
)

// roleOf decides whether a vendor is named only as a payment or hosting
// provider in this sentence (or under such a heading).
func roleOf(sentence, section string) string {
	if trackerCue.MatchString(sentence) {
		return ""
	}
	switch {
	case paymentCue.MatchString(sentence):
		return RolePayment
	case hostingCue.MatchString(sentence):
		return RoleHosting
	case paymentCue.MatchString(section):
		return RolePayment
	case hostingCue.MatchString(section):
		return RoleHosting
	}
	return ""
}

// commonWords are English words that are also vendor names somewhere; as
// vendor names they need a capital letter away from a sentence start.
var commonWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`about above access account acoustic action active adapt adjust ahoy arbor attentive
		bird block boomerang branch decibel delighted drip epsilon fingerprint harness kit lexicon lightbox moat oath
		ozone privy recharge sift split teamwork terminus threads transcend twitch unruly alert alpha amazon amplitude
		anchor answer apex apple arc arrow atlas audience aura balance banner base beacon beam beamer bee beeswax
		bell blaze blink bloom blue bolt box brave bridge bright brush buffer button cake canvas capture carbon cargo
		cart castle catch chain chance channel chart chat check circle civic clarity clear clerk click cloud clue coin
		comet compass connect core crisp crown cube current cycle dash delta digest direct dot drift drop dynamic echo
		edge element ember engage envoy equal essence event evolve exact express fabric factor fathom feed field
		fire flag flash fleet flow focus forge form fox frame front funnel fuse gauge gem glass glide globe gong
		grace graph grid groove growth guide harbor harvest heap helix hero hive honey hook horizon hub human iceberg
		ignite impact indeed insight instant intercom iris island ivy jet journey jump keen key kinetic kite lantern
		lark leaf lens level lift light lightspeed line link loop lotus lumen magnet maple marble matter maze meta
		metric mint mirror mission momentum moon motion native navigator nest next nimbus north nova oak oasis
		ocean omega optimize oracle orbit origin outbrain pace panorama parrot path peak pebble pendo pepper pilot
		pine pioneer piano pivot pixel planet plum pulse quantum quest radar rack raft rain rapid raven ray reach
		realm reef relay rhythm ridge ripple river rocket root rover sage sail scale scout segment sense sentry
		shield shift signal silver sketch sky slate smart snap snowplow solid sonar spark spectrum sphere spin
		spring sprout square stack star steady stellar stone storm stream stride stripe summit sun surge swift
		swirl tag tail target teal tempo thread tide tiger timber torch tower trace track trail trellis tribe true
		trust truth unity umami valley vault vector velocity venture verve vista vivid voice volt wave whale wisp
		wonder zen zenith zest zone`) {
		commonWords[w] = true
	}
}

// hasInnerDot reports a period between two letters or digits, as in a
// domain name; sentences without one need no domain search.
func hasInnerDot(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '.' && isAlnum(s[i-1]) && isAlnum(s[i+1]) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
