package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/trackscan/trackscan/detectors"
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
	m.printf("## trackscan %s: %s\n\n", r.Kind, mdCell(r.Target))
	m.printf("%s\n", m.headline(r))

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
		fmt.Fprintf(&b, " · %d %s", len(r.Emails), plural(len(r.Emails), "email"))
	case KindPolicy:
		fmt.Fprintf(&b, " · %d %s", len(declarationsOf(r)), plural(len(declarationsOf(r)), "declaration"))
	default:
		fmt.Fprintf(&b, " · %d %s (%s) · %d %s · %d %s", len(r.Pages), plural(len(r.Pages), "page"), pagesPerPhase(r.Pages),
			len(r.Vendors), plural(len(r.Vendors), "vendor"), len(r.Cookies), plural(len(r.Cookies), "cookie"))
	}
	if r.Suppressed > 0 {
		fmt.Fprintf(&b, " · %d suppressed by baseline or ignore file", r.Suppressed)
	}
	return b.String()
}

// table writes a Markdown table; cells are escaped by the caller's rows.
func (m *mdWriter) table(header []string, rows [][]string) {
	if m.err != nil {
		return
	}
	m.printf("\n")
	tb := tablewriter.NewTable(m.w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	)
	tb.Header(toAny(header)...)
	for _, row := range rows {
		esc := make([]string, len(row))
		for i, c := range row {
			esc[i] = mdCell(c)
		}
		if err := tb.Append(toAny(esc)...); err != nil {
			m.err = err
			return
		}
	}
	if err := tb.Render(); err != nil && m.err == nil {
		m.err = err
	}
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

func (m *mdWriter) findings(r *Report) {
	if len(r.Findings) == 0 {
		return
	}
	m.printf("\n### Findings\n")
	var rows [][]string
	for _, f := range r.Findings {
		rows = append(rows, []string{mdSeverity(f.Severity), f.Rule, f.Title, orDash(f.Phase), orDash(vendorName(r, f.Vendor)),
			orDash(f.Disclosure), f.Target})
	}
	m.table([]string{"Severity", "Rule", "Title", "Phase", "Vendor", "Disclosure", "Target"}, rows)
	m.details("Evidence and policy quotes", true, func() {
		m.printf("\n")
		for _, f := range r.Findings {
			m.printf("- **%s** `%s` %s: %s\n", f.Severity, f.Rule, mdCell(f.Target), mdCell(oneLineText(f.Evidence)))
			if f.PolicyQuote != "" {
				m.printf("  > %s\n", mdCell(oneLineText(f.PolicyQuote)))
			} else if f.Disclosure != "" {
				m.printf("  > _no policy sentence matched_\n")
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
		rows = append(rows, []string{string(v.Category), v.Name, orDash(v.Owner), phaseList(v.Phases),
			strings.Join(v.Hosts, ", "), orDash(v.Disclosure)})
	}
	m.table([]string{"Category", "Vendor", "Owner", "Phases", "Hosts", "Disclosure"}, rows)
}

func (m *mdWriter) cookies(r *Report) {
	var rows [][]string
	for _, c := range r.Cookies {
		rows = append(rows, []string{c.Name, c.Domain, party(c.FirstParty), orDash(vendorName(r, c.Vendor)), string(c.Category),
			phaseList(c.Phases), lifetime(c.ExpiresDays), cookieState(c)})
	}
	m.table([]string{"Name", "Domain", "Party", "Vendor", "Category", "Phases", "Lifetime", "State"}, rows)
}

func (m *mdWriter) storage(r *Report) {
	var rows [][]string
	for _, s := range r.Storage {
		rows = append(rows, []string{s.Origin, s.Kind, s.Key, orDash(vendorName(r, s.Vendor)), string(s.Category), phaseList(s.Phases)})
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
		esp := orDash(vendorName(r, e.ESP))
		if e.Error != "" {
			esp = "error: " + e.Error
		}
		rows = append(rows, []string{e.File, esp, trackerSummary(e, detectors.KindOpenPixel),
			trackerSummary(e, detectors.KindClickTracking), leakSummary(e)})
	}
	m.table([]string{"File", "ESP", "Open pixels", "Click tracking", "Address leaks"}, rows)
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
		rows = append(rows, []string{d.Practice, d.Polarity, orDash(d.Vendor), oneLineText(d.Quote)})
	}
	m.table([]string{"Practice", "Polarity", "Vendor", "Quote"}, rows)
}

// mdCell escapes text for a Markdown table cell or inline text: pipes end
// cells, angle brackets would be read as HTML, newlines end the row.
var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\r\n", "<br>", "\n", "<br>", "`", "'")

func mdCell(s string) string { return mdEscaper.Replace(s) }
