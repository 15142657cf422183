package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/reports"
)

// TestScanSurvivesBrowserCrash kills Chromium after the first page and
// checks that the scan restarts it, retries the page it was on and
// captures every page.
func TestScanSurvivesBrowserCrash(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	out := filepath.Join(t.TempDir(), "scan.json")
	var f scanFlags
	cmd := &cobra.Command{}
	f.register(cmd)
	if err := cmd.ParseFlags([]string{"--resolve", site.ResolveRules(), "--insecure", "--max-pages", "5",
		"--consent", "pre", "--concurrency", "1", "-f", "json", "-o", out}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var killed []int
	var killedDir string
	onVisit := func(b *browser.Browser, p *capture.Page) {
		mu.Lock()
		defer mu.Unlock()
		if len(killed) > 0 {
			return
		}
		pid := b.PID()
		if pid == 0 {
			t.Error("no browser pid")
			return
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		for _, arg := range strings.Split(string(cmdline), "\x00") {
			if dir, ok := strings.CutPrefix(arg, "--user-data-dir="); ok {
				killedDir = dir
			}
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Errorf("kill %d: %v", pid, err)
		}
		killed = append(killed, pid)
	}
	var stdout, stderr bytes.Buffer
	e := &stdio{stdout: &stdout, stderr: &stderr}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.runScan(ctx, []string{demosite.StartURL}, &f, onVisit); err != nil {
		t.Fatalf("scan failed: %v\n%s", err, stderr.String())
	}
	if len(killed) != 1 {
		t.Fatalf("killed %v", killed)
	}
	r := readJSONReport(t, out)
	var urls []string
	for _, p := range r.Pages {
		if p.Error != "" {
			t.Errorf("%s: %s", p.URL, p.Error)
		}
		urls = append(urls, p.URL)
	}
	if len(urls) != 5 {
		t.Errorf("pages %v, want 5", urls)
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "restarted") }) {
		t.Errorf("notes %q do not say the browser was restarted", r.Notes)
	}
	// The killed browser's renderers must not outlive it.
	if killedDir == "" {
		t.Fatal("no --user-data-dir on the killed browser's command line")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		o, _ := exec.Command("pgrep", "-f", killedDir).Output()
		if len(bytes.TrimSpace(o)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the killed browser left: %s", o)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readJSONReport(t *testing.T, path string) *reports.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := reports.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
