package audit

import (
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// Formats are the audit's output formats.
var Formats = []string{"json", "html", "csv", "markdown"}

// Render writes the audit in format (json, html, csv or markdown).
func Render(w io.Writer, a *Audit, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(a)
	case "csv":
		return writeCSV(w, a)
	case "markdown", "md":
		return writeMarkdown(w, a)
	case "html":
		return htmlTemplate.Execute(w, a)
	}
	return fmt.Errorf("unknown audit format %q (want %s)", format, strings.Join(Formats, ", "))
}

// csvHeader is the site table's columns: the CSV is one row per site, for
// a spreadsheet; vendors and rules are in the other formats.
var csvHeader = []string{"id", "url", "status", "cmp", "policy_found", "reject_scanned", "pages",
	"vendors_before_consent", "tracking_after_reject", "undisclosed_vendors",
	"critical", "high", "medium", "low", "info", "errors", "error", "report"}

func writeCSV(w io.Writer, a *Audit) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, s := range a.Sites {
		f := s.Findings
		rec := []string{s.ID, s.URL, s.Status, s.CMP, strconv.FormatBool(s.PolicyFound), strconv.FormatBool(s.RejectScanned),
			strconv.Itoa(s.Pages), strings.Join(s.VendorsBeforeConsent, " "), strings.Join(s.TrackingAfterReject, " "),
			strings.Join(s.Undisclosed, " "), strconv.Itoa(f.Critical), strconv.Itoa(f.High), strconv.Itoa(f.Medium),
			strconv.Itoa(f.Low), strconv.Itoa(f.Info), strconv.Itoa(s.Errors), s.Error, s.Report}
		for i, v := range rec {
			rec[i] = csvSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet: site
// ids and errors come from the targets file and from the sites themselves.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func writeMarkdown(w io.Writer, a *Audit) error {
	var b strings.Builder
	t := a.Totals
	fmt.Fprintf(&b, "# trackscan audit\n\n%d sites: %d complete, %d incomplete, %d failed. %d load tracking before consent, %d after reject. Findings: %d critical, %d high, %d medium, %d low, %d info.\n\n",
		t.Sites, t.Complete, t.Incomplete, t.Failed, t.TrackingBeforeConsent, t.TrackingAfterReject,
		t.Findings.Critical, t.Findings.High, t.Findings.Medium, t.Findings.Low, t.Findings.Info)
	for _, warn := range a.Warnings {
		fmt.Fprintf(&b, "> warning: %s\n", mdCell(warn))
	}
	if len(a.Warnings) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("## Sites\n\n| site | status | CMP | policy | before consent | after reject | undisclosed | crit | high | med | low | info | errors |\n|---|---|---|---|---|---|---|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range a.Sites {
		name := mdCell(s.ID)
		if s.Report != "" {
			name = "[" + name + "](" + s.Report + ")"
		}
		reject := strings.Join(s.TrackingAfterReject, ", ")
		if !s.RejectScanned {
			reject = "not scanned"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d |\n", name, s.Status, orDash(mdCell(s.CMP)),
			yesNo(s.PolicyFound), orDash(strings.Join(s.VendorsBeforeConsent, ", ")), orDash(reject), orDash(strings.Join(s.Undisclosed, ", ")),
			s.Findings.Critical, s.Findings.High, s.Findings.Medium, s.Findings.Low, s.Findings.Info, s.Errors)
	}
	b.WriteString("\n## Vendors across sites\n\n| vendor | category | sites | before consent | after reject | undisclosed |\n|---|---|--:|--:|--:|--:|\n")
	for _, v := range a.Vendors {
		fmt.Fprintf(&b, "| %s (%s) | %s | %d | %d | %d | %d |\n", mdCell(v.Name), v.ID, v.Category, v.Sites, v.BeforeConsent, v.AfterReject, v.Undisclosed)
	}
	b.WriteString("\n## Rules\n\n| rule | severity | findings | sites |\n|---|---|--:|--:|\n")
	for _, r := range a.Rules {
		fmt.Fprintf(&b, "| %s: %s | %s | %d | %d |\n", r.Rule, mdCell(r.Title), r.Severity, r.Findings, r.Sites)
	}
	b.WriteString("\n## Sites not scanned completely\n\n")
	if len(a.Failed) == 0 {
		b.WriteString("None.\n")
	} else {
		b.WriteString("| site | status | error |\n|---|---|---|\n")
		for _, f := range a.Failed {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(f.ID), f.Status, mdCell(f.Error))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

//go:embed audit.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("audit").Funcs(template.FuncMap{
	"join":  strings.Join,
	"yesno": yesNo,
}).Parse(htmlSource))
