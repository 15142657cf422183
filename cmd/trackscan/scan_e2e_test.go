package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
)

// jsonlPages reads the pages streamed with --jsonl so far.
func jsonlPages(t *testing.T, path string) []capture.Page {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []capture.Page
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var p capture.Page
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			break // a line still being written
		}
		out = append(out, p)
	}
	return out
}

// chromiumProfileOf returns the --user-data-dir of a Chromium started by
// the process pid, "" when it has none (yet).
func chromiumProfileOf(pid int) string {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		raw, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		_, rest, ok := strings.Cut(string(raw), ") ")
		fields := strings.Fields(rest)
		if !ok || len(fields) < 2 || fields[1] != fmt.Sprint(pid) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(st), "cmdline"))
		for _, arg := range strings.Split(string(cmdline), "\x00") {
			if dir, ok := strings.CutPrefix(arg, "--user-data-dir="); ok && strings.Contains(dir, "trackscan-profile-") {
				return dir
			}
		}
	}
	return ""
}

// assertNoProcesses waits up to three seconds for every process whose
// command line names profile (a profile directory or a prefix of one) to
// be gone.
func assertNoProcesses(t *testing.T, profile string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		out, _ := exec.Command("pgrep", "-f", profile).Output()
		if len(bytes.TrimSpace(out)) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Chromium processes of %s left behind: %s", profile, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestScanInterrupt sends SIGINT once the first page of a slow site is
// streamed: the scan must exit 3, write the report with the pages so far
// and leave no Chromium behind.
func TestScanInterrupt(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	// Twenty pages, each linking to all the others, each taking a second.
	site.Handle("slow.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<!doctype html><title>%s</title><body>", r.URL.Path)
		for i := range 20 {
			fmt.Fprintf(w, `<a href="/p%d.html">page %d</a> `, i, i)
		}
	}))
	dir := t.TempDir()
	out := filepath.Join(dir, "scan.json")
	jsonl := filepath.Join(dir, "pages.jsonl")
	cmd := exec.Command(binary, "scan", "http://slow.example/", "--resolve", site.ResolveRules(), "--max-pages", "20",
		"--consent", "pre", "--concurrency", "1", "-f", "json", "-o", out, "--jsonl", jsonl)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	profile := ""
	for len(jsonlPages(t, jsonl)) == 0 || profile == "" {
		if profile == "" {
			profile = chromiumProfileOf(cmd.Process.Pid)
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no page streamed within a minute: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("scan did not stop within 30s of SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit %d, want 3; stderr %q", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say the scan was interrupted: %q", stderr.String())
	}
	// Only this scan's browser: other scans may run on the machine.
	assertNoProcesses(t, profile)
	r := readReport(t, out)
	captured := 0
	for _, p := range r.Pages {
		if p.Error == "" {
			captured++
		}
	}
	if captured < 1 || len(r.Pages) >= 20 {
		t.Errorf("report has %d pages (%d captured): want the pages up to the interrupt", len(r.Pages), captured)
	}
}

// TestScanGPC serves a page that reports the Sec-GPC header of its own
// request and navigator.globalPrivacyControl (by the image it asks for).
func TestScanGPC(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	var mu sync.Mutex
	var headers, signals []string
	site.Handle("gpc.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/":
			headers = append(headers, r.Header.Get("Sec-GPC"))
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<!doctype html><body><script>
new Image().src = navigator.globalPrivacyControl === true ? '/gpc-on.gif' : '/gpc-off.gif';
</script></body>`))
		case "/gpc-on.gif", "/gpc-off.gif":
			signals = append(signals, r.URL.Path)
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	for _, tt := range []struct {
		args           []string
		header, signal string
	}{
		{[]string{"--gpc", "--consent", "pre"}, "1", "/gpc-on.gif"},
		// All three phases asked for, on a page without a banner.
		{nil, "", "/gpc-off.gif"},
	} {
		t.Run(fmt.Sprintf("args %v", tt.args), func(t *testing.T) {
			mu.Lock()
			headers, signals = nil, nil
			mu.Unlock()
			out := filepath.Join(t.TempDir(), "scan.json")
			res := run(t, append([]string{"scan", "http://gpc.example/", "--resolve", site.ResolveRules(),
				"-f", "json", "-o", out}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(headers) != 1 || headers[0] != tt.header {
				t.Errorf("Sec-GPC headers %q, want [%q]", headers, tt.header)
			}
			if len(signals) != 1 || signals[0] != tt.signal {
				t.Errorf("page asked for %q, want [%q]", signals, tt.signal)
			}
			r := readReport(t, out)
			if r.Browser.GPC != (tt.header == "1") {
				t.Errorf("report says gpc=%t", r.Browser.GPC)
			}
			if len(r.Pages) != 1 || len(r.Errors) != 0 {
				t.Errorf("pages %+v, errors %q: want the pre-consent page only and no error", r.Pages, r.Errors)
			}
			// (The page links no privacy policy: a second note says so.)
			if tt.args == nil && (len(r.Notes) != 2 || r.Notes[0] != "no consent banner found on any page; scanned before consent only" ||
				!strings.HasPrefix(r.Notes[1], "no privacy policy found")) {
				t.Errorf("notes %q", r.Notes)
			}
		})
	}
}

// TestScanConsentCarried crawls the demo shop in three phases: in each
// consent phase one page clicks the banner and the others start with the
// choice it stored.
func TestScanConsentCarried(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "scan.json")
	jsonl := filepath.Join(dir, "pages.jsonl")
	res := run(t, "scan", demosite.StartURL, "--resolve", site.ResolveRules(), "--insecure", "--max-pages", "5",
		"--consent", "pre,reject,accept", "-f", "json", "-o", out, "--jsonl", jsonl)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if len(r.Errors) != 0 {
		t.Errorf("errors: %q", r.Errors)
	}
	phases := map[string][]capture.Phase{}
	clicked := map[capture.Phase][]string{}
	for _, p := range r.Pages {
		phases[p.URL] = append(phases[p.URL], p.Phase)
		if p.Phase == capture.PreConsent || p.Consent == nil {
			continue
		}
		switch {
		case p.Consent.Clicked && !p.Consent.Carried:
			clicked[p.Phase] = append(clicked[p.Phase], p.URL)
			if !p.Consent.Verified || len(p.Consent.State) == 0 {
				t.Errorf("%s (%s): click not verified or stored nothing: %+v", p.URL, p.Phase, p.Consent)
			}
		case p.Consent.Carried:
			if p.Consent.CarriedFrom == "" || p.Consent.CMP != "onetrust" {
				t.Errorf("%s (%s): carried from %q, cmp %q", p.URL, p.Phase, p.Consent.CarriedFrom, p.Consent.CMP)
			}
		default:
			t.Errorf("%s (%s): neither clicked nor carried: %+v", p.URL, p.Phase, p.Consent)
		}
	}
	if len(phases) != 5 {
		t.Errorf("%d pages, want 5: %v", len(phases), phases)
	}
	for u, ps := range phases {
		if len(ps) != 3 {
			t.Errorf("%s: phases %v, want all three", u, ps)
		}
	}
	for _, ph := range []capture.Phase{capture.AfterReject, capture.AfterAccept} {
		if len(clicked[ph]) != 1 {
			t.Errorf("%s: clicked on %v, want exactly one page", ph, clicked[ph])
		}
	}
	// The privacy page shows no banner; it still gets both phases, carried.
	for _, p := range r.Pages {
		if strings.HasSuffix(p.URL, "/privacy.html") && p.Phase != capture.PreConsent && (p.Consent == nil || !p.Consent.Carried) {
			t.Errorf("privacy.html (%s) not carried: %+v", p.Phase, p.Consent)
		}
	}
	if len(r.Notes) == 0 || !strings.Contains(strings.Join(r.Notes, "\n"), "OneTrust reject clicked on") {
		t.Errorf("notes %q do not say where the choice was clicked", r.Notes)
	}

	// The Meta pixel script is the demo's only gated vendor: on every page
	// that loads the banner script it appears after accept and never before
	// consent or after reject. (The home page's <img> pixel to
	// www.facebook.com is deliberately ungated and not looked at here.)
	gated := map[string]map[capture.Phase]bool{}
	bannerPages := map[string]bool{}
	for _, p := range jsonlPages(t, jsonl) {
		if gated[p.URL] == nil {
			gated[p.URL] = map[capture.Phase]bool{}
		}
		for _, req := range p.Requests {
			if strings.Contains(req.URL, "connect.facebook.net/") {
				gated[p.URL][p.Phase] = true
			}
			if strings.HasSuffix(req.URL, "/consent.js") {
				bannerPages[p.URL] = true
			}
		}
	}
	if len(bannerPages) != 4 {
		t.Errorf("pages with the banner script: %v, want 4", bannerPages)
	}
	for u, got := range gated {
		want := bannerPages[u]
		if got[capture.PreConsent] || got[capture.AfterReject] || got[capture.AfterAccept] != want {
			t.Errorf("%s: Meta pixel in %v, want only after accept (%t)", u, got, want)
		}
	}
}

// TestScanTrapVariants: a calendar of numbered days is cut after the
// number of variants --trap-variants allows.
func TestScanTrapVariants(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	site.Handle("cal.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><body>")
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(w, `<a href="/day/%d">%d</a> `, i, i)
		}
	}))
	out := filepath.Join(t.TempDir(), "scan.json")
	res := run(t, "scan", "http://cal.example/", "--resolve", site.ResolveRules(), "--max-pages", "40", "--trap-variants", "3",
		"--consent", "pre", "-f", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var urls []string
	for _, p := range readReport(t, out).Pages {
		urls = append(urls, strings.TrimPrefix(p.URL, "http://cal.example"))
	}
	if strings.Join(urls, " ") != "/ /day/1 /day/2 /day/3" {
		t.Errorf("visited %v, want the home page and three days", urls)
	}
	if res := run(t, "scan", "http://cal.example/", "--trap-variants", "0"); res.code != 2 || !strings.Contains(res.stderr, "--trap-variants") {
		t.Errorf("--trap-variants 0: exit %d, stderr %q", res.code, res.stderr)
	}
}

// bannerPage is a page with a OneTrust-like banner. With remember, the
// choice is stored in a cookie and the banner stays hidden once it is set;
// with stubborn, the banner shows whatever is stored.
func bannerPage(remember, stubborn bool, links ...string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><body><p>A page.</p>`)
	for _, l := range links {
		fmt.Fprintf(&b, `<a href="%s">%s</a> `, l, l)
	}
	fmt.Fprintf(&b, `<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" style="display:none;position:fixed;bottom:0;left:0;right:0;background:#fff;padding:16px">
<p>We use cookies.</p><button id="onetrust-reject-all-handler">Reject All</button> <button id="onetrust-accept-btn-handler">Accept All Cookies</button></div></div>
<script>
(function () {
  var remember = %t, stubborn = %t;
  var banner = document.getElementById('onetrust-banner-sdk');
  function store(v) {
    if (remember) document.cookie = 'choice=' + v + '; Max-Age=600; Path=/';
    banner.style.display = 'none';
  }
  if (!stubborn && /(^|; )choice=/.test(document.cookie)) return;
  banner.style.display = 'block';
  document.getElementById('onetrust-reject-all-handler').onclick = function () { store('reject'); };
  document.getElementById('onetrust-accept-btn-handler').onclick = function () { store('accept'); };
})();
</script></body></html>`, remember, stubborn)
	return b.String()
}

// TestScanConsentFallbacks: a page that shows its banner despite the
// carried choice clicks it there; on a site whose click stores nothing,
// each page with a banner clicks its own and pages without one keep only
// their pre-consent phase.
func TestScanConsentFallbacks(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	serve := func(pages map[string]string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := pages[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, body)
		})
	}
	plain := `<!doctype html><body><p>No banner here.</p></body>`
	site.Handle("stubborn.example", serve(map[string]string{
		"/":              bannerPage(true, false, "/stubborn.html", "/plain.html"),
		"/stubborn.html": bannerPage(true, true),
		"/plain.html":    plain,
	}))
	site.Handle("forget.example", serve(map[string]string{
		"/":          bannerPage(false, false, "/a.html", "/info.html"),
		"/a.html":    bannerPage(false, false),
		"/info.html": plain,
	}))

	type got struct{ clicked, carried bool }
	scan := func(t *testing.T, start string) (map[string]map[capture.Phase]got, []string) {
		out := filepath.Join(t.TempDir(), "scan.json")
		res := run(t, "scan", start, "--resolve", site.ResolveRules(), "--max-pages", "3", "--consent", "pre,reject",
			"-f", "json", "-o", out)
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		r := readReport(t, out)
		pages := map[string]map[capture.Phase]got{}
		for _, p := range r.Pages {
			path := p.URL[strings.Index(p.URL[len("http://"):], "/")+len("http://"):]
			if pages[path] == nil {
				pages[path] = map[capture.Phase]got{}
			}
			g := got{}
			if p.Consent != nil {
				g = got{p.Consent.Clicked, p.Consent.Carried}
			}
			pages[path][p.Phase] = g
		}
		return pages, r.Notes
	}

	t.Run("banner shown despite the carried choice", func(t *testing.T) {
		pages, notes := scan(t, "http://stubborn.example/")
		want := map[string]got{"/": {true, false}, "/stubborn.html": {true, false}, "/plain.html": {false, true}}
		for path, w := range want {
			if g, ok := pages[path][capture.AfterReject]; !ok || g != w {
				t.Errorf("%s after reject: %+v (present %t), want %+v", path, g, ok, w)
			}
		}
		if !strings.Contains(strings.Join(notes, "\n"), "stubborn.html (after-reject): banner shown again despite the carried reject choice") {
			t.Errorf("notes %q", notes)
		}
	})
	t.Run("click stores nothing", func(t *testing.T) {
		pages, notes := scan(t, "http://forget.example/")
		for _, path := range []string{"/", "/a.html"} {
			if g := pages[path][capture.AfterReject]; !g.clicked || g.carried {
				t.Errorf("%s after reject: %+v, want its own click", path, g)
			}
		}
		if _, ok := pages["/info.html"][capture.AfterReject]; ok || len(pages["/info.html"]) != 1 {
			t.Errorf("/info.html phases %v, want pre-consent only", pages["/info.html"])
		}
		joined := strings.Join(notes, "\n")
		if !strings.Contains(joined, "no reject click stored a choice to carry") || !strings.Contains(joined, "info.html") {
			t.Errorf("notes %q", notes)
		}
	})
}
