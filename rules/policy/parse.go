package policy

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/trackscan/trackscan/detectors/kb"
)

// ErrUnreadable is wrapped by every error about a source that cannot be
// read or parsed (the CLI exits 2 on it).
var ErrUnreadable = errors.New("unreadable policy")

func unreadable(source, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrUnreadable, source, fmt.Sprintf(format, args...))
}

// Formats Parse accepts.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
	FormatYAML     = "yaml"
)

// Parser reads policies against a set of knowledge-base vendors.
type Parser struct {
	KB    *kb.KB
	index *vendorIndex
}

// NewParser returns a parser that names vendors from k.
func NewParser(k *kb.KB) *Parser {
	return &Parser{KB: k, index: newVendorIndex(k.Vendors())}
}

var (
	defaultParserOnce sync.Once
	defaultParser     *Parser
)

// Default is the parser over the embedded knowledge base.
func Default() *Parser {
	defaultParserOnce.Do(func() { defaultParser = NewParser(kb.Default()) })
	return defaultParser
}

// Parse reads one in-memory policy with the default parser. format is
// "text", "markdown", "html", "yaml" or "" to detect it from the source
// name and the content.
func Parse(source string, text []byte, format string) (*Policy, error) {
	return Default().Parse(source, text, format)
}

// DetectFormat guesses a policy's format from its name and content.
func DetectFormat(source string, text []byte) string {
	name := source
	if u, err := url.Parse(source); err == nil && u.Scheme != "" && u.Host != "" {
		name = u.Path
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".yml", ".yaml":
		return FormatYAML
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".md", ".markdown":
		return FormatMarkdown
	}
	head := bytes.ToLower(bytes.TrimSpace(bytes.TrimPrefix(text, []byte("\ufeff"))))
	if len(head) > 1024 {
		head = head[:1024]
	}
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		bytes.Contains(head, []byte("<body")) || bytes.Contains(head, []byte("<p>")) || bytes.Contains(head, []byte("<div")) {
		return FormatHTML
	}
	if structuredHead.Match(head) {
		return FormatYAML
	}
	return FormatText
}

// structuredHead recognises a structured policy file by its first key.
var structuredHead = regexp.MustCompile(`^(?:(?:#[^\n]*|---)\s*\n\s*)*(?:version|vendors|allowed|cookies|email_tracking)\s*:`)

// Parse reads one in-memory policy.
func (p *Parser) Parse(source string, text []byte, format string) (*Policy, error) {
	if format == "" {
		format = DetectFormat(source, text)
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, unreadable(source, "binary content, not a policy")
	}
	if !utf8.Valid(text) {
		// Legacy encodings: HTML declares its charset in a meta tag; for
		// text the detector's guess (usually windows-1252) is the best there is.
		enc, _, _ := charset.DetermineEncoding(text, "")
		if dec, err := enc.NewDecoder().Bytes(text); err == nil && utf8.Valid(dec) {
			text = dec
		} else {
			text = bytes.ToValidUTF8(text, []byte("\uFFFD"))
		}
	}
	var (
		blocks []block
		tables []table
	)
	switch format {
	case FormatYAML:
		f, decls, err := p.parseFile(source, text)
		if err != nil {
			return nil, err
		}
		pol := &Policy{Source: source, Declarations: decls, Cookies: f.Cookies, Structured: f}
		return pol, nil
	case FormatHTML:
		var err error
		if blocks, tables, err = parseHTML(text); err != nil {
			return nil, unreadable(source, "%v", err)
		}
	case FormatText, FormatMarkdown:
		blocks, tables = parseText(string(text))
	default:
		return nil, unreadable(source, "unknown format %q (want text, markdown, html or yaml)", format)
	}
	return p.read(source, blocks, tables), nil
}

// read turns blocks into declarations and declared cookies.
func (p *Parser) read(source string, blocks []block, tables []table) *Policy {
	pol := &Policy{Source: source, Declarations: []Declaration{}}
	firstParty := firstPartyNames(blocks, source)
	ownSeen := map[string]bool{}
	known := func(n string) bool { _, ok := p.KB.MatchCookie(n, ""); return ok }
	for bi := range blocks {
		b := &blocks[bi]
		spans := []span{{0, len(b.text)}}
		if !b.heading {
			spans = splitSpans(b.text)
		}
		prev := "" // the one vendor the previous sentence named: "it" refers to it
		for _, sp := range spans {
			s := sentence{text: b.text[sp.start:sp.end], line: b.lineAt(sp.start), section: b.section}
			s.toks = tokenize(maskNames(s.text))
			hits := p.index.find(s.text, s.toks, b.heading)
			// The policy's own company as subject is the site speaking.
			var others []vendorHit
			for _, h := range hits {
				if !isFirstParty(h, firstParty) {
					others = append(others, h)
				}
			}
			if !b.heading {
				pol.Declarations = append(pol.Declarations, practiceDecls(&s, others, prev, ownSubject(hits, firstParty))...)
			}
			prev = singleVendor(others)
			for _, d := range p.vendorDecls(&s, hits, firstParty) {
				// The policy's own company is named on every line; once says who it is.
				if d.Role == RoleFirstParty {
					if ownSeen[d.Vendor+d.Owner] {
						continue
					}
					ownSeen[d.Vendor+d.Owner] = true
				}
				pol.Declarations = append(pol.Declarations, d)
			}
			if !b.heading && !b.row { // a table row's cookies come from its table
				pol.Cookies = append(pol.Cookies, cookiesFromSentence(s.text, known)...)
			}
		}
	}
	for _, t := range tables {
		pol.Cookies = append(pol.Cookies, cookiesFromTable(t)...)
	}
	for i := range pol.Cookies {
		if pol.Cookies[i].Category == "" {
			if m, ok := p.KB.MatchCookie(pol.Cookies[i].Name, ""); ok {
				pol.Cookies[i].Category = string(m.Category)
			}
		}
	}
	pol.Cookies = dedupCookies(pol.Cookies)
	return pol
}

// ownSubject returns the byte spans where the sentence names the policy's
// own company.
func ownSubject(hits []vendorHit, firstParty map[string]bool) []span {
	var out []span
	for _, h := range hits {
		if isFirstParty(h, firstParty) {
			out = append(out, span{h.start, h.end})
		}
	}
	return out
}

// singleVendor is the id of the one vendor hits name, or "".
func singleVendor(hits []vendorHit) string {
	id := ""
	for _, h := range hits {
		if h.vendor == nil {
			continue
		}
		if id != "" && id != h.vendor.ID {
			return ""
		}
		id = h.vendor.ID
	}
	return id
}

func (p *Parser) vendorDecls(s *sentence, hits []vendorHit, firstParty map[string]bool) []Declaration {
	var out []Declaration
	role, roleDone := "", false
	for _, h := range hits {
		d := Declaration{Practice: VendorPractice, Quote: s.text, Line: s.line, Section: s.section, Term: h.text}
		if h.vendor != nil {
			d.Vendor = h.vendor.ID
		} else {
			d.Owner = h.owner
		}
		a, b := tokenRange(s.toks, h.start, h.end)
		d.Polarity = Affirmed
		if a >= 0 {
			d.Polarity, d.Scope = polarity(s.toks, a, b, true)
		}
		switch {
		case isFirstParty(h, firstParty):
			d.Role = RoleFirstParty
		default:
			if !roleDone {
				role, roleDone = roleOf(s.text, s.section), true
			}
			d.Role = role
		}
		out = append(out, d)
	}
	return out
}

func isFirstParty(h vendorHit, names map[string]bool) bool {
	t := strings.ToLower(stripMarks(h.text))
	if names[t] {
		return true
	}
	if strings.Contains(t, ".") { // a domain: its name label
		t = strings.TrimPrefix(t, "www.")
		if names[t[:strings.IndexByte(t, '.')]] {
			return true
		}
	}
	if h.vendor == nil {
		return false
	}
	if names[strings.ToLower(h.vendor.Name)] {
		return true
	}
	for _, d := range h.vendor.Domains {
		if names[strings.ToLower(d)] {
			return true
		}
	}
	return false
}

var (
	// (collectively, “Acme,” “we”, “us”) and ... referred to as Acme.
	weDefinition = regexp.MustCompile(`(?:[“"][^“”"]{1,40}[”"][,]?\s*(?:and |or )?){1,8}[“"](?:we|We)[,]?[”"]`)
	quotedName   = regexp.MustCompile(`[“"]([A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,2})[,]?[”"]`)
	referredAs   = regexp.MustCompile(`(?:referred to as|hereinafter|hereafter)\s+[“"]?([A-Z][\w.&-]*)`)
)

// ownList is a list of what the policy calls its own, in parentheses.
var ownList = regexp.MustCompile(`(?i)\bour (?:own )?(?:web)?(?:sites?|properties|products|services|brands|plugins|apps)\s*\((?:including|such as|e\.g\.,?|like)\s+([^)]{3,400})\)`)

var domainItem = regexp.MustCompile(`^(?:[a-z0-9-]+\.)+[a-z]{2,}$`)

// firstPartyNames collects the names the policy uses for its own company:
// words of its title, names it defines as "we", and its own host.
func firstPartyNames(blocks []block, source string) map[string]bool {
	names := map[string]bool{}
	addTitle := func(t string) {
		for _, tok := range tokenize(stripMarks(t)) {
			if !tok.punct && len(tok.w) >= 3 && !titleWords[tok.w] {
				names[tok.w] = true
			}
		}
	}
	if len(blocks) > 0 && len(blocks[0].text) <= 120 && (blocks[0].heading || !endsSentence(blocks[0].text)) {
		addTitle(blocks[0].text)
	}
	for _, b := range blocks {
		if b.heading {
			addTitle(b.text) // the first heading is the title
			break
		}
	}
	limit := len(blocks)
	if limit > 12 {
		limit = 12
	}
	for _, b := range blocks[:limit] {
		for _, def := range weDefinition.FindAllString(b.text, -1) {
			for _, m := range quotedName.FindAllStringSubmatch(def, -1) {
				names[strings.ToLower(m[1])] = true
			}
		}
		for _, m := range referredAs.FindAllStringSubmatch(b.text, -1) {
			names[strings.ToLower(strings.TrimRight(m[1], "."))] = true
		}
	}
	// "our websites (including example.com, shop.example)", "our plugins
	// (e.g. Jetpack)": what the policy lists as its own is first-party.
	for _, b := range blocks {
		for _, m := range ownList.FindAllStringSubmatch(b.text, -1) {
			sites := strings.Contains(strings.ToLower(m[0]), "site") || strings.Contains(strings.ToLower(m[0]), "propert")
			for _, item := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ';' }) {
				item = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(item), "and "))
				if item == "" || len(item) > 40 {
					continue
				}
				// "tools on our website (such as Drift, VWO)" lists vendors;
				// only domains are the site's own sites.
				if sites && !domainItem.MatchString(item) {
					continue
				}
				item = strings.ToLower(strings.TrimSuffix(item, "."))
				names[item] = true
				if i := strings.IndexByte(item, '.'); i > 0 {
					names[item[:i]] = true
				}
			}
		}
	}
	if u, err := url.Parse(source); err == nil && u.Host != "" {
		h := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		names[h] = true
		if i := strings.IndexByte(h, '.'); i > 0 {
			names[h[:i]] = true
		}
	}
	return names
}

// titleWords are the ordinary words of a policy's title.
var titleWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`privacy policy policies notice statement cookie cookies data protection personal
		and the our of for your terms security email marketing smtp services service website site statement gdpr
		information use how we with last updated effective version archived`) {
		titleWords[w] = true
	}
}

// dedupCookies keeps the first declaration of each cookie name.
func dedupCookies(cs []DeclaredCookie) []DeclaredCookie {
	seen := map[string]bool{}
	out := cs[:0]
	for _, c := range cs {
		if seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
