package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/internal/textfmt"
)

// maxEmailHosts keeps a cell short: the rest of the hosts are counted.
const maxEmailHosts = 3

// maxEmailCell is the widest a cell line gets; longer file names and errors
// are cut (the JSON and the report's error list have them in full).
const maxEmailCell = 30

// EmailSummary is the marketer's one-screen answer, one row per email: the
// platform that built it (and the infrastructure that delivered it when
// that is another company), the open pixels, click-tracked links and CSS
// trackers (with the domains they sit on: registrable domains keep the
// columns narrow, the JSON has the hosts), the address leaks (encoding and
// domain; "3rd party" when it is not the sender's), and how many
// third-party hosts the email loads from. When any email was rendered, a
// column says what rendering loaded; when two copies were compared, one
// says which URL parts differ between them.
func EmailSummary(emails []detectors.Email) (header []string, rows [][]string) {
	header = []string{"EMAIL", "ESP", "OPEN PIXELS", "CLICK TRACKING", "CSS TRACKERS", "ADDRESS LEAKS", "3RD-PARTY HOSTS"}
	rendered := slices.ContainsFunc(emails, func(e detectors.Email) bool { return e.Render != nil })
	if rendered {
		header = append(header, "RENDERED")
	}
	compared := slices.ContainsFunc(emails, func(e detectors.Email) bool {
		return slices.ContainsFunc(e.Trackers, func(t detectors.EmailTracker) bool { return len(t.Differs) > 0 })
	})
	if compared {
		header = append(header, "DIFFERS PER RECIPIENT")
	}
	dir := commonDir(emails)
	for _, e := range emails {
		file, esp := shortFile(strings.TrimPrefix(e.File, dir)), espCell(e)
		switch {
		case e.Error != "" && len(e.Trackers) == 0 && e.ESP == "":
			esp = clipCell("error: "+e.Error, maxEmailCell-4) // the report lists errors in full
		case e.Error != "":
			file += " (incomplete)"
		}
		hosts := 0
		for _, tr := range e.Trackers {
			if tr.Kind == detectors.KindThirdPartyContent {
				hosts++
			}
		}
		row := []string{file, esp, kindCell(e, string(detectors.KindOpenPixel)), kindCell(e, string(detectors.KindClickTracking)),
			kindCell(e, string(detectors.KindCSSTracker)), leakCell(e), fmt.Sprint(hosts)}
		if rendered {
			row = append(row, renderCell(e))
		}
		if compared {
			row = append(row, differsCell(e))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// espCell names the platform, and the delivery infrastructure on a second
// line when another company delivered the message.
func espCell(e detectors.Email) string {
	esp := textfmt.OrDash(firstNonEmpty(e.ESPName, espKBName(e.ESP)))
	if e.Delivery != "" && e.Delivery != e.ESP {
		esp += "\nvia " + firstNonEmpty(e.DeliveryName, espKBName(e.Delivery))
	}
	return esp
}

// espKBName names an ESP id from the knowledge base, for reports saved
// before emails carried the names.
func espKBName(id string) string {
	if v := kb.Default().Vendor(id); v != nil && v.Name != "" {
		return v.Name
	}
	return id
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// kindCell is "N (host, host)" for one kind of tracker, "-" for none.
func kindCell(e detectors.Email, kind string) string {
	n := 0
	var hosts []string
	for _, tr := range e.Trackers {
		if string(tr.Kind) != kind {
			continue
		}
		n++
		if d := capture.Site(tr.Host); d != "" && !slices.Contains(hosts, d) {
			hosts = append(hosts, d)
		}
	}
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d (%s)", n, hostList(hosts))
}

// hostList joins hosts on one line when short, else one per line, so that
// a column is as wide as its longest domain rather than all of them.
func hostList(hosts []string) string {
	slices.Sort(hosts)
	more := ""
	if len(hosts) > maxEmailHosts {
		hosts, more = hosts[:maxEmailHosts], fmt.Sprintf(" +%d", len(hosts)-maxEmailHosts)
	}
	if s := strings.Join(hosts, ", ") + more; len(s) <= maxEmailCell-4 {
		return s
	}
	return strings.Join(hosts, ",\n") + more
}

// clipCell cuts s to n runes, ending in "…".
func clipCell(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// shortFile keeps the end of a long path: the file name matters most.
func shortFile(s string) string {
	r := []rune(s)
	if len(r) <= maxEmailCell {
		return s
	}
	return "…" + string(r[len(r)-maxEmailCell+1:])
}

// commonDir is the directory prefix ("dir/") all emails share when there
// are several, so that rows show names relative to the scanned directory
// (the report's target names it).
func commonDir(emails []detectors.Email) string {
	if len(emails) < 2 {
		return ""
	}
	prefix := emails[0].File
	for _, e := range emails[1:] {
		for !strings.HasPrefix(e.File, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if i := strings.LastIndexAny(prefix, "/\\"); i >= 0 {
		return prefix[:i+1]
	}
	return ""
}

// leakCell lists "encoding to host" once each, third parties marked.
func leakCell(e detectors.Email) string {
	var parts []string
	for _, tr := range e.Trackers {
		if tr.Kind != detectors.KindAddressLeak {
			continue
		}
		p := tr.LeakEncoding + " to " + capture.Site(tr.Host)
		if tr.ThirdParty {
			p += " (3rd party)"
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	slices.Sort(parts)
	if len(parts) > maxEmailHosts {
		return strings.Join(parts[:maxEmailHosts], "\n") + fmt.Sprintf("\n+%d more", len(parts)-maxEmailHosts)
	}
	return strings.Join(parts, "\n")
}

// renderCell says what rendering loaded: requests, cookies set (third
// party), and trackers only rendering found.
func renderCell(e detectors.Email) string {
	if e.Render == nil {
		return "-"
	}
	thirdParty := 0
	for _, c := range e.Render.Cookies {
		if c.ThirdParty {
			thirdParty++
		}
	}
	only := 0
	for _, tr := range e.Trackers {
		if tr.Rendered == detectors.RenderedOnly && tr.Kind != detectors.KindThirdPartyContent {
			only++
		}
	}
	return fmt.Sprintf("%d requests\n%d cookies, %d 3rd party\n%d only rendered",
		len(e.Render.Requests), len(e.Render.Cookies), thirdParty, only)
}

// writeTextTable draws a terminal table with tablewriter. Cells come from
// scanned emails, so control characters in them are neutralised first.
func writeTextTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone))
	t.Header(anyCells(header)...)
	for _, r := range rows {
		if err := t.Append(anyCells(r)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func anyCells(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		lines := strings.Split(v, "\n") // a cell's own line breaks stay
		for j, l := range lines {
			lines[j] = termText(l)
		}
		out[i] = strings.Join(lines, "\n")
	}
	return out
}

// emailTables writes the email section of the table report.
func (t *tableWriter) email() {
	r := t.r
	t.printf("trackscan email: %s (%d %s)\n", r.Target, len(r.Emails), textfmt.Plural(len(r.Emails), "email"))
	header, rows := EmailSummary(r.Emails)
	if t.err != nil || len(rows) == 0 {
		return
	}
	t.printf("\nEmails\n")
	if t.err == nil {
		t.err = writeTextTable(t.w, header, rows)
	}
}

// differsCell lists, per tracker that differs from the other copy, the
// part of its URL that differs and this copy's value ("pixel path/2=YW5u…
// (address, base64)"), cut after maxEmailHosts lines.
func differsCell(e detectors.Email) string {
	var lines []string
	for _, tr := range e.Trackers {
		for _, d := range tr.Differs {
			line := fmt.Sprintf("%s %s%s", trackerNoun(string(tr.Kind)), shortPart(d.Part), clipCell(d.Value, 17))
			if d.Address != "" {
				line += " (address, " + d.Address + ")"
			}
			if !slices.Contains(lines, line) {
				lines = append(lines, line)
			}
		}
	}
	if len(lines) == 0 {
		return "-"
	}
	if len(lines) > maxEmailHosts {
		return strings.Join(lines[:maxEmailHosts], "\n") + fmt.Sprintf("\n+%d more", len(lines)-maxEmailHosts)
	}
	return strings.Join(lines, "\n")
}

// trackerNoun is a short name for a tracker kind in a narrow cell.
func trackerNoun(kind string) string {
	switch kind {
	case string(detectors.KindOpenPixel):
		return "pixel"
	case string(detectors.KindClickTracking):
		return "link"
	case string(detectors.KindCSSTracker):
		return "css"
	case string(detectors.KindAddressLeak):
		return "leak"
	}
	return kind
}

// shortPart writes a URL part as it looks in a URL: "?e=", "path/2=",
// "host=", "#".
func shortPart(part string) string {
	switch {
	case strings.HasPrefix(part, "query parameter "):
		return "?" + strings.TrimPrefix(part, "query parameter ") + "="
	case strings.HasPrefix(part, "path segment "):
		return "path/" + strings.TrimPrefix(part, "path segment ") + "="
	case part == "fragment":
		return "#"
	}
	return part + "="
}

// differenceRows are the rows of the Markdown and HTML "what differs per
// recipient" tables: file, tracker kind, host, URL part, value, and how
// the value encodes the recipient's address.
func differenceRows(emails []detectors.Email) [][]string {
	var rows [][]string
	for _, e := range emails {
		for _, tr := range e.Trackers {
			for _, d := range tr.Differs {
				rows = append(rows, []string{e.File, string(tr.Kind), tr.Host, d.Part, d.Value, textfmt.OrDash(d.Address)})
			}
		}
	}
	return rows
}
