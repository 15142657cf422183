package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
)

// TestDemoRunsAgree runs the demo twice: the pages, their request counts
// (Chromium's own favicon fetch is not the page's) and the policy source
// must be the same, and no cookie evidence may name an empty setter.
func TestDemoRunsAgree(t *testing.T) {
	browsertest.Chromium(t)
	type visit struct {
		url      string
		phase    capture.Phase
		requests int
	}
	var runs [2][]visit
	var sources [2]string
	var fingerprints [2][]string
	for i := range runs {
		out := filepath.Join(t.TempDir(), "demo.json")
		res := run(t, "demo", "-q", "--concurrency", "2", "-f", "json", "-o", out)
		if res.code != 0 && res.code != 1 {
			t.Fatalf("demo: exit %d: %s", res.code, res.stderr)
		}
		r := readReport(t, out)
		for _, p := range r.Pages {
			runs[i] = append(runs[i], visit{p.URL, p.Phase, p.Requests})
		}
		if r.Policy == nil {
			t.Fatal("demo report has no policy")
		}
		sources[i] = r.Policy.Source
		for _, f := range r.Findings {
			fingerprints[i] = append(fingerprints[i], f.Fingerprint)
		}
		// The capture is dated for the auditor; the rest must not vary.
		if r.Started.IsZero() || r.Finished.Before(r.Started) {
			t.Errorf("capture times started %v, finished %v", r.Started, r.Finished)
		}
		for _, d := range r.Detections {
			if strings.Contains(d.Evidence, "by ://") || strings.HasSuffix(d.Evidence, "set by ") {
				t.Errorf("evidence with an empty setter: %q", d.Evidence)
			}
		}
	}
	if !slices.Equal(fingerprints[0], fingerprints[1]) || len(fingerprints[0]) == 0 {
		t.Errorf("finding fingerprints differ between runs:\n%v\n%v", fingerprints[0], fingerprints[1])
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Errorf("pages differ between runs:\n%v\n%v", runs[0], runs[1])
	}
	if sources[0] != demosite.PolicyURL || sources[1] != demosite.PolicyURL {
		t.Errorf("policy sources %q, want %q", sources, demosite.PolicyURL)
	}
}

// TestClosedStdoutLeavesNothing writes the report into a pipe nobody reads
// (as `trackscan scan ... | true` does): the run must end with an ordinary
// error, not die of SIGPIPE, and leave no Chromium and no profile behind.
func TestClosedStdoutLeavesNothing(t *testing.T) {
	browsertest.Chromium(t)
	tmp, err := os.MkdirTemp("", "ts-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rd.Close() // the reader is gone before the report is written
	cmd := exec.Command(binary, "demo", "-q", "--max-pages", "1", "--consent", "pre", "-f", "markdown")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.Stdout = wr
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	wr.Close()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("run: %v, want a write error", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Errorf("killed by %v", ws.Signal())
	}
	if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "writing the report") {
		t.Errorf("stderr %q, want one line about writing the report", stderr.String())
	}
	assertNothingLeftIn(t, tmp)
}
