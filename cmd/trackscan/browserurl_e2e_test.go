package main_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/demosite"
)

// TestScanBrowserURL drives a Chromium that trackscan did not start (a
// browser pool on another machine, here on loopback): the scan must find
// what a scan with its own browser finds, and leave that browser running.
func TestScanBrowserURL(t *testing.T) {
	chromium := browsertest.Chromium(t)
	site := demosite.Start()
	t.Cleanup(site.Close)

	profile, err := os.MkdirTemp("", "ts-remote-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	// The remote browser is the user's: its own flags map the tracker
	// hostnames to loopback and keep its background traffic off.
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--remote-debugging-port=0", "--user-data-dir="+profile,
		"--host-resolver-rules="+site.ResolveRules(), "about:blank")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	// Chromium writes the port and the browser's path once it listens.
	var wsURL, port string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		raw, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if lines := strings.Fields(string(raw)); err == nil && len(lines) == 2 {
			port = lines[0]
			wsURL = "ws://127.0.0.1:" + port + lines[1]
			break
		}
	}
	if wsURL == "" {
		t.Fatal("the remote Chromium did not open its DevTools port")
	}

	out := filepath.Join(t.TempDir(), "remote.json")
	res := run(t, "scan", demosite.StartURL, "--browser-url", wsURL, "--consent", "pre", "-q", "-f", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	var vendors []string
	for _, v := range r.Vendors {
		vendors = append(vendors, v.ID)
	}
	for _, want := range []string{"google-analytics", "hotjar", "youtube"} {
		if !strings.Contains(strings.Join(vendors, " "), want) {
			t.Errorf("vendors %v lack %s", vendors, want)
		}
	}
	if len(r.Pages) != 1 || r.Pages[0].Status != 200 {
		t.Errorf("pages %+v, want one visit answered 200", r.Pages)
	}
	// trackscan closes only its own tabs and browser contexts, never the
	// user's browser: a second scan through it works as well.
	res = run(t, "scan", demosite.StartURL, "--browser-url", wsURL, "--consent", "pre", "-q", "-f", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("second scan through the same browser: exit %d: %s", res.code, res.stderr)
	}
	if resp, err := http.Get("http://127.0.0.1:" + port + "/json/version"); err != nil {
		t.Errorf("the remote browser is gone after the scans: %v", err)
	} else {
		resp.Body.Close()
	}
}
