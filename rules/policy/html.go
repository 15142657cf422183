package policy

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

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
// names, and its tables (for cookie lists).
func parseHTML(src []byte) ([]block, []table, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(src))
	if err != nil {
		return nil, nil, fmt.Errorf("HTML: %v", err)
	}
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
	w := &htmlWalker{}
	for _, n := range root.Nodes {
		w.walk(n)
	}
	w.flush()
	locateLines(w.blocks, w.tables, src)
	return w.blocks, w.tables, nil
}

// locateLines finds the source line of each block by searching its first
// words in the HTML, in document order; blocks it cannot find keep line 0.
func locateLines(blocks []block, tables []table, src []byte) {
	cursor := 0
	if i := bytes.Index(bytes.ToLower(src), []byte("<body")); i >= 0 {
		cursor = i
	}
	for i := range blocks {
		words := strings.Fields(blocks[i].text)
		if len(words) > 4 {
			words = words[:4]
		}
		for k, w := range words {
			words[k] = regexp.QuoteMeta(strings.TrimRight(w, ","))
		}
		re, err := regexp.Compile(strings.Join(words, `(?:[\s,]|<[^>]*>)+`))
		if err != nil || len(words) == 0 {
			continue
		}
		loc := re.FindIndex(src[cursor:])
		if loc == nil {
			continue
		}
		at := cursor + loc[0]
		blocks[i].line = 1 + bytes.Count(src[:at], []byte("\n"))
		cursor = at
	}
	_ = tables
}

type htmlWalker struct {
	blocks  []block
	tables  []table
	section string
	buf     strings.Builder
}

func (w *htmlWalker) flush() {
	t := collapseSpace(w.buf.String())
	w.buf.Reset()
	if t != "" {
		w.blocks = append(w.blocks, block{text: t, section: w.section})
	}
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
	default:
		return
	}
	switch {
	case headingElems[n.DataAtom]:
		w.flush()
		t := collapseSpace(nodeText(n))
		if t != "" {
			w.section = t
			w.blocks = append(w.blocks, block{text: t, section: t, heading: true})
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
		w.buf.WriteString(" ")
	}
}

// table keeps a table's cells and adds each row as a block, so a row's
// words are read like a sentence.
func (w *htmlWalker) table(n *html.Node) {
	t := table{section: w.section}
	var rows func(*html.Node)
	rows = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.Tr {
				var cells []string
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						cells = append(cells, collapseSpace(nodeText(td)))
					}
				}
				if len(cells) > 0 {
					t.rows = append(t.rows, cells)
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
	for _, r := range t.rows {
		if txt := strings.Join(nonEmpty(r), ", "); txt != "" {
			w.blocks = append(w.blocks, block{text: txt, section: w.section, row: true})
		}
	}
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// nodeText is the text of n with block children separated by spaces.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
			if c.Type == html.ElementNode && (blockElems[c.DataAtom] || c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
				b.WriteString(" ")
			}
		}
	}
	rec(n)
	return b.String()
}
