package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDiffCommand(t *testing.T) {
	// Save the two fixture scans with their findings, as trackscan scan -o would.
	dir := t.TempDir()
	var saved []string
	for _, name := range []string{"scan-old.json", "scan-new.json"} {
		out, _, err := runEmit(t, fixtureReport(t, name), "--policy", fixtures+"policy.json", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(out), 0o644)
		saved = append(saved, p)
	}

	code, out, stderr := runMain("diff", saved[0], saved[1])
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"vendors: 2 new, 0 gone", "  + facebook  Facebook  advertising", "  + hotjar  Hotjar  session-replay",
		"cookies: 1 new, 0 gone", "  + _fbp@shop.test  facebook advertising",
		"findings: 2 new, 0 gone", "  + high undisclosed-vendor  hotjar https://shop.test/", "  + high session-recording-undeclared",
	} {
		if !strings.Contains(out, want+"\n") && !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runMain("diff", saved[0], saved[1], "--format", "json")
	var d Diff
	if err := json.Unmarshal([]byte(out), &d); err != nil || code != ExitOK {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(d.Vendors.New) != 2 || d.Vendors.New[0].Key != "facebook" || len(d.Findings.New) != 2 || len(d.Findings.Gone) != 0 {
		t.Errorf("json diff = %+v", d)
	}

	// Reversed, the same items are gone, and nothing is new.
	code, out, _ = runMain("diff", saved[1], saved[0], "--fail-on-new")
	if code != ExitOK || !strings.Contains(out, "vendors: 0 new, 2 gone") || !strings.Contains(out, "  - hotjar") {
		t.Errorf("reversed diff exit %d:\n%s", code, out)
	}
	if code, _, _ := runMain("diff", saved[0], saved[1], "--fail-on-new"); code != ExitFindings {
		t.Errorf("--fail-on-new with new items: exit %d, want %d", code, ExitFindings)
	}
	if code, out, _ := runMain("diff", saved[1], saved[1], "--fail-on-new"); code != ExitOK || strings.Contains(out, "+") {
		t.Errorf("a scan against itself: exit %d:\n%s", code, out)
	}
}

func TestDiffUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"diff", fixtures + "scan-old.json"}, "two saved JSON reports"},
		{[]string{"diff", fixtures + "scan-old.json", fixtures + "nope.json"}, "nope.json"},
		{[]string{"diff", fixtures + "scan-old.json", fixtures + "policy.json"}, "not a trackscan report"},
		{[]string{"diff", fixtures + "scan-old.json", fixtures + "scan-new.json", "--format", "xml"}, "--format"},
		{[]string{"baseline"}, "one saved JSON report"},
		{[]string{"baseline", fixtures + "config.yml"}, "config.yml"},
		{[]string{"rules", "--format", "yaml"}, "--format"},
	}
	for _, tc := range tests {
		code, _, stderr := runMain(tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line containing %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestBaselineToStdoutFromStdin(t *testing.T) {
	out, _, _ := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"baseline", "-"}, strings.NewReader(out), &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var b Baseline
	if err := json.Unmarshal(stdout.Bytes(), &b); err != nil || len(b.Findings) != len(wantSiteFindings) || b.Target != "https://shop.test/" {
		t.Fatalf("baseline = %+v, %v", b, err)
	}
	for _, e := range b.Findings {
		if e.Fingerprint == "" || e.Rule == "" || e.Target == "" {
			t.Errorf("incomplete baseline entry %+v", e)
		}
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := runMain("rules")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, r := range rules.Rules() {
		if !strings.Contains(out, r.ID) || !strings.Contains(out, r.Title) {
			t.Errorf("rules table lacks %s", r.ID)
		}
	}
	code, out, _ = runMain("rules", "--format", "json")
	var list []rules.Rule
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != ExitOK || len(list) != len(rules.Rules()) {
		t.Fatalf("rules json: exit %d, %v, %d rules", code, err, len(list))
	}
	if list[0].Why == "" || list[0].Fix == "" || len(list[0].References) == 0 {
		t.Errorf("json rule lacks why/fix/references: %+v", list[0])
	}
	code, out, _ = runMain("rules", "--format", "markdown")
	doc, _ := os.ReadFile("../../docs/rules.md")
	if code != ExitOK || out != string(doc) {
		t.Error("rules --format markdown differs from docs/rules.md")
	}
}

// Findings a baseline suppressed are still there: diff must not list them
// as gone, and says how many it counted as present.
func TestDiffBaselineSuppressed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	run1 := write("run1.json", first)
	// run2 uses run1 as its baseline: every finding is suppressed.
	second, _, err := runEmit(t, fixtureReport(t, "scan-new.json"), "--policy", fixtures+"policy.json", "--format", "json", "--baseline", run1)
	if err != nil {
		t.Fatal(err)
	}
	rep := decodeReport(t, second)
	n := len(wantSiteFindings)
	if len(rep.SuppressedFingerprints) != n || !slices.IsSorted(rep.SuppressedFingerprints) {
		t.Fatalf("suppressed_fingerprints = %v, want %d sorted", rep.SuppressedFingerprints, n)
	}
	run2 := write("run2.json", second)

	tests := []struct {
		old, new string
		want     string
	}{
		{run1, run2, fmt.Sprintf("findings: 0 new, 0 gone (%d suppressed by a baseline in NEW; counted as present)\n", n)},
		{run2, run1, fmt.Sprintf("findings: 0 new, 0 gone (%d suppressed by a baseline in OLD; counted as present)\n", n)},
	}
	for _, tt := range tests {
		code, out, stderr := runMain("diff", tt.old, tt.new)
		if code != ExitOK || !strings.Contains(out, tt.want) {
			t.Errorf("diff %s %s: exit %d %s\n%s\nwant %q", filepath.Base(tt.old), filepath.Base(tt.new), code, stderr, out, tt.want)
		}
	}
	code, out, _ := runMain("diff", run1, run2, "--format", "json")
	var d Diff
	if err := json.Unmarshal([]byte(out), &d); err != nil || code != ExitOK {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(d.Findings.Gone) != 0 || d.Suppressed.New != n || len(d.Unmatched) != 0 {
		t.Errorf("json diff = %+v", d)
	}

	// A report that counts suppressed findings without naming them cannot
	// be matched: diff says so instead of pretending.
	rep.SuppressedFingerprints = nil
	raw, _ := json.Marshal(rep)
	legacy := write("legacy.json", string(raw))
	if _, out, _ := runMain("diff", run1, legacy); !strings.Contains(out, `new suppressed findings without fingerprints: some "gone" may only be suppressed`) {
		t.Errorf("legacy diff:\n%s", out)
	}
}

// TestDiffKinds: a site report against an email report is a usage error,
// said in one line, whichever side is which.
func TestDiffKinds(t *testing.T) {
	dir := t.TempDir()
	email := filepath.Join(dir, "email.json")
	if err := os.WriteFile(email, []byte(`{"schema":"`+reports.Schema+`","kind":"email","target":"newsletter.eml","findings":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"diff", fixtures + "scan-old.json", email},
		{"diff", email, fixtures + "scan-old.json"},
	} {
		code, out, stderr := runMain(args...)
		if code != ExitUsage || !strings.Contains(stderr, "cannot diff a") || strings.Count(stderr, "\n") != 1 || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, out, stderr)
		}
	}
}
