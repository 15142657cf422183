package policy

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Elements whose text is never policy text: page furniture, and cookie
// banners and dialogs, which repeat on every page of a site.
const dropSelector = "nav, header, footer, script, style, noscript, template, aside, form, button, select, " +
	"svg, iframe, object, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden], " +
	"[role=dialog], [role=alertdialog], [aria-modal=true], #onetrust-consent-sdk, #CybotCookiebotDialog, " +
	".cc-window, #cookie-banner, .cookie-banner, #cookie-notice, .cookie-notice"

// blockElems start a new block of text.
var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dt: true, atom.Dd: true,
	atom.Dl: true, atom.Blockquote: true, atom.Pre: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Br: true, atom.Hr: true, atom.Table: true, atom.Tr: true, atom.Caption: true, atom.Figure: true,
	atom.Figcaption: true, atom.Address: true, atom.Details: true, atom.Summary: true, atom.Body: true,
}

var headingElems = map[atom.Atom]bool{atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true}

// parseHTML extracts the main text of a page as blocks, headings as section
// names, and its tables (for cookie lists). Every block knows the source
// line of each of its words, so a quote's line is the line of the HTML
// source where its sentence starts.
func parseHTML(src []byte) ([]block, []table, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(src))
	if err != nil {
		return nil, nil, fmt.Errorf("HTML: %v", err)
	}
	// Lines are found on the whole tree, before furniture is removed, so
	// that its text nodes match the source's text tokens in order.
	lines := locateText(doc.Nodes, src)
	doc.Find(dropSelector).Remove()
	root := doc.Find("main, [role=main]").First()
	if root.Length() == 0 {
		root = doc.Find("article").First()
	}
	if root.Length() == 0 {
		root = doc.Find("body").First()
	}
	if root.Length() == 0 {
		root = doc.Selection
	}
	w := &htmlWalker{lines: lines}
	for _, n := range root.Nodes {
		w.walk(n)
	}
	w.flush()
	return w.blocks, w.tables, nil
}

// srcText is one text token of the HTML source: its unescaped text and
// the line it starts on.
type srcText struct {
	data string
	line int
}

// textTokens lists the text tokens of src in order. The tree's text nodes
// hold the same unescaped text (the parser may join neighbours or drop a
// leading newline), in the same order except where the parser moves text
// out of a table.
func textTokens(src []byte) []srcText {
	var out []srcText
	z := html.NewTokenizer(bytes.NewReader(src))
	z.SetMaxBuf(0)
	off, line := 0, 1
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		n := len(z.Raw()) // before Text, which unescapes the buffer in place
		if tt == html.TextToken {
			out = append(out, srcText{data: string(z.Text()), line: line})
		}
		line += bytes.Count(src[off:off+n], []byte("\n"))
		off += n
	}
}

// locateText maps every non-blank text node under roots to the source line
// of its first character.
func locateText(roots []*html.Node, src []byte) map[*html.Node]int {
	toks := textTokens(src)
	out := map[*html.Node]int{}
	ti, inner := 0, 0 // cursor: token index, byte offset in it
	// The search is bounded so that text the parser changed costs a window,
	// not the whole page, however large the page is.
	const window = 4096
	find := func(probe string, from, fromInner int) (int, int, bool) {
		for k := from; k < len(toks) && k < from+window; k++ {
			start := 0
			if k == from {
				start = fromInner
			}
			if start > len(toks[k].data) {
				continue
			}
			if i := strings.Index(toks[k].data[start:], probe); i >= 0 {
				return k, start + i, true
			}
		}
		return 0, 0, false
	}
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			d := n.Data
			trimmed := strings.TrimLeftFunc(d, unicode.IsSpace)
			if trimmed == "" {
				return
			}
			probe := trimmed
			if len(probe) > 24 {
				probe = probe[:24]
			}
			k, at, ok := find(probe, ti, inner)
			if !ok { // text the parser moved out of a table: look back
				k, at, ok = find(probe, max(0, ti-window), 0)
			}
			if !ok && len(probe) > 4 { // text joined from several tokens
				k, at, ok = find(probe[:4], ti, inner)
			}
			if !ok {
				return
			}
			out[n] = toks[k].line + strings.Count(toks[k].data[:at], "\n")
			// Move past the node's text, across tokens the parser joined.
			rest := len(trimmed)
			for k < len(toks) && rest > 0 {
				avail := len(toks[k].data) - at
				if rest <= avail {
					at += rest
					rest = 0
					break
				}
				rest -= avail
				k, at = k+1, 0
			}
			ti, inner = k, at
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	for _, r := range roots {
		rec(r)
	}
	return out
}

// seg is text on its way into a block, with the source line of its first
// non-blank character (0 when unknown).
type seg struct {
	text string
	line int
}

// buildText collapses white space as collapseSpace does and records where
// the source line changes, so each sentence of the block knows its line.
func buildText(segs []seg) (string, []lineMark) {
	var (
		b       strings.Builder
		marks   []lineMark
		last    = 0
		pending = false
	)
	for _, sg := range segs {
		line := sg.line
		if line > 0 {
			// The line is that of the first non-blank character; count
			// back the line breaks before it.
			lead := sg.text[:len(sg.text)-len(strings.TrimLeftFunc(sg.text, unicode.IsSpace))]
			line -= strings.Count(lead, "\n")
		}
		for _, r := range sg.text {
			if unicode.IsSpace(r) {
				if r == '\n' && line > 0 {
					line++
				}
				if b.Len() > 0 {
					pending = true
				}
				continue
			}
			if pending {
				b.WriteByte(' ')
				pending = false
			}
			if line > 0 && line != last {
				marks = append(marks, lineMark{off: b.Len(), line: line})
				last = line
			}
			b.WriteRune(r)
		}
	}
	return b.String(), marks
}

// newBlock makes a block from segments; false when it has no text.
func newBlock(segs []seg, section string) (block, bool) {
	text, marks := buildText(segs)
	if text == "" {
		return block{}, false
	}
	b := block{text: text, section: section}
	if len(marks) > 0 {
		b.line = marks[0].line
		b.lines = marks[1:]
	}
	return b, true
}

type htmlWalker struct {
	blocks  []block
	tables  []table
	section string
	buf     []seg
	lines   map[*html.Node]int
}

func (w *htmlWalker) flush() {
	b, ok := newBlock(w.buf, w.section)
	w.buf = w.buf[:0]
	if ok {
		w.blocks = append(w.blocks, b)
	}
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.buf = append(w.buf, seg{n.Data, w.lines[n]})
		return
	case html.ElementNode:
	case html.DocumentNode:
	default:
		return
	}
	switch {
	case headingElems[n.DataAtom] || declarationHeading(n):
		w.flush()
		b, ok := newBlock(w.nodeSegs(n), "")
		if ok {
			w.section = b.text
			b.section, b.heading = b.text, true
			w.blocks = append(w.blocks, b)
		}
		return
	case n.DataAtom == atom.Table:
		w.flush()
		w.table(n)
		return
	}
	isBlock := blockElems[n.DataAtom]
	if isBlock {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if isBlock {
		w.flush()
	} else if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		w.buf = append(w.buf, seg{" ", 0})
	}
}

// table keeps a table's cells and adds each row as a block, so a row's
// words are read like a sentence.
func (w *htmlWalker) table(n *html.Node) {
	t := table{section: w.section}
	var rowSegs [][]seg
	var rows func(*html.Node)
	rows = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.Tr {
				var cells []string
				var segs []seg
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						text, marks := buildText(w.nodeSegs(td))
						cells = append(cells, text)
						if text != "" {
							if len(segs) > 0 {
								segs = append(segs, seg{", ", 0})
							}
							line := 0
							if len(marks) > 0 {
								line = marks[0].line
							}
							segs = append(segs, seg{text, line})
						}
					}
				}
				if len(cells) > 0 {
					t.rows = append(t.rows, cells)
					rowSegs = append(rowSegs, segs)
				}
				continue
			}
			if c.DataAtom == atom.Table {
				continue // nested tables are rare in cookie lists; their text is skipped
			}
			rows(c)
		}
	}
	rows(n)
	if len(t.rows) > 0 {
		w.tables = append(w.tables, t)
	}
	for _, segs := range rowSegs {
		if b, ok := newBlock(segs, w.section); ok {
			b.row = true
			w.blocks = append(w.blocks, b)
		}
	}
}

// nodeSegs is the text of n with block children separated by spaces.
func (w *htmlWalker) nodeSegs(n *html.Node) []seg {
	var out []seg
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			out = append(out, seg{n.Data, w.lines[n]})
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
			if c.Type == html.ElementNode && (blockElems[c.DataAtom] || c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
				out = append(out, seg{" ", 0})
			}
		}
	}
	rec(n)
	return out
}

// declarationHeading reports the category headers of a consent banner's
// cookie declaration ("Necessary (3)" above Cookiebot's table), which are
// paragraphs, not headings, but name the category of the table below.
func declarationHeading(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && (strings.Contains(a.Val, "CookieDeclarationTypeHeader") || strings.Contains(a.Val, "ot-sdk-cookie-policy-group")) {
			return true
		}
		if a.Key == "role" && a.Val == "heading" {
			return true
		}
	}
	return false
}
