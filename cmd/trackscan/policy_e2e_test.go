package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

func disclosures(r *reports.Report) map[string]string {
	out := map[string]string{}
	for _, v := range r.Vendors {
		out[v.ID] = string(v.Disclosure)
	}
	return out
}

func findingsOf(r *reports.Report, rule string) []rules.Finding {
	var out []rules.Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestScanFindsThePolicy: without --policy, the scan finds the privacy
// notice linked only from the footer and the cookie policy into which a
// Cookiebot-style script writes its cookie declaration, reads both in its
// browser under a hostname only --resolve knows, and judges every vendor
// against them; the declaration's lines are the quotes of the cookie
// findings. A German shop works the same.
func TestScanFindsThePolicy(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)

	t.Run("english", func(t *testing.T) {
		r := scanFixture(t, site, "http://policyshop.example/", "--consent", "pre")
		if r.Policy == nil {
			t.Fatalf("no policy read; notes %q", r.Notes)
		}
		got := map[string]string{}
		for _, s := range r.Policy.Sources {
			got[s.URL] = s.Kind + " " + s.How + " " + s.Status
		}
		for u, want := range map[string]string{
			"http://policyshop.example/legal/privacy-notice.html": "privacy footer read",
			"http://policyshop.example/legal/cookies.html":        "cookies footer read",
		} {
			if got[u] != want {
				t.Errorf("source %s: %q, want %q (sources %v)", u, got[u], want, r.Policy.Sources)
			}
		}
		for _, d := range r.Policy.Declarations {
			if !strings.HasPrefix(d.Source, "http://policyshop.example/legal/") {
				t.Errorf("declaration %q keeps no source URL: %q", d.Quote, d.Source)
			}
		}
		want := map[string]string{
			"google-analytics": string(detectors.DisclosureNamed),        // "We use Google Analytics"
			"facebook":         string(detectors.DisclosureNamed),        // the declaration's "_fbp | Meta Pixel" line
			"google-ads":       string(detectors.DisclosureCategoryOnly), // "advertising partners"
			"hotjar":           string(detectors.DisclosureContradicted), // "We never record your sessions"
			"twitter":          string(detectors.DisclosureUndisclosed),  // not a word about it
		}
		disc := disclosures(r)
		t.Logf("disclosures %v", disc)
		for id, w := range want {
			if disc[id] != w {
				t.Errorf("%s: disclosure %q, want %q", id, disc[id], w)
			}
		}

		// The declaration lists _ga for one day; gtag sets it for two years.
		life := findingsOf(r, rules.RuleCookieLifetimeDeclared)
		if len(life) != 1 || life[0].Subject != "_ga" || life[0].PolicyQuote != "_ga | Google Analytics | Distinguishes visitors. | 1 day | HTTP" {
			t.Errorf("lifetime findings %+v", life)
		}
		// The Meta pixel's cookie is filed under Necessary in the declaration.
		nec := findingsOf(r, rules.RuleCookieNecessaryButTracker)
		if len(nec) != 1 || nec[0].Subject != "_fbp" || nec[0].PolicyQuote != "_fbp | Meta Pixel | Keeps the checkout working. | 3 months | HTTP" {
			t.Errorf("necessary-tracker findings %+v", nec)
		}
		// Hotjar's cookies are in no line of the declaration.
		undeclared := map[string]bool{}
		for _, f := range findingsOf(r, rules.RuleCookieUndeclared) {
			undeclared[f.Subject] = true
			if !strings.Contains(f.PolicyQuote, "http://policyshop.example/legal/cookies.html") {
				t.Errorf("undeclared %s: quote %q does not name the declaration", f.Subject, f.PolicyQuote)
			}
		}
		for name, want := range map[string]bool{"_hjSessionUser_3000000": true, "_hjSession_3000000": true,
			"_ga": false, "_ga_DEMO1": false, "_fbp": false} {
			if undeclared[name] != want {
				t.Errorf("%s undeclared = %v, want %v (all: %v)", name, undeclared[name], want, undeclared)
			}
		}
	})

	t.Run("german", func(t *testing.T) {
		r := scanFixture(t, site, "http://datenschutz-laden.example/", "--consent", "pre")
		if r.Policy == nil || len(r.Policy.Sources) == 0 || r.Policy.Sources[0].URL != "http://datenschutz-laden.example/datenschutz.html" {
			t.Fatalf("Datenschutzerklärung not found: policy %+v, notes %q", r.Policy, r.Notes)
		}
		want := map[string]string{
			"google-analytics": string(detectors.DisclosureNamed),
			"facebook":         string(detectors.DisclosureCategoryOnly),
			"hotjar":           string(detectors.DisclosureContradicted),
			"twitter":          string(detectors.DisclosureUndisclosed),
		}
		disc := disclosures(r)
		for id, w := range want {
			if disc[id] != w {
				t.Errorf("%s: disclosure %q, want %q", id, disc[id], w)
			}
		}
	})

	t.Run("no-policy", func(t *testing.T) {
		r := scanFixture(t, site, "http://policyshop.example/", "--consent", "pre", "--no-policy")
		if r.Policy != nil {
			t.Errorf("--no-policy read %v", r.Policy.Sources)
		}
		for id, d := range disclosures(r) {
			if d != "" {
				t.Errorf("%s judged %q without a policy", id, d)
			}
		}
	})
}

// TestScanPolicyFailures: a policy URL that cannot be loaded keeps the
// report (with every finding that needs no policy), notes why and exits 3;
// a missing policy file fails before Chromium is even looked for.
func TestScanPolicyFailures(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)

	out := filepath.Join(t.TempDir(), "scan.json")
	res := run(t, "scan", "http://policyshop.example/", "--consent", "pre", "--policy", "http://policyshop.example/legal/gone.html",
		"--resolve", site.ResolveRules(), "--format", "json", "-o", out, "-q")
	if res.code != 3 {
		t.Fatalf("exit %d, want 3: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if r.Policy != nil {
		t.Errorf("policy %+v from a URL that answered 404", r.Policy)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "policy not read: http://policyshop.example/legal/gone.html") {
		t.Errorf("notes %q do not say why the policy was not read", r.Notes)
	}
	if len(findingsOf(r, rules.RulePreConsentTracking)) == 0 {
		t.Errorf("the findings that need no policy are missing: %v", r.Findings)
	}

	// The file is read first: with a browser that does not exist, the
	// error is still about the file.
	missing := filepath.Join(t.TempDir(), "missing.txt")
	res = run(t, "scan", "http://policyshop.example/", "--policy", missing, "--browser", "/nonexistent/chromium", "-q")
	if res.code != 2 || !strings.Contains(res.stderr, "missing.txt") || strings.Contains(strings.ToLower(res.stderr), "chromium") {
		t.Errorf("missing policy file: exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("the missing file exists")
	}
}
