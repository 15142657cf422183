package browser_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
)

// emailHTML loads from tracker hosts in every way a mail client honours,
// and once through a script, which must never run.
const emailHTML = `<html><head>
<meta http-equiv="refresh" content="0;url=https://frame.esp.example/moved.html">
<style>
@import url("https://css.esp.example/theme.css");
@media (min-width: 100px) { .hero { background-image: url(https://t.esp.example/media/u123.gif?r=jane) } }
@media print { .hero { background-image: url(https://t.esp.example/print/u123.gif) } }
@media (prefers-color-scheme: dark) { .logo { background-image: url(https://t.esp.example/dark/u123.gif) } }
</style></head><body>
<div class="hero" style="height:20px">.</div>
<div class="logo" style="height:20px">.</div>
<div style="background:url('https://t.esp.example/inline/u123.png')">x</div>
<img src="https://pixel.esp.example/open/u123.gif" width="1" height="1">
<script>new Image().src = "https://t.esp.example/script-ran";</script>
<noscript><img src="https://t.esp.example/noscript.gif"></noscript>
<iframe src="https://frame.esp.example/frame.html"></iframe>
</body></html>`

func TestRenderEmail(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	site.Handle("css.esp.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Write([]byte(`body { background: url(https://t.esp.example/imported/u123.gif?e=1) }`))
	}))
	// Pages an email could frame or redirect to, each with an image of its own.
	site.Handle("frame.esp.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		img := "in-frame.gif"
		if strings.HasSuffix(r.URL.Path, "moved.html") {
			img = "in-moved.gif"
		}
		w.Write([]byte(`<img src="https://frame.esp.example/` + img + `">`))
	}))
	site.Handle("pixel.esp.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "uid", Value: "u123", Path: "/", MaxAge: 86400, Secure: true, SameSite: http.SameSiteNoneMode})
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a"))
	}))
	ctx := context.Background()
	b, err := browser.Launch(ctx, browser.Options{ResolveRules: site.ResolveRules(), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	p, err := b.Render(ctx, "mail.html", emailHTML)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	condition := map[string]string{}
	for _, r := range p.Requests {
		seen[r.URL] = r.ResourceType
		condition[r.URL] = r.Condition
		if r.ResourceType == "Document" {
			if r.Failed == "" {
				t.Errorf("document %s loaded: a mail client shows no frames and follows no refresh", r.URL)
			}
			continue
		}
		if strings.HasPrefix(r.URL, "https://") && r.Status != 200 {
			t.Errorf("%s: status %d (%s)", r.URL, r.Status, r.Failed)
		}
	}
	for _, tt := range []struct{ url, typ string }{
		{"https://css.esp.example/theme.css", "Stylesheet"},
		{"https://t.esp.example/media/u123.gif?r=jane", "Image"},
		{"https://t.esp.example/imported/u123.gif?e=1", "Image"},
		{"https://t.esp.example/inline/u123.png", "Image"},
		{"https://pixel.esp.example/open/u123.gif", "Image"},
		{"https://t.esp.example/noscript.gif", "Image"}, // no script: <noscript> content shows
	} {
		if typ, ok := seen[tt.url]; !ok || typ != tt.typ {
			t.Errorf("%s: loaded %v as %q, want %q", tt.url, ok, typ, tt.typ)
		}
	}
	// Shown in dark mode, then printed: what only those ask for loads then,
	// and says so; what loaded at first carries no condition.
	for url, want := range map[string]string{
		"https://t.esp.example/dark/u123.gif":         "dark-mode",
		"https://t.esp.example/print/u123.gif":        "print",
		"https://t.esp.example/media/u123.gif?r=jane": "",
		"https://pixel.esp.example/open/u123.gif":     "",
	} {
		if _, ok := seen[url]; !ok || condition[url] != want {
			t.Errorf("%s: loaded %v with condition %q, want %q", url, ok, condition[url], want)
		}
	}
	for _, never := range []string{"https://t.esp.example/script-ran",
		"https://frame.esp.example/in-frame.gif", "https://frame.esp.example/in-moved.gif"} {
		if _, ok := seen[never]; ok {
			t.Errorf("%s was requested", never)
		}
	}
	if seen["https://frame.esp.example/frame.html"] != "Document" {
		t.Errorf("the iframe's request is not recorded: %v", seen)
	}
	var wrote, stored bool
	for _, c := range p.CookieWrites {
		wrote = wrote || c.Name == "uid" && c.Host == "pixel.esp.example" && len(c.Blocked) == 0
	}
	for _, c := range p.Cookies {
		stored = stored || c.Name == "uid" && c.Domain == "pixel.esp.example"
	}
	if !wrote || !stored {
		t.Errorf("third-party cookie uid: written %v, stored %v; writes %+v cookies %+v", wrote, stored, p.CookieWrites, p.Cookies)
	}

	// A second email gets a fresh context: the cookie of the first is gone.
	p2, err := b.Render(ctx, "second.html", `<p>plain</p>`)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Cookies) != 0 || len(httpRequests(p2.Requests)) != 0 {
		t.Errorf("second email: %d cookies, requests %+v", len(p2.Cookies), p2.Requests)
	}
}

// BenchmarkRender: emails per second shown in one browser (a fresh context
// each), trackers served on loopback.
func BenchmarkRender(b *testing.B) {
	browsertest.Chromium(b)
	site := demosite.Start()
	defer site.Close()
	ctx := context.Background()
	br, err := browser.Launch(ctx, browser.Options{ResolveRules: site.ResolveRules(), Insecure: true})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	b.ResetTimer()
	for b.Loop() {
		if _, err := br.Render(ctx, "mail.html", emailHTML); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
}

func httpRequests(rs []capture.Request) []capture.Request {
	var out []capture.Request
	for _, r := range rs {
		if strings.HasPrefix(r.URL, "http") {
			out = append(out, r)
		}
	}
	return out
}
