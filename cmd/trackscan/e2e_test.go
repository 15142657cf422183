package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/reports"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trackscan-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "trackscan")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes the real CLI with its own TMPDIR, so that the leak check
// sees only this run's Chromium even while other scans run on the machine,
// and checks that it left no Chromium and no profile directory behind.
func run(t *testing.T, args ...string) result {
	t.Helper()
	// Short: Chromium's profile holds a socket, and socket paths are
	// limited to ~100 bytes; t.TempDir() names can be longer.
	tmp, err := os.MkdirTemp("", "ts-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	return runIn(t, tmp, nil, args...)
}

// runIn executes the real CLI with TMPDIR tmp and these further environment
// variables, and checks that it left nothing behind in tmp.
func runIn(t *testing.T, tmp string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "TMPDIR="+tmp), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	assertNothingLeftIn(t, tmp)
	return result{out.String(), errb.String(), code}
}

// assertNothingLeftIn waits briefly for the Chromium processes of a run whose
// TMPDIR was dir to exit, then fails if any remain or if the run left its
// run directory (profile, Chromium's temporary files) or anything of
// Chromium's behind.
func assertNothingLeftIn(t *testing.T, dir string) {
	t.Helper()
	assertNoProcesses(t, filepath.Join(dir, "trackscan-"))
	for _, pattern := range []string{"trackscan-run-*", "trackscan-profile-*", "org.chromium.*", ".org.chromium.*"} {
		if left, _ := filepath.Glob(filepath.Join(dir, pattern)); len(left) > 0 {
			t.Fatalf("left behind: %v", left)
		}
	}
}

func readReport(t *testing.T, path string) *reports.Report {
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

func TestScanDemoSitePreConsent(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "scan.json")
	jsonl := filepath.Join(dir, "pages.jsonl")
	res := run(t, "scan", demosite.StartURL, "--resolve", site.ResolveRules(), "--insecure",
		"--consent", "pre", "--format", "json", "-o", out, "--jsonl", jsonl)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if r.Schema != "trackscan/v1" || r.Kind != reports.KindSite || r.Browser == nil || r.Browser.ThirdPartyCookies != "allow" {
		t.Fatalf("bad header: %+v %+v", r, r.Browser)
	}
	if strings.Contains(r.Browser.UserAgent, "Headless") {
		t.Errorf("user agent gives the scanner away: %s", r.Browser.UserAgent)
	}

	cookies := map[string]bool{}
	for _, c := range r.Cookies {
		cookies[c.Name] = true
	}
	cookieTests := []struct {
		name, domain, vendor, category string
		firstParty, stored             bool
		source                         string
	}{
		{"session_id", "shop.example", "", "unknown", true, true, "header"},
		{"_ga", "shop.example", "google-analytics", "analytics", true, true, "script"},
		{"fr", "facebook.com", "facebook", "advertising", false, true, "header"},
		{"VISITOR_INFO1_LIVE", "youtube.com", "youtube", "", false, true, "header"},
		{"YSC", "www.youtube.com", "youtube", "", false, true, "script"},
		{"_hjSessionUser_3000000", "shop.example", "hotjar", "", true, true, "script"},
	}
	for _, tt := range cookieTests {
		t.Run("cookie "+tt.name, func(t *testing.T) {
			for _, c := range r.Cookies {
				if c.Name != tt.name {
					continue
				}
				if c.Domain != tt.domain || c.Vendor != tt.vendor || c.FirstParty != tt.firstParty || c.Stored != tt.stored || c.Source != tt.source {
					t.Errorf("got %+v", c)
				}
				if tt.category != "" && string(c.Category) != tt.category {
					t.Errorf("category %s, want %s", c.Category, tt.category)
				}
				if len(c.Phases) != 1 || c.Phases[0] != capture.PreConsent {
					t.Errorf("phases %v", c.Phases)
				}
				return
			}
			t.Errorf("cookie %s not reported; have %v", tt.name, cookies)
		})
	}

	kinds := map[string]bool{}
	for _, d := range r.Detections {
		kinds[string(d.Kind)+" "+d.Vendor] = true
	}
	for _, want := range []string{
		"web-beacon facebook",                 // the hidden 1x1 pixel
		"web-beacon google-analytics",         // sendBeacon
		"social-widget youtube",               // the cross-site iframe
		"third-party-script google-analytics", // gtag.js
		"session-recorder hotjar",             // session recorder
		"consent-mode google-analytics",       // gcs on the collect hit
	} {
		if !kinds[want] {
			t.Errorf("missing detection %q; have %v", want, kinds)
		}
	}
	var fingerprinting, shareWidget bool
	for _, d := range r.Detections {
		if d.Kind == "fingerprinting" && strings.Contains(d.Evidence, "canvas") && d.Host == "fpnpmcdn.net" {
			fingerprinting = true
		}
		if strings.Contains(d.URL, "platform.twitter.com") {
			shareWidget = true
		}
	}
	if !fingerprinting || !shareWidget {
		t.Errorf("fingerprinting=%t share widget=%t", fingerprinting, shareWidget)
	}
	storage := map[string]string{}
	for _, s := range r.Storage {
		storage[s.Kind+" "+s.Key] = s.Origin
	}
	for key, origin := range map[string]string{
		"localStorage cart":                    "http://shop.example",
		"sessionStorage visit_started":         "http://shop.example",
		"localStorage yt-remote-device-id":     "https://www.youtube.com",
		"sessionStorage _hjSessionStorageTest": "http://shop.example",
	} {
		if storage[key] != origin {
			t.Errorf("storage %s: origin %q, want %q", key, storage[key], origin)
		}
	}

	// The streamed capture holds every request: none may be Chromium's own.
	f, err := os.Open(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var requests int
	for sc.Scan() {
		var p capture.Page
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		for _, req := range p.Requests {
			requests++
			for _, bg := range []string{"gvt1.com", "update.googleapis.com", "clients2.google.com", "safebrowsing", "accounts.google.com", "optimizationguide"} {
				if strings.Contains(req.URL, bg) {
					t.Errorf("Chromium background request counted as the site's: %s", req.URL)
				}
			}
		}
	}
	if requests < 10 {
		t.Errorf("only %d requests streamed", requests)
	}
}

func TestScanBlockedThirdPartyCookies(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	out := filepath.Join(t.TempDir(), "scan.json")
	res := run(t, "scan", demosite.StartURL, "--resolve", site.ResolveRules(), "--insecure", "--consent", "pre",
		"--third-party-cookies", "block", "-f", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if r.Browser.ThirdPartyCookies != "block" {
		t.Errorf("report says %q", r.Browser.ThirdPartyCookies)
	}
	for _, c := range r.Cookies {
		if c.Name == "fr" {
			if c.Stored || len(c.Blocked) == 0 {
				t.Errorf("third-party cookie fr should be tried but blocked: %+v", c)
			}
			return
		}
	}
	t.Error("the blocked cookie fr was not reported as tried")
}

func TestScanBadInput(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	site.Handle("loop.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	site.Handle("hang.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>loading"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	site.Handle("pdf.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4\n"))
	}))
	rules := site.ResolveRules()
	// A port nobody listens on: bind one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + l.Addr().String() + "/"
	l.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unreachable", []string{"scan", closedURL}, "ERR_CONNECTION_REFUSED"},
		{"tls error", []string{"scan", "https://shop.example/", "--resolve", rules}, "ERR_CERT"},
		{"redirect loop", []string{"scan", "http://loop.example/", "--resolve", rules}, "ERR_TOO_MANY_REDIRECTS"},
		{"404", []string{"scan", "http://shop.example/missing.html", "--resolve", rules}, "HTTP 404"},
		{"not html", []string{"scan", "http://pdf.example/doc.pdf", "--resolve", rules}, "not an HTML page"},
		{"never loads", []string{"scan", "http://hang.example/", "--resolve", rules, "--timeout", "3s"}, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "scan.json")
			res := run(t, append(tt.args, "--consent", "pre", "-f", "json", "-o", out)...)
			if res.code != 3 {
				t.Errorf("exit %d, want 3; stderr %q", res.code, res.stderr)
			}
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("want one line mentioning %q, got %q", tt.want, res.stderr)
			}
			r := readReport(t, out)
			if len(r.Pages) != 1 || r.Pages[0].Error == "" {
				t.Errorf("partial results not written: %+v", r.Pages)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"scan"},
		{"scan", "ftp://example.com/"},
		{"scan", "http://x.example/", "--consent", "maybe"},
		{"scan", "http://x.example/", "--no-such-flag"},
		{"no-such-command"},
	} {
		res := run(t, args...)
		if res.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, res.code, res.stderr)
		}
	}
}
