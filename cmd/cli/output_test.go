package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

const fixtures = "../../testdata/rules/"

// jsonPolicy reads a policy saved as JSON, standing in for policy.Load so
// that these tests depend on the pipeline and not on the policy parser.
func jsonPolicy(_ context.Context, sources ...string) (*policy.Policy, error) {
	b, err := os.ReadFile(sources[0])
	if err != nil {
		return nil, err
	}
	var p policy.Policy
	return &p, json.Unmarshal(b, &p)
}

func TestMain(m *testing.M) {
	loadPolicy = jsonPolicy
	os.Exit(m.Run())
}

func fixtureReport(t *testing.T, name string) *reports.Report {
	t.Helper()
	f, err := os.Open(fixtures + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := reports.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// runEmit parses args as a scanning command would and runs the pipeline.
func runEmit(t *testing.T, rep *reports.Report, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	// As for scan, the only command that takes format and output from the
	// config file.
	o := outputFlags{scanDefaults: true}
	o.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &stdio{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	err = e.emit(rep, &o, nil)
	return out.String(), errb.String(), err
}

func decodeReport(t *testing.T, s string) *reports.Report {
	t.Helper()
	rep, err := reports.ReadJSON(strings.NewReader(s))
	if err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, s)
	}
	return rep
}

func findingKeys(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, strings.Join([]string{string(f.Severity), f.Rule, f.Vendor, f.Subject}, " "))
	}
	slices.Sort(out)
	return out
}

// The fixture site: a policy that names Facebook, only categorises YouTube
// (social media features) and Google Analytics (analytics providers), omits
// Hotjar and claims no non-essential cookies before consent, while Google
// Analytics sets _ga before consent: that breaks the claim, and GA is still
// only categorised.
var wantSiteFindings = []string{
	"high contradicted-practice google-analytics ",
	"high pre-consent-tracking google-analytics ",
	"high session-recording-undeclared hotjar ",
	"high undisclosed-vendor hotjar ",
	"low category-only-disclosure google-analytics ",
	"low category-only-disclosure youtube ",
	"low cookie-lifetime-over-13-months google-analytics _ga",
}

func TestEmitFixtureSite(t *testing.T) {
	out, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json", "--fail-on", "high")
	if !errors.Is(err, ErrFindings) || exitCode(err) != ExitFindings {
		t.Fatalf("err = %v, want ErrFindings (exit 1)", err)
	}
	rep := decodeReport(t, out)
	if got := findingKeys(rep.Findings); !slices.Equal(got, wantSiteFindings) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantSiteFindings, "\n"))
	}
	wantDisc := map[string]detectors.Disclosure{"facebook": detectors.DisclosureNamed, "google-analytics": detectors.DisclosureContradicted,
		"hotjar": detectors.DisclosureUndisclosed, "youtube": detectors.DisclosureCategoryOnly}
	for _, v := range rep.Vendors {
		if v.Disclosure != wantDisc[v.ID] {
			t.Errorf("%s disclosure = %q, want %q", v.ID, v.Disclosure, wantDisc[v.ID])
		}
	}
	for _, f := range rep.Findings {
		if f.Rule == rules.RulePreConsentTracking && !strings.Contains(f.PolicyQuote, "no non-essential cookies before you consent") {
			t.Errorf("pre-consent finding relies on %q, want the consent claim", f.PolicyQuote)
		}
	}
	if rep.Policy == nil || len(rep.Policy.Declarations) != 4 {
		t.Errorf("the policy is not kept in the report: %+v", rep.Policy)
	}
}

func TestEmitWithoutPolicy(t *testing.T) {
	out, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--format", "json")
	if err != nil {
		t.Fatalf("err = %v with --fail-on none", err)
	}
	rep := decodeReport(t, out)
	want := []string{"high pre-consent-tracking google-analytics ", "low cookie-lifetime-over-13-months google-analytics _ga"}
	if got := findingKeys(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("findings without a policy = %q, want %q", got, want)
	}
	for _, v := range rep.Vendors {
		if v.Disclosure != "" {
			t.Errorf("%s disclosure %q without a policy", v.ID, v.Disclosure)
		}
	}
}

// A second run with the first run's baseline reports nothing new and passes
// --fail-on; the suppressed findings are counted.
func TestBaselineSecondRunNothingNew(t *testing.T) {
	dir := t.TempDir()
	first, _, _ := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json")
	scan := filepath.Join(dir, "scan.json")
	if err := os.WriteFile(scan, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "baseline.json")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"baseline", scan, "-o", base}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("baseline exit %d: %s", code, stderr.String())
	}
	var b Baseline
	raw, _ := os.ReadFile(base)
	if err := json.Unmarshal(raw, &b); err != nil || b.Schema != BaselineSchema || len(b.Findings) != len(wantSiteFindings) {
		t.Fatalf("baseline %s: %v", raw, err)
	}
	if !slices.IsSortedFunc(b.Findings, func(x, y BaselineEntry) int { return strings.Compare(x.Fingerprint, y.Fingerprint) }) {
		t.Error("baseline is not sorted by fingerprint")
	}

	out, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json",
		"--fail-on", "low", "--baseline", base)
	if err != nil {
		t.Fatalf("second run err = %v, want nil: nothing is new", err)
	}
	rep := decodeReport(t, out)
	if len(rep.Findings) != 0 || rep.Suppressed != len(wantSiteFindings) {
		t.Errorf("second run: %d findings, %d suppressed; want 0 and %d", len(rep.Findings), rep.Suppressed, len(wantSiteFindings))
	}

	// A saved report serves as a baseline too.
	if _, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--fail-on", "low", "--baseline", scan); err != nil {
		t.Errorf("report as baseline: err = %v", err)
	}
}

func TestIgnoreFile(t *testing.T) {
	timeNow = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { timeNow = time.Now }()
	out, stderr, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json",
		"--ignore", fixtures+"ignore.yml")
	if err != nil {
		t.Fatal(err)
	}
	rep := decodeReport(t, out)
	got := findingKeys(rep.Findings)
	if slices.Contains(got, "low cookie-lifetime-over-13-months google-analytics _ga") {
		t.Error("a live ignore entry did not suppress its finding")
	}
	if !slices.Contains(got, "high session-recording-undeclared hotjar ") {
		t.Error("an expired ignore entry still suppresses")
	}
	if rep.Suppressed != 1 {
		t.Errorf("suppressed = %d, want 1", rep.Suppressed)
	}
	for _, want := range []string{"entry 2 (rule session-recording-undeclared) expired on 2020-01-01",
		"entry 3 (fingerprint 0000000000000000) matched no finding"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "entry 1") {
		t.Errorf("a used, live entry was warned about:\n%s", stderr)
	}
}

func TestIgnoreFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, body, want string }{
		{"no reason", "- rule: undisclosed-vendor\n", "entry 1 needs a reason"},
		{"no key", "- reason: because\n", "entry 1 needs a fingerprint or a rule"},
		{"unknown rule", "- rule: nope\n  reason: x\n", `unknown rule "nope"`},
		{"bad date", "- rule: undisclosed-vendor\n  reason: x\n  expires: 31/12/2026\n", "not a YYYY-MM-DD date"},
		{"unknown field", "- rule: undisclosed-vendor\n  reason: x\n  until: 2026-01-01\n", "ignore.yml:3:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "ignore.yml")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadIgnore(p)
			if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a usage error containing %q", err, tc.want)
			}
		})
	}
	// The {ignore: [...]} form is accepted as well as a bare list.
	p := filepath.Join(dir, "wrapped.yml")
	os.WriteFile(p, []byte("ignore:\n  - rule: undisclosed-vendor\n    reason: x\n"), 0o644)
	if ig, err := loadIgnore(p); err != nil || len(ig.entries) != 1 {
		t.Errorf("wrapped form: %v", err)
	}
}

func TestConfigPrecedence(t *testing.T) {
	cfg := fixtures + "config.yml"
	tests := []struct {
		name     string
		args     []string
		wantJSON bool
		wantErr  error
	}{
		{"config gives format, policy and fail_on", []string{"--config", cfg}, true, nil},
		{"flag --fail-on wins", []string{"--config", cfg, "--fail-on", "high"}, true, ErrFindings},
		{"flag --format wins", []string{"--config", cfg, "--format", "markdown"}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), tc.args...)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			isJSON := json.Valid([]byte(out))
			if isJSON != tc.wantJSON {
				t.Errorf("JSON output = %v, want %v", isJSON, tc.wantJSON)
			}
			if isJSON && len(decodeReport(t, out).Findings) != len(wantSiteFindings) {
				t.Error("the config's policy was not applied")
			}
		})
	}

	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	var o outputFlags
	o.register(fs)
	fs.Parse([]string{"--config", cfg})
	c, err := o.Config()
	if err != nil {
		t.Fatal(err)
	}
	if c.Consent.Reject != "#reject-all" || c.Consent.Accept != "#accept-all" || !slices.Equal(c.Targets, []string{"https://shop.test/"}) {
		t.Errorf("config = %+v", c)
	}
	if want := filepath.Join(filepath.Dir(cfg), "policy.json"); !slices.Equal(o.policies, []string{want}) {
		t.Errorf("policy path %q, want %q relative to the config file", o.policies, want)
	}
}

// .trackscan.yml and .trackscanignore.yml are picked up from the working
// directory when no flag names them.
func TestDefaultFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"policy.json", "scan-new.json"} {
		b, _ := os.ReadFile(fixtures + f)
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, defaultConfigFile), []byte("policy: policy.json\nformat: json\n"), 0o644)
	os.WriteFile(filepath.Join(dir, defaultIgnoreFile), []byte("- rule: undisclosed-vendor\n  reason: known\n"), 0o644)
	rep := fixtureReport(t, "scan-new.json")
	t.Chdir(dir)
	out, _, err := runEmit(t, rep)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeReport(t, out)
	if got.Suppressed != 1 || len(got.Findings) != len(wantSiteFindings)-1 {
		t.Errorf("default files not applied: %d findings, %d suppressed", len(got.Findings), got.Suppressed)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad fail-on", []string{"--fail-on", "severe"}, `unknown severity "severe"`},
		{"bad format", []string{"--format", "pdf"}, "--format"},
		{"bad config", []string{"--config", fixtures + "bad-config.yml"}, "bad-config.yml:2:1"},
		{"missing config", []string{"--config", fixtures + "nope.yml"}, "nope.yml"},
		{"unreadable policy", []string{"--policy", fixtures + "nope.md"}, "policy:"},
		{"missing baseline", []string{"--baseline", fixtures + "nope.json"}, "baseline"},
		{"baseline of another schema", []string{"--baseline", fixtures + "policy.json"}, "schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), tc.args...)
			if exitCode(err) != ExitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a usage error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// The scan's own failure (exit 3) wins over findings (exit 1), and the
// report is still written.
func TestIncompleteWins(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	var o outputFlags
	o.register(fs)
	fs.Parse([]string{"--fail-on", "low", "--format", "json"})
	var out bytes.Buffer
	e := &stdio{stdout: &out, stderr: &bytes.Buffer{}}
	incomplete := errors.Join(ErrIncomplete, errors.New("1 of 3 page visits failed"))
	err := e.emit(fixtureReport(t, "scan-new.json"), &o, incomplete)
	if exitCode(err) != ExitIncomplete {
		t.Errorf("exit = %d, want %d", exitCode(err), ExitIncomplete)
	}
	if len(decodeReport(t, out.String()).Findings) == 0 {
		t.Error("the report was not written")
	}
}

func TestEmitWritesOutputFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.json")
	stdout, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--format", "json", "-o", p)
	if err != nil || stdout != "" {
		t.Fatalf("err %v, stdout %q", err, stdout)
	}
	b, _ := os.ReadFile(p)
	decodeReport(t, string(b))
}

// The same site against a Markdown policy read by the real policy parser:
// the findings do not depend on how the consent claim was phrased.
func TestEmitFixtureSiteMarkdownPolicy(t *testing.T) {
	loadPolicy = policy.Load
	defer func() { loadPolicy = jsonPolicy }()
	out, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"privacy.md", "--format", "json", "--fail-on", "critical")
	if err != nil {
		t.Fatalf("err = %v, want nil: no critical finding", err)
	}
	rep := decodeReport(t, out)
	if got := findingKeys(rep.Findings); !slices.Equal(got, wantSiteFindings) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantSiteFindings, "\n"))
	}
	for _, f := range rep.Findings {
		if f.Vendor == "google-analytics" && f.Rule != rules.RuleCookieLifetime13Months && f.Rule != rules.RuleCategoryOnlyDisclosure &&
			!strings.Contains(f.PolicyQuote, "no non-essential cookies before you consent") {
			t.Errorf("%s relies on %q, want the consent claim", f.Rule, f.PolicyQuote)
		}
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.json")
	if err := os.WriteFile(existing, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		wantErr string
	}{
		{"", ""},
		{"-", ""},
		{filepath.Join(dir, "new.json"), ""},
		{existing, ""},
		{dir, "is a directory"},
		{filepath.Join(dir, "missing", "r.json"), "no such file or directory"},
	}
	for _, tc := range tests {
		err := checkWritable(tc.path)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.path, err)
		case tc.wantErr != "" && (err == nil || !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: err = %v, want a usage error with %q", tc.path, err, tc.wantErr)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".trackscan-write-check-*")); len(left) > 0 {
		t.Errorf("check files left behind: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.json")); err == nil {
		t.Error("the check created the report file itself")
	}
}

func TestReportRefusesToOverwriteItsInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "scan.json")
	raw, err := os.ReadFile(fixtures + "scan-new.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in, raw, 0o644)
	var out, errb bytes.Buffer
	code := Main([]string{"report", in, "-f", "markdown", "-o", in}, strings.NewReader(""), &out, &errb)
	if code != ExitUsage || !strings.Contains(errb.String(), "is the report being read") {
		t.Errorf("exit %d, stderr %q; want %d and a refusal", code, errb.String(), ExitUsage)
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(after, raw) {
		t.Error("the input report was changed")
	}
}
