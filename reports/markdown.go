package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/rules"
)

// Markdown writes a GitHub-flavoured summary for a pull request comment or
// a CI step summary: headline counts, the findings and vendors, and the
// rest folded into <details> blocks.
type Markdown struct{}

// Report implements Reporter.
func (Markdown) Report(w io.Writer, in *Report) error {
	r := normalized(in)
	m := &mdWriter{w: w}
	m.printf("## trackscan %s: %s\n\n", r.Kind, mdCell(r.TargetLine()))
	m.printf("%s\n", m.headline(r))
	if t := scanTimes(r); t != "" {
		m.printf("\n%s\n", t)
	}
	if p := r.Policy; p != nil && p.Source != "" {
		m.printf("\nPolicy: %s%s\n", mdCell(p.Source), policyHash(p))
	}

	m.findings(r)
	switch r.Kind {
	case KindEmail:
		m.emails(r)
	case KindPolicy:
		m.declarations(r, false)
	default:
		m.vendors(r)
		m.details(fmt.Sprintf("Cookies (%d)", len(r.Cookies)), len(r.Cookies) > 0, func() { m.cookies(r) })
		m.details(fmt.Sprintf("Storage (%d)", len(r.Storage)), len(r.Storage) > 0, func() { m.storage(r) })
		m.details(fmt.Sprintf("Pages (%d)", len(r.Pages)), len(r.Pages) > 0, func() { m.pages(r) })
		m.details("Policy declarations", len(declarationsOf(r)) > 0, func() { m.declarations(r, true) })
		m.details("Browser", r.Browser != nil, func() { m.browser(r) })
	}
	m.details(fmt.Sprintf("Errors (%d)", len(r.Errors)), len(r.Errors) > 0, func() {
		for _, e := range r.Errors {
			m.printf("- %s\n", mdCell(e))
		}
	})
	return m.err
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

// headline is the one line a reviewer reads first.
func (m *mdWriter) headline(r *Report) string {
	var b strings.Builder
	b.WriteString("**" + countLine(r.Findings, 0) + "**")
	switch r.Kind {
	case KindEmail:
		fmt.Fprintf(&b, " · %d %s", len(r.Emails), textfmt.Plural(len(r.Emails), "email"))
	case KindPolicy:
		fmt.Fprintf(&b, " · %d %s", len(declarationsOf(r)), textfmt.Plural(len(declarationsOf(r)), "declaration"))
	default:
		fmt.Fprintf(&b, " · %d %s (%s) · %d %s · %d %s", len(r.Pages), textfmt.Plural(len(r.Pages), "page"), pagesPerPhase(r.Pages),
			len(r.Vendors), textfmt.Plural(len(r.Vendors), "vendor"), len(r.Cookies), textfmt.Plural(len(r.Cookies), "cookie"))
	}
	if r.Suppressed > 0 {
		fmt.Fprintf(&b, " · %d suppressed by baseline or ignore file", r.Suppressed)
	}
	return b.String()
}

// table writes a GitHub pipe table, columns padded so the raw text reads
// as a table too. Cells are escaped here.
func (m *mdWriter) table(header []string, rows [][]string) {
	if m.err != nil {
		return
	}
	widths := make([]int, len(header))
	cells := make([][]string, 0, len(rows)+1)
	for _, row := range append([][]string{header}, rows...) {
		esc := make([]string, len(header))
		for i := range header {
			if i < len(row) {
				esc[i] = mdCell(row[i])
			}
			widths[i] = max(widths[i], 3, runewidth.StringWidth(esc[i]))
		}
		cells = append(cells, esc)
	}
	var b strings.Builder
	b.WriteString("\n")
	writeRow := func(row []string) {
		b.WriteString("|")
		for i, c := range row {
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)) + " |")
		}
		b.WriteString("\n")
	}
	writeRow(cells[0])
	b.WriteString("|")
	for _, w := range widths {
		b.WriteString(strings.Repeat("-", w+2) + "|")
	}
	b.WriteString("\n")
	for _, row := range cells[1:] {
		writeRow(row)
	}
	m.printf("%s", b.String())
}

// details folds a section away unless a reviewer opens it.
func (m *mdWriter) details(summary string, show bool, body func()) {
	if !show {
		return
	}
	m.printf("\n<details><summary>%s</summary>\n", mdCell(summary))
	body()
	m.printf("\n</details>\n")
}

// findings writes one row per group of findings that differ only by page
// or subject, then (folded) the evidence of each row and the policy
// sentences they relied on, each sentence once.
func (m *mdWriter) findings(r *Report) {
	if len(r.Findings) == 0 {
		return
	}
	m.printf("\n### Findings\n")
	groups := groupFindings(r.Findings)
	quoteIDs, quotes := quoteIndex(groups)
	rows := findingRows(r, groups, quoteIDs)
	for i := range rows {
		rows[i][1] = mdSeverity(groups[i].First.Severity)
	}
	where := "Pages"
	if r.Kind != KindSite {
		where = "Files"
	}
	m.table([]string{"#", "Severity", "Rule", "Vendor", "Phase", "Disclosure", where, "Policy"}, rows)
	m.details("Evidence and policy sentences", true, func() {
		m.printf("\n")
		for i, g := range groups {
			m.printf("%d. **%s**: %s\n", i+1, mdCell(g.First.Title), mdCell(textfmt.OrDash(strings.Join(someOf(g.Evidence, 3), "; "))))
		}
		if len(quotes) > 0 {
			m.printf("\nPolicy sentences relied on:\n\n")
			for i, q := range quotes {
				m.printf("- [%d] \u201c%s\u201d\n", i+1, mdCell(q))
			}
		}
	})
}

func mdSeverity(s rules.Severity) string {
	if s.Rank() >= rules.High.Rank() {
		return "**" + string(s) + "**"
	}
	return string(s)
}

func (m *mdWriter) vendors(r *Report) {
	if len(r.Vendors) == 0 {
		return
	}
	m.printf("\n### Vendors\n")
	var rows [][]string
	for _, v := range r.Vendors {
		rows = append(rows, []string{string(v.Category), v.Name, textfmt.OrDash(v.Owner), phaseList(v.Phases),
			strings.Join(v.Hosts, ", "), textfmt.OrDash(v.Disclosure)})
	}
	m.table([]string{"Category", "Vendor", "Owner", "Phases", "Hosts", "Disclosure"}, rows)
}

func (m *mdWriter) cookies(r *Report) {
	var rows [][]string
	for _, c := range r.Cookies {
		rows = append(rows, []string{c.Name, c.Domain, party(c.FirstParty), textfmt.OrDash(vendorName(r, c.Vendor)), string(c.Category),
			phaseList(c.Phases), lifetime(c.ExpiresDays), cookieState(c)})
	}
	m.table([]string{"Name", "Domain", "Party", "Vendor", "Category", "Phases", "Lifetime", "State"}, rows)
}

func (m *mdWriter) storage(r *Report) {
	var rows [][]string
	for _, s := range r.Storage {
		rows = append(rows, []string{s.Origin, s.Kind, s.Label(), textfmt.OrDash(vendorName(r, s.Vendor)), string(s.Category), phaseList(s.Phases)})
	}
	m.table([]string{"Origin", "Kind", "Key", "Vendor", "Category", "Phases"}, rows)
}

func (m *mdWriter) pages(r *Report) {
	var rows [][]string
	for _, p := range r.Pages {
		rows = append(rows, []string{string(p.Phase), p.URL, statusText(p), consentText(p), fmt.Sprint(p.Requests)})
	}
	m.table([]string{"Phase", "URL", "Status", "Consent", "Requests"}, rows)
}

func (m *mdWriter) browser(r *Report) {
	var rows [][]string
	for _, kv := range browserFacts(r) {
		rows = append(rows, []string{kv[0], kv[1]})
	}
	m.table([]string{"Browser", "Value"}, rows)
}

func (m *mdWriter) emails(r *Report) {
	if len(r.Emails) == 0 {
		return
	}
	m.printf("\n### Emails\n")
	var rows [][]string
	for _, e := range r.Emails {
		esp := strings.ReplaceAll(espCell(e), "\n", " ")
		if e.Error != "" {
			esp = "error: " + e.Error
		}
		rows = append(rows, []string{e.File, esp, trackerSummary(e, detectors.KindOpenPixel),
			trackerSummary(e, detectors.KindClickTracking), leakSummary(e)})
	}
	m.table([]string{"File", "ESP", "Open pixels", "Click tracking", "Address leaks"}, rows)
	if diff := differenceRows(r.Emails); len(diff) > 0 {
		m.printf("\n### What differs per recipient\n")
		m.table([]string{"File", "Tracker", "Host", "URL part", "Value", "Encodes the address"}, diff)
	}
}

func (m *mdWriter) declarations(r *Report, folded bool) {
	decls := declarationsOf(r)
	if len(decls) == 0 {
		return
	}
	if !folded {
		m.printf("\n### Declarations (%s)\n", mdCell(r.Policy.Source))
	}
	var rows [][]string
	for _, d := range decls {
		rows = append(rows, []string{string(d.Practice), string(d.Polarity), textfmt.OrDash(d.Vendor), oneLineText(d.Quote)})
	}
	m.table([]string{"Practice", "Polarity", "Vendor", "Quote"}, rows)
}

// mdCell escapes text for a Markdown table cell or inline text: pipes end
// cells, angle brackets would be read as HTML, newlines end the row.
var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\r\n", "<br>", "\n", "<br>", "`", "'")

func mdCell(s string) string { return mdEscaper.Replace(s) }
