package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// FuzzRender renders reports built from fuzzed text in every format: no
// error, Markdown rows keep their cell count, the table lets no control
// character through to the terminal, and the HTML stays inert.
func FuzzRender(f *testing.F) {
	f.Add(uint8(0), "https://a.example/", "Google Analytics", "seen pre-consent; cookies _ga", "We use <b>cookies</b> | ads.",
		"https://a.example/x?q=1", "_ga", 730.0, "high", "pre-consent")
	f.Add(uint8(1), "campaign/", "Mailchimp", "open pixel\n on\tlist-manage.com", "", "campaign/a.eml", "", -1.0, "bogus", "")
	f.Add(uint8(2), "privacy.md", "", "`x`\r\n", "We never sell data.", "", "sid", 0.5, "info", "after-reject")
	f.Add(uint8(3), "https://b.example/", "\x1b[31mred", "日本語の文字が長い説明", "q", "https://b.example/", "c", 1e308, "critical", "after-accept")
	f.Fuzz(func(t *testing.T, kind uint8, target, vendor, evidence, quote, page, cookie string, days float64, sev, phase string) {
		rep := fuzzReport(kind, target, vendor, evidence, quote, page, cookie, days, sev, phase)
		for _, format := range Formats() {
			var buf bytes.Buffer
			if err := testReporter(t, format).Report(&buf, rep); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := buf.String()
			switch format {
			case "table":
				if i := strings.IndexFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }); i >= 0 {
					t.Fatalf("table writes control character %q", out[i])
				}
			case "markdown":
				checkMarkdownRows(t, out)
			case "html":
				if low := strings.ToLower(out); strings.Contains(low, "<script") || strings.Contains(low, "javascript:") {
					t.Fatalf("html is not inert:\n%s", out)
				}
			}
		}
	})
}

// fuzzReport puts the fuzzed text into every field the formats print.
func fuzzReport(kind uint8, target, vendor, evidence, quote, page, cookie string, days float64, sev, phase string) *Report {
	ph := capture.Phase(phase)
	rep := &Report{Kind: []Kind{KindSite, KindEmail, KindPolicy}[kind%3], Target: target, Errors: []string{evidence}}
	rep.Pages = []Page{{URL: page, Phase: ph, Error: evidence, Screenshot: cookie,
		Consent: &capture.Consent{BannerFound: true, CMP: vendor, Action: "reject", Clicked: true, Note: evidence}}}
	rep.Vendors = []detectors.Vendor{{ID: "v", Name: vendor, Owner: quote, Category: kb.Category(phase), Phases: []capture.Phase{ph}, Hosts: []string{page}}}
	rep.Cookies = []detectors.Cookie{{Name: cookie, Domain: page, Vendor: "v", Category: kb.Analytics, Phases: []capture.Phase{ph}, ExpiresDays: days, Blocked: []string{evidence}}}
	rep.Storage = []detectors.Storage{{Origin: page, Kind: "localStorage", Key: cookie, Vendor: "v", Phases: []capture.Phase{ph}}}
	rep.Emails = []detectors.Email{{File: page, ESP: vendor, Error: evidence, Trackers: []detectors.EmailTracker{
		{Kind: detectors.KindOpenPixel, Host: cookie, URL: evidence, LeakEncoding: quote}}}}
	rep.Policy = &policy.Policy{Source: target, Declarations: []policy.Declaration{{Practice: policy.Practice(phase), Polarity: policy.Affirmed, Vendor: vendor, Quote: quote}},
		Cookies: []policy.DeclaredCookie{{Name: cookie, Days: days, Quote: quote}}}
	for i, tg := range []string{page, target, page} {
		rep.Findings = append(rep.Findings, rules.Finding{Rule: vendor, Title: quote, Severity: rules.Severity(sev), Vendor: "v", Phase: capture.Phase(phase),
			Disclosure: detectors.Disclosure(phase), Target: tg, Evidence: evidence, PolicyQuote: quote, Subject: cookie, Fingerprint: string(rune('a' + i))})
	}
	return rep
}

// checkMarkdownRows fails when a table row has more or fewer cells than its
// header, which is how an unescaped pipe or newline shows.
func checkMarkdownRows(t *testing.T, out string) {
	t.Helper()
	cols := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cols < 0 {
			cols = n
		} else if n != cols {
			t.Fatalf("markdown row %q has %d separators, the header %d", line, n, cols)
		}
	}
}
