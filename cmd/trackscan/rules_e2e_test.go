package main_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/reports/sariftest"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// findingRow is what the end-to-end test pins down of each finding.
type findingRow struct {
	rule, vendor string
	severity     rules.Severity
	disclosure   string
	phase        string
}

func rowsOf(fs []rules.Finding) []findingRow {
	out := make([]findingRow, len(fs))
	for i, f := range fs {
		out[i] = findingRow{f.Rule, f.Vendor, f.Severity, string(f.Disclosure), string(f.Phase)}
	}
	slices.SortFunc(out, func(a, b findingRow) int {
		return strings.Compare(a.rule+"|"+a.vendor+"|"+a.phase, b.rule+"|"+b.vendor+"|"+b.phase)
	})
	return out
}

// wantDemoFindings is what the demo shop's home page (one page, all three
// phases) shows against the shop's own policy. The policy names Google
// Analytics (which names Google's product, not Google), covers Facebook and
// Google Ads only as "advertising partners", YouTube and Hotjar only by
// generic terms, omits X and Fingerprint, and claims that
// non-essential cookies wait for consent; but GA, Facebook, Google Ads,
// YouTube and Hotjar set cookies or storage before any choice and keep doing
// so after "reject all" (the demo banner's deliberate bugs).
var wantDemoFindings = []findingRow{
	{"category-only-disclosure", "facebook", rules.Low, "category-only", ""},
	{"category-only-disclosure", "google-ads", rules.Low, "category-only", ""},
	{"category-only-disclosure", "hotjar", rules.Low, "category-only", ""},
	{"category-only-disclosure", "youtube", rules.Low, "category-only", ""},
	{"consent-mode-denied-firing", "google-analytics", rules.Medium, "", "pre-consent"},
	{"contradicted-practice", "facebook", rules.High, "contradicted", ""},
	{"contradicted-practice", "fingerprintjs", rules.High, "contradicted", ""},
	{"contradicted-practice", "google-ads", rules.High, "contradicted", ""},
	{"contradicted-practice", "google-analytics", rules.High, "contradicted", ""},
	{"contradicted-practice", "hotjar", rules.High, "contradicted", ""},
	{"contradicted-practice", "youtube", rules.High, "contradicted", ""},
	{"cookie-lifetime-over-13-months", "google-analytics", rules.Low, "", ""},
	{"cookie-lifetime-over-13-months", "google-analytics", rules.Low, "", ""},
	{"fingerprinting-undeclared", "fingerprintjs", rules.High, "undisclosed", ""},
	{"pre-consent-tracking", "facebook", rules.High, "contradicted", "pre-consent"},
	{"pre-consent-tracking", "fingerprintjs", rules.High, "contradicted", "pre-consent"},
	{"pre-consent-tracking", "google-ads", rules.High, "contradicted", "pre-consent"},
	{"pre-consent-tracking", "google-analytics", rules.High, "contradicted", "pre-consent"},
	{"pre-consent-tracking", "hotjar", rules.High, "contradicted", "pre-consent"},
	{"pre-consent-tracking", "twitter", rules.Medium, "undisclosed", "pre-consent"}, // requests only
	{"pre-consent-tracking", "youtube", rules.High, "contradicted", "pre-consent"},
	{"session-recording-undeclared", "hotjar", rules.High, "undisclosed", ""},
	{"tracking-after-reject", "facebook", rules.Critical, "contradicted", "after-reject"},
	{"tracking-after-reject", "fingerprintjs", rules.Critical, "contradicted", "after-reject"},
	{"tracking-after-reject", "google-ads", rules.Critical, "contradicted", "after-reject"},
	{"tracking-after-reject", "google-analytics", rules.Critical, "contradicted", "after-reject"},
	{"tracking-after-reject", "hotjar", rules.Critical, "contradicted", "after-reject"},
	{"tracking-after-reject", "twitter", rules.High, "undisclosed", "after-reject"}, // requests only
	{"tracking-after-reject", "youtube", rules.Critical, "contradicted", "after-reject"},
	{"undisclosed-vendor", "fingerprintjs", rules.High, "undisclosed", ""},
	{"undisclosed-vendor", "twitter", rules.High, "undisclosed", ""},
}

const consentClaim = "We only place non-essential cookies on your device after you have given your consent through our cookie banner."

// The end-to-end check: the real binary and a real Chromium scan the
// demo shop against its policy, the findings and the exit code are exact,
// and a second run with a baseline of the first reports nothing new. One
// page keeps the expectations independent of how the consent choice is
// carried between pages.
func TestRulesEndToEnd(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	dir := t.TempDir()
	pol, err := demosite.WritePolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	scanArgs := []string{"scan", demosite.StartURL, "--resolve", site.ResolveRules(), "--insecure", "--max-pages", "1", "--policy", pol}

	first := filepath.Join(dir, "scan.json")
	shots := filepath.Join(dir, "shots")
	res := run(t, append(scanArgs, "--screenshots", shots, "--fail-on", "high", "--format", "json", "-o", first)...)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (findings at or above high); stderr %q", res.code, res.stderr)
	}
	r := readReport(t, first)
	if got := rowsOf(r.Findings); !slices.Equal(got, wantDemoFindings) {
		t.Errorf("findings differ\ngot:\n%s\nwant:\n%s", formatRows(got), formatRows(wantDemoFindings))
	}
	checkEvidence(t, r)

	// The baseline of the first run silences it: nothing new, exit 0.
	base := filepath.Join(dir, "baseline.json")
	if res := run(t, "baseline", first, "-o", base); res.code != 0 {
		t.Fatalf("baseline: exit %d: %s", res.code, res.stderr)
	}
	second := filepath.Join(dir, "second.json")
	res = run(t, append(scanArgs, "--fail-on", "high", "--baseline", base, "--format", "json", "-o", second)...)
	if res.code != 0 {
		t.Fatalf("second run: exit %d, want 0; stderr %q", res.code, res.stderr)
	}
	r2 := readReport(t, second)
	if len(r2.Findings) != 0 || r2.Suppressed != len(wantDemoFindings) {
		t.Errorf("second run: %d new findings %v, %d suppressed; want 0 and %d", len(r2.Findings), rowsOf(r2.Findings), r2.Suppressed, len(wantDemoFindings))
	}

	t.Run("sarif", func(t *testing.T) {
		out := filepath.Join(dir, "scan.sarif")
		if res := run(t, append(scanArgs, "--format", "sarif", "-o", out)...); res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := sariftest.Validate(raw); err != nil {
			t.Errorf("SARIF does not validate: %v", err)
		}
		var doc struct {
			Runs []struct {
				Results []struct {
					RuleID              string            `json:"ruleId"`
					PartialFingerprints map[string]string `json:"partialFingerprints"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Runs) != 1 {
			t.Fatalf("%v, %d runs", err, len(doc.Runs))
		}
		var got []string
		fps := map[string]bool{}
		for _, f := range r.Findings {
			fps[f.Fingerprint] = true
		}
		for _, res := range doc.Runs[0].Results {
			got = append(got, res.RuleID)
			found := false
			for _, v := range res.PartialFingerprints {
				found = found || fps[v]
			}
			if !found {
				t.Errorf("SARIF result %s carries fingerprints %v, none of the JSON report's", res.RuleID, res.PartialFingerprints)
			}
		}
		var want []string
		for _, w := range wantDemoFindings {
			want = append(want, w.rule)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("SARIF rule ids %v, want %v", got, want)
		}
	})

	t.Run("junit", func(t *testing.T) {
		res := run(t, "report", first, "--format", "junit")
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		var suites struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Suites   []struct {
				Cases []struct {
					Name    string    `xml:"name,attr"`
					Failure *struct{} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal([]byte(res.stdout), &suites); err != nil {
			t.Fatalf("JUnit does not parse: %v\n%.500s", err, res.stdout)
		}
		var cases, failed int
		for _, s := range suites.Suites {
			for _, c := range s.Cases {
				cases++
				if c.Failure != nil {
					failed++
				}
			}
		}
		if cases == 0 || cases != suites.Tests || failed != suites.Failures || failed == 0 {
			t.Errorf("JUnit: %d cases (%d declared), %d failed (%d declared)", cases, suites.Tests, failed, suites.Failures)
		}
		// One test case per rule and target: every rule that fired fails once.
		ruleSet := map[string]bool{}
		for _, w := range wantDemoFindings {
			ruleSet[w.rule] = true
		}
		if failed != len(ruleSet) {
			t.Errorf("%d failed test cases, want one per rule that fired (%d)", failed, len(ruleSet))
		}
	})

	// The auditor's page: each phase's screenshot embedded and shown, the
	// consent claim quoted beside what broke it, self-contained.
	t.Run("html", func(t *testing.T) {
		out := filepath.Join(dir, "report.html")
		if res := run(t, "report", first, "--format", "html", "-o", out); res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		html := string(raw)
		for _, phase := range []string{"pre-consent", "after-reject", "after-accept"} {
			if !strings.Contains(html, `<details class="shot" open><summary>Screenshot: `+demosite.StartURL+` (`+phase+`)</summary><img src="data:image/png;base64,`) {
				t.Errorf("no %s screenshot shown", phase)
			}
		}
		if !strings.Contains(html, "<blockquote>"+consentClaim+"</blockquote>") || strings.Count(html, `<article class="finding`) != len(wantDemoFindings)-1 {
			t.Errorf("finding cards: %d, want %d (the two 13-month cookies share one)", strings.Count(html, `<article class="finding`), len(wantDemoFindings)-1)
		}
		if strings.Contains(html, "src=\"http") || strings.Contains(html, "<script") {
			t.Error("the report is not self-contained")
		}
	})

	// An auditor re-judges the saved scan against a corrected policy without
	// scanning again: naming X, Fingerprint and Hotjar and dropping the consent
	// claim leaves the practices the site really has.
	t.Run("report with a newer policy", func(t *testing.T) {
		newer := filepath.Join(dir, "privacy-v2.md")
		if err := os.WriteFile(newer, []byte("# Privacy\n\n"+
			"We use Google Analytics to count visits.\n"+
			"We use Hotjar to record sessions on our pages.\n"+
			"We embed the X (Twitter) share button.\n"+
			// Google Analytics names Google's product, not Google: YouTube needs its own sentence.
			"We embed videos from YouTube.\n"+
			"With your permission we use advertising partners to show you our products on social networks.\n"+
			"We use Fingerprint to recognise devices by browser fingerprinting, to prevent fraud.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		res := run(t, "report", first, "--policy", newer, "--format", "json", "--fail-on", "critical")
		if res.code != 1 {
			t.Fatalf("exit %d, want 1 (tracking after reject stays critical); stderr %q", res.code, res.stderr)
		}
		rep, err := reports.ReadJSON(strings.NewReader(res.stdout))
		if err != nil {
			t.Fatal(err)
		}
		rules := map[string]bool{}
		for _, f := range rep.Findings {
			rules[f.Rule+" "+f.Vendor] = true
			if f.Disclosure == "contradicted" {
				t.Errorf("%s %s still contradicted without a consent claim", f.Rule, f.Vendor)
			}
		}
		for _, gone := range []string{"undisclosed-vendor twitter", "undisclosed-vendor fingerprintjs", "session-recording-undeclared hotjar",
			"fingerprinting-undeclared fingerprintjs", "contradicted-practice google-analytics"} {
			if rules[gone] {
				t.Errorf("%s remains after the policy declared it", gone)
			}
		}
		for _, kept := range []string{"pre-consent-tracking google-analytics", "tracking-after-reject hotjar", "category-only-disclosure facebook"} {
			if !rules[kept] {
				t.Errorf("%s missing after re-judging; have %v", kept, rules)
			}
		}
		// The same re-judgement with the first run's baseline: only what the
		// new policy made new (nothing here) would be reported.
		res = run(t, "report", first, "--policy", newer, "--baseline", base, "--format", "json", "--fail-on", "low")
		if res.code != 0 {
			t.Errorf("with the baseline: exit %d, want 0; stderr %q", res.code, res.stderr)
		}
	})
}

// checkEvidence asserts what an auditor reads beside the rows: the quote a
// finding relied on, page-path fingerprints and no cookie values.
func checkEvidence(t *testing.T, r *reports.Report) {
	t.Helper()
	fps := map[string]bool{}
	for _, f := range r.Findings {
		if fps[f.Fingerprint] || len(f.Fingerprint) != 16 {
			t.Errorf("fingerprint %q of %s %s is empty or repeated", f.Fingerprint, f.Rule, f.Vendor)
		}
		fps[f.Fingerprint] = true
		switch {
		case f.Rule == "contradicted-practice" || f.Rule == "pre-consent-tracking" && f.Vendor != "twitter":
			if f.PolicyQuote != consentClaim {
				t.Errorf("%s %s relies on %q, want the consent claim", f.Rule, f.Vendor, f.PolicyQuote)
			}
		case f.Rule == "pre-consent-tracking": // X only sent requests: the claim about cookies is not what it breaks
			if f.PolicyQuote != "" || f.Disclosure != "undisclosed" {
				t.Errorf("X before consent: quote %q, disclosure %q", f.PolicyQuote, f.Disclosure)
			}
		case f.Rule == "category-only-disclosure" && f.Vendor == "facebook":
			if !strings.Contains(f.PolicyQuote, "advertising partners") {
				t.Errorf("Facebook's category-only finding quotes %q", f.PolicyQuote)
			}
		case f.Rule == "undisclosed-vendor":
			if f.PolicyQuote != "" || !strings.Contains(f.Evidence, "no policy sentence matched") {
				t.Errorf("undisclosed %s: quote %q, evidence %q", f.Vendor, f.PolicyQuote, f.Evidence)
			}
		}
		if f.Target != demosite.StartURL {
			t.Errorf("%s %s reported on %s, want the one page scanned", f.Rule, f.Vendor, f.Target)
		}
		// The request URLs an auditor replays: at most three, sorted, as observed.
		if len(f.URLs) > 3 || !slices.IsSorted(f.URLs) {
			t.Errorf("%s %s urls %q: want at most three, sorted", f.Rule, f.Vendor, f.URLs)
		}
		if f.Rule == "pre-consent-tracking" && f.Vendor == "google-analytics" &&
			!slices.ContainsFunc(f.URLs, func(u string) bool { return strings.Contains(u, "google-analytics.com/g/collect?") }) {
			t.Errorf("GA before consent: urls %q lack the collect hit", f.URLs)
		}
	}
}

func formatRows(rs []findingRow) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("\t" + strings.Join([]string{r.rule, r.vendor, string(r.severity), r.disclosure, r.phase}, " ") + "\n")
	}
	return b.String()
}
