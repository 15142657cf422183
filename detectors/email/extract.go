package email

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"github.com/trackscan/trackscan/detectors"
	"golang.org/x/net/html"
)

// Resource kinds: what an email makes the mail client fetch or offers to
// click. Compare mode aligns the two copies kind by kind.
const (
	resImage      = "image"      // <img src>, srcset, <input type=image>
	resBackground = "background" // background="" attribute
	resCSS        = "css"        // url() in <style> or style=""
	resOther      = "other"      // stylesheets, frames, video posters
	resLink       = "link"       // <a href>, <area href>, URLs in plain text
)

// resource is one URL of an email and where it sits.
type resource struct {
	kind  string
	raw   string
	url   *url.URL
	index int // position among resources of the same kind

	width, height float64 // -1 when unknown
	hidden        string  // why it is hidden, "" when visible
	hiddenByOwner bool    // hidden by an enclosing element, not its own attributes
	cssCond       string  // "@media print", "prefers-color-scheme", "forward-only selector"
	cssProp       string  // the CSS property the url() sits in
	text          string  // link text; an image's alt text
	inLink        bool    // an image inside a link

	recipientSpecific bool // set by compare mode
	differs           []detectors.URLDifference

	// Set by --render: the URL was requested when the email was shown;
	// renderOnly when only rendering found it (initiator: who asked).
	loaded, renderOnly bool
	// condition is what made the rendered email ask for it later:
	// "dark-mode" or "print" (capture.Request.Condition).
	condition    string
	resourceType string
	initiator    string
}

// document is everything the analysis needs from one email body.
type document struct {
	resources []*resource
	counts    map[string]int // image URL -> occurrences (spacer detection)
	perKind   map[string]int
	rendered  bool // what rendering loaded was merged in
}

// forwardMarkers are classes, ids and attributes webmail clients put around
// a forwarded or quoted message; CSS that only applies inside them fires
// when the email is forwarded.
var forwardMarkers = []string{
	"gmail_quote", "divrplyfwdmsg", "appendonsend", "moz-forward", "yahoo_quoted",
	"outlookmessageheader", "type=cite", "type=\"cite\"", "blockquote", "protonmail_quote",
	"zmail_extra",
}

var textURL = regexp.MustCompile(`https?://[^\s<>"'()\[\]]+`)

// extract collects the resources of an email: its HTML when there is one,
// else the URLs of its plain text (links only: text loads nothing).
//
// One walk over the parsed tree files every element under its kinds; the
// lists are then added in a fixed order (images, background attributes,
// style sheets, inline styles, other loads, links), each in document
// order, since compare mode aligns the copies kind by kind. (Six selector
// queries, one per kind, cost as much as parsing the HTML.)
func extract(htmlBody, text string) *document {
	d := &document{counts: map[string]int{}, perKind: map[string]int{}}
	if strings.TrimSpace(htmlBody) == "" {
		for _, m := range textURL.FindAllString(text, -1) {
			d.add(&resource{kind: resLink, raw: strings.TrimRight(m, ".,;:!?")}, nil)
		}
		return d
	}
	root, err := html.Parse(strings.NewReader(htmlBody))
	if err != nil { // x/net/html recovers from anything but a reader error
		return d
	}
	var base *url.URL
	baseSeen := false
	var images, backgrounds, sheets, inline, others, links []*resource
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := n.Data
			switch {
			case name == "base" && !baseSeen:
				if b, ok := attr(n, "href"); ok {
					baseSeen = true
					base, _ = url.Parse(strings.TrimSpace(b))
				}
			case name == "img" || name == "input" && strings.EqualFold(attrOr(n, "type"), "image"):
				w, h := sizeOf(n)
				hidden, byOwner := hiddenReason(n)
				if src, ok := attr(n, "src"); ok {
					images = append(images, &resource{kind: resImage, raw: src, width: w, height: h, hidden: hidden,
						hiddenByOwner: byOwner, text: strings.TrimSpace(attrOr(n, "alt")), inLink: insideLink(n)})
				}
				images = append(images, srcsetCandidates(n, w, h, hidden, byOwner)...)
			case name == "source" && n.Parent != nil && n.Parent.Data == "picture":
				// <picture> offers alternatives of its <img>: one of them
				// loads, at the <source>'s own size when it gives one.
				w, h := -1.0, -1.0
				for c := n.Parent.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "img" {
						w, h = sizeOf(c)
					}
				}
				if sw, sh := sizeOf(n); sw >= 0 || sh >= 0 {
					w, h = sw, sh
				}
				hidden, byOwner := hiddenReason(n)
				images = append(images, srcsetCandidates(n, w, h, hidden, byOwner)...)
			case name == "style":
				for _, u := range styleSheetURLs(nodeText(n)) {
					u.kind = resCSS
					sheets = append(sheets, u)
				}
			}
			if src, ok := attr(n, "background"); ok {
				w, h := sizeOf(n)
				hidden, byOwner := hiddenReason(n)
				backgrounds = append(backgrounds, &resource{kind: resBackground, raw: src, width: w, height: h, hidden: hidden, hiddenByOwner: byOwner})
			}
			if style, ok := attr(n, "style"); ok && strings.Contains(strings.ToLower(style), "url") {
				hidden, byOwner := hiddenReason(n)
				w, h := sizeOf(n)
				for _, u := range inlineStyleURLs(style) {
					u.kind = resCSS
					u.hidden, u.hiddenByOwner = hidden, byOwner
					u.width, u.height = w, h // the element the background paints
					inline = append(inline, u)
				}
			}
			if loadsOther(n) {
				for _, a := range []string{"href", "src", "poster", "data"} {
					if v, ok := attr(n, a); ok {
						others = append(others, &resource{kind: resOther, raw: v, width: -1, height: -1})
					}
				}
			}
			if name == "a" || name == "area" {
				if href, ok := attr(n, "href"); ok {
					t := strings.Join(strings.Fields(nodeText(n)), " ")
					if t == "" {
						t = firstImageAlt(n)
					}
					links = append(links, &resource{kind: resLink, raw: href, text: t, width: -1, height: -1})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	for _, list := range [][]*resource{images, backgrounds, sheets, inline, others, links} {
		for _, r := range list {
			d.add(r, base)
		}
	}
	return d
}

// insideLink: the element sits in an <a> (content people click, not a
// pixel nobody sees).
func insideLink(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "a" {
			return true
		}
	}
	return false
}

// srcsetCandidates lists the URLs of a srcset attribute. A "1w"
// descriptor says the candidate is one pixel wide.
func srcsetCandidates(n *html.Node, w, h float64, hidden string, byOwner bool) []*resource {
	set, ok := attr(n, "srcset")
	if !ok {
		return nil
	}
	var out []*resource
	for _, cand := range strings.Split(set, ",") {
		if f := strings.Fields(cand); len(f) > 0 {
			cw := w
			if len(f) > 1 && (f[1] == "1w" || f[1] == "0w") && w < 0 {
				cw = float64(f[1][0] - '0')
			}
			out = append(out, &resource{kind: resImage, raw: f[0], width: cw, height: h, hidden: hidden, hiddenByOwner: byOwner})
		}
	}
	return out
}

// loadsOther: elements whose URL attribute a client fetches on open
// (style sheets, frames, media).
func loadsOther(n *html.Node) bool {
	switch n.Data {
	case "link":
		_, ok := attr(n, "href")
		return ok && strings.Contains(strings.ToLower(attrOr(n, "rel")), "stylesheet")
	case "iframe", "embed", "audio":
		_, ok := attr(n, "src")
		return ok
	case "video":
		_, src := attr(n, "src")
		_, poster := attr(n, "poster")
		return src || poster
	case "source":
		_, ok := attr(n, "src")
		return ok
	case "object":
		_, ok := attr(n, "data")
		return ok
	}
	return false
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

func attrOr(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}

// nodeText is the text of a node and its descendants.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// firstImageAlt is the alt text of the first image inside a link.
func firstImageAlt(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "img" {
			if alt, ok := attr(c, "alt"); ok {
				return alt
			}
		}
		if alt := firstImageAlt(c); alt != "" {
			return alt
		}
	}
	return ""
}

// add resolves and keeps a web URL; cid:, data:, mailto: and the like are
// not fetched from a server and are dropped.
func (d *document) add(r *resource, base *url.URL) {
	raw := strings.TrimSpace(r.raw)
	if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if !u.IsAbs() {
		if base == nil {
			return
		}
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" {
		return
	}
	r.raw, r.url = u.String(), u
	if r.kind == resImage {
		d.counts[r.raw]++
	}
	r.index = d.perKind[r.kind]
	d.perKind[r.kind]++
	d.resources = append(d.resources, r)
}

// sizeOf reads width and height from the attributes, overridden by the
// inline style; -1 when unknown or relative.
func sizeOf(n *html.Node) (w, h float64) {
	w, h = -1, -1
	if v, ok := attr(n, "width"); ok {
		w = cssPixels(v)
	}
	if v, ok := attr(n, "height"); ok {
		h = cssPixels(v)
	}
	if style, ok := attr(n, "style"); ok {
		decls := styleDecls(style)
		if v, ok := decls["width"]; ok {
			w = cssPixels(v)
		}
		if v, ok := decls["height"]; ok {
			h = cssPixels(v)
		}
	}
	return w, h
}

// cssPixels parses "1", "1px", "0", "0.5px"; anything relative is unknown.
func cssPixels(v string) float64 {
	v = strings.TrimSpace(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(v), "!important")))
	v = strings.TrimSpace(strings.TrimSuffix(v, "px"))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return -1
	}
	return f
}

// hiddenReason says why an element is not shown, and whether an enclosing
// element (rather than its own attributes) hides it. Responsive emails
// hide whole blocks (the mobile or the desktop variant), so a sized image
// in a hidden block is layout, while one hidden by its own style is not.
func hiddenReason(el *html.Node) (string, bool) {
	for n := el; n != nil; n = n.Parent {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if a.Key == "hidden" && n == el {
				return "hidden attribute", false
			}
			if a.Key != "style" || !mayHide(a.Val) {
				continue
			}
			if why := hiddenByStyle(styleDecls(a.Val)); why != "" {
				return why, n != el
			}
		}
	}
	return "", false
}

// mayHide is a cheap pre-check so that deep trees do not parse every
// ancestor's style.
func mayHide(style string) bool {
	s := strings.ToLower(style)
	return strings.Contains(s, "none") || strings.Contains(s, "hidden") ||
		strings.Contains(s, "opacity") || strings.Contains(s, "max-") || strings.Contains(s, "clip") ||
		negativeOffset(s)
}

func hiddenByStyle(decls map[string]string) string {
	if v := decls["display"]; v == "none" {
		return "display:none"
	}
	if v := decls["visibility"]; v == "hidden" {
		return "visibility:hidden"
	}
	if v, ok := decls["opacity"]; ok && cssPixels(v) == 0 {
		return "opacity:0"
	}
	if v, ok := decls["max-height"]; ok && cssPixels(v) == 0 {
		return "max-height:0"
	}
	if v, ok := decls["max-width"]; ok && cssPixels(v) == 0 {
		return "max-width:0"
	}
	// Off-screen: pushed far out of view, or clipped to nothing.
	for _, prop := range []string{"left", "top", "margin-left", "margin-top", "text-indent"} {
		if v, ok := decls[prop]; ok && strings.HasPrefix(v, "-") && cssPixels(v[1:]) >= 100 {
			return "off-screen (" + prop + ":" + v + ")"
		}
	}
	if v := strings.ReplaceAll(decls["clip"], " ", ""); v == "rect(0,0,0,0)" || v == "rect(0000)" || v == "rect(0px,0px,0px,0px)" {
		return "clip:" + decls["clip"]
	}
	return ""
}

// negativeOffset: a negative length somewhere in a style (a cheap test
// before parsing it for an off-screen position).
func negativeOffset(s string) bool {
	for i := strings.IndexByte(s, '-'); i >= 0 && i+1 < len(s); {
		if c := s[i+1]; c >= '0' && c <= '9' {
			return true
		}
		j := strings.IndexByte(s[i+1:], '-')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// styleDecls parses an inline style into lower-case property -> value.
func styleDecls(style string) map[string]string {
	out := map[string]string{}
	p := css.NewParser(parse.NewInputString(style), true)
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			return out
		}
		if gt != css.DeclarationGrammar {
			continue
		}
		var b strings.Builder
		for _, v := range p.Values() {
			b.Write(v.Data)
		}
		// Emails mark nearly every declaration !important (to beat webmail
		// styles); "none !important" still hides.
		v := strings.ToLower(strings.TrimSpace(b.String()))
		v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
		out[strings.ToLower(string(data))] = v
	}
}

// inlineStyleURLs returns the url()s of a style="" attribute.
func inlineStyleURLs(style string) []*resource {
	var out []*resource
	p := css.NewParser(parse.NewInputString(style), true)
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			return out
		}
		if gt == css.DeclarationGrammar {
			for _, u := range urlsIn(p.Values()) {
				out = append(out, &resource{raw: u, cssProp: strings.ToLower(string(data)), width: -1, height: -1})
			}
		}
	}
}

// styleSheetURLs returns the url()s of a style sheet with the condition
// under which each loads.
func styleSheetURLs(sheet string) []*resource {
	var out []*resource
	var conds []string // one per open block; "" when unconditional
	selector := ""
	p := css.NewParser(parse.NewInputString(sheet), false)
	for {
		gt, _, data := p.Next()
		switch gt {
		case css.ErrorGrammar:
			return out
		case css.BeginAtRuleGrammar:
			conds = append(conds, atRuleCondition(string(data), p.Values()))
		case css.BeginRulesetGrammar:
			selector = tokensText(p.Values())
			cond := ""
			if isForwardSelector(selector) {
				cond = "forward-only selector"
			}
			conds = append(conds, cond)
		case css.EndAtRuleGrammar, css.EndRulesetGrammar:
			if len(conds) > 0 {
				conds = conds[:len(conds)-1]
			}
		case css.AtRuleGrammar: // @import url(...) or @import "..."
			if strings.EqualFold(string(data), "@import") {
				for _, u := range urlsOrStrings(p.Values()) {
					out = append(out, &resource{raw: u, cssProp: "@import", cssCond: innermost(conds), width: -1, height: -1})
				}
			}
		case css.DeclarationGrammar:
			for _, u := range urlsIn(p.Values()) {
				out = append(out, &resource{raw: u, cssProp: strings.ToLower(string(data)), cssCond: innermost(conds), width: -1, height: -1})
			}
		}
	}
}

func innermost(conds []string) string {
	for i := len(conds) - 1; i >= 0; i-- {
		if conds[i] != "" {
			return conds[i]
		}
	}
	return ""
}

func atRuleCondition(name string, vals []css.Token) string {
	q := strings.ToLower(tokensText(vals))
	switch {
	case !strings.EqualFold(name, "@media") && !strings.EqualFold(name, "@supports"):
		return ""
	case strings.Contains(q, "print"):
		return "@media print"
	case strings.Contains(q, "prefers-color-scheme"):
		return "prefers-color-scheme"
	}
	return ""
}

func isForwardSelector(sel string) bool {
	s := strings.ToLower(sel)
	for _, m := range forwardMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

func tokensText(vals []css.Token) string {
	var b strings.Builder
	for _, v := range vals {
		b.Write(v.Data)
	}
	return b.String()
}

// urlsIn returns the URLs of url(...) tokens, also url("...") which lexes
// as a function followed by a string.
func urlsIn(vals []css.Token) []string {
	var out []string
	for i, v := range vals {
		switch {
		case v.TokenType == css.URLToken:
			out = append(out, cssURLValue(string(v.Data)))
		case v.TokenType == css.FunctionToken && strings.EqualFold(string(v.Data), "url(") &&
			i+1 < len(vals) && vals[i+1].TokenType == css.StringToken:
			out = append(out, unquote(string(vals[i+1].Data)))
		}
	}
	return out
}

func urlsOrStrings(vals []css.Token) []string {
	out := urlsIn(vals)
	for _, v := range vals {
		if v.TokenType == css.StringToken && len(out) == 0 {
			out = append(out, unquote(string(v.Data)))
		}
	}
	return out
}

// cssURLValue turns `url( "x" )` into x.
func cssURLValue(tok string) string {
	s := strings.TrimSpace(tok)
	if len(s) >= 4 && strings.EqualFold(s[:4], "url(") {
		s = s[4:]
	}
	s = strings.TrimSuffix(s, ")")
	return unquote(strings.TrimSpace(s))
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
