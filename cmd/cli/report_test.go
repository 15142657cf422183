package cli

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/detectors"
)

const savedScan = "../../testdata/reports/site.json"

func TestReportCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
	}{
		{"table", []string{"report", savedScan}, "", ExitOK, "Findings", ""},
		{"markdown", []string{"report", savedScan, "--format", "markdown"}, "", ExitOK, "## trackscan site: https://shop.example/", ""},
		{"sarif", []string{"report", savedScan, "-f", "sarif"}, "", ExitOK, `"version": "2.1.0"`, ""},
		{"stdin", []string{"report", "-", "-f", "json"}, `{"schema":"trackscan/v1","kind":"policy","target":"p.md"}`, ExitOK, `"target": "p.md"`, ""},
		{"fail-on reached", []string{"report", savedScan, "-f", "json", "--fail-on", "critical"}, "", ExitFindings, `"schema": "trackscan/v1"`, ""},
		{"fail-on not reached", []string{"report", "-", "--fail-on", "info"}, `{"schema":"trackscan/v1","kind":"policy","target":"p.md"}`, ExitOK, "no findings", ""},
		{"unknown format", []string{"report", savedScan, "-f", "pdf"}, "", ExitUsage, "", `unknown report format "pdf" (valid: table, json, sarif, junit, markdown, html)`},
		{"bad fail-on", []string{"report", savedScan, "--fail-on", "severe"}, "", ExitUsage, "", `--fail-on: unknown severity "severe"`},
		{"missing file", []string{"report", "nope.json"}, "", ExitUsage, "", "nope.json"},
		{"not a report", []string{"report", "-"}, `{"version":"2.1.0"}`, ExitUsage, "", "not a trackscan report: no schema field"},
		{"no argument", []string{"report"}, "", ExitUsage, "", "exactly one SCAN.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%.300s", tt.wantOut, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) || strings.Count(stderr.String(), "\n") > 1 {
				t.Errorf("stderr %q, want one line containing %q", stderr.String(), tt.wantErr)
			}
		})
	}
}

func TestReportCommandOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "junit.xml")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"report", savedScan, "--format", "junit", "-o", out}, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Tests != 23 {
		t.Errorf("junit file: %v, %d tests; want 23 (6 that fired, 17 passing)", err, suites.Tests)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout should stay empty with -o, got %q", stdout.String())
	}
}

// Screenshots are resolved beside the saved scan, wherever it is run from.
func TestReportCommandHTMLScreenshots(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	var stderr bytes.Buffer
	if code := Main([]string{"report", savedScan, "-f", "html", "-o", out}, strings.NewReader(""), &bytes.Buffer{}, &stderr); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `<img src="data:image/png;base64,`); n != 2 {
		t.Errorf("%d screenshots embedded, want 2", n)
	}
}

// A saved scan re-judged against a policy without scanning again: the rules
// run over the saved observations, then the baseline, the ignore file and
// --fail-on apply as they do for scan.
func TestReportRejudge(t *testing.T) {
	timeNow = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { timeNow = time.Now }()
	saved := fixtures + "scan-new.json" // observations only: no policy, no findings
	dir := t.TempDir()
	judged := filepath.Join(dir, "judged.json")
	base := filepath.Join(dir, "baseline.json")

	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := Main(args, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, out, stderr := run("report", saved, "-f", "json")
	if code != ExitOK || len(decodeReport(t, out).Findings) != 0 {
		t.Fatalf("without a policy the saved findings (none) are kept: exit %d, %s %s", code, out, stderr)
	}

	code, _, stderr = run("report", saved, "--policy", fixtures+"policy.json", "-f", "json", "--fail-on", "high", "-o", judged)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d: %s", code, ExitFindings, stderr)
	}
	raw, err := os.ReadFile(judged)
	if err != nil {
		t.Fatal(err)
	}
	rep := decodeReport(t, string(raw))
	if got := findingKeys(rep.Findings); !slices.Equal(got, wantSiteFindings) {
		t.Errorf("re-judged findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantSiteFindings, "\n"))
	}
	if rep.Policy == nil || len(rep.Policy.Declarations) != 4 {
		t.Errorf("the new policy is not in the report: %+v", rep.Policy)
	}
	for _, v := range rep.Vendors {
		if v.ID == "hotjar" && v.Disclosure != detectors.DisclosureUndisclosed {
			t.Errorf("hotjar disclosure %q", v.Disclosure)
		}
	}

	if code, _, stderr = run("baseline", judged, "-o", base); code != ExitOK {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}
	code, out, stderr = run("report", saved, "--policy", fixtures+"policy.json", "--baseline", base, "-f", "json", "--fail-on", "low")
	if rep := decodeReport(t, out); code != ExitOK || len(rep.Findings) != 0 || rep.Suppressed != len(wantSiteFindings) {
		t.Errorf("with the baseline: exit %d, %d findings, %d suppressed; stderr %q", code, len(rep.Findings), rep.Suppressed, stderr)
	}

	// The ignore file applies to the saved findings too, with its warnings.
	code, out, stderr = run("report", judged, "--ignore", fixtures+"ignore.yml", "-f", "json")
	rep = decodeReport(t, out)
	if code != ExitOK || rep.Suppressed != 1 || slices.Contains(findingKeys(rep.Findings), "low cookie-lifetime-over-13-months google-analytics _ga") {
		t.Errorf("ignore file: exit %d, suppressed %d, findings %v", code, rep.Suppressed, findingKeys(rep.Findings))
	}
	if !strings.Contains(stderr, "expired on 2020-01-01") {
		t.Errorf("no warning about the expired entry: %q", stderr)
	}

	// A policy that cannot be read is a usage error and writes nothing.
	out2 := filepath.Join(dir, "never.json")
	if code, _, stderr = run("report", saved, "--policy", filepath.Join(dir, "missing.md"), "-o", out2); code != ExitUsage ||
		!strings.Contains(stderr, "policy:") || fileExists(out2) {
		t.Errorf("missing policy: exit %d, stderr %q, output written %v", code, stderr, fileExists(out2))
	}
}

// A saved scan moved without its screenshots still renders, with one
// warning on stderr instead of silently dropped screenshots.
func TestReportHTMLMovedScreenshots(t *testing.T) {
	data, err := os.ReadFile(savedScan)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		withShots bool
		warning   string
	}{
		{"moved alone", false, "trackscan: warning: 3 screenshots named in the report were not found beside it or in the working directory\n"},
		{"moved with its screenshots", true, "trackscan: warning: 1 screenshot named in the report was not found beside it or in the working directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			moved := filepath.Join(dir, "saved.json")
			if err := os.WriteFile(moved, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.withShots {
				os.Mkdir(filepath.Join(dir, "shots"), 0o755)
				for _, n := range []string{"pre-consent.png", "after-accept.png"} {
					b, err := os.ReadFile(filepath.Join(filepath.Dir(savedScan), "shots", n))
					if err != nil {
						t.Fatal(err)
					}
					os.WriteFile(filepath.Join(dir, "shots", n), b, 0o644)
				}
			}
			var stdout, stderr bytes.Buffer
			code := Main([]string{"report", moved, "-f", "html", "-o", filepath.Join(dir, "r.html")}, strings.NewReader(""), &stdout, &stderr)
			if code != ExitOK || stderr.String() != tt.warning {
				t.Errorf("exit %d, stderr %q, want %q", code, stderr.String(), tt.warning)
			}
		})
	}
}
