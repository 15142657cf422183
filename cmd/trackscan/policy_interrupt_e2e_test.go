package main_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
)

// TestPolicyReadInterrupt sends SIGINT while the scan's browser is reading
// the --policy URL from a server that never answers: the scan must stop
// within a couple of seconds (not at the policy timeout), exit 3, write the
// report with the page it captured, and leave no Chromium behind.
func TestPolicyReadInterrupt(t *testing.T) {
	browsertest.Chromium(t)
	policyAsked := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/privacy":
			select {
			case policyAsked <- struct{}{}:
			default:
			}
			select { // hang until the client gives up or the test ends
			case <-r.Context().Done():
			case <-release:
			}
		case "/":
			fmt.Fprint(w, `<!doctype html><html><body><p>shop</p></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	rules := "MAP * " + srv.Listener.Addr().String()
	tmp, err := os.MkdirTemp("", "ts-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	out := filepath.Join(t.TempDir(), "scan.json")
	cmd := exec.Command(binary, "scan", "http://shop.test/", "--policy", "http://shop.test/privacy", "--resolve", rules,
		"--consent", "pre", "--format", "json", "-o", out)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-policyAsked:
	case err := <-done:
		t.Fatalf("the scan ended (%v) before it asked for the policy: %s", err, stderr.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the policy URL was not asked for within a minute: %s", stderr.String())
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running 10 s after SIGINT: %s", stderr.String())
	}
	// A couple of seconds: the browser's and the report's shutdown, not
	// the policy timeout.
	took := time.Since(sent)
	t.Logf("exited %s after SIGINT", took.Round(10*time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("exited %s after SIGINT, want within 3 s", took.Round(10*time.Millisecond))
	}
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit %d, want 3; stderr %q", code, stderr.String())
	}
	if !bytes.Contains(stderr.Bytes(), []byte("interrupted")) {
		t.Errorf("stderr does not say the scan was interrupted: %q", stderr.String())
	}
	assertNothingLeftIn(t, tmp)
	r := readReport(t, out)
	if len(r.Pages) != 1 || r.Pages[0].Error != "" {
		t.Errorf("report pages %+v, want the captured page", r.Pages)
	}
}
