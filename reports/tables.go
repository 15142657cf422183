package reports

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twcache"
	"github.com/olekukonko/tablewriter/tw"
)

// termTable is a table for the terminal, drawn by tablewriter with
// box-drawing lines. Every terminal table of the reports goes through it.
// Cells may hold several lines ("\n"); a line wider than maxWidth columns
// wraps at spaces (a longer word is cut), and control characters are
// neutralised (see termRune), since cells hold text from scanned sites.
type termTable struct {
	header []string
	rows   [][]string // at least one: the reports leave out tables without rows
	// sgr, when set, gives an ANSI colour for cell sgrCol of each row;
	// tablewriter measures cells without the escape codes.
	sgr      []string
	sgrCol   int
	maxWidth int // 0: no wrapping
}

// termTableConfig draws what the reports always drew: left-aligned cells,
// headers as given (tablewriter would upper-case and centre them), no
// wrapping or trimming of its own (wrapCell has done it), lines between
// header and body only.
var termTableConfig = tablewriter.Config{
	Header: tw.CellConfig{
		Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
	},
	Row: tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
	},
	Behavior: tw.Behavior{TrimSpace: tw.Off},
}

// A tablewriter.Table allocates a 10,240-entry cache map when created
// (about 390 KB, BENCHMARKS.md "Terminal tables"), whatever the table's
// size; a report draws up to seven tables and the fuzzers render thousands
// of reports. So tables are reused: each pooled table writes into its own
// buffer, Reset clears it between uses, and its cache is replaced by a
// one-entry one (the reports pass plain strings, never Stringers) so that
// Reset does not allocate the big map again.
var termTables = sync.Pool{New: func() any {
	p := &pooledTable{}
	p.table = tablewriter.NewTable(&p.buf, tablewriter.WithConfig(termTableConfig),
		tablewriter.WithStringerCacheCustom(twcache.NewLRU[reflect.Type, reflect.Value](1)))
	return p
}}

type pooledTable struct {
	buf   bytes.Buffer
	table *tablewriter.Table
}

func (t *termTable) render(w io.Writer) error {
	cols := len(t.header)
	for _, r := range t.rows {
		cols = max(cols, len(r))
	}
	p := termTables.Get().(*pooledTable)
	defer termTables.Put(p)
	p.table.Reset()
	p.buf.Reset()

	p.table.Header(t.cells(t.header, cols, ""))
	for i, r := range t.rows {
		var sgr string
		if i < len(t.sgr) {
			sgr = t.sgr[i]
		}
		if err := p.table.Append(t.cells(r, cols, sgr)); err != nil {
			return err
		}
	}
	if err := p.table.Render(); err != nil {
		return err
	}
	_, err := w.Write(p.buf.Bytes())
	return err
}

// cells is one row, cols wide, each cell wrapped and neutralised, cell
// sgrCol coloured line by line when sgr is set.
func (t *termTable) cells(row []string, cols int, sgr string) []string {
	out := make([]string, cols)
	for i := range cols {
		var text string
		if i < len(row) {
			text = row[i]
		}
		lines := wrapCell(text, t.maxWidth)
		for j, l := range lines {
			switch {
			case l == "" && len(lines) > 1:
				// tablewriter drops empty lines inside a cell; a space
				// keeps the line and pads to the same bytes.
				lines[j] = " "
			case l != "" && i == t.sgrCol && sgr != "":
				lines[j] = "\x1b[" + sgr + "m" + l + "\x1b[0m"
			}
		}
		out[i] = strings.Join(lines, "\n")
	}
	return out
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
