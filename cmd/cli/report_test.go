package cli

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Tests != 6 {
		t.Errorf("junit file: %v, %d tests; want 6", err, suites.Tests)
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
