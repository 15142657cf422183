package policy

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a word or a clause-breaking punctuation mark of a sentence.
type token struct {
	w          string // lower case; curly apostrophes made straight
	start, end int    // byte offsets in the sentence
	punct      bool
}

// tokenize splits a sentence into lower-case words (keeping inner
// apostrophes and hyphens) and the punctuation that ends a negation scope.
func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			j := i + size
			for j < len(s) {
				r2, s2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '_' {
					j += s2
					continue
				}
				if (r2 == '\'' || r2 == '’' || r2 == '-') && j+s2 < len(s) {
					r3, _ := utf8.DecodeRuneInString(s[j+s2:])
					if unicode.IsLetter(r3) || unicode.IsDigit(r3) {
						j += s2
						continue
					}
				}
				break
			}
			w := strings.ToLower(strings.ReplaceAll(s[i:j], "’", "'"))
			if strings.HasSuffix(w, "'s") && len(w) > 2 { // possessive: "Cloudflare's"
				w = w[:len(w)-2]
				j -= len(s[i:j]) - len(strings.TrimSuffix(strings.TrimSuffix(s[i:j], "'s"), "’s"))
			}
			out = append(out, token{w: w, start: i, end: j})
			i = j
		case strings.ContainsRune(";:(),—–", r):
			out = append(out, token{w: string(r), start: i, end: i + size, punct: true})
			i += size
		default:
			i += size
		}
	}
	return out
}

// Negation triggers (NegEx-style pre-negations). Contractions are single
// tokens; "do not" is read at its "not".
var negTriggers = map[string]bool{
	"not": true, "never": true, "no": true, "none": true, "without": true, "neither": true,
	"nor": true, "cannot": true, "don't": true, "doesn't": true, "won't": true, "can't": true,
	"isn't": true, "aren't": true, "wasn't": true, "weren't": true, "haven't": true, "hasn't": true,
	"shouldn't": true, "wouldn't": true, "didn't": true, "nothing": true,
}

// pseudoNegations look like triggers but negate nothing. Each is matched
// from the trigger (or, with before, from the word before it).
var pseudoAfter = [][]string{
	{"not", "only"}, {"not", "just"}, {"not", "limited"}, {"not", "necessarily"}, {"not", "to", "mention"},
	{"no", "later"}, {"no", "more", "than"}, {"no", "less", "than"}, {"no", "matter"}, {"no", "doubt"},
	{"not", "be", "limited"}, {"not", "exceed"}, {"nothing", "in"}, {"without", "limitation"},
}
var pseudoBefore = [][]string{
	{"whether", "or", "not"}, {"if", "not"},
	{"but", "not", "limited"},
}

// Scope breakers: a negation does not reach past them.
var scopeBreakers = map[string]bool{
	"but": true, "however": true, "although": true, "though": true, "except": true, "excluding": true,
	"unless": true, "whereas": true, "if": true, "when": true, "whether": true, "because": true,
	"while": true, "where": true, "who": true, "which": true,
	";": true, ":": true, "(": true, ")": true, "—": true, "–": true,
}

// exceptionStarts open an exception scope: what follows is affirmed even
// inside a denial ("we do not use cookies, except strictly necessary ones").
var exceptionStarts = [][]string{
	{"except"}, {"excluding"}, {"with", "the", "exception", "of"}, {"other", "than"}, {"apart", "from"},
	{"aside", "from"}, {"save", "for"}, {"besides"},
}

// The reader as subject: "if you do not want cookies" is no denial of ours.
var readerSubjects = map[string]bool{
	"you": true, "who": true, "user": true, "users": true, "visitor": true, "visitors": true,
	"recipient": true, "recipients": true, "individuals": true, "browser": true, "browsers": true,
	"they": true, "customer": true, "customers": true, "subscriber": true, "subscribers": true,
	"member": true, "members": true, "reader": true, "readers": true,
}

// useVerbs are the verbs through which a trigger reaches a noun it negates
// ("we do not use cookies"); any other word in between stops it ("may not
// function properly without the aid of cookies").
var useVerbs = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`use uses used using utilise utilize utilises utilizes employ employs employed
		deploy deploys deployed set sets setting place places placed placing install installs installed installing
		store stores stored storing collect collects collected collecting track tracks tracked tracking serve serves
		served allow allows allowed permit permits permitted rely relies contain contains include includes embed embeds
		embedded share shares shared sharing sell sells sold selling rent rents rented renting disclose discloses
		disclosed provide provides provided transfer transfers transferred trade trades traded respond responds honor
		honors honour honours recognize recognizes recognise recognises support supports display displays show shows
		engage engages conduct conducts perform performs load loads loaded drop drops dropped activate activates
		run runs work operate operates make makes give gives pass passes forward forwards implant read record records
		analyse analyze analyses analyzes measure measures monitor monitors target targets know knows learn
		learns see sees detect detects count counts`) {
		useVerbs[w] = true
	}
}

// fillers may stand between a trigger and what it negates.
var fillers = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`do does did will would shall should can could may might must is are was were be been
		being have has had we it our any the a an such other these those this that ever currently knowingly intentionally
		ourselves yet also even third-party third party parties personal your their its to of or and any kind kinds
		form forms type types non-essential essential optional tracking advertising marketing analytics persistent
		additional similar own more further longer actively generally automatically on in with for data information
		out at all by`) {
		fillers[w] = true
	}
}

// negationWindow is how many tokens back a trigger may be.
const negationWindow = 8

// Polarity decides whether the anchor tokens [a, b) of toks are affirmed or
// denied, and whether they sit in an exception scope. noun says the anchor
// is a thing ("cookies"), which may also be negated after it ("cookies are
// not used").
func polarity(toks []token, a, b int, noun bool) (pol Polarity, scope string) {
	return polarityAt(toks, a, b, noun, 0)
}

// exampleHead returns the token before "such as", "including", "like",
// "e.g." or "for example" when one stands between segStart and a.
func exampleHead(toks []token, segStart, a int) int {
	for i := a - 1; i > segStart; i-- {
		n := 0
		switch {
		case hasWords(toks, i, []string{"such", "as"}), hasWords(toks, i, []string{"for", "example"}),
			hasWords(toks, i, []string{"for", "instance"}):
			n = 2
		case toks[i].w == "including", toks[i].w == "like", toks[i].w == "e", toks[i].w == "namely":
			n = 1
		}
		if n == 0 || i+n > a {
			continue
		}
		h := i - 1
		for h >= segStart && toks[h].punct {
			h--
		}
		if h >= segStart {
			return h
		}
	}
	return -1
}

func polarityAt(toks []token, a, b int, noun bool, depth int) (pol Polarity, scope string) {
	segStart, exception := segmentStart(toks, a)
	if exception {
		scope = ScopeException
	}
	negated := false
	for i := a - 1; i >= segStart && i >= a-negationWindow; i-- {
		t := toks[i].w
		tr := triggerAt(toks, i)
		if tr < 0 {
			continue
		}
		if isPseudo(toks, i) || readerIsSubject(toks, i, segStart) {
			continue
		}
		if gapNegates(toks[i+1:a], t == "without", nearTriggers[t], verbTriggerAt(toks, i)) {
			negated = true
		}
		break
	}
	if !negated && noun && postNegated(toks, b) {
		negated = true
	}
	if !negated && trailingNicht(toks, b) {
		negated = true
	}
	// "tools such as Hotjar": an example has the polarity of what it exemplifies.
	if !negated && depth == 0 {
		if head := exampleHead(toks, segStart, a); head >= 0 {
			if pol, _ := polarityAt(toks, head, head+1, true, 1); pol == Denied {
				negated = true
			}
		}
	}
	if negated && consentCondition(toks, b) {
		return Affirmed, ScopeWithConsent
	}
	if negated {
		return Denied, scope
	}
	return Affirmed, scope
}

var conditionWords = map[string]bool{"as": true, "if": true, "when": true, "where": true, "in": true, "under": true,
	"upon": true, "required": true, "permitted": true, "authorised": true, "authorized": true, "pursuant": true,
	"": true}

// trailingException reports an exception clause after a denied anchor
// ending at token b: ", except to remember your language", "(other than
// strictly necessary ones)". "Except as described" keeps the denial, as it
// does before the clause.
func trailingException(toks []token, b int) bool {
	for k := b; k < len(toks); k++ {
		w := toks[k].w
		if w == ";" || w == ":" {
			return false
		}
		if k > b && (toks[k-1].w == "," || toks[k-1].w == "(" || toks[k-1].w == "—" || toks[k-1].w == "–") && startsException(toks, k) {
			n := 1
			for _, p := range exceptionStarts {
				if hasWords(toks, k, p) {
					n = len(p)
					break
				}
			}
			next := ""
			if k+n < len(toks) {
				next = toks[k+n].w
			}
			if next == "for" && k+n+1 < len(toks) {
				next = toks[k+n+1].w
			}
			// A legal condition ("except if required by law", "except as
			// described") keeps the denial; a purpose or an object does not.
			return !conditionWords[next]
		}
	}
	return false
}

// triggerAt returns i when toks[i] is a negation trigger, including the
// multi-word ones ending at i ("in no case", "under no circumstances").
func triggerAt(toks []token, i int) int {
	if negTriggers[toks[i].w] || verbTriggerAt(toks, i) {
		return i
	}
	if i >= 2 && toks[i-1].w == "no" && (toks[i].w == "case" || toks[i].w == "circumstances" || toks[i].w == "event" || toks[i].w == "time" || toks[i].w == "way") {
		return i
	}
	return -1
}

// verbTriggerAt reports a verb that switches a practice off: "we have
// turned off open tracking", "click tracking is disabled".
func verbTriggerAt(toks []token, i int) bool {
	switch toks[i].w {
	case "disabled", "deactivated":
		return true
	case "off":
		if i > 0 {
			switch toks[i-1].w {
			case "turned", "turn", "turns", "turning", "switched", "switch", "switches", "switching":
				return true
			}
		}
	}
	return false
}

// segmentStart finds where the negation scope of token a begins, and
// whether that scope is an exception.
func segmentStart(toks []token, a int) (int, bool) {
	for i := a - 1; i >= 0; i-- {
		w := toks[i].w
		if i+1 < len(toks) && w == "," && (toks[i+1].w == "and" || toks[i+1].w == "or") && i+2 < len(toks) &&
			(toks[i+2].w == "we" || toks[i+2].w == "you" || toks[i+2].w == "they" || toks[i+2].w == "it") {
			return i + 1, false
		}
		// ", yet we use cookies", ", so we set": a new clause.
		if w == "," && i+2 < len(toks) && (toks[i+1].w == "yet" || toks[i+1].w == "so") &&
			(toks[i+2].w == "we" || toks[i+2].w == "you" || toks[i+2].w == "they" || toks[i+2].w == "it" || toks[i+2].w == "our") {
			return i + 1, false
		}
		if !scopeBreakers[w] && !startsException(toks, i) {
			continue
		}
		if startsException(toks, i) {
			// "Except for X, we do not ...": a leading exception ends at
			// its comma; what follows is the main clause.
			if i == 0 {
				for k := i; k < a; k++ {
					if toks[k].w == "," {
						return k + 1, false
					}
				}
			}
			return i, true
		}
		// "(with the exception of ...)": the parenthesis opens the exception.
		if w == "(" && i+1 < len(toks) && startsException(toks, i+1) {
			return i, true
		}
		return i + 1, false
	}
	return 0, false
}

func startsException(toks []token, i int) bool {
	for _, p := range exceptionStarts {
		if hasWords(toks, i, p) {
			return true
		}
	}
	return false
}

func hasWords(toks []token, i int, words []string) bool {
	if i < 0 || i+len(words) > len(toks) {
		return false
	}
	for k, w := range words {
		if toks[i+k].w != w {
			return false
		}
	}
	return true
}

func isPseudo(toks []token, i int) bool {
	for _, p := range pseudoAfter {
		if hasWords(toks, i, p) {
			return true
		}
	}
	for _, p := range pseudoBefore {
		for k := range p {
			if hasWords(toks, i-k, p) && toks[i].w == p[k] {
				return true
			}
		}
	}
	return false
}

// readerIsSubject reports whether the clause of the trigger at i has the
// reader as its subject ("if you do not", "visitors who do not wish").
func readerIsSubject(toks []token, i, segStart int) bool {
	for k := i - 1; k >= segStart && k >= i-3; k-- {
		if readerSubjects[toks[k].w] {
			return true
		}
		if toks[k].w == "we" || toks[k].punct {
			return false
		}
	}
	return false
}

// gapNegates decides whether the words between a trigger and its anchor
// let the negation through: only fillers, or a use-verb with at most one
// other word. needVerb is set for "without", which negates only through a
// use-verb ("without setting cookies", not "may not work without cookies");
// near is set for "no", which otherwise reaches too far.
func gapNegates(gap []token, needVerb, near, isVerb bool) bool {
	verb := isVerb        // "turned off" is itself the verb
	before, after := 0, 0 // other words before and after the first use-verb
	for _, t := range gap {
		if isVerb && objectEnds[t.w] {
			return false // "turned off open tracking in Brevo": Brevo is not switched off
		}
		switch {
		case t.punct:
			if t.w != "," {
				return false
			}
		case useVerbs[t.w]:
			verb = true
		case fillers[t.w]:
		case verb:
			after++
		default:
			before++
		}
	}
	if needVerb && !verb {
		return false
	}
	if len(gap) == 0 {
		return true
	}
	// Inverted subject: "in no case does Mailjet sell", "never will we share".
	if len(gap) <= 3 && isAux(gap[0].w) && before <= 1 && !verb {
		return true
	}
	if !verb {
		return before == 0 && (!near || len(gap) <= 2)
	}
	// "do not use [third-party session replay] tools": the verb, then a
	// short noun phrase.
	return before <= 1 && after <= 3
}

// objectEnds end the object of a switching-off verb.
var objectEnds = map[string]bool{"in": true, "at": true, "on": true, "with": true, "for": true, "by": true,
	"from": true, "through": true, "via": true}

// postNegated handles "cookies are not used", "web beacons are never
// placed": a negated use-verb right after the noun, not followed by a
// purpose or a condition ("not used to identify you", "not set until").
func postNegated(toks []token, b int) bool {
	i := b
	// Only a passive clause denies its subject: "cookies are not used".
	// In "Stripe does not use cookies" or "Fathom never sets cookies" the
	// anchor is who acts, not what is denied.
	passive := false
	for i < len(toks) && i < b+3 && isAux(toks[i].w) {
		passive = passive || beForm(toks[i].w)
		i++
	}
	if i >= len(toks) || !(toks[i].w == "not" || toks[i].w == "never" || strings.HasSuffix(toks[i].w, "n't")) {
		return false
	}
	passive = passive || toks[i].w == "isn't" || toks[i].w == "aren't" || toks[i].w == "wasn't" || toks[i].w == "weren't"
	i++
	for i < len(toks) && (toks[i].w == "be" || toks[i].w == "been") {
		passive = true
		i++
	}
	if !passive {
		return false
	}
	if i >= len(toks) || !useVerbs[toks[i].w] {
		return false
	}
	if i+1 < len(toks) {
		// "cookies are not set by Stripe" is a denial (about its agent);
		// "not set by default" is not.
		if toks[i+1].w == "by" && i+2 < len(toks) && toks[i+2].w != "default" {
			return true
		}
		switch toks[i+1].w {
		case "to", "for", "automatically", "by", "until", "before", "unless", "without", "as", "in", "solely", "only":
			return false
		}
	}
	return true
}

func beForm(w string) bool {
	switch w {
	case "is", "are", "was", "were", "be", "been":
		return true
	}
	return false
}

func isAux(w string) bool {
	switch w {
	case "is", "are", "was", "were", "will", "would", "shall", "can", "may", "be", "been", "do", "does", "have", "has":
		return true
	}
	return false
}

// consentCondition reports "... without your consent", "unless you agree":
// a denial conditioned on consent is a promise to ask, not a denial.
func consentCondition(toks []token, b int) bool {
	for i := b; i < len(toks) && i < b+14; i++ {
		switch toks[i].w {
		case "without", "unless", "until", "before", "except":
			for k := i + 1; k < len(toks) && k <= i+5; k++ {
				switch toks[k].w {
				case "consent", "permission", "authorisation", "authorization", "agree", "agreement", "accept", "opt-in", "approval":
					return true
				}
			}
		}
	}
	return false
}

// dntNames are names that contain a trigger word but negate nothing: the
// Do Not Track signal and the "Do Not Sell My Personal Information" link.
var dntNames = regexp.MustCompile(`\bDo[- ]Not[- ]Track\b|\b(?i:do[- ]not[- ]track)["”’]?\s+(?:\(DNT\)|(?i:signals?|requests?|settings?|preferences?|headers?|features?|standards?|mechanisms?|options?|browser))|["“](?i:do[- ]not[- ]track)|\b(?i:do not sell(?: or share)? my)\b`)

// maskNames joins the words of dntNames with underscores, keeping every
// offset, so the tokenizer reads them as one word and never as "not".
func maskNames(s string) string {
	if !strings.Contains(strings.ToLower(s), "not") {
		return s
	}
	return dntNames.ReplaceAllStringFunc(s, func(m string) string {
		// Only the three or four name words are joined, not what follows.
		words := strings.Fields(strings.ReplaceAll(m, "-", " "))
		n := 3
		if len(words) > 3 && strings.EqualFold(words[2], "sell") {
			n = len(words)
		}
		var b strings.Builder
		seen := 0
		for _, r := range m {
			if (r == ' ' || r == '-') && seen < n-1 {
				b.WriteByte('_')
				seen++
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	})
}
