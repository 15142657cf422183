package reports

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/rules"
)

// ColorMode says when the table format colours severities.
type ColorMode int

const (
	// ColorAuto colours only when writing to a terminal and NO_COLOR is unset.
	ColorAuto ColorMode = iota
	ColorNever
	ColorAlways
)

// Table writes human-readable tables grouped by what was observed.
type Table struct {
	Color ColorMode
}

// cellWidth is where long cells wrap, so a table stays readable in a
// terminal of ordinary width.
const cellWidth = 48

// Report implements Reporter.
func (t *Table) Report(w io.Writer, in *Report) error {
	r := normalized(in)
	tw := &tableWriter{w: w, r: r, color: t.useColor(w)}
	switch r.Kind {
	case KindEmail:
		tw.email()
	case KindPolicy:
		tw.policy()
	default:
		tw.site()
	}
	tw.findings()
	tw.errors()
	tw.notes()
	return tw.err
}

func (t *Table) useColor(w io.Writer) bool {
	switch t.Color {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// tableWriter keeps the first write error so the sections read linearly.
type tableWriter struct {
	w     io.Writer
	r     *Report
	color bool
	err   error
}

// printf writes a line; string arguments come from scanned sites and
// emails, so control characters in them are neutralised (see termText).
func (t *tableWriter) printf(format string, args ...any) {
	if t.err == nil {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = termText(s)
			}
		}
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// section writes a titled table; it writes nothing when rows is empty.
func (t *tableWriter) section(title string, header []string, rows [][]string) {
	t.box(title, &termTable{header: header, rows: rows})
}

func (t *tableWriter) box(title string, b *termTable) {
	if t.err != nil || len(b.rows) == 0 {
		return
	}
	t.printf("\n%s\n", title)
	if t.err == nil {
		b.maxWidth = cellWidth
		t.err = b.render(t.w)
	}
}

func (t *tableWriter) site() {
	r := t.r
	t.printf("trackscan %s: %s\n", r.Kind, r.TargetLine())
	t.printf("pages: %s", pagesPerPhase(r.Pages))
	if b := r.Browser; b != nil {
		t.printf("; third-party cookies: %s", textfmt.OrDash(b.ThirdPartyCookies))
		if b.Version != "" {
			t.printf("; browser: %s", b.Version)
		}
		if b.GPC {
			t.printf("; GPC sent")
		}
	}
	t.printf("\n")
	if sites := rejectNotPossible(r); len(sites) > 0 {
		t.printf("reject not possible: %s (after-reject pages show the site without a choice)\n", strings.Join(sites, "; "))
	}

	var rows [][]string
	last := ""
	for _, v := range r.Vendors {
		cat := string(v.Category)
		shown := cat
		if cat == last {
			shown = "" // grouped: the category is named once
		}
		last = cat
		name := v.Name
		if v.Owner != "" && v.Owner != v.Name {
			name += " (" + v.Owner + ")"
		}
		rows = append(rows, []string{shown, name, phaseLines(v.Phases), strings.Join(v.Hosts, "\n"), textfmt.OrDash(string(v.Disclosure))})
		if anyLoadedBy(r.Vendors) {
			rows[len(rows)-1] = append(rows[len(rows)-1], loadedByCell(v))
		}
	}
	vendorHeads := []string{"CATEGORY", "VENDOR", "PHASES", "HOSTS", "DISCLOSURE"}
	if anyLoadedBy(r.Vendors) {
		vendorHeads = append(vendorHeads, "LOADED BY")
	}
	t.section("Vendors", vendorHeads, rows)

	rows = nil
	for _, c := range r.Cookies {
		rows = append(rows, []string{c.Name, c.Domain, party(c.FirstParty), textfmt.OrDash(vendorName(r, c.Vendor)),
			string(c.Category), phaseLines(c.Phases), lifetime(c.ExpiresDays), cookieState(c)})
	}
	t.section("Cookies", []string{"NAME", "DOMAIN", "PARTY", "VENDOR", "CATEGORY", "PHASES", "LIFETIME", "STATE"}, rows)

	rows = nil
	for _, s := range r.Storage {
		rows = append(rows, []string{s.Origin, s.Kind, s.Label(), textfmt.OrDash(vendorName(r, s.Vendor)), string(s.Category), phaseLines(s.Phases)})
	}
	t.section("Storage", []string{"ORIGIN", "KIND", "KEY", "VENDOR", "CATEGORY", "PHASES"}, rows)
}

func (t *tableWriter) policy() {
	r := t.r
	t.printf("trackscan policy: %s\n", r.Target)
	if r.Policy == nil {
		return
	}
	t.printf("source: %s%s; %d %s\n", r.Policy.Source, policyHash(r.Policy), len(r.Policy.Declarations), textfmt.Plural(len(r.Policy.Declarations), "declaration"))
	var rows [][]string
	for _, d := range r.Policy.Declarations {
		line := "-"
		if d.Line > 0 {
			line = fmt.Sprint(d.Line)
		}
		rows = append(rows, []string{string(d.Practice), string(d.Polarity), textfmt.OrDash(d.Vendor), line, oneLineText(d.Quote)})
	}
	t.section("Declarations", []string{"PRACTICE", "POLARITY", "VENDOR", "LINE", "QUOTE"}, rows)

	rows = nil
	for _, c := range r.Policy.Cookies {
		rows = append(rows, []string{c.Name, textfmt.OrDash(c.Category), declaredDays(c.Days)})
	}
	t.section("Declared cookies", []string{"NAME", "CATEGORY", "LIFETIME"}, rows)
}

// phaseLines puts one phase per line to keep the columns narrow.
// phaseLines names the phases on one short line ("pre · reject · accept"),
// so that a row stays one line and what only appears after accept stands out.
func phaseLines(ps []capture.Phase) string {
	if len(ps) == 0 {
		return "-"
	}
	short := make([]string, len(ps))
	for i, p := range ps {
		switch p {
		case capture.PreConsent:
			short[i] = "pre"
		case capture.AfterReject:
			short[i] = "reject"
		case capture.AfterAccept:
			short[i] = "accept"
		default:
			short[i] = string(p)
		}
	}
	return strings.Join(short, " · ")
}

// shortTarget drops the scheme and host of a finding's page when they are
// the scanned site's own, since the summary line already names it.
func shortTarget(site, target string) string {
	s, err1 := url.Parse(site)
	u, err2 := url.Parse(target)
	if err1 != nil || err2 != nil || s.Host == "" || s.Scheme != u.Scheme || s.Host != u.Host {
		return target
	}
	return u.RequestURI()
}

// declaredDays renders a policy's declared lifetime, where 0 means unknown.
func declaredDays(d float64) string {
	if d == 0 {
		return "not stated"
	}
	return lifetime(d)
}

// findings writes one row per group of findings that differ only by page
// or subject, then the evidence of each row and, once each, the policy
// sentences the rows relied on.
func (t *tableWriter) findings() {
	r := t.r
	groups := groupFindings(r.Findings)
	quoteIDs, quotes := quoteIndex(groups)
	where := "PAGES"
	if r.Kind != KindSite {
		where = "FILES"
	}
	b := &termTable{header: []string{"#", "SEVERITY", "RULE", "VENDOR", "PHASE", "DISCLOSURE", where, "POLICY"}, sgrCol: 1}
	b.rows = findingRows(r, groups, quoteIDs)
	if t.color {
		for _, g := range groups {
			b.sgr = append(b.sgr, severityColors[g.First.Severity])
		}
	}
	t.box("Findings", b)
	if len(groups) > 0 {
		t.printf("\nEvidence\n")
		for i, g := range groups {
			ev := someOf(g.Evidence, 3)
			if len(ev) == 0 {
				ev = []string{"-"}
			}
			t.printf("%3d  %s: %s\n", i+1, g.First.Title, ev[0])
			for _, e := range ev[1:] {
				t.printf("     %s\n", e)
			}
		}
	}
	if len(quotes) > 0 {
		t.printf("\nPolicy sentences relied on\n")
		for i, q := range quotes {
			t.printf("%3s  \u201c%s\u201d\n", fmt.Sprintf("[%d]", i+1), q)
		}
	}
	t.printf("\n%s\n", countLine(r.Findings, r.Suppressed))
	if ts := scanTimes(r); ts != "" {
		t.printf("%s\n", ts)
	}
}

func (t *tableWriter) errors() {
	if len(t.r.Errors) == 0 {
		return
	}
	t.printf("\n%d %s:\n", len(t.r.Errors), textfmt.Plural(len(t.r.Errors), "error"))
	for _, e := range t.r.Errors {
		t.printf("  %s\n", oneLineText(e))
	}
}

func (t *tableWriter) notes() {
	if len(t.r.Notes) == 0 {
		return
	}
	t.printf("\nNotes:\n")
	for _, n := range t.r.Notes {
		t.printf("  %s\n", oneLineText(n))
	}
}

// severityColors are ANSI SGR codes; only the severity word is coloured so
// the table stays legible when colour is off.
var severityColors = map[rules.Severity]string{
	rules.Critical: "1;35",
	rules.High:     "1;31",
	rules.Medium:   "33",
	rules.Low:      "36",
	rules.Info:     "2",
}
