package policy

import (
	"regexp"
	"slices"
	"strings"
)

// pattern is one way a policy speaks of a practice.
type pattern struct {
	// needs lists lower-case words one of which every match contains: a
	// cheap test that spares most sentences the regular expression.
	needs    []string
	practice Practice
	re       *regexp.Regexp
	// noun anchors may be negated after them ("cookies are not used").
	noun bool
	// fixed is the polarity when the phrase carries its own negation
	// ("cookies are not installed automatically" affirms consent first).
	fixed Polarity
	// requires, when set, must also match the sentence: a context word
	// that makes a generic term ("tags", "pixels") about tracking.
	requires *regexp.Regexp
	// excludes, when set, must not match the sentence.
	excludes *regexp.Regexp
	// original: re is matched against the sentence as written (its case
	// matters), not the lowered one.
	original bool
	// scope, when set, is the scope of what the pattern reads.
	scope string
	// purposeOf, when it matches the text just before a match, makes the
	// match the purpose of another act: "we don't share it for cross-context
	// behavioral advertising" denies the sharing, not the advertising, so
	// the match is dropped when that act is denied.
	purposeOf *regexp.Regexp
}

// rx compiles a pattern matched against the sentence with ASCII letters
// lowered (asciiLower), which is much faster than a case-insensitive
// expression; group 1, when present, is the anchor the negation is
// measured from.
func rx(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// asciiLower lowers ASCII letters only, so byte offsets stay those of s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// W is up to n words between two parts of a phrase.
func words(n int) string { return `(?:[\s,]+[\pL\pN_'’®™.-]+){0,` + itoa(n) + `}[\s,]+` }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var (
	emailWord    = `e-?mails?|newsletters?|messages?|campaigns?`
	dataObject   = rx(`\b(?:data|information|pii|contacts?|lists?|details|(?:e-?mail )?address(?:es)?|profiles?|records)\b`)
	businessSale = rx(`\b(?:merger|merged|(?:is|are|be|was|were|gets?) (?:ever )?sold|acquisition of|acquired by|reorgani[sz]ation|bankruptcy|insolvency|(?:stock|shares|equity) or assets|(?:part|all|portion|substantially all) of (?:our|its|the) (?:business|assets|company)|(?:business|asset) transfers?)\b`)
	emailCtx     = rx(`\b(?:track\w*|collect\w*|count\w*|know|record\w*|measur\w*|beacons?|pixels?|analy[sz]\w*|monitor\w*|information|statistic\w*|rates?)\b`)
	consentCtx   = rx(`\b(?:cookies?|trackers?|tracking|analytics|pixels?|statistics|storage|technolog\w*)\b`)
	socialCtx    = rx(`\b(?:social|youtube|vimeo|twitter|x|instagram|facebook|tiktok|linkedin|pinterest|videos?|posts?|tweets?)\b`)
	cookieCtx    = rx(`\b(?:cookies?|trackers?|tracking|analytics|pixels?|technolog\w*|storage)\b`)
	// A right the reader has ("the right to know what is ... sold", "opting
	// out of sale") says nothing of whether the site sells.
	saleNotPractised = rx(businessSale.String() + `|\bright to (?:know|opt|request|access)\b|\bopt(?:ing)?[- ]out of (?:the )?sale`)
	// Business transfers and links to other sites are not data sharing.
	businessTransfer = rx(`\b(?:merger|acquisition of|acquired by|reorgani[sz]ation|bankruptcy|insolvency|(?:part|all|portion|substantially all) of (?:our|its|the) (?:business|assets|company)|third[- ]part(?:y|ies) (?:countr\w*|websites?|sites?|links?))\b`)
	// "third party" that is not a recipient of data.
	thirdParty = `third[- ]part(?:y|ies)(?:'s)?(?:\s+(?:service\s+providers?|partners?|vendors?|companies|advertisers|processors|services))?`
	// shareVerb and forPurpose are the CPRA wording of sharing for a
	// purpose: "sell or share it for", "share your data for the purposes of".
	shareVerb  = `\b(?:share|shares|shared|sharing|disclose|discloses|disclosed|disclosing|transfer|transfers|transferred)\b`
	forPurpose = `(?:[\s,]+[\w'’®™.-]+){0,8}?[\s,]+for\s+(?:the\s+)?(?:purposes?\s+of\s+)?`
	adPurpose  = `(?:cross[- ]context\s+behaviou?ral\s+(?:advertising|targeting|ads)|(?:targeted|interest[- ]based|behaviou?ral|personali[sz]ed)\s+(?:advertising|ads)|advertising(?:\s+purposes)?)\b`
	// sharedFor is what stands before an advertising term that is only the
	// purpose of sharing.
	sharedFor  = rx(shareVerb + forPurpose + `$`)
	recipients = `(?:` + thirdParty + `|(?:outside|external|other|unaffiliated)\s+part(?:y|ies)|(?:advertising|marketing|business|trusted|selected|select)\s+partners|partners|(?:service\s+)?providers|advertisers|other\s+companies|data\s+brokers|affiliates|social\s+(?:media\s+)?(?:networks|platforms)|couriers|carriers|(?:delivery|shipping|logistics)\s+(?:companies|partners|firms)|contractors|sub-?processors|processors|suppliers|(?:professional\s+)?advis[eo]rs)`
)

var patterns = []pattern{
	// Cookies.
	{needs: []string{"cookie"}, practice: Cookies, noun: true, re: rx(`\b(cookies?)\b`)},

	// Web beacons and their other names.
	{needs: []string{"beacon", "gif", "pixel", "bug"}, practice: WebBeacons, noun: true, re: rx(`\b((?:web[- ]?|e-?mail[- ]?)?beacons?|(?:clear|transparent|invisible|single[- ]pixel|spacer|1x1|one[- ]pixel)[- ]?gifs?|pixel[- ]tags?|tracking[- ]pixels?|(?:web|e-?mail)[- ]bugs?)\b`)},
	{needs: []string{"pixel"}, practice: WebBeacons, noun: true, re: rx(`\b(pixels?)\b`), requires: rx(`\b(?:track\w*|cookies?|beacons?|tags?|e-?mails?|analytic\w*|advertis\w*|facebook|meta|conversion)\b`), excludes: rx(`\bpixels? (?:wide|high|resolution|density)\b|screen resolution`)},
	{needs: []string{"tags"}, practice: WebBeacons, noun: true, re: rx(`\b(tags)\b`), requires: rx(`\b(?:cookies?|pixels?|beacons?|scripts|tracking)\b`)},

	// Local storage.
	{needs: []string{"storage", "indexeddb", "shared object", "flash cookie", "lso"}, practice: LocalStorage, noun: true, re: rx(`\b((?:html5?|browser|web|local|session)[- ]?storage|localstorage|sessionstorage|indexeddb|local shared objects?|flash cookies|lsos?)\b`)},

	// Analytics.
	{needs: []string{"analytics"}, practice: Analytics, noun: true, re: rx(`\b((?:web |website |site |third[- ]party |google |product )?analytics)\b`)},
	{needs: []string{"measur", "statistic", "hit rate", "analy"}, practice: Analytics, re: rx(`\b((?:audience|traffic) (?:measurement|analysis)|measur(?:e|es|ing)` + words(2) + `(?:audience|traffic|usage|visits)|(?:usage|visitor|traffic|site) statistics|statistical purposes|hit rates?|analy(?:s|z)(?:e|es|ing) (?:how|usage|the use|traffic|trends|the volume|behaviou?r|site usage)|(?:carry out|perform) analys[ie]s)\b`)},

	// Advertising.
	{needs: []string{"advertis", "ads", "ad-", "ad ", "targeted", "personali", "tailored", "relevant", "interest", "behavio", "target", "marketing"}, practice: Advertising, noun: true, re: rx(`\b(advertis(?:ing|ements?|ers?|es|e)|ads|ad[- ](?:links?|networks?|servers?|exchanges?|partners?|tracking|targeting|campaigns?|measurement)|(?:targeted|personali[sz]ed|tailored|relevant) (?:ads|advertising|advertisements|content|offers)|interest[- ]based|behaviou?ral (?:advertising|targeting)|re-?targeting|re-?marketing|(?:cross[- ]context|online) behaviou?ral(?: advertising| targeting)?)\b`),
		purposeOf: sharedFor},

	// Social widgets.
	{needs: []string{"social", "button", "sharing", "embedded", "plugin", "plug-in"}, practice: SocialWidgets, noun: true, re: rx(`\b(social (?:media |network(?:ing)? )?(?:features?|widgets?|plug-?ins?|buttons?|sharing (?:buttons?|tools?)|integrations?)|(?:share|sharing|like|tweet|follow|share this|pin it)["”'’]?\s*buttons?|sharing (?:buttons?|widgets?|tools?)|social plug-?ins?|embedded (?:content|videos?|posts?|media) from)\b`)},
	// Content embedded from a social network or video platform.
	{needs: []string{"embed"}, practice: SocialWidgets, noun: true, re: rx(`\b(embeds?|embedded (?:content|videos?|posts?|media|players?|tweets?))\b`), requires: socialCtx},

	// Session recording, replay and heatmaps.
	{needs: []string{"session", "record", "replay", "heat", "mouse", "click", "scroll", "screen"}, practice: SessionRecording, noun: true,
		excludes: rx(`captcha|\bbots?\b|automated (?:program|traffic|activity)`), re: rx(`\b(session (?:recordings?|replays?|capture)|(?:record|replay)(?:s|ed|ing)? (?:your |user |users' |visitor |visitors' )?(?:sessions?|mouse movements?|clicks|scrolls?|keystrokes|interactions)|heat ?maps?|mouse[- ]?(?:movements?|tracking)|screen recordings?|click ?maps?|scroll ?maps?)\b`)},

	// Fingerprinting.
	{needs: []string{"fingerprint", "device recognition", "device identification", "probabilistic"}, practice: Fingerprinting, noun: true, re: rx(`\b((?:device|browser|canvas|audio|digital)[- ]fingerprint(?:ing|s)?|fingerprint(?:ing)?|device (?:recognition|identification) technolog\w+|probabilistic (?:matching|identification))\b`)},

	// E-mail open tracking.
	{needs: []string{"open", "read"}, practice: EmailOpenTracking, re: rx(`\b((?:whether|when|if|that) (?:you|recipients?|the recipient|subscribers?) (?:have |has )?(?:opened|open|read)` + words(3) + `(?:it|them|` + emailWord + `)|open(?:ing)?[- ]rates?|(?:e-?mail|message|newsletter) (?:opens|opening)|open[- ]tracking|(?:number|rate) of (?:e-?mails?|messages?)` + words(4) + `(?:which|that) you open)\b`)},
	{needs: []string{"open", "read", "view", "interact"}, practice: EmailOpenTracking, re: rx(`\b((?:opened|open|read|view(?:ed)?|interact(?:s|ed)? with)` + `(?:\s+(?:one|any|all|each|some) of)?\s+(?:our|an?|the|any|your|these|those) (?:marketing |promotional |commercial )?(?:` + emailWord + `))\b`), requires: emailCtx},
	{needs: []string{"beacon", "pixel", "gif", "tracking"}, practice: EmailOpenTracking, re: rx(`\b((?:web beacons?|pixels?|pixel tags?|clear gifs?|tracking pixels?)` + words(3) + `(?:in|within|into|embedded in) (?:our |the |an? |any |your )?(?:` + emailWord + `)|(?:` + emailWord + `)` + words(5) + `(?:contain|include|use)s? (?:web beacons?|pixels?|pixel tags?|clear gifs?|tracking))\b`)},

	// E-mail click tracking.
	{needs: []string{"click", "tracked links"}, practice: EmailClickTracking, re: rx(`\b(click(?:[- ]through)?[- ]rates?|links? (?:that |which )?you click(?:ed)?(?: on)?` + words(2) + `(?:` + emailWord + `)|click[- ]tracking|(?:track|record|know|measure|see)(?:s|ed|ing)?` + words(3) + `(?:whether|which links|when) you click|clicks? on (?:the )?links? in (?:our |the |an? )?(?:` + emailWord + `)|tracked links|which links? you click(?:ed)?|(?:whether|when|if) you click(?:ed)? (?:on )?(?:a |the |any )?links?)\b`)},

	// Sharing for advertising, a recipient or not: "we don't share it for
	// cross-context behavioral advertising" (CPRA) denies sharing in that
	// scope. Before the recipient pattern, which then skips the same words.
	{needs: []string{"advertis"}, practice: ThirdPartySharing, scope: ScopeAdvertising, re: rx(`(` + shareVerb + `)` + forPurpose + adPurpose)},
	// Third-party sharing: a sharing verb with a recipient.
	{needs: []string{"third", "partner", "parties", "provider", "advertiser", "compan", "broker", "affiliate", "social", "courier", "carrier",
		"contractor", "processor", "supplier", "advis"}, practice: ThirdPartySharing, re: rx(`\b(share|shares|shared|sharing|disclose|discloses|disclosed|disclosing|provide|provides|pass|passes|transfer|transfers|transferred|forward|forwards|give|gives|make available|sell, share)\b` + `(?:[\s,]+[\w'’®™.-]+){0,10}?[\s,]+(?:to|with)?\s*(?:these |those |such |our |any |other |select |trusted |certain )?` + recipients + `\b`),
		excludes: businessTransfer},
	// "We disclose personal data only when the law requires it": sharing, limited.
	{needs: []string{"only"}, practice: ThirdPartySharing, re: rx(`\b((?:share|shares|disclose|discloses|pass|passes|release|releases|transfer|transfers)(?:\s+(?:your|personal|any|the|such))*\s+(?:data|information|details)\s+only\s+(?:when|if|where|as|to the extent))\b`)},

	// Sale of data.
	{needs: []string{"sell", "sold", "rent", "trade", "sale"}, practice: SaleOfData, re: rx(`\b(sell|sells|selling|sold|rent|rents|renting|rented|trade[sd]? (?:your |personal |any |the )*(?:data|information)|sale of)\b`), requires: dataObject, excludes: saleNotPractised},
	// Cookies that "may count as a “sale” of personal information": the legal sense.
	{needs: []string{"sale"}, practice: SaleOfData, re: rx(`["“](sale)["”]`), requires: dataObject, excludes: businessSale},

	// Consent before non-essential cookies.
	{needs: []string{"not", "never", "only"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b((?:cookies?|trackers?|tags?|scripts?)(?:\s+\([^)]*\))?\s+(?:are|is|will|shall)\s+(?:not|never|only)\s+(?:be\s+)?(?:installed|set|placed|stored|activated|loaded|dropped|used|enabled)\s+(?:automatically|by default|until|before|unless|without|after|once|with|if))\b`)},
	{needs: []string{"consent", "authori", "permission", "agreement", "opt-in"}, practice: ConsentBeforeNonEssential, re: rx(`\b((?:require|requires|requiring|ask|asks|asking|obtain|obtains|request|requests|seek|seeks|get|gets|need|needs)` + words(3) + `(?:consent|authori[sz]ation|permission|agreement|opt-in)` + words(3) + `before` + words(3) + `(?:setting|placing|installing|implanting|using|dropping|storing|activating|loading|enabling|any))\b`), requires: cookieCtx},
	{needs: []string{"not", "never", "n't"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b((?:not|never|n't)\s+(?:set|place|use|install|load|activate|drop|store|enable|implant)` + words(4) + `(?:without|until|unless|before)` + words(3) + `(?:consent|permission|authori[sz]ation|agree\w*|accept\w*|opt\w*))`), requires: cookieCtx},
	// "we do not set, or allow our ad partners to set, cookies ... before you click to accept".
	{needs: []string{"before you"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b((?:not|never|n't)\s+(?:set|place|use|install|load|activate|drop|store|enable)` + words(16) + `before you (?:click\w*|accept\w*|consent\w*|agree\w*|opt\w*|say yes))`), requires: cookieCtx},
	{needs: []string{"only"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b(only` + words(8) + `(?:with|after|once|if|when) (?:you(?:r)?|we have|obtaining|having)` + words(3) + `(?:consent\w*|permission|agree\w*|accept\w*|opt(?:ed)?[- ]in|authori[sz]ation))\b`), requires: cookieCtx},
	{needs: []string{"consent"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b((?:prior|explicit|express|opt-in) consent` + words(6) + `(?:cookies|tracking|trackers|analytics)|(?:cookies|trackers)` + words(6) + `(?:prior|explicit|opt-in) consent)\b`)},
	{needs: []string{"consent", "agree", "accept"}, practice: ConsentBeforeNonEssential, fixed: Denied, re: rx(`\b(by (?:continuing to )?(?:use|using|browse|browsing|visit|visiting|access|accessing|navigat\w+)` + words(10) + `you (?:consent|agree|accept)` + words(4) + `(?:cookies|tracking|use of cookies))\b`)},
	{needs: []string{"your"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b((?:only )?(?:with|after obtaining|subject to|upon|based on) your (?:prior |explicit |express )?(?:permission|consent))\b`), requires: cookieCtx},
	// "only if you agree, we use Mixpanel", "if you say yes, the app sends usage statistics".
	{needs: []string{"if you", "once you", "after you"}, practice: ConsentBeforeNonEssential, fixed: Affirmed, re: rx(`\b((?:only )?(?:if|once|after) you (?:say yes|agree|opt[- ]in|consent|give (?:us )?(?:your )?consent|accept (?:analytics|advertising|marketing|non-essential|optional|these|them|those|all|cookies)))\b`), requires: consentCtx},
	{needs: []string{"automatically", "immediately", "as soon as", "when you"}, practice: ConsentBeforeNonEssential, fixed: Denied, re: rx(`\b((?:cookies|trackers) (?:are|will be) (?:set|placed|installed|loaded|dropped) (?:automatically|immediately|as soon as|when you (?:first )?(?:visit|arrive)))\b`)},

	// Opting out through the browser or an opt-out tool.
	{needs: []string{"browser", "cookie", "opt", "youronlinechoices", "aboutads", "networkadvertising"}, practice: BrowserOptOut, re: rx(`\b((?:set|configure|adjust|change|modify|use)` + words(3) + `browsers?` + words(5) + `(?:refuse|reject|block|decline|disable|delete|remove|notify|alert|warn|stop|accept)|(?:refuse|reject|block|decline|disable|delete|remove|clear|manage|control)` + words(4) + `cookies` + words(6) + `(?:browser|device settings)|browsers?` + words(3) + `(?:settings|preferences|options)` + words(6) + `cookies|(?:if you|you can|you may|you are able to|you have the option to)(?: choose to| wish to| want to)? (?:refuse|reject|block|decline|disable|delete|remove|turn off|opt out of)` + words(3) + `cookies|(?:refuse|reject|block|decline|disable|delete|remove|clear) (?:them|these|it|cookies)` + words(4) + `browsers?|control the use of cookies|opt[- ]out (?:of|from)` + words(4) + `(?:cookies|tracking|analytics|advertising|interest[- ]based|targeted)|opt[- ]out (?:browser )?(?:add-on|plug-?in|tool|links?|page)|youronlinechoices|aboutads\.info|networkadvertising\.org)\b`)},

	// Do Not Track and Global Privacy Control.
	{needs: []string{"track", "dnt", "global privacy", "gpc"}, practice: DoNotTrack, noun: true, original: true, re: regexp.MustCompile(`\b((?i:do[- ]not[- ]track)["”’]?(?:\s+\(DNT\))?\s+(?i:signals?|requests?|settings?|preferences?|headers?|features?|standards?|mechanisms?|options?|browser settings?)|Do Not Track|"(?i:do not track)"|“(?i:do not track)”|DNT|(?i:global privacy control)|GPC)\b`)},
}

// practiceOrder is the order practices are reported in.
var practiceOrder = []Practice{Cookies, WebBeacons, LocalStorage, Analytics, Advertising, SocialWidgets,
	SessionRecording, Fingerprinting, EmailOpenTracking, EmailClickTracking, ThirdPartySharing, SaleOfData,
	ConsentBeforeNonEssential, BrowserOptOut, DoNotTrack, VendorPractice}

// Practices lists every practice a declaration can be about, in report
// order. Kept for callers of the reader (the accuracy tests walk it); the
// CLI prints what the policy declares instead.
func Practices() []Practice { return append([]Practice(nil), practiceOrder...) }

// sentence is one sentence of a policy with where it was found.
type sentence struct {
	text    string
	line    int
	section string
	toks    []token
}

// practiceDecls reads the practice declarations of one sentence: at most
// one per practice, polarity and scope.
//
// hits are the vendors the sentence names and prev the one vendor the
// previous sentence named: together they tell who each statement is about.
// own are where the sentence names the policy's own company.
func practiceDecls(s *sentence, hits []vendorHit, prev string, own []span) []Declaration {
	var out []Declaration
	seen := map[string]bool{}
	covered := map[Practice][]span{} // per practice, the text already read
	lower := asciiLower(s.text)
	for i := range patterns {
		p := &patterns[i]
		if !containsAny(lower, p.needs) {
			continue
		}
		if p.requires != nil && !p.requires.MatchString(lower) {
			continue
		}
		if p.excludes != nil && p.excludes.MatchString(lower) {
			continue
		}
		in := lower
		if p.original {
			in = s.text
		}
		for _, m := range p.re.FindAllStringSubmatchIndex(in, -1) {
			if overlaps(covered[p.practice], m[0], m[1]) {
				continue // "whether you opened our emails" is one statement
			}
			covered[p.practice] = append(covered[p.practice], span{m[0], m[1]})
			as, ae := m[0], m[1]
			if len(m) >= 4 && m[2] >= 0 {
				as, ae = m[2], m[3]
			}
			pol, scope := p.fixed, p.scope
			partial := false
			var subj subject
			if a, _ := tokenRange(s.toks, as, ae); a >= 0 {
				subj = clauseSubject(s.toks, a, hits, prev, own)
			}
			if pol == "" {
				a, b := tokenRange(s.toks, as, ae)
				if a < 0 {
					continue
				}
				if s.toks[a].start < as {
					continue // inside a joined name: "Do Not Sell My Personal Information"
				}
				var sc string
				pol, sc = polarity(s.toks, a, b, p.noun)
				if sc != "" {
					scope = sc
				}
				partial = pol == Denied && trailingException(s.toks, b)
			}
			if p.purposeOf != nil && purposeDenied(s, p.purposeOf, in[:m[0]]) {
				continue
			}
			term := strings.TrimSpace(s.text[m[0]:m[1]])
			add := func(pol Polarity, scope string) {
				key := string(p.practice) + "|" + string(pol) + "|" + scope + "|" + subj.String()
				if seen[key] {
					return
				}
				seen[key] = true
				out = append(out, Declaration{
					Practice: p.practice, Polarity: pol, Scope: scope, Subject: subj.String(),
					Quote: s.text, Line: s.line, Section: s.section, Term: term,
				})
			}
			add(pol, scope)
			if partial {
				// "We do not use cookies, except to remember your language":
				// the exception affirms the practice in its scope.
				add(Affirmed, ScopeException)
			}
		}
	}
	return purposeOnlyCookies(lower, out)
}

// purposeDenied reports whether before ends with an act the match is only
// the purpose of ("we don't share it for") and that act is denied: then
// the sentence denies the act, and says nothing of the purpose.
func purposeDenied(s *sentence, purposeOf *regexp.Regexp, before string) bool {
	loc := purposeOf.FindStringIndex(before)
	if loc == nil {
		return false
	}
	end := loc[0] + 1
	for end < len(before) && isAlnum(before[end]) {
		end++
	}
	a, b := tokenRange(s.toks, loc[0], end)
	if a < 0 {
		return false
	}
	pol, _ := polarity(s.toks, a, b, false)
	return pol == Denied
}

// cookiePurpose is "cookies for advertising purposes", "advertising
// cookies": cookies named only as the means of a purpose.
var cookiePurpose = rx(`\b(?:cookies?\s+(?:(?:used\s+)?for|to)\s+(?:the\s+purposes?\s+of\s+)?(?:\w+\s+){0,2}(?:advertis\w*|analytic\w*|marketing|targeting|ads|statistic\w*|measur\w*|profiling|social)|(?:advertising|analytics?|marketing|targeting|statistics?|social(?: media)?)\s+cookies?)\b`)

// purposeOnlyCookies drops a denial of cookies when the sentence denies a
// purpose carried out with cookies ("We do not use cookies for advertising
// purposes"): that denies advertising, not cookies. "We do not use
// cookies." stays a denial of cookies.
func purposeOnlyCookies(lower string, ds []Declaration) []Declaration {
	purposeDenied := slices.ContainsFunc(ds, func(d Declaration) bool {
		return d.Polarity == Denied && d.Practice != Cookies && d.Practice != ConsentBeforeNonEssential
	})
	if !purposeDenied || !cookiePurpose.MatchString(lower) {
		return ds
	}
	return slices.DeleteFunc(ds, func(d Declaration) bool {
		return d.Practice == Cookies && d.Polarity == Denied && d.Scope == ""
	})
}

// tokenRange maps byte offsets to the tokens they cover.
func tokenRange(toks []token, start, end int) (int, int) {
	a, b := -1, -1
	for i, t := range toks {
		if t.punct {
			continue
		}
		if t.end > start && a < 0 {
			a = i
		}
		if t.start < end {
			b = i + 1
		}
	}
	if a < 0 || b <= a {
		return -1, -1
	}
	return a, b
}

func overlaps(spans []span, start, end int) bool {
	for _, s := range spans {
		if start < s.end && s.start < end {
			return true
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return len(words) == 0
}
