package policy

import (
	"html"
	"os"
	"strings"
	"testing"
)

// TestQuoteLines: each declaration's line is the line of the source file
// where its sentence starts; for HTML, the line in the HTML source.
func TestQuoteLines(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		name, format, src string
		quote             string // start of the quote
		line              int
	}{
		{"html second sentence of a wrapped paragraph", FormatHTML,
			"<html><body><main>\n<p>We are a shop.\nWe sell rugs and\nthrows. We use\ncookies on every page.</p>\n</main></body></html>",
			"We use cookies", 4},
		{"html sentence after an inline tag and an entity", FormatHTML,
			"<main>\n<p>Rugs &amp; throws are <b>our\ntrade</b>. <a href=x>Google\nAnalytics</a> counts visits.</p></main>",
			"Google Analytics counts visits.", 3},
		{"html text also in the dropped navigation", FormatHTML,
			"<body>\n<nav>We use cookies.</nav>\n<main>\n<h1>Policy</h1>\n\n<p>\n  We use cookies.\n</p></main></body>",
			"We use cookies.", 7},
		{"html heading then paragraph", FormatHTML,
			"<main><h2>Analytics\n</h2>\n\n<p>Hotjar records sessions.</p></main>",
			"Hotjar records", 4},
		{"html line break element", FormatHTML,
			"<main><p>First we count visits.<br>\nWe do not sell your data.</p></main>",
			"We do not sell", 2},
		{"html table row", FormatHTML,
			"<main><table>\n<tr><th>Cookie</th><th>Expiry</th></tr>\n<tr><td>_fbp\n</td><td>3 months, Meta Pixel advertising</td></tr>\n</table></main>",
			"_fbp, 3 months", 3},
		{"html CRLF line ends", FormatHTML,
			"<main>\r\n<p>Intro.</p>\r\n<p>We use\r\nweb beacons.</p>\r\n</main>",
			"We use web beacons.", 3},
		{"html pre drops its first newline", FormatHTML,
			"<main><pre>\nWe do not use cookies.</pre></main>",
			"We do not use cookies.", 2},
		{"html without main, after a long head", FormatHTML,
			"<!DOCTYPE html>\n<html>\n<head>\n<title>We use cookies</title>\n<style>p{}</style>\n</head>\n<body>\n<div>We use cookies here.</div>\n</body></html>",
			"We use cookies here.", 8},
		{"markdown wrapped paragraph", FormatMarkdown,
			"# Policy\n\nWe are a shop. We sell rugs and\nthrows. We use\ncookies.\n",
			"We use cookies.", 4},
		{"markdown list item", FormatMarkdown,
			"# Policy\n\n- Stripe takes payments.\n- We never use device\n  fingerprinting.\n",
			"We never use device fingerprinting.", 4},
		{"text mid-line sentence", FormatText,
			"Privacy\n\nWe sell nothing. We do not sell your data.\n",
			"We do not sell your data.", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := parseString(t, p, tt.src, tt.format)
			var got []string
			for _, d := range pol.Declarations {
				if strings.HasPrefix(d.Quote, tt.quote) {
					if d.Line != tt.line {
						t.Errorf("%s %q at line %d, want %d", d.Practice, d.Quote, d.Line, tt.line)
					}
					return
				}
				got = append(got, d.Quote)
			}
			t.Errorf("no declaration quoting %q; quotes: %q", tt.quote, got)
		})
	}
}

// TestHTMLQuoteLinesInSource: over whole pages, the line of every quote holds
// the quote's first word in the HTML source.
func TestHTMLQuoteLinesInSource(t *testing.T) {
	for _, path := range []string{"../../testdata/policies/heldout/hearthloom-retailer.html", "../../testdata/policy/consent.html"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pol, err := Default().Parse(path, src, "")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		if len(pol.Declarations) < 5 {
			t.Fatalf("%s: %d declarations", path, len(pol.Declarations))
		}
		for _, d := range pol.Declarations {
			first := strings.Fields(d.Quote)[0]
			first = strings.TrimRight(first, ",.:;")
			if d.Line < 1 || d.Line > len(lines) || !strings.Contains(html.UnescapeString(lines[d.Line-1]), first) {
				t.Errorf("%s: %q at line %d, which does not hold %q", path, d.Quote, d.Line, first)
			}
		}
	}
}
