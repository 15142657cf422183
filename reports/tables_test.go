package reports

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
)

// renderByHand is the renderer the reports used before tablewriter
// (reports/textable.go until this change), kept here only so that
// TestTermTableMatchesHandDrawn and BenchmarkTermTable can compare the two.
func (b *termTable) renderByHand(w io.Writer) error {
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

// tableCases are tables as the reports draw them: multi-line and wrapped
// cells, a word longer than a line, wide runes, control characters, ragged
// rows, and a coloured column.
func tableCases() []termTable {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"google-analytics.com", "Hotjar", "pre-consent", "\u6f22\u5b57\u6f22\u5b57", "a", "\x1b[2J", "tab\there",
		"https://www.example.com/a/very/long/path/that/does/not/fit/in/one/line/at/all", "named", "-", ""}
	var cases []termTable
	for n := range 40 {
		cols := 1 + r.IntN(8)
		t := termTable{maxWidth: []int{0, 10, 48}[n%3], sgrCol: r.IntN(cols)}
		for range cols {
			t.header = append(t.header, strings.ToUpper(words[r.IntN(4)]))
		}
		for range 1 + r.IntN(12) { // the reports never draw a table without rows
			row := make([]string, 1+r.IntN(cols))
			for c := range row {
				var parts []string
				for range r.IntN(4) {
					parts = append(parts, words[r.IntN(len(words))])
				}
				row[c] = strings.Join(parts, []string{" ", "\n"}[r.IntN(2)])
			}
			t.rows = append(t.rows, row)
			if n%2 == 1 {
				t.sgr = append(t.sgr, []string{"1;31", "", "33"}[r.IntN(3)])
			}
		}
		cases = append(cases, t)
	}
	return cases
}

// TestTermTableMatchesHandDrawn: moving to tablewriter changed no byte of
// any table.
func TestTermTableMatchesHandDrawn(t *testing.T) {
	for i, tc := range tableCases() {
		var got, want bytes.Buffer
		if err := tc.render(&got); err != nil {
			t.Fatal(err)
		}
		if err := tc.renderByHand(&want); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("case %d differs:\ntablewriter:\n%s\nby hand:\n%s", i, got.String(), want.String())
		}
	}
}

// BenchmarkTermTable draws the Findings table of a 500-finding report (the
// biggest terminal table the reports draw) and the Vendors table of the
// demo-sized fixture three ways: tablewriter as termTable uses it (pooled),
// tablewriter created per table (the library's documented use), and the
// renderer it replaced.
func BenchmarkTermTable(b *testing.B) {
	big := bigReport(b, 500)
	groups := groupFindings(normalized(big).Findings)
	ids, _ := quoteIndex(groups)
	findings := termTable{header: []string{"#", "SEVERITY", "RULE", "VENDOR", "PHASE", "DISCLOSURE", "PAGES", "POLICY"},
		rows: findingRows(big, groups, ids), sgrCol: 1, maxWidth: cellWidth}
	small := loadFixture(b, "site")
	vendors := termTable{header: []string{"CATEGORY", "VENDOR", "PHASES", "HOSTS", "DISCLOSURE"}, maxWidth: cellWidth}
	for _, v := range small.Vendors {
		vendors.rows = append(vendors.rows, []string{string(v.Category), v.Name, phaseLines(v.Phases), strings.Join(v.Hosts, "\n"), string(v.Disclosure)})
	}
	for _, tc := range []struct {
		name  string
		table termTable
	}{{"findings-500", findings}, {"vendors-fixture", vendors}} {
		b.Run(tc.name+"/tablewriter-pooled", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tc.table.render(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/tablewriter-new-per-table", func(b *testing.B) {
			cols := len(tc.table.header)
			b.ReportAllocs()
			for b.Loop() {
				t := tablewriter.NewTable(io.Discard, tablewriter.WithConfig(termTableConfig))
				t.Header(tc.table.cells(tc.table.header, cols, ""))
				for _, r := range tc.table.rows {
					if err := t.Append(tc.table.cells(r, cols, "")); err != nil {
						b.Fatal(err)
					}
				}
				if err := t.Render(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/by-hand", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tc.table.renderByHand(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
