package policy

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{
		"We use cookies. We do not sell data!",
		"Acme, Inc. (based in the U.S.) uses e.g. pixels, etc. We never sell. See https://x.com/a.b. Done",
		"Version 2.5... ok? “Quoted.” (Paren.) No. 4",
		"", " ", ".", "...", "a.b.c. D", "\xff\xfe. A",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := splitSpans(s)
		prev := 0
		for _, sp := range spans {
			if sp.start < prev || sp.end <= sp.start || sp.end > len(s) {
				t.Fatalf("bad span %+v after %d in %q", sp, prev, s)
			}
			if strings.TrimSpace(s[sp.start:sp.end]) != s[sp.start:sp.end] {
				t.Fatalf("sentence %q is not trimmed", s[sp.start:sp.end])
			}
			prev = sp.end
		}
		// Nothing but space is lost between sentences.
		var b strings.Builder
		for _, sp := range spans {
			b.WriteString(s[sp.start:sp.end])
		}
		if strings.Join(strings.Fields(b.String()), "") != strings.Join(strings.Fields(s), "") && utf8.ValidString(s) {
			t.Fatalf("text lost: %q -> %q", s, SplitSentences(s))
		}
	})
}

func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{
		"<html><body><main><h1>Cookies</h1><p>We do not use cookies, except necessary ones.</p></main></body></html>",
		"<table><tr><th>Cookie</th><th>Expiry</th></tr><tr><td>_ga</td><td>2 years</td></tr></table>",
		"<nav>x</nav><p>We use <b>Google Analytics</b>.<br>Second</p><script>alert(1)</script>",
		"<p>unclosed <div><table><tr><td>", "", "<<<>>>", "<h2></h2><p>.</p>",
	} {
		f.Add([]byte(s))
	}
	p := testParser(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		pol, err := p.Parse("fuzz.html", b, FormatHTML)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		lines := 1 + strings.Count(string(b), "\n")
		for _, d := range pol.Declarations {
			if d.Quote == "" || d.Polarity != Affirmed && d.Polarity != Denied {
				t.Fatalf("bad declaration %+v", d)
			}
			if d.Line < 0 || d.Line > lines {
				t.Fatalf("line %d outside the %d lines of the source: %+v", d.Line, lines, d)
			}
		}
	})
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"# Title\n\nWe do not sell or rent your data; we use cookies.\n* _ga, 2 years\n| Cookie | Expiry |\n|--|--|\n| _ga | 13 months |\n",
		"Heading\nWe may, from time to time, use web beacons (clear gifs).\n", "**a**_b_ [x](y) \\. 1\\.",
		"The _ga cookie from Google Analytics expires after 2 years. We use the _gid cookie (24 hours).\n",
		"We don't share it for cross-context behavioral advertising.\n",
	} {
		f.Add(s)
	}
	p := testParser(f)
	f.Fuzz(func(t *testing.T, s string) {
		pol, err := p.Parse("fuzz.md", []byte(s), FormatMarkdown)
		if err != nil {
			// Only binary content (a NUL byte) is refused.
			if !errors.Is(err, ErrUnreadable) || !strings.ContainsRune(s, 0) {
				t.Fatalf("text refused: %v", err)
			}
			return
		}
		for _, d := range pol.Declarations {
			if d.Line < 1 {
				t.Fatalf("declaration without a line: %+v", d)
			}
		}
	})
}

func FuzzParseStructured(f *testing.F) {
	for _, s := range []string{
		"version: 1\nvendors: [hotjar]\nallowed:\n  pre-consent: [essential]\ncookies:\n  - {name: _ga, category: analytics, lifetime: 13 months}\n",
		"email_tracking:\n  open_tracking: true\n  esps: [mailchimp]\n", "vendors: hotjar\n", "cookies:\n\t- x\n", "- a\n- b\n",
		"version: 1\n---\nversion: 1\n", "allowed: {after-accept: [analytics]}\ncookies: [{name: x, days: -1}]\n",
	} {
		f.Add([]byte(s))
	}
	p := testParser(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		pol, err := p.Parse("fuzz.yml", b, FormatYAML)
		if err != nil {
			if !errors.Is(err, ErrUnreadable) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one ErrUnreadable line: %q", err)
			}
			return
		}
		if pol.Structured == nil {
			t.Fatalf("no structured file for %q", b)
		}
		for _, d := range pol.Declarations {
			if d.Polarity != Affirmed && d.Polarity != Denied {
				t.Fatalf("bad declaration %+v", d)
			}
		}
	})
}
