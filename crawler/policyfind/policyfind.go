// Package policyfind picks, from the links of the pages a scan captured,
// the site's privacy policy and cookie policy: the documents the scan
// compares what it saw with. It is a pure function of the captured pages;
// loading the documents is the caller's job.
//
// A link is a candidate when its text, aria-label, title or URL names a
// privacy policy, privacy notice, cookie policy or data protection notice
// (English, German, French, Spanish, Italian, Dutch, Portuguese), or when
// it is the page's <link rel="privacy-policy">. Links in the footer are
// preferred, a link seen on more pages is preferred, and a policy on
// another domain (a parent company's, a hosted policy service) is allowed.
// Well-known paths (/privacy, /datenschutz, ...) are offered last, for when
// no page links to a policy.
package policyfind

import (
	"net/url"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/trackscan/trackscan/crawler/capture"
)

// Kind is which document a candidate is.
type Kind string

const (
	Privacy Kind = "privacy" // privacy policy, privacy notice, data protection notice
	Cookies Kind = "cookies" // cookie policy, cookie notice
)

// How says how a candidate was found.
type How string

const (
	HowGiven     How = "given"      // --policy
	HowRel       How = "rel"        // <link rel="privacy-policy">
	HowFooter    How = "footer"     // a link in a page's footer
	HowLink      How = "link"       // a link elsewhere on a page
	HowWellKnown How = "well-known" // a usual path on the site, tried last
	HowCMP       How = "cmp"        // the consent banner's own cookie declaration
)

// Candidate is one document that may be the site's policy.
type Candidate struct {
	URL  string `json:"url"`
	Kind Kind   `json:"kind"`
	How  How    `json:"how"`
	// Text is the words the link was found by (its text, label or title).
	Text string `json:"text,omitempty"`
	// Page is the first page the link was seen on.
	Page  string `json:"page,omitempty"`
	Score int    `json:"-"`
}

// phrase is one way a link names a policy, and how sure it makes us.
type phrase struct {
	words string // normalised: lower case, accents removed
	kind  Kind
	score int
}

// Phrases, normalised (see fold). A full name ("privacy policy") is worth
// more than one word ("privacy"), which also names settings pages.
var phrases = []phrase{
	// English.
	{"privacy policy", Privacy, 10}, {"privacy notice", Privacy, 10}, {"privacy statement", Privacy, 10},
	{"data protection notice", Privacy, 10}, {"data protection policy", Privacy, 10}, {"data privacy", Privacy, 8},
	{"privacy", Privacy, 6}, {"data protection", Privacy, 6},
	{"cookie policy", Cookies, 10}, {"cookies policy", Cookies, 10}, {"cookie notice", Cookies, 10},
	{"cookie statement", Cookies, 10}, {"use of cookies", Cookies, 8}, {"cookies", Cookies, 5}, {"cookie", Cookies, 4},
	// German.
	{"datenschutzerklarung", Privacy, 10}, {"datenschutzhinweise", Privacy, 10}, {"datenschutzhinweis", Privacy, 10},
	{"datenschutzrichtlinie", Privacy, 10}, {"datenschutzinformation", Privacy, 9}, {"datenschutz", Privacy, 7},
	{"cookie-richtlinie", Cookies, 10}, {"cookie-richtlinien", Cookies, 10}, {"cookie richtlinie", Cookies, 10},
	{"cookie-hinweise", Cookies, 10}, {"cookie-erklarung", Cookies, 10}, {"cookie-information", Cookies, 9},
	// French.
	{"politique de confidentialite", Privacy, 10}, {"politique de protection des donnees", Privacy, 10},
	{"protection des donnees", Privacy, 7}, {"donnees personnelles", Privacy, 7}, {"confidentialite", Privacy, 6},
	{"politique de cookies", Cookies, 10}, {"politique relative aux cookies", Cookies, 10},
	{"politique cookies", Cookies, 10}, {"gestion des cookies", Cookies, 6},
	// Spanish.
	{"politica de privacidad", Privacy, 10}, {"aviso de privacidad", Privacy, 10}, {"proteccion de datos", Privacy, 7},
	{"privacidad", Privacy, 6}, {"politica de cookies", Cookies, 10},
	// Italian.
	{"informativa sulla privacy", Privacy, 10}, {"informativa privacy", Privacy, 10},
	{"informativa sul trattamento dei dati", Privacy, 10}, {"protezione dei dati", Privacy, 7},
	{"informativa cookie", Cookies, 10}, {"informativa sui cookie", Cookies, 10},
	// Dutch.
	{"privacyverklaring", Privacy, 10}, {"privacybeleid", Privacy, 10}, {"gegevensbescherming", Privacy, 7},
	{"cookiebeleid", Cookies, 10}, {"cookieverklaring", Cookies, 10},
	// Portuguese.
	{"politica de privacidade", Privacy, 10}, {"aviso de privacidade", Privacy, 10}, {"protecao de dados", Privacy, 7},
	{"privacidade", Privacy, 6}, {"politica de cookies", Cookies, 10},
}

// settings are links that open a consent banner or a settings page, not a
// document: "Cookie settings", "Privacy preferences", "Do not sell".
var settings = []string{"settings", "preferences", "einstellungen", "parametres", "preferences", "configuracion",
	"impostazioni", "instellingen", "configuracoes", "manage", "verwalten", "gerer", "do not sell", "opt out", "opt-out",
	"choices", "auswahl", "widerruf", "withdraw"}

// slugs are URL path words that name a policy.
var slugs = []phrase{
	{"privacy-policy", Privacy, 6}, {"privacy_policy", Privacy, 6}, {"privacypolicy", Privacy, 6},
	{"privacy-notice", Privacy, 6}, {"privacy-statement", Privacy, 6}, {"datenschutzerklaerung", Privacy, 6},
	{"datenschutzerklarung", Privacy, 6}, {"datenschutz", Privacy, 5}, {"politique-de-confidentialite", Privacy, 6},
	{"confidentialite", Privacy, 4}, {"politica-de-privacidad", Privacy, 6}, {"privacidad", Privacy, 4},
	{"informativa-privacy", Privacy, 6}, {"privacyverklaring", Privacy, 6}, {"privacybeleid", Privacy, 6},
	{"politica-de-privacidade", Privacy, 6}, {"privacidade", Privacy, 4}, {"privacy", Privacy, 4},
	{"cookie-policy", Cookies, 6}, {"cookies-policy", Cookies, 6}, {"cookie-richtlinie", Cookies, 6},
	{"cookie-notice", Cookies, 6}, {"politique-cookies", Cookies, 6}, {"politica-de-cookies", Cookies, 6},
	{"cookiebeleid", Cookies, 6}, {"informativa-cookie", Cookies, 6}, {"cookies", Cookies, 3},
}

// Find returns the policy candidates the pages link to, best first: for
// each kind, by score (how the link names the policy, footer, rel, how many
// pages link to it), then by URL. A URL is returned once, with its best
// reading.
func Find(pages []capture.Page) []Candidate {
	type agg struct {
		c     Candidate
		pages map[string]bool
	}
	byURL := map[string]*agg{}
	var order []string
	for _, p := range pages {
		base := p.FinalURL
		if base == "" {
			base = p.URL
		}
		for _, a := range p.Anchors {
			c, ok := judge(a, base)
			if !ok {
				continue
			}
			c.Page = base
			g := byURL[c.URL]
			if g == nil {
				g = &agg{c: c, pages: map[string]bool{}}
				byURL[c.URL] = g
				order = append(order, c.URL)
			} else if c.Score > g.c.Score {
				page := g.c.Page
				g.c = c
				g.c.Page = page
			}
			g.pages[base] = true
		}
	}
	out := make([]Candidate, 0, len(order))
	for _, u := range order {
		g := byURL[u]
		c := g.c
		// Seen on several pages: a site-wide link, not one article's.
		if len(g.pages) > 1 {
			c.Score += 2
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == Privacy
		}
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].URL < out[j].URL
	})
	return out
}

// judge reads one anchor.
func judge(a capture.Anchor, base string) (Candidate, bool) {
	u, ok := resolve(a.Href, base)
	if !ok {
		return Candidate{}, false
	}
	if a.Tag == "link" || hasRel(a.Rel, "privacy-policy") {
		return Candidate{URL: u, Kind: Privacy, How: HowRel, Text: a.Rel, Score: 30}, true
	}
	best := phrase{}
	text := ""
	for _, words := range []string{a.Text, a.Label, a.Title} {
		f := fold(words)
		if f == "" || isSettings(f) || len(f) > 80 {
			continue
		}
		for _, ph := range phrases {
			if ph.score > best.score && containsWords(f, ph.words) {
				best, text = ph, words
			}
		}
	}
	// The URL alone names the policy: "/datenschutz" behind "Legal".
	if pu, err := url.Parse(u); err == nil {
		path := fold(pu.Path)
		for _, sl := range slugs {
			if !containsSlug(path, sl.words) {
				continue
			}
			switch {
			case best.score == 0:
				if text == "" && isSettings(fold(a.Text+" "+a.Label+" "+a.Title)) {
					break
				}
				best = sl
			case best.kind == sl.kind:
				best.score += 2 // text and URL agree
			}
			break
		}
	}
	if best.score == 0 {
		return Candidate{}, false
	}
	c := Candidate{URL: u, Kind: best.kind, How: HowLink, Text: strings.TrimSpace(text), Score: best.score}
	if a.Footer {
		c.How = HowFooter
		c.Score += 3
	}
	return c, true
}

// resolve makes an href absolute and keeps only http(s) documents, without
// their fragment.
func resolve(href, base string) (string, bool) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return "", false
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	r, err := url.Parse(href)
	if err != nil {
		return "", false
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", false
	}
	// A link to the page itself with a fragment opens a banner, not a document.
	frag := u.Fragment
	u.Fragment = ""
	if frag != "" && u.String() == strings.SplitN(base, "#", 2)[0] {
		return "", false
	}
	return u.String(), true
}

func hasRel(rel, want string) bool {
	for _, r := range strings.Fields(strings.ToLower(rel)) {
		if r == want {
			return true
		}
	}
	return false
}

func isSettings(f string) bool {
	for _, s := range settings {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

// fold lowers s, removes accents and turns punctuation other than "-" into
// spaces, so "Datenschutzerklärung" reads "datenschutzerklarung".
func fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			b.WriteString("ss")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-':
			b.WriteRune(r)
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// containsWords finds words in f at word boundaries ("privacy" in "privacy
// centre", not in "privacyverklaring" — that is its own phrase).
func containsWords(f, words string) bool {
	for off := 0; ; {
		i := strings.Index(f[off:], words)
		if i < 0 {
			return false
		}
		s, e := off+i, off+i+len(words)
		if (s == 0 || f[s-1] == ' ') && (e == len(f) || f[e] == ' ') {
			return true
		}
		off = s + 1
	}
}

// containsSlug finds a slug as a whole path segment or a dash-separated
// part of one ("/legal/privacy-policy/", "/de/datenschutz.html").
func containsSlug(path, slug string) bool {
	for _, seg := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == ' ' }) {
		seg = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(seg, " html"), " htm"), " php")
		if seg == slug || strings.HasPrefix(seg, slug+"-") || strings.HasSuffix(seg, "-"+slug) {
			return true
		}
	}
	return false
}

// Pick chooses the documents to read together as the declared policy:
// the best privacy policy and the best cookie policy when it is another
// document. The rest of the candidates, in order, are fallbacks for when
// one cannot be loaded.
func Pick(cands []Candidate) (picked, fallbacks []Candidate) {
	var havePrivacy, haveCookies bool
	for _, c := range cands {
		switch {
		case c.Kind == Privacy && !havePrivacy:
			havePrivacy = true
			picked = append(picked, c)
		case c.Kind == Cookies && !haveCookies:
			haveCookies = true
			picked = append(picked, c)
		default:
			fallbacks = append(fallbacks, c)
		}
	}
	return picked, fallbacks
}

// wellKnownPaths are tried, in order, when no page links to a policy.
// Few, because each costs a browser tab on a site that links none.
var wellKnownPaths = []string{"/privacy", "/privacy-policy", "/datenschutz", "/legal/privacy", "/politique-de-confidentialite"}

// WellKnown returns the usual policy paths on the site of target, to try
// last.
func WellKnown(target string) []Candidate {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	out := make([]Candidate, 0, len(wellKnownPaths))
	for _, p := range wellKnownPaths {
		kind := Privacy
		if strings.Contains(p, "cookie") {
			kind = Cookies
		}
		out = append(out, Candidate{URL: u.Scheme + "://" + u.Host + p, Kind: kind, How: HowWellKnown})
	}
	return out
}
