package policy

import "strings"

// Who a statement is about.
//
// "Stripe does not use cookies" says something about Stripe, not about the
// site; "we do not use cookies" is the site's own. The subject of the
// clause that holds a practice is the words before its first verb (a
// relative clause or a parenthesis in between is skipped: "Matomo, which
// we host ourselves, does not share data"). When those words name the
// site ("we", "our website", "this site"), or nothing in particular, the
// statement is the site's. When they name a knowledge-base vendor, or a
// provider ("our payment provider", "the chat widget"), the statement is
// scoped to it, and a denial in it never contradicts another vendor. A
// passive clause takes its agent: "cookies are not set by Stripe". A
// pronoun ("it", "this tool") takes the single vendor the previous
// sentence of the same paragraph named.

// subjectWords are auxiliaries and verbs: the subject ends at the first.
var subjectEnd = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`do does did don't doesn't didn't is are was were isn't aren't wasn't weren't
		will would won't wouldn't can cannot can't could may might must shall should has have had hasn't haven't
		never not receives receive gets get sees see processes process stores saves`) {
		subjectEnd[w] = true
	}
	for w := range useVerbs {
		subjectEnd[w] = true
	}
	// "set", "use" and the like are verbs here, but "tracking" or "sharing"
	// may open a subject ("sharing buttons do not"): keep -ing forms out.
	for w := range subjectEnd {
		if strings.HasSuffix(w, "ing") {
			delete(subjectEnd, w)
		}
	}
}

// siteSubjects are the site speaking of itself.
var siteSubjects = map[string]bool{"we": true, "us": true, "i": true}

// siteDeterminers before a site noun name the site: "our website".
var siteDeterminers = map[string]bool{"our": true, "this": true, "the": true}

// siteNouns after "our", "this" or "the" name the site itself.
var siteNouns = map[string]bool{
	"website": true, "websites": true, "site": true, "sites": true, "web": true, "shop": true, "store": true,
	"online": true, "app": true, "apps": true, "application": true, "pages": true, "page": true, "company": true,
	"servers": true, "server": true, "own": true, "platform": true, "service": true, "services": true,
	"organisation": true, "organization": true, "team": true, "business": true, "newsletter": true, "product": true,
	"products": true, "domain": true, "blog": true,
}

// providerNouns make a subject a third party even when no vendor is named.
var providerNouns = map[string]bool{
	"provider": true, "providers": true, "processor": true, "processors": true, "partner": true, "partners": true,
	"vendor": true, "vendors": true, "host": true, "hoster": true, "cdn": true, "gateway": true, "widget": true,
	"widgets": true, "plugin": true, "plug-in": true, "player": true, "tool": true, "tools": true, "sdk": true,
	"subprocessor": true, "subprocessors": true, "sub-processor": true, "sub-processors": true, "contractor": true,
	"contractors": true, "network": true, "networks": true, "embed": true, "embeds": true,
}

// pronounSubjects refer back to the vendor of the previous sentence.
var pronounSubjects = map[string]bool{"it": true, "they": true, "this tool": true, "this service": true,
	"the tool": true, "the service": true, "this provider": true, "the provider": true, "this plugin": true}

// subject is who a clause is about: a vendor id, a provider phrase, or ""
// for the site itself.
type subject struct {
	vendor   string // knowledge-base id
	provider string // "payment provider" when no vendor is named
}

func (s subject) String() string {
	if s.vendor != "" {
		return s.vendor
	}
	return s.provider
}

// clauseSubject finds the subject of the clause holding token a. hits are
// the vendors the sentence names; prev is the single vendor the previous
// sentence named ("" when none or several).
func clauseSubject(toks []token, a int, hits []vendorHit, prev string, own []span) subject {
	start := clauseStart(toks, a)
	// The words of the subject: from the clause start to the first verb,
	// skipping ", which ... ," and "( ... )".
	var words []int
	for i := start; i < len(toks) && i <= a; i++ {
		w := toks[i].w
		if w == "(" {
			for i < len(toks) && toks[i].w != ")" {
				i++
			}
			continue
		}
		if w == "," && i+1 < len(toks) && (toks[i+1].w == "which" || toks[i+1].w == "who" || toks[i+1].w == "that") {
			i++
			for i+1 < len(toks) && toks[i+1].w != "," && toks[i+1].w != ";" {
				i++
			}
			continue
		}
		if toks[i].punct {
			words = append(words, i)
			continue
		}
		if len(words) == 0 && (w == "only" || w == "also" || w == "neither" || w == "even") {
			continue
		}
		if i == a || subjectEnd[w] {
			// The anchor itself opens the clause: "cookies are not set by
			// Stripe" takes the agent.
			if len(nonPunct(toks, words)) == 0 || (i == a && allAnchorish(toks, words)) {
				return agent(toks, a, hits, own)
			}
			break
		}
		words = append(words, i)
	}
	return subjectOf(toks, words, hits, prev, own)
}

// clauseStart is where the clause of token a begins: after ";", ":", or a
// conjunction that opens a new clause.
func clauseStart(toks []token, a int) int {
	for i := a - 1; i >= 0; i-- {
		switch toks[i].w {
		case ";", ":", "but", "however", "whereas", "although", "though", "while", "yet", "and", "or", "so", "because":
			if toks[i].w == "and" || toks[i].w == "or" {
				// "Stripe and PayPal do not ...": a list, not a new clause,
				// unless a comma or a verb stands before it.
				if i == 0 || (toks[i-1].w != "," && !subjectEnd[toks[i-1].w]) {
					continue
				}
			}
			return i + 1
		case ",":
			// ", we ..." after an opening phrase: the main clause follows.
			if i+1 < len(toks) && (toks[i+1].w == "we" || toks[i+1].w == "you" || toks[i+1].w == "i") {
				return i + 1
			}
		}
	}
	return 0
}

func nonPunct(toks []token, idx []int) []int {
	var out []int
	for _, i := range idx {
		if !toks[i].punct {
			out = append(out, i)
		}
	}
	return out
}

// allAnchorish reports a subject made only of determiners and quantifiers
// before the anchor ("no cookies", "any tracking"): the anchor is the subject.
func allAnchorish(toks []token, idx []int) bool {
	for _, i := range nonPunct(toks, idx) {
		switch toks[i].w {
		case "no", "any", "all", "the", "these", "those", "such", "some", "third-party", "third", "party", "first-party",
			"tracking", "advertising", "analytics", "marketing", "non-essential", "optional", "persistent", "session":
		default:
			return false
		}
	}
	return true
}

// agent reads "by X" after the anchor, in the same clause.
func agent(toks []token, a int, hits []vendorHit, own []span) subject {
	for i := a + 1; i < len(toks); i++ {
		w := toks[i].w
		if toks[i].punct && w != "," {
			break
		}
		if w == "but" || w == "except" || w == "unless" || w == "which" {
			break
		}
		if w != "by" {
			continue
		}
		var words []int
		for k := i + 1; k < len(toks) && k <= i+5; k++ {
			if toks[k].punct || toks[k].w == "to" || toks[k].w == "for" || toks[k].w == "on" || toks[k].w == "in" {
				break
			}
			words = append(words, k)
		}
		return subjectOf(toks, words, hits, "", own)
	}
	return subject{}
}

// subjectOf judges the words of a subject.
func subjectOf(toks []token, words []int, hits []vendorHit, prev string, own []span) subject {
	ws := nonPunct(toks, words)
	if len(ws) == 0 {
		return subject{}
	}
	first, last := toks[ws[0]].start, toks[ws[len(ws)-1]].end
	if overlaps(own, first, last) {
		return subject{} // "Mautic does not provide ..." in Mautic's own policy
	}
	for k, i := range ws {
		w := toks[i].w
		if siteSubjects[w] {
			return subject{}
		}
		if siteDeterminers[w] && k+1 < len(ws) && siteNouns[toks[ws[k+1]].w] &&
			!(k+2 < len(ws) && providerNouns[toks[ws[k+2]].w]) {
			return subject{}
		}
	}
	for _, h := range hits {
		if h.vendor != nil && h.start >= first && h.end <= last {
			return subject{vendor: h.vendor.ID}
		}
	}
	var phrase []string
	for _, i := range ws {
		w := toks[i].w
		if siteDeterminers[w] || w == "a" || w == "an" || w == "any" || w == "your" || w == "these" || w == "those" {
			continue
		}
		phrase = append(phrase, w)
	}
	p := strings.Join(phrase, " ")
	if prev != "" && (pronounSubjects[p] || pronounSubjects[strings.Join(wordsOf(toks, ws), " ")]) {
		return subject{vendor: prev}
	}
	for _, i := range ws {
		if providerNouns[toks[i].w] {
			return subject{provider: p}
		}
	}
	return subject{}
}

func wordsOf(toks []token, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = toks[i].w
	}
	return out
}
