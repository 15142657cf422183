package main_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/detectors"
)

// hostile is a site that tries what a hostile site would: it is shop.test
// (the target) on one loopback server; other.test, an "internal service"
// on another loopback port and a stand-in for the cloud metadata service
// (169.254.169.254, mapped there with --resolve) record every request they
// get, and the test fails if any of them is contacted.
type hostile struct {
	t                      *testing.T
	site, internal, meta   *httptest.Server
	mu                     sync.Mutex
	forbidden              []string
	robotsTo, sitemapTo    string
	sitePort, internalPort int
	intranet               *httptest.Server // on 127.0.0.2: a private address no target is on
	intranetPort           int
	intranetHits           []string
}

func startHostileSite(t *testing.T) *hostile {
	t.Helper()
	h := &hostile{t: t}
	record := func(who string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			h.mu.Lock()
			h.forbidden = append(h.forbidden, who+" "+r.Host+r.URL.Path+" ("+r.UserAgent()+")")
			h.mu.Unlock()
			fmt.Fprint(w, `<html><body>{"AccessKeyId":"ASIA-SECRET"}</body></html>`)
		}
	}
	h.meta = httptest.NewServer(record("metadata"))
	h.internal = httptest.NewServer(record("internal"))
	h.site = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(func() { h.site.Close(); h.internal.Close(); h.meta.Close() })
	h.sitePort = h.site.Listener.Addr().(*net.TCPAddr).Port
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		h.intranet = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.mu.Lock()
			h.intranetHits = append(h.intranetHits, r.URL.Path)
			h.mu.Unlock()
			w.Header().Set("Content-Type", "image/gif")
		}))
		h.intranet.Listener.Close()
		h.intranet.Listener = ln
		h.intranet.Start()
		t.Cleanup(h.intranet.Close)
		h.intranetPort = ln.Addr().(*net.TCPAddr).Port
	}
	h.internalPort = h.internal.Listener.Addr().(*net.TCPAddr).Port
	return h
}

// resolveRules map the metadata address to its stand-in and every name
// (shop.test, other.test, fp.test) to the site's server.
func (h *hostile) resolveRules() string {
	return fmt.Sprintf("MAP 169.254.169.254 %s, MAP * %s", h.meta.Listener.Addr(), h.site.Listener.Addr())
}

func (h *hostile) url(path string) string {
	return fmt.Sprintf("http://shop.test:%d%s", h.sitePort, path)
}

func (h *hostile) serve(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	switch host {
	case "other.test":
		h.mu.Lock()
		h.forbidden = append(h.forbidden, "other.test "+r.URL.Path)
		h.mu.Unlock()
		fmt.Fprint(w, `<html><body>another site</body></html>`)
		return
	case "fp.test":
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `const c = document.createElement('canvas'); c.width = 240; c.height = 60;
const x = c.getContext('2d'); x.fillStyle = '#f60'; x.fillText('Cwm fjordbank glyphs vext quiz', 2, 15);
x.fillStyle = 'rgba(102, 204, 0, 0.7)'; x.fillText('Cwm fjordbank glyphs vext quiz', 4, 17); c.toDataURL();`)
		return
	case "shop.test":
	default:
		http.NotFound(w, r) // Chromium's own background traffic
		return
	}
	metaURL := "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
	switch r.URL.Path {
	case "/redirect-other":
		http.Redirect(w, r, fmt.Sprintf("http://other.test:%d/", h.sitePort), http.StatusFound)
	case "/redirect-internal":
		http.Redirect(w, r, fmt.Sprintf("http://127.0.0.1:%d/admin", h.internalPort), http.StatusFound)
	case "/redirect-meta":
		http.Redirect(w, r, metaURL, http.StatusFound)
	case "/location-meta":
		fmt.Fprintf(w, `<html><body><p>hello</p><script>setTimeout(() => { location = %q; }, 50);</script></body></html>`, metaURL)
	case "/robots.txt":
		if h.robotsTo == "" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, h.robotsTo, http.StatusFound)
	case "/sitemap.xml":
		if h.sitemapTo == "" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, h.sitemapTo, http.StatusFound)
	case "/flood":
		fmt.Fprintf(w, `<html><body><script>for (let i = 0; i < 2000; i++) document.cookie = 'junk' + i + '=1; path=/';</script>
<script src="http://fp.test:%d/fp.js"></script></body></html>`, h.sitePort)
	case "/subresources":
		// An image on the metadata address, a script and a beacon on a
		// private address --resolve sends to the metadata stand-in, a fetch
		// to another loopback address, and twice an image on intranet.test, whose
		// "DNS answer" (a host-resolver rule only the browser has) is
		// 127.0.0.2: the first can only be seen after it was sent, the
		// second, later one must be refused before it leaves.
		fmt.Fprintf(w, `<html><body><p>shop</p>
<img src="http://169.254.169.254/latest/meta-data/pixel.gif">
<script src="http://10.1.2.3/internal.js"></script>
<script>fetch("http://[::1]:%d/admin", {mode: "no-cors"}).catch(() => {}); navigator.sendBeacon("http://10.1.2.3/beacon", "x");</script>
<img src="/slow.gif">
<script>function second() { setTimeout(() => { const i = new Image(); i.src = "http://intranet.test:%d/second.gif"; document.body.append(i); }, 600); }</script>
<img id="first" src="http://intranet.test:%d/first.gif" onload="second()" onerror="second()">
</body></html>`, h.internalPort, h.intranetPort, h.intranetPort)
	case "/slow.gif":
		// Keeps the page from settling before the second intranet.test image.
		select {
		case <-time.After(2500 * time.Millisecond):
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "image/gif")
	case "/alert":
		fmt.Fprint(w, `<html><body><script>alert('Your session expired'); if (confirm('Stay?')) document.title = 'stayed';</script><p>after</p></body></html>`)
	case "/doc.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"))
	case "/big.bin":
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(50<<20))
		buf := make([]byte, 1<<20)
		for range 50 {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	default:
		fmt.Fprint(w, `<html><body><a href="/a">a</a></body></html>`)
	}
}

// assertUntouched fails the test if a forbidden server was contacted.
func (h *hostile) assertUntouched() {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.forbidden) > 0 {
		h.t.Fatalf("the scan reached what it must never reach: %v", h.forbidden)
	}
}

// runWith is run with a TMPDIR and HOME of the caller's.
func runWith(t *testing.T, tmp, home string, args ...string) result {
	t.Helper()
	return runIn(t, tmp, []string{"HOME=" + home}, args...)
}

// TestHostileNavigations: redirects and location= to another site, to
// another port of the scanning machine and to the metadata address are
// refused before anything is sent; the page that tried is captured as it
// was, no screenshot of a foreign page is taken, and the report says what
// was refused.
func TestHostileNavigations(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "scan.json")
	jsonl := filepath.Join(dir, "pages.jsonl")
	shots := filepath.Join(dir, "shots")
	paths := []string{"/redirect-other", "/redirect-internal", "/redirect-meta", "/location-meta"}
	args := []string{"scan"}
	for _, p := range paths {
		args = append(args, h.url(p))
	}
	args = append(args, "--resolve", h.resolveRules(), "--consent", "pre", "--format", "json", "-o", out,
		"--jsonl", jsonl, "--screenshots", shots)
	res := run(t, args...)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	h.assertUntouched()
	pages := jsonlPages(t, jsonl)
	want := map[string]struct{ reason, kind string }{
		"/redirect-other":    {"out-of-scope", "redirect"},
		"/redirect-internal": {"out-of-scope", "redirect"},
		"/redirect-meta":     {"private-address", "redirect"},
		"/location-meta":     {"private-address", "navigation"},
	}
	for _, p := range pages {
		path := strings.TrimPrefix(p.URL, h.url(""))
		w := want[path]
		if len(p.NavigationsBlocked) != 1 || p.NavigationsBlocked[0].Reason != w.reason || p.NavigationsBlocked[0].Kind != w.kind {
			t.Errorf("%s: blocked %+v, want one %s %s", path, p.NavigationsBlocked, w.kind, w.reason)
		}
		if !strings.HasPrefix(p.FinalURL, h.url(path)) {
			t.Errorf("%s: final URL %s, want the page that tried to leave", path, p.FinalURL)
		}
	}
	if len(pages) != len(paths) {
		t.Errorf("%d pages captured, want %d", len(pages), len(paths))
	}
	r := readReport(t, out)
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.Contains(n, "refused") && strings.Contains(n, "169.254.169.254") && strings.Contains(n, fmt.Sprintf("127.0.0.1:%d", h.internalPort))
	}) {
		t.Errorf("no note lists the refused navigations: %q", r.Notes)
	}
	for _, v := range r.Vendors {
		for _, host := range v.Hosts {
			if host == "other.test" || host == "169.254.169.254" {
				t.Errorf("a refused host became a vendor: %+v", v)
			}
		}
	}
}

// TestHostilePrivateSubresources: a public page's images, scripts and
// fetches on private addresses are refused before they are sent, unless
// --allow-private; a host name the browser resolves to a private address
// is seen at its first response and refused from then on. Each refusal is
// on the page (navigations_blocked, kind subresource) and in the note.
func TestHostilePrivateSubresources(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	if h.intranet == nil {
		t.Skip("needs a listener on 127.0.0.2")
	}
	// The scope maps every name to the site, as --resolve says; the
	// browser alone sends intranet.test to 127.0.0.2, as a DNS answer would.
	rules := fmt.Sprintf("MAP 10.1.2.3 %s, %s", h.meta.Listener.Addr(), h.resolveRules())
	browserRules := fmt.Sprintf("MAP intranet.test 127.0.0.2, %s", rules)
	dir := t.TempDir()
	out, jsonl := filepath.Join(dir, "scan.json"), filepath.Join(dir, "pages.jsonl")
	res := run(t, "scan", h.url("/subresources"), "--resolve", rules, "--browser-flag", "host-resolver-rules="+browserRules,
		"--consent", "pre", "--no-policy", "--format", "json", "-o", out, "--jsonl", jsonl)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	h.assertUntouched()
	h.mu.Lock()
	hits := slices.Clone(h.intranetHits)
	h.mu.Unlock()
	if !slices.Equal(hits, []string{"/first.gif"}) {
		t.Errorf("intranet.test got %v, want only the first image (the one that showed its address)", hits)
	}
	pages := jsonlPages(t, jsonl)
	if len(pages) != 1 {
		t.Fatalf("%d pages", len(pages))
	}
	blocked := map[string]string{}
	for _, nb := range pages[0].NavigationsBlocked {
		if nb.Kind != "subresource" || nb.Reason != "private-address" {
			t.Errorf("refusal %+v, want a private-address subresource", nb)
		}
		blocked[nb.URL] = nb.Detail
	}
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/pixel.gif", "http://10.1.2.3/internal.js", "http://10.1.2.3/beacon",
		fmt.Sprintf("http://[::1]:%d/admin", h.internalPort), fmt.Sprintf("http://intranet.test:%d/first.gif", h.intranetPort),
		fmt.Sprintf("http://intranet.test:%d/second.gif", h.intranetPort)} {
		if _, ok := blocked[u]; !ok {
			t.Errorf("%s not recorded as refused; refused: %v", u, blocked)
		}
	}
	if d := blocked[fmt.Sprintf("http://intranet.test:%d/first.gif", h.intranetPort)]; !strings.Contains(d, "127.0.0.2") {
		t.Errorf("the first intranet.test image's refusal says %q, want its address", d)
	}
	for _, req := range pages[0].Requests {
		if strings.Contains(req.URL, "169.254.169.254") || strings.Contains(req.URL, "10.1.2.3") {
			t.Errorf("a request refused before it was sent is listed as sent: %+v", req)
		}
	}
	r := readReport(t, out)
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.Contains(n, "refused") && strings.Contains(n, "10.1.2.3") && strings.Contains(n, "intranet.test")
	}) {
		t.Errorf("no note lists the refused subresources: %q", r.Notes)
	}

	// --allow-private lets them through.
	res = run(t, "scan", h.url("/subresources"), "--resolve", rules, "--browser-flag", "host-resolver-rules="+browserRules,
		"--consent", "pre", "--no-policy", "--allow-private", "--format", "json", "-o", out, "--jsonl", jsonl)
	if res.code != 0 {
		t.Fatalf("--allow-private: exit %d: %s", res.code, res.stderr)
	}
	h.mu.Lock()
	metaHits := len(h.forbidden)
	h.forbidden = nil
	h.mu.Unlock()
	if metaHits == 0 {
		t.Error("--allow-private: the metadata stand-in was never asked, so the fixture proves nothing")
	}
	if p := jsonlPages(t, jsonl); len(p) != 1 || len(p[0].NavigationsBlocked) != 0 {
		t.Errorf("--allow-private: refusals %+v", p)
	}
}

// TestHostileCrawlFetches: robots.txt and a sitemap that redirect to the
// metadata address are refused at the redirect by trackscan's own client.
func TestHostileCrawlFetches(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	h.robotsTo = "http://169.254.169.254/latest/meta-data/"
	h.sitemapTo = "http://169.254.169.254/latest/user-data"
	out := filepath.Join(t.TempDir(), "scan.json")
	res := run(t, "scan", h.url("/"), "--resolve", h.resolveRules(), "--consent", "pre", "--max-pages", "3",
		"--format", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	h.assertUntouched()
	r := readReport(t, out)
	note := ""
	for _, n := range r.Notes {
		if strings.Contains(n, "refused") {
			note = n
		}
	}
	for _, want := range []string{"robots.txt", "sitemap.xml", "private-address"} {
		if !strings.Contains(note, want) {
			t.Errorf("the refusal note %q does not name %s", note, want)
		}
	}
}

// TestHostileCookieFlood: 2,000 junk cookie writes first do not hide the
// canvas fingerprinting after them; the report notes the overflow.
func TestHostileCookieFlood(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	out := filepath.Join(t.TempDir(), "scan.json")
	res := run(t, "scan", h.url("/flood"), "--resolve", h.resolveRules(), "--consent", "pre", "--format", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if !slices.ContainsFunc(r.Detections, func(d detectors.Detection) bool {
		return d.Kind == detectors.KindFingerprinting && strings.Contains(d.Evidence, "canvas")
	}) {
		t.Errorf("canvas fingerprinting after the cookie flood is not reported; detections: %v", kindsOf(r.Detections))
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "past their budget") && strings.Contains(n, "cookie") }) {
		t.Errorf("no note says the cookie budget overflowed: %q", r.Notes)
	}
}

func kindsOf(ds []detectors.Detection) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Kind))
	}
	return out
}

// TestHostileDialogs: alert() and confirm() are dismissed at once: the
// visit completes well within its timeout and the report says so.
func TestHostileDialogs(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "scan.json")
	jsonl := filepath.Join(dir, "pages.jsonl")
	res := run(t, "scan", h.url("/alert"), "--resolve", h.resolveRules(), "--consent", "pre", "--timeout", "60s",
		"--format", "json", "-o", out, "--jsonl", jsonl)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	pages := jsonlPages(t, jsonl)
	if len(pages) != 1 || len(pages[0].Dialogs) != 2 || pages[0].Dialogs[0].Type != "alert" || pages[0].Dialogs[1].Type != "confirm" {
		t.Fatalf("dialogs not recorded: %+v", pages)
	}
	r := readReport(t, out)
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "2 JavaScript dialogs dismissed") }) {
		t.Errorf("no note on the dialogs: %q", r.Notes)
	}
}

// TestHostileLandings: a PDF and a 50 MB binary as landing pages are errors
// that say what they were; Chromium's PDF viewer is no vendor; nothing is
// downloaded into $HOME/Downloads or anywhere else.
func TestHostileLandings(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	home := t.TempDir()
	tmp, err := os.MkdirTemp("", "ts-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(t.TempDir(), "scan.json")
	res := runWith(t, tmp, home, "scan", h.url("/doc.pdf"), h.url("/big.bin"), "--resolve", h.resolveRules(),
		"--consent", "pre", "--format", "json", "-o", out)
	if res.code != 3 {
		t.Fatalf("exit %d, want 3 (incomplete): %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	errs := strings.Join(r.Errors, "\n")
	for _, want := range []string{"not an HTML page: it is application/pdf (", "not an HTML page: it is application/octet-stream (50.0 MB)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q lack %q", errs, want)
		}
	}
	for _, v := range r.Vendors {
		for _, host := range v.Hosts {
			if strings.Contains(host, "mhjfbmdgcfjbbpaeojofohoefgiehjai") || !strings.Contains(host, ".") {
				t.Errorf("Chromium's own viewer became a vendor: %+v", v)
			}
		}
	}
	var written []string
	filepath.Walk(home, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Size() > 1<<20 {
			written = append(written, path)
		}
		return nil
	})
	if len(written) > 0 {
		t.Errorf("the binary landing was downloaded: %v", written)
	}
	if entries, _ := os.ReadDir(filepath.Join(home, "Downloads")); len(entries) > 0 {
		t.Errorf("files in $HOME/Downloads: %v", entries)
	}
}

// TestHostileStaleRunDir: the run directory of a trackscan that was killed
// (its owner process is gone) is removed by the next scan, with the
// Chromium temporary files inside it.
func TestHostileStaleRunDir(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostileSite(t)
	tmp, err := os.MkdirTemp("", "ts-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	// What SIGKILL leaves: a run directory with a profile and Chromium's
	// org.chromium.Chromium.* files, owned by a process that is gone.
	stale := filepath.Join(tmp, "trackscan-run-99999999-abc")
	for _, d := range []string{"trackscan-profile-x/Default", "tmp/org.chromium.Chromium.XyZ123"} {
		if err := os.MkdirAll(filepath.Join(stale, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(stale, "owner"), []byte(host+"-99999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runWith(t, tmp, t.TempDir(), "scan", h.url("/"), "--resolve", h.resolveRules(), "--consent", "pre", "--format", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale run directory is still there (%v)", err)
	}
}
