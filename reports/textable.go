package reports

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// boxTable draws a table with box-drawing lines for the terminal. Cells may
// hold several lines ("\n"); a line wider than maxWidth columns wraps at
// spaces. It is written here rather than with a table library because the
// reports are rendered often (every fuzz input, every CI run) and the
// library allocated a large cache for each table it drew.
type boxTable struct {
	header []string
	rows   [][]string
	// sgr, when set, gives an ANSI colour for cell sgrCol of each row; the
	// codes are added after the widths are measured.
	sgr      []string
	sgrCol   int
	maxWidth int
}

func (b *boxTable) render(w io.Writer) error {
	cols := len(b.header)
	for _, r := range b.rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	layout := func(row []string) [][]string {
		cells := make([][]string, cols)
		for i := range cols {
			var text string
			if i < len(row) {
				text = row[i]
			}
			cells[i] = wrapCell(text, b.maxWidth)
			for _, l := range cells[i] {
				widths[i] = max(widths[i], runewidth.StringWidth(l))
			}
		}
		return cells
	}
	head := layout(b.header)
	body := make([][][]string, len(b.rows))
	for i, r := range b.rows {
		body[i] = layout(r)
	}

	var sb strings.Builder
	rule := func(left, mid, right string) {
		sb.WriteString(left)
		for i, wd := range widths {
			if i > 0 {
				sb.WriteString(mid)
			}
			sb.WriteString(strings.Repeat("─", wd+2))
		}
		sb.WriteString(right + "\n")
	}
	line := func(cells [][]string, sgr string) {
		height := 1
		for _, c := range cells {
			height = max(height, len(c))
		}
		for l := range height {
			sb.WriteString("│")
			for i, c := range cells {
				var text string
				if l < len(c) {
					text = c[l]
				}
				pad := strings.Repeat(" ", widths[i]-runewidth.StringWidth(text))
				if i == b.sgrCol && sgr != "" && text != "" {
					text = "\x1b[" + sgr + "m" + text + "\x1b[0m"
				}
				sb.WriteString(" " + text + pad + " │")
			}
			sb.WriteString("\n")
		}
	}
	rule("┌", "┬", "┐")
	line(head, "")
	rule("├", "┼", "┤")
	for i, cells := range body {
		var sgr string
		if i < len(b.sgr) {
			sgr = b.sgr[i]
		}
		line(cells, sgr)
	}
	rule("└", "┴", "┘")
	_, err := io.WriteString(w, sb.String())
	return err
}

// wrapCell splits a cell into display lines: at "\n", then at spaces so no
// line is wider than max columns (a longer word is cut). Control characters
// are shown as U+FFFD so that text from a scanned site cannot move the
// cursor or recolour the terminal.
func wrapCell(text string, maxWidth int) []string {
	text = strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		return termRune(r)
	}, text)
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if maxWidth <= 0 || runewidth.StringWidth(para) <= maxWidth {
			out = append(out, para)
			continue
		}
		var cur strings.Builder
		curW := 0
		flush := func() {
			out = append(out, cur.String())
			cur.Reset()
			curW = 0
		}
		for _, word := range strings.Fields(para) {
			ww := runewidth.StringWidth(word)
			if curW > 0 && curW+1+ww > maxWidth {
				flush()
			}
			for ww > maxWidth { // a word longer than a line: cut it
				head := runewidth.Truncate(word, maxWidth, "")
				if head == "" { // a single rune wider than the line
					_, size := utf8.DecodeRuneInString(word)
					head = word[:size]
				}
				if curW > 0 {
					flush()
				}
				out = append(out, head)
				word = word[len(head):]
				ww = runewidth.StringWidth(word)
			}
			if word == "" {
				continue
			}
			if curW > 0 {
				cur.WriteByte(' ')
				curW++
			}
			cur.WriteString(word)
			curW += ww
		}
		if curW > 0 || len(out) == 0 {
			flush()
		}
	}
	return out
}

// termText makes text safe to print on a terminal on one line: whitespace
// controls become spaces and other control characters U+FFFD, so a value
// from a scanned page cannot move the cursor or recolour the terminal.
func termText(s string) string { return strings.Map(termRune, s) }

func termRune(r rune) rune {
	switch {
	case r == '\n' || r == '\r' || r == '\t':
		return ' '
	case unicode.IsControl(r):
		return '\uFFFD'
	}
	return r
}
