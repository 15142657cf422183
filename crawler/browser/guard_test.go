package browser_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/crawler/scope"
)

// hostileSite serves shop.test (the scan's target) and other.test from one
// loopback server, and a "metadata service" that must never be contacted.
type hostileSite struct {
	site, meta *httptest.Server
	mu         sync.Mutex
	hits       []string // requests to other.test and to the metadata server
	rules      string
}

func startHostile(t *testing.T) *hostileSite {
	t.Helper()
	h := &hostileSite{}
	h.meta = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hit("metadata " + r.URL.Path)
		fmt.Fprint(w, `<html><body>iam/security-credentials</body></html>`)
	}))
	h.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		if host == "" {
			host = r.Host
		}
		if host == "other.test" {
			h.hit(host + " " + r.URL.Path)
			fmt.Fprint(w, `<html><body>foreign</body></html>`)
			return
		}
		if host != "shop.test" {
			http.NotFound(w, r) // Chromium's own background traffic
			return
		}
		port := h.site.Listener.Addr().(*net.TCPAddr).Port
		other := fmt.Sprintf("http://other.test:%d/landing", port)
		switch r.URL.Path {
		case "/redirect-other":
			http.Redirect(w, r, other, http.StatusFound)
		case "/redirect-meta":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/location-meta":
			fmt.Fprint(w, `<html><body><script src="/app.js"></script><script>setTimeout(() => { location = 'http://169.254.169.254/latest/'; }, 50);</script></body></html>`)
		case "/refresh-other":
			fmt.Fprintf(w, `<html><head><meta http-equiv="refresh" content="0; url=%s"></head><body><img src="/pixel.gif"></body></html>`, other)
		case "/popup-other":
			fmt.Fprintf(w, `<html><body><script>window.open(%q);</script></body></html>`, other)
		case "/flood":
			fmt.Fprint(w, floodPage)
		case "/alert":
			fmt.Fprint(w, `<html><body><script>alert('hello'); confirm('sure?'); prompt('name?'); document.title = 'after';</script></body></html>`)
		case "/doc.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte(minimalPDF))
		case "/big.bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", fmt.Sprint(50<<20))
			buf := make([]byte, 1<<20)
			for range 50 {
				if _, err := w.Write(buf); err != nil {
					return
				}
			}
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `document.cookie = 'seen=1; path=/';`)
		default:
			fmt.Fprint(w, `<html><body>ok</body></html>`)
		}
	}))
	t.Cleanup(func() { h.site.Close(); h.meta.Close() })
	h.rules = fmt.Sprintf("MAP 169.254.169.254 %s, MAP * %s", h.meta.Listener.Addr(), h.site.Listener.Addr())
	return h
}

func (h *hostileSite) hit(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hits = append(h.hits, s)
}

func (h *hostileSite) foreignHits() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hits...)
}

func (h *hostileSite) url(path string) string {
	return fmt.Sprintf("http://shop.test:%d%s", h.site.Listener.Addr().(*net.TCPAddr).Port, path)
}

// floodPage makes 2,000 junk cookie writes, then fingerprints the canvas.
const floodPage = `<html><body><canvas id="c" width="240" height="60"></canvas><script>
for (let i = 0; i < 2000; i++) document.cookie = 'junk' + i + '=1; path=/';
const ctx = document.getElementById('c').getContext('2d');
ctx.fillText('Cwm fjordbank glyphs vext quiz', 2, 20);
document.title = document.getElementById('c').toDataURL().length;
</script></body></html>`

const minimalPDF = "%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func launchScoped(t *testing.T, h *hostileSite, sc browser.Scope) *browser.Browser {
	t.Helper()
	b, err := browser.Launch(context.Background(), browser.Options{ResolveRules: h.rules, Scope: sc, PageTimeout: 20 * time.Second, MaxIdleWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func scopeFor(t *testing.T, h *hostileSite) *scope.Scope {
	t.Helper()
	rules, err := resolve.Parse(h.rules)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scope.New(scope.Config{Targets: []string{h.url("/")}, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestGuardUnscopedFollows shows the fixtures are hostile: with no scope
// the browser follows the redirect to the metadata address.
func TestGuardUnscopedFollows(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostile(t)
	b := launchScoped(t, h, nil)
	if _, err := b.Capture(context.Background(), h.url("/redirect-meta"), browser.Visit{Phase: capture.PreConsent}); err != nil {
		t.Fatal(err)
	}
	if got := h.foreignHits(); len(got) == 0 {
		t.Fatal("the metadata stand-in was not reached without a scope: the test cannot show the guard works")
	}
}

func TestGuardNavigations(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostile(t)
	b := launchScoped(t, h, scopeFor(t, h))
	tests := []struct {
		path, reason, kind string
		status             int
	}{
		{"/redirect-other", scope.ReasonOutOfScope, "redirect", 302},
		{"/redirect-meta", scope.ReasonPrivate, "redirect", 302},
		{"/location-meta", scope.ReasonPrivate, "navigation", 200},
		{"/refresh-other", scope.ReasonOutOfScope, "navigation", 200},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := b.Capture(context.Background(), h.url(tt.path), browser.Visit{Phase: capture.PreConsent})
			if err != nil {
				t.Fatalf("visit failed: %v", err)
			}
			if p.Status != tt.status {
				t.Errorf("status %d, want %d", p.Status, tt.status)
			}
			if len(p.NavigationsBlocked) != 1 {
				t.Fatalf("blocked navigations %+v, want one", p.NavigationsBlocked)
			}
			nb := p.NavigationsBlocked[0]
			if nb.Reason != tt.reason || nb.Kind != tt.kind || !strings.HasPrefix(nb.From, h.url(tt.path)) {
				t.Errorf("blocked %+v, want reason %s, kind %s, from the page", nb, tt.reason, tt.kind)
			}
			if !strings.HasPrefix(p.FinalURL, h.url(tt.path)) {
				t.Errorf("final URL %s: the page it left is not the page captured", p.FinalURL)
			}
		})
	}
	t.Run("page kept", func(t *testing.T) {
		p, _ := b.Capture(context.Background(), h.url("/location-meta"), browser.Visit{Phase: capture.PreConsent})
		if len(p.Scripts) == 0 || len(p.CookieWrites) == 0 {
			t.Errorf("the page that tried to leave lost its capture: %d scripts, %d cookie writes", len(p.Scripts), len(p.CookieWrites))
		}
	})
	t.Run("popup", func(t *testing.T) {
		if _, err := b.Capture(context.Background(), h.url("/popup-other"), browser.Visit{Phase: capture.PreConsent}); err != nil {
			t.Fatal(err)
		}
	})
	time.Sleep(300 * time.Millisecond)
	if got := h.foreignHits(); len(got) > 0 {
		t.Errorf("out-of-scope or private hosts were contacted: %v", got)
	}
}

func TestGuardDialogs(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostile(t)
	b := launchScoped(t, h, scopeFor(t, h))
	start := time.Now()
	p, err := b.Capture(context.Background(), h.url("/alert"), browser.Visit{Phase: capture.PreConsent})
	if err != nil {
		t.Fatalf("visit failed after %s: %v", time.Since(start), err)
	}
	var types []string
	for _, d := range p.Dialogs {
		types = append(types, d.Type+":"+d.Message)
	}
	if want := "alert:hello confirm:sure? prompt:name?"; strings.Join(types, " ") != want {
		t.Errorf("dialogs %q, want %q", strings.Join(types, " "), want)
	}
}

func TestGuardNotHTML(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostile(t)
	b := launchScoped(t, h, scopeFor(t, h))
	tests := []struct{ path, want string }{
		{"/doc.pdf", "not an HTML page: it is application/pdf (" + fmt.Sprint(len(minimalPDF)) + " bytes)"},
		{"/big.bin", "not an HTML page: it is application/octet-stream (50.0 MB)"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := b.Capture(context.Background(), h.url(tt.path), browser.Visit{Phase: capture.PreConsent})
			if !errors.Is(err, browser.ErrNotHTML) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want ErrNotHTML saying %q", err, tt.want)
			}
			for _, r := range p.Requests {
				if !strings.HasPrefix(r.URL, "http") {
					t.Errorf("Chromium's own request recorded: %s", r.URL)
				}
			}
		})
	}
}

func TestGuardEventFlood(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostile(t)
	b := launchScoped(t, h, scopeFor(t, h))
	p, err := b.Capture(context.Background(), h.url("/flood"), browser.Visit{Phase: capture.PreConsent})
	if err != nil {
		t.Fatal(err)
	}
	var apis []string
	for _, c := range p.APICalls {
		apis = append(apis, c.API)
	}
	if !slices.Contains(apis, "canvas-read:toDataURL") || !slices.Contains(apis, "canvas-write:fillText") {
		t.Errorf("API calls %v: the fingerprinting after the flood is missing", apis)
	}
	if p.EventsDropped["cookie"] == 0 {
		t.Errorf("events dropped %v: the cookie flood is not counted", p.EventsDropped)
	}
	kept := len(p.CookieWrites)
	if kept+p.EventsDropped["cookie"] != 2000 {
		t.Errorf("%d cookie writes kept + %d dropped, want 2000", kept, p.EventsDropped["cookie"])
	}
	if last := p.CookieWrites[kept-1].Name; last != "junk1999" {
		t.Errorf("last kept cookie write %s, want junk1999", last)
	}
}

// TestGuardPopupAfterGesture: with Chromium's popup blocker off (as after a
// click), window.open to another site sends nothing there and is recorded.
func TestGuardPopupAfterGesture(t *testing.T) {
	browsertest.Chromium(t)
	h := startHostile(t)
	b, err := browser.Launch(context.Background(), browser.Options{ResolveRules: h.rules, Scope: scopeFor(t, h),
		Flags: map[string]string{"disable-popup-blocking": ""}, PageTimeout: 20 * time.Second, MaxIdleWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.Capture(context.Background(), h.url("/popup-other"), browser.Visit{Phase: capture.PreConsent})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.NavigationsBlocked) != 1 || p.NavigationsBlocked[0].Kind != "popup" || p.NavigationsBlocked[0].Reason != scope.ReasonOutOfScope {
		t.Errorf("blocked %+v, want the popup", p.NavigationsBlocked)
	}
	time.Sleep(300 * time.Millisecond)
	if got := h.foreignHits(); len(got) > 0 {
		t.Errorf("the popup's site was contacted: %v", got)
	}
}

// BenchmarkCaptureSubresources measures what refusing private subresources
// costs a visit: a page with 40 images on a public name (they match no
// pause pattern), the same with the images on private IP literals (each is
// paused and refused), and without a scope.
func BenchmarkCaptureSubresources(b *testing.B) {
	browsertest.Chromium(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/public", "/private":
			var imgs strings.Builder
			for i := range 40 {
				if r.URL.Path == "/public" {
					fmt.Fprintf(&imgs, `<img src="http://cdn.test:%s/i%d.gif">`, strings.Split(r.Host, ":")[1], i)
				} else {
					fmt.Fprintf(&imgs, `<img src="http://10.9.0.%d/i.gif">`, i)
				}
			}
			fmt.Fprintf(w, `<html><body>%s</body></html>`, imgs.String())
		default:
			w.Header().Set("Content-Type", "image/gif")
		}
	}))
	defer srv.Close()
	rules := "MAP * " + srv.Listener.Addr().String()
	parsed, err := resolve.Parse(rules)
	if err != nil {
		b.Fatal(err)
	}
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	target := func(path string) string { return fmt.Sprintf("http://shop.test:%d%s", port, path) }
	sc, err := scope.New(scope.Config{Targets: []string{target("/")}, Rules: parsed})
	if err != nil {
		b.Fatal(err)
	}
	br, err := browser.Launch(context.Background(), browser.Options{ResolveRules: rules, PageTimeout: 20 * time.Second, MaxIdleWait: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	for _, c := range []struct {
		name, path string
		scope      browser.Scope
	}{
		{"no-scope", "/public", nil},
		{"public-subresources", "/public", sc},
		{"private-subresources-refused", "/private", sc},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				p, err := br.Capture(context.Background(), target(c.path), browser.Visit{Phase: capture.PreConsent, Scope: c.scope})
				if err != nil {
					b.Fatal(err)
				}
				if c.path == "/private" && len(p.NavigationsBlocked) != 40 {
					b.Fatalf("%d refused, want 40", len(p.NavigationsBlocked))
				}
			}
		})
	}
}
