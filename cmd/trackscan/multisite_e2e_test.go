package main_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// ruleSet is the rule and vendor of every finding whose page is on site.
func ruleSet(r *reports.Report, site string) []string {
	var out []string
	for _, f := range r.Findings {
		if capture.SiteOfURL(f.Target) == site {
			out = append(out, f.Rule+" "+f.Vendor)
		}
	}
	slices.Sort(out)
	return out
}

// TestMultiSiteScan scans two sites with different CMPs in one run, two
// pages each: every site clicks its own banner and carries its choice only
// to its own pages, the report names both start URLs, and each site keeps
// the findings it has when scanned alone.
func TestMultiSiteScan(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	policy := filepath.Join("..", "..", "testdata", "policy", "consent.html")
	starts := []string{"http://bakery.example/", "http://garden.example/"}
	r := scanFixture(t, site, append(starts, "--policy", policy, "--max-pages", "4")...)
	alone := scanFixture(t, site, "http://garden.example/", "--policy", policy, "--max-pages", "2")

	if r.Target != starts[0] || !slices.Equal(r.Targets, starts) {
		t.Errorf("target %q, targets %v; want %q and %v", r.Target, r.Targets, starts[0], starts)
	}
	want := []string{"http://bakery.example/", "http://bakery.example/article.html", "http://garden.example/", "http://garden.example/article.html"}
	if got := urlsIn(r, pre); !slices.Equal(sorted(got), want) {
		t.Fatalf("pre-consent pages %v, want %v", got, want)
	}
	for _, phase := range []capture.Phase{reject, accept} {
		clicked := map[string]int{}
		for _, p := range pagesIn(r, phase) {
			c := p.Consent
			if c == nil {
				continue
			}
			if c.Clicked {
				clicked[capture.SiteOfURL(p.URL)]++
			}
			if c.CarriedFrom != "" && capture.SiteOfURL(c.CarriedFrom) != capture.SiteOfURL(p.URL) {
				t.Errorf("%s %s: choice carried from another site, %s", phase, p.URL, c.CarriedFrom)
			}
		}
		for _, s := range []string{"bakery.example", "garden.example"} {
			if clicked[s] == 0 {
				t.Errorf("%s: no page of %s clicked its banner (%v)", phase, s, clicked)
			}
		}
	}
	carriedNotes := 0
	for _, n := range r.Notes {
		if !strings.Contains(n, "carried to") {
			continue
		}
		carriedNotes++
		// "after-reject on bakery.example: Cookiebot reject clicked on URL (...), carried to ..."
		on, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(n, "after-reject on "), "after-accept on "), ":")
		_, rest, _ := strings.Cut(n, "clicked on ")
		from, _, _ := strings.Cut(rest, " ")
		if capture.SiteOfURL(from) != on {
			t.Errorf("note claims a carry across sites: %q", n)
		}
	}
	if carriedNotes != 4 {
		t.Errorf("%d carry notes, want one per site and phase: %q", carriedNotes, r.Notes)
	}

	fps := map[string]bool{}
	for _, f := range r.Findings {
		if fps[f.Fingerprint] {
			t.Errorf("fingerprint %s twice", f.Fingerprint)
		}
		fps[f.Fingerprint] = true
	}
	for _, s := range []string{"bakery.example", "garden.example"} {
		if !slices.Contains(ruleSet(r, s), rules.RulePreConsentTracking+" hotjar") {
			t.Errorf("%s: no pre-consent Hotjar finding of its own: %v", s, ruleSet(r, s))
		}
	}
	if got, want := ruleSet(r, "garden.example"), ruleSet(alone, "garden.example"); !slices.Equal(got, want) {
		t.Errorf("garden's findings in the two-site scan\n%v\nwant those of garden alone\n%v", got, want)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
