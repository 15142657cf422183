package policy

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// block is one paragraph, list item, table row or heading of a policy,
// with the markup removed.
type block struct {
	text    string
	line    int // source line of the block's first character, 0 when unknown
	section string
	heading bool
	row     bool // a table row, its cells joined
	// lines maps byte offsets of text to source lines for blocks joined
	// from several wrapped lines.
	lines []lineMark
}

type lineMark struct{ off, line int }

// lineAt returns the source line of byte offset off in b.text.
func (b *block) lineAt(off int) int {
	line := b.line
	for _, m := range b.lines {
		if m.off > off {
			break
		}
		line = m.line
	}
	return line
}

var (
	mdHeading    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	mdSetext     = regexp.MustCompile(`^(=+|-+)\s*$`)
	mdRule       = regexp.MustCompile(`^([-*_]\s*){3,}$`)
	mdListMarker = regexp.MustCompile(`^(?:[-*+•–—·]|\(?\d{1,3}\\?[.)]|\(?[a-z]\)|\([ivx]{1,4}\))\s+`)
	mdImage      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink       = regexp.MustCompile(`\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)`)
	mdAutoLink   = regexp.MustCompile(`<((?:https?://|mailto:)[^>\s]+)>`)
	mdTag        = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	mdStrong     = regexp.MustCompile(`\*\*`)
	// __strong__ only as a pair around words: "__gads" is a cookie name.
	mdStrongU = regexp.MustCompile(`(^|[\s(])__([^_\s](?:[^_]*[^_\s])?)__([\s.,;:)]|$)`)
	mdStar    = regexp.MustCompile(`(^|[\s(])\*([^*\s](?:[^*]*[^*\s])?)\*`)
	// _several words_ only: a lone _word_ is more often a cookie name.
	mdUnderscore = regexp.MustCompile(`(^|[\s(])_([^_\s][^_]*\s[^_]*[^_\s])_([\s.,;:)]|$)`)
	mdCode       = regexp.MustCompile("`([^`]*)`")
	mdEscape     = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)
	mdTableSep   = regexp.MustCompile(`^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$`)
)

// cleanInline removes Markdown inline markup, keeping the words.
func cleanInline(s string) string {
	if !strings.ContainsAny(s, "*_[]<>`\\&") {
		return s
	}
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdAutoLink.ReplaceAllString(s, "$1")
	s = mdTag.ReplaceAllString(s, "")
	s = mdCode.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllString(s, "")
	s = mdStrongU.ReplaceAllString(s, "$1$2$3")
	s = mdStar.ReplaceAllString(s, "$1$2")
	s = mdUnderscore.ReplaceAllString(s, "$1$2$3")
	s = mdEscape.ReplaceAllString(s, "$1")
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

// functionWords end wrapped lines but never headings.
var functionWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "and": true, "or": true, "in": true,
	"on": true, "by": true, "for": true, "with": true, "as": true, "such": true, "that": true,
	"which": true, "is": true, "are": true, "we": true, "our": true, "your": true, "from": true,
	"at": true, "this": true, "these": true, "may": true, "will": true, "be": true, "not": true,
}

// looksLikeHeading decides whether a plain-text line is a title: short, no
// sentence punctuation at its end, capitalised, not cut mid-phrase.
func looksLikeHeading(line string) bool {
	if line == "" || len(line) > 100 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if strings.ContainsRune(".,;:!?", last) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(line)
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return false
	}
	words := strings.Fields(line)
	if len(words) > 14 {
		return false
	}
	lw := strings.ToLower(strings.Trim(words[len(words)-1], "\"'”’)"))
	return !functionWords[lw]
}

func endsSentence(line string) bool {
	line = strings.TrimRight(line, " \"'”’)*_")
	if line == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	return strings.ContainsRune(".!?:;", last)
}

func startsUpper(line string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(line, "\"'“‘(*_"))
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// parseText turns plain text or Markdown into blocks. Both go through the
// same path: Markdown markup left in a .txt file (as archived policies
// often have) is removed the same way.
func parseText(src string) ([]block, []table) {
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	lines := strings.Split(src, "\n")

	var (
		out     []block
		tables  []table
		section string
		cur     *block
		inTable bool
	)
	flush := func() {
		if cur != nil {
			cur.text = strings.TrimSpace(cur.text)
			if cur.text != "" {
				out = append(out, *cur)
			}
			cur = nil
		}
	}
	emit := func(text string, line int, heading bool) {
		flush()
		text = strings.TrimSpace(text)
		if text == "" {
			return
		}
		if heading {
			section = text
		}
		out = append(out, block{text: text, line: line, section: section, heading: heading})
	}
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		lineNo := i + 1
		hardBreak := strings.HasSuffix(raw, "  ") || strings.HasSuffix(raw, "\\")
		t := strings.TrimSpace(strings.TrimSuffix(raw, "\\"))
		for strings.HasPrefix(t, ">") { // block quotes
			t = strings.TrimSpace(t[1:])
		}
		next := ""
		if i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
		}
		switch {
		case t == "":
			flush()
			inTable = false
			continue
		case mdRule.MatchString(t) && !(strings.Trim(t, "-") == "" && cur != nil):
			flush()
			continue
		case mdSetext.MatchString(next) && cur == nil && !mdListMarker.MatchString(t):
			emit(cleanInline(t), lineNo, true)
			i++
			continue
		case mdSetext.MatchString(t) && cur != nil:
			// "Title\n---" where the title was taken as a paragraph.
			cur.heading = true
			section = strings.TrimSpace(cur.text)
			cur.section = section
			flush()
			continue
		case mdTableSep.MatchString(t):
			continue
		}
		if m := mdHeading.FindStringSubmatch(t); m != nil {
			emit(cleanInline(m[1]), lineNo, true)
			continue
		}
		// A table row: "| a | b |", or GitHub's "a | b" when a separator
		// row follows it or the table has started.
		pipeRow := strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 2
		if !pipeRow && strings.Contains(t, "|") && (inTable || (strings.Contains(next, "|") && mdTableSep.MatchString(next))) {
			pipeRow = true
		}
		if pipeRow {
			cells := splitTableRow(t)
			if !inTable {
				tables = append(tables, table{line: lineNo, section: section})
				inTable = true
			}
			tab := &tables[len(tables)-1]
			tab.rows = append(tab.rows, cells)
			n := len(out)
			emit(strings.Join(cells, ", "), lineNo, false)
			if len(out) > n { // an empty row ("||") emits nothing
				out[len(out)-1].row = true
			}
			continue
		}
		inTable = false
		isItem := false
		if loc := mdListMarker.FindStringIndex(t); loc != nil {
			t = t[loc[1]:]
			isItem = true
		}
		clean := strings.TrimSpace(cleanInline(t))
		if clean == "" {
			continue
		}
		// A line that is wholly bold ("**1. Who are we?**") is a title.
		wholeBold := strings.HasPrefix(t, "**") && strings.HasSuffix(strings.TrimRight(t, " "), "**") && len(strings.Fields(clean)) <= 14
		prevEnded := cur == nil
		nextStarts := next == "" || startsUpper(next) || mdListMarker.MatchString(next) || strings.HasPrefix(next, "#")
		if !isItem && prevEnded && (wholeBold || (looksLikeHeading(clean) && nextStarts)) {
			emit(clean, lineNo, true)
			continue
		}
		if isItem {
			flush()
		}
		if cur == nil {
			cur = &block{line: lineNo, section: section}
		} else {
			cur.text += " "
			cur.lines = append(cur.lines, lineMark{off: len(cur.text), line: lineNo})
		}
		cur.text += clean
		// One paragraph per line is the common shape of exported policies:
		// a line that ends a sentence ends the block unless the next line
		// plainly continues it.
		if hardBreak || (endsSentence(clean) && (next == "" || startsUpper(next))) ||
			(strings.HasSuffix(clean, ",") && startsUpper(next)) {
			flush()
		}
	}
	flush()
	return out, tables
}

// table is a table of the policy, cells as text; the first row is the header.
type table struct {
	rows    [][]string
	line    int
	section string
}

func splitTableRow(t string) []string {
	t = strings.Trim(strings.TrimSpace(t), "|")
	parts := strings.Split(t, "|")
	cells := make([]string, 0, len(parts))
	for _, p := range parts {
		cells = append(cells, strings.TrimSpace(cleanInline(p)))
	}
	return cells
}
