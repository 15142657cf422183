package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// These tests crawl the fixture sites of testdata/sites (served with the
// demo's tracker stand-ins under their real hostnames) with the real CLI and
// replay consent: each site's banner is built like one CMP's DOM and really
// gates one vendor, while another vendor loads whatever the visitor chose.
//
// The consent assertions hold whether a page of a consent phase clicked the
// banner itself or got the choice carried from an earlier page of the same
// phase (cookies, localStorage): either the page clicked and the click was
// verified, or no banner was there to click. What proves the choice took
// effect is the stored consent state and the gated vendor.

var (
	pre    = capture.PreConsent
	reject = capture.AfterReject
	accept = capture.AfterAccept
)

// startFixtures serves the demo plus testdata/sites on loopback.
func startFixtures(t *testing.T) *demosite.Server {
	t.Helper()
	site := demosite.Start()
	t.Cleanup(site.Close)
	site.Mount(os.DirFS(filepath.Join("..", "..", "testdata", "sites")))
	return site
}

// scanFixture runs `trackscan scan` against the fixtures and returns the
// JSON report. Findings may fail the run (exit 1); usage errors and
// incomplete scans may not.
func scanFixture(t *testing.T, site *demosite.Server, args ...string) *reports.Report {
	t.Helper()
	out := filepath.Join(t.TempDir(), "scan.json")
	full := append([]string{"scan"}, args...)
	full = append(full, "--resolve", site.ResolveRules(), "--insecure", "--concurrency", "2", "--format", "json", "-o", out, "-q")
	res := run(t, full...)
	if res.code != 0 && res.code != 1 {
		t.Fatalf("trackscan %s: exit %d: %s", strings.Join(args, " "), res.code, res.stderr)
	}
	r := readReport(t, out)
	if len(r.Errors) > 0 {
		t.Errorf("report errors: %v", r.Errors)
	}
	return r
}

func pagesIn(r *reports.Report, phase capture.Phase) []reports.Page {
	var out []reports.Page
	for _, p := range r.Pages {
		if p.Phase == phase {
			out = append(out, p)
		}
	}
	return out
}

func urlsIn(r *reports.Report, phase capture.Phase) []string {
	var out []string
	for _, p := range pagesIn(r, phase) {
		out = append(out, p.URL)
	}
	slices.Sort(out)
	return out
}

func vendorPhases(r *reports.Report, id string) []capture.Phase {
	for _, v := range r.Vendors {
		if v.ID == id {
			return v.Phases
		}
	}
	return nil
}

func cookiePhases(r *reports.Report, name string) []capture.Phase {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c.Phases
		}
	}
	return nil
}

func storagePhases(r *reports.Report, key string) []capture.Phase {
	for _, s := range r.Storage {
		if s.Key == key {
			return s.Phases
		}
	}
	return nil
}

// seenOn lists the pages of a phase on which vendor was detected.
func seenOn(r *reports.Report, vendor string, phase capture.Phase) map[string]bool {
	out := map[string]bool{}
	for _, d := range r.Detections {
		if d.Vendor == vendor && d.Phase == phase {
			out[d.Page] = true
		}
	}
	return out
}

func phasesEqual(got []capture.Phase, want ...capture.Phase) bool { return slices.Equal(got, want) }

// cmpSite is what one fixture site must show in a scan.
type cmpSite struct {
	cmp      string // consent rule id the banner must be named by
	gated    string // vendor that loads only after "accept all"
	alwaysOn string // vendor that loads whatever the visitor chose
	// choiceCookies / choiceStorage store the visitor's choice: absent
	// before it, present after reject and after accept.
	choiceCookies, choiceStorage []string
}

// checkConsentPhases asserts the three phases of a scan of site.
func checkConsentPhases(t *testing.T, r *reports.Report, s cmpSite, urls []string) {
	t.Helper()
	for _, phase := range capture.Phases {
		if got := urlsIn(r, phase); !slices.Equal(got, urls) {
			t.Errorf("%s pages %v, want %v", phase, got, urls)
		}
	}
	// Before consent every page shows the banner, named after its CMP.
	for _, p := range pagesIn(r, pre) {
		if c := p.Consent; c == nil || !c.BannerFound || c.CMP != s.cmp || c.Clicked {
			t.Errorf("%s %s: consent %+v, want the %s banner found and not clicked", pre, p.URL, c, s.cmp)
		}
	}
	// In each consent phase the choice was made once at least, by the
	// right button, and verified; other pages clicked too or had no banner
	// left because the choice was carried.
	for _, phase := range []capture.Phase{reject, accept} {
		action := strings.TrimPrefix(string(phase), "after-")
		clicked := 0
		for _, p := range pagesIn(r, phase) {
			c := p.Consent
			switch {
			case c == nil:
				// A page that got the choice carried need not look for a
				// banner; the gating below shows whether the choice held.
			case c.Clicked:
				clicked++
				if !c.Verified {
					t.Errorf("%s %s: click not verified: %+v", phase, p.URL, c)
				}
				if c.CMP != s.cmp || c.Selector == "" || c.Action != action {
					t.Errorf("%s %s: clicked %+v, want %s's %s button clicked and verified", phase, p.URL, c, s.cmp, action)
				}
			case c.BannerFound:
				t.Errorf("%s %s: banner still there and not clicked: %+v", phase, p.URL, c)
			}
		}
		if clicked == 0 {
			t.Errorf("%s: no page clicked %s", phase, action)
		}
	}
	// The choice is stored only once the visitor made it.
	for _, name := range s.choiceCookies {
		if got := cookiePhases(r, name); !phasesEqual(got, reject, accept) {
			t.Errorf("consent cookie %s in phases %v, want after reject and accept", name, got)
		}
	}
	for _, key := range s.choiceStorage {
		if got := storagePhases(r, key); !phasesEqual(got, reject, accept) {
			t.Errorf("consent storage %s in phases %v, want after reject and accept", key, got)
		}
	}
	// The gated vendor: on every page after accept, nowhere else.
	if got := vendorPhases(r, s.gated); !phasesEqual(got, accept) {
		t.Errorf("gated vendor %s in phases %v, want only %s", s.gated, got, accept)
	}
	on := seenOn(r, s.gated, accept)
	for _, u := range urls {
		if !on[u] {
			t.Errorf("gated vendor %s not seen on %s after accept (the stored choice was not honoured there)", s.gated, u)
		}
	}
	// The always-on vendor: in every phase, and flagged after reject.
	if got := vendorPhases(r, s.alwaysOn); !phasesEqual(got, pre, reject, accept) {
		t.Errorf("always-on vendor %s in phases %v, want all three", s.alwaysOn, got)
	}
	if on := seenOn(r, s.alwaysOn, reject); len(on) != len(urls) {
		t.Errorf("always-on vendor %s seen after reject on %v, want every page", s.alwaysOn, on)
	}
	flagged := false
	for _, f := range r.Findings {
		if f.Rule == rules.RuleTrackingAfterReject && f.Vendor == s.gated {
			t.Errorf("gated vendor flagged as tracking after reject: %+v", f)
		}
		if f.Rule == rules.RuleTrackingAfterReject && f.Vendor == s.alwaysOn && f.Phase == reject {
			flagged = true
			if !slices.Contains(urls, f.Target) {
				t.Errorf("finding target %q is not a scanned page", f.Target)
			}
		}
	}
	if !flagged {
		t.Errorf("no %s finding for %s", rules.RuleTrackingAfterReject, s.alwaysOn)
	}
}

func TestConsentCrawlOneTrustSite(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	// Depth 2: the calendar (linked from /events/, depth 1) is entered once
	// and its endless "upcoming months" links are cut off by the depth.
	r := scanFixture(t, site, "http://news.example/", "--max-pages", "60", "--depth", "2")

	base := "http://news.example"
	var want []string
	for _, p := range []string{"/", "/about.html", "/archive.html", "/calendar?month=2026-11", "/contact.html",
		"/culture/", "/culture/film.html", "/events/", "/privacy.html", "/sport/", "/sport/football.html",
		"/sport/tennis.html", "/world/", "/world/climate.html", "/world/elections.html"} {
		want = append(want, base+p)
	}
	slices.Sort(want)
	// /archive.html is linked from nowhere: only the sitemap index's second
	// sitemap names it. /members/ is linked from every page and listed in
	// a sitemap, but robots.txt disallows it. partner.example and
	// facebook.com are linked but out of scope. Fragments, utm_*, fbclid,
	// gclid and the explicit :80 were deduplicated.
	for _, p := range r.Pages {
		if !strings.HasPrefix(p.URL, base+"/") {
			t.Errorf("crawled out of scope: %s", p.URL)
		}
		for _, bad := range []string{"/members/", "#", "utm_", "fbclid", "gclid", ":80"} {
			if strings.Contains(p.URL, bad) {
				t.Errorf("crawled %s (contains %q)", p.URL, bad)
			}
		}
		if p.Status != 200 || p.Error != "" {
			t.Errorf("%s %s: status %d error %q", p.URL, p.Phase, p.Status, p.Error)
		}
	}

	checkConsentPhases(t, r, cmpSite{
		cmp: "onetrust", gated: "facebook", alwaysOn: "google-analytics",
		choiceCookies: []string{"OptanonAlertBoxClosed"},
	}, want)
	if n := len(r.Pages); n != 3*len(want) {
		t.Errorf("%d page visits, want %d", n, 3*len(want))
	}
	// OptanonConsent is written on the first visit (necessary group only)
	// and rewritten by the choice.
	if got := cookiePhases(r, "OptanonConsent"); !phasesEqual(got, pre, reject, accept) {
		t.Errorf("OptanonConsent phases %v", got)
	}
	for _, name := range []string{"_fbp"} {
		if got := cookiePhases(r, name); !phasesEqual(got, accept) {
			t.Errorf("gated cookie %s in phases %v, want only after accept", name, got)
		}
	}
	for _, name := range []string{"_ga", "loop_session"} {
		if got := cookiePhases(r, name); !phasesEqual(got, pre, reject, accept) {
			t.Errorf("cookie %s in phases %v, want all three", name, got)
		}
	}
	// The CMP's own host is reported as the consent manager it is.
	for _, v := range r.Vendors {
		if v.ID == "onetrust" && v.Category != "consent-management" {
			t.Errorf("onetrust vendor category %q", v.Category)
		}
	}
}

// TestConsentCrawlTrapGuard follows the same calendar with no depth limit:
// only the frontier's trap guard stops it (default 20 query variants of one
// path), long before --max-pages.
func TestConsentCrawlTrapGuard(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	r := scanFixture(t, site, "http://news.example/", "--max-pages", "100", "--depth", "0", "--consent", "pre")
	const trapVariants = 20 // frontier.Config.TrapVariants default
	var calendar, other []string
	for _, u := range urlsIn(r, pre) {
		if strings.HasPrefix(u, "http://news.example/calendar?") {
			calendar = append(calendar, u)
		} else {
			other = append(other, u)
		}
	}
	var want []string
	for i := range trapVariants {
		m := 11 + i // 2026-11 onwards
		want = append(want, fmt.Sprintf("http://news.example/calendar?month=%d-%02d", 2026+(m-1)/12, (m-1)%12+1))
	}
	slices.Sort(want)
	if !slices.Equal(calendar, want) {
		t.Errorf("calendar pages %v, want the first %d months %v", calendar, trapVariants, want)
	}
	if len(other) != 14 || len(r.Pages) != len(other)+len(calendar) {
		t.Errorf("%d other pages (%v), %d visits", len(other), other, len(r.Pages))
	}
}

func TestConsentCMPSites(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	tests := []struct {
		host string
		site cmpSite
	}{
		{"bakery.example", cmpSite{cmp: "cookiebot", gated: "facebook", alwaysOn: "hotjar", choiceCookies: []string{"CookieConsent"}}},
		{"travel.example", cmpSite{cmp: "didomi", gated: "facebook", alwaysOn: "google-analytics",
			choiceCookies: []string{"didomi_token"}, choiceStorage: []string{"didomi_token"}}},
		{"garden.example", cmpSite{cmp: "usercentrics", gated: "facebook", alwaysOn: "hotjar",
			choiceStorage: []string{"uc_settings", "uc_user_interaction"}}},
		{"recipes.example", cmpSite{cmp: "quantcast", gated: "google-ads", alwaysOn: "hotjar",
			choiceCookies: []string{"euconsent-v2", "addtl_consent"}}},
		// Sourcepoint's message sits in a cross-origin iframe that the
		// choice removes.
		{"weather.example", cmpSite{cmp: "sourcepoint", gated: "facebook", alwaysOn: "google-analytics",
			choiceCookies: []string{"consentUUID"}, choiceStorage: []string{"_sp_user_consent_31337"}}},
	}
	for _, tt := range tests {
		t.Run(tt.site.cmp, func(t *testing.T) {
			urls := []string{"http://" + tt.host + "/", "http://" + tt.host + "/article.html"}
			r := scanFixture(t, site, urls...)
			checkConsentPhases(t, r, tt.site, urls)
			if tt.site.cmp == "quantcast" {
				checkTCF(t, r)
			}
		})
	}
}

// checkTCF reads the IAB TCF state each phase reported: the CMP's id, no
// consent before the choice, none after reject, Google's after accept.
func checkTCF(t *testing.T, r *reports.Report) {
	t.Helper()
	const quantcastCMPID, google = 10, 755
	for _, p := range r.Pages {
		if p.Consent == nil || p.Consent.TCF == nil {
			t.Errorf("%s %s: no TCF signal", p.Phase, p.URL)
			continue
		}
		tc := p.Consent.TCF
		if tc.CMPID != quantcastCMPID || !tc.GDPRApplies {
			t.Errorf("%s %s: TCF %+v", p.Phase, p.URL, tc)
		}
		switch p.Phase {
		case pre:
			if tc.EventStatus != "cmpuishown" || tc.TCString != "" || slices.Contains(mapValues(tc.PurposeConsents), true) {
				t.Errorf("before consent: TCF %+v, want the UI shown and nothing consented", tc)
			}
			continue
		}
		if tc.EventStatus != "tcloaded" && tc.EventStatus != "useractioncomplete" {
			t.Errorf("%s %s: eventStatus %q", p.Phase, p.URL, tc.EventStatus)
		}
		dec, err := consent.DecodeTCString(tc.TCString)
		if err != nil {
			t.Errorf("%s %s: TC string %q: %v", p.Phase, p.URL, tc.TCString, err)
			continue
		}
		granted := p.Phase == accept
		if dec.CMPID != quantcastCMPID || slices.Contains(dec.PurposeConsents, 1) != granted || slices.Contains(dec.VendorConsents, google) != granted ||
			tc.PurposeConsents["1"] != granted || tc.VendorConsents["755"] != granted {
			t.Errorf("%s %s: decoded %+v, API %+v; want consent %t", p.Phase, p.URL, dec, tc, granted)
		}
	}
	for _, f := range r.Findings {
		if f.Rule == rules.RuleConsentBeforeChoice {
			t.Errorf("consent claimed before the choice: %+v", f)
		}
	}
}

func mapValues(m map[string]bool) []bool {
	var out []bool
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestConsentConfigSelectors: the co-op's in-house banner has no CMP markup
// and its choices are <span>s worded unlike any generic pattern, so without
// the user's selectors no banner is found and only the pre-consent phase
// runs; with them, reject and accept work and the gating shows.
func TestConsentConfigSelectors(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	urls := []string{"http://coop.example/", "http://coop.example/members.html"}

	t.Run("without config", func(t *testing.T) {
		r := scanFixture(t, site, urls[0])
		if len(r.Pages) != 1 || r.Pages[0].Phase != pre {
			t.Fatalf("pages %+v, want one pre-consent visit", r.Pages)
		}
		if c := r.Pages[0].Consent; c == nil || c.BannerFound || c.CMP != "" {
			t.Errorf("consent %+v, want no banner found", c)
		}
		if !slices.ContainsFunc(r.Notes, func(s string) bool { return strings.Contains(s, "no consent banner found") }) {
			t.Errorf("the report does not say the banner was not found: %v", r.Notes)
		}
	})

	t.Run("with config", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), ".trackscan.yml")
		yml := "consent:\n  reject: \"#coop-privacy .pc-choice--basic\"\n  accept: \"#coop-privacy .pc-choice--all\"\n"
		if err := os.WriteFile(cfg, []byte(yml), 0o644); err != nil {
			t.Fatal(err)
		}
		r := scanFixture(t, site, append(urls, "--config", cfg)...)
		checkConsentPhases(t, r, cmpSite{cmp: "config", gated: "facebook", alwaysOn: "google-analytics",
			choiceCookies: []string{"coop_privacy"}}, urls)
	})
}
