package browser_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
)

// policySite serves a privacy page whose text a script writes, a cookie
// declaration in an iframe, a 404 and an image.
func policySite() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/privacy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>Privacy</title></head><body>
<main id="policy">Loading…</main>
<iframe src="/declaration" width="400" height="200"></iframe>
<script>
setTimeout(() => {
  document.getElementById('policy').innerHTML =
    '<h1>Privacy policy</h1><p>We use Matomo to count visits. We do not use advertising cookies.</p>';
}, 200);
</script></body></html>`))
	})
	mux.HandleFunc("/declaration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><body><div id="d"></div><script>
fetch('/declaration.json').then(r => r.json()).then(rows => {
  document.getElementById('d').innerHTML = '<table><tr><th>Name</th><th>Expiry</th></tr>' +
    rows.map(r => '<tr><td>' + r.name + '</td><td>' + r.expiry + '</td></tr>').join('') + '</table>';
});
</script></body>`))
	})
	mux.HandleFunc("/declaration.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"name":"_pk_id","expiry":"13 months"}]`))
	})
	mux.HandleFunc("/agent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("UA " + r.UserAgent() + "\nGPC " + r.Header.Get("Sec-GPC")))
	})
	mux.HandleFunc("/cookie-settings", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Consent banner objects in the shapes their vendors document.
		_, _ = w.Write([]byte(`<!doctype html><body><p>Cookie settings</p><script>
window.OneTrust = {GetDomainData: () => ({Groups: [
  {GroupName: 'Strictly Necessary Cookies', Cookies: [{Name: 'OptanonConsent', Length: '365', IsSession: false}]},
  {GroupName: 'Performance Cookies', Cookies: [], Hosts: [{HostName: 'google-analytics.com', Cookies: [{Name: '_ga', Length: '730'}, {Name: '_gat', Length: '0', IsSession: true}]}]}
]})};
window.UC_UI = {getServicesBaseInfo: () => [{name: 'Hotjar', categorySlug: 'marketing',
  deviceStorage: {disclosures: [{identifier: '_hjSessionUser_*', type: 'cookie', maxAgeSeconds: 31536000}]}}]};
</script></body>`))
	})
	mux.HandleFunc("/logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
	})
	return httptest.NewServer(mux)
}

// TestReadDocument: a policy is read after its scripts ran, under a
// hostname only the browser's resolve rules know, with its frames.
func TestReadDocument(t *testing.T) {
	browsertest.Chromium(t)
	srv := policySite()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b, err := browser.Launch(ctx, browser.Options{
		ResolveRules: "MAP shop.staging.test 127.0.0.1:" + port, GPC: true, PageTimeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	d, err := b.ReadDocument(ctx, "http://shop.staging.test/privacy")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != 200 || d.FinalURL != "http://shop.staging.test/privacy" {
		t.Errorf("status %d, final URL %s", d.Status, d.FinalURL)
	}
	if !strings.Contains(d.Text, "We do not use advertising cookies.") || !strings.Contains(d.HTML, "<h1>Privacy policy</h1>") {
		t.Errorf("the script's text is missing:\n%s", d.Text)
	}
	if len(d.Frames) != 1 || !strings.Contains(d.Frames[0].HTML, "<td>_pk_id</td>") {
		t.Errorf("frames = %+v", d.Frames)
	}

	// A consent banner's own cookie list.
	cmp, err := b.ReadDocument(ctx, "http://shop.staging.test/cookie-settings")
	if err != nil {
		t.Fatal(err)
	}
	want := []browser.CMPCookie{
		{CMP: "OneTrust", Name: "OptanonConsent", Category: "Strictly Necessary Cookies", Days: 365},
		{CMP: "OneTrust", Name: "_ga", Category: "Performance Cookies", Provider: "google-analytics.com", Days: 730},
		{CMP: "OneTrust", Name: "_gat", Category: "Performance Cookies", Provider: "google-analytics.com", Days: -1},
		{CMP: "Usercentrics", Name: "_hjSessionUser_*", Category: "marketing", Provider: "Hotjar", Days: 365},
	}
	if !reflect.DeepEqual(cmp.CMPCookies, want) {
		t.Errorf("CMP cookies\n%+v\nwant\n%+v", cmp.CMPCookies, want)
	}
	if len(d.CMPCookies) != 0 {
		t.Errorf("a page without a banner declares %+v", d.CMPCookies)
	}

	// The scan's user agent and GPC header, not Go's.
	ua, err := b.ReadDocument(ctx, "http://shop.staging.test/agent")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ua.Text, "Go-http-client") || strings.Contains(ua.Text, "HeadlessChrome") || !strings.Contains(ua.Text, "GPC 1") {
		t.Errorf("request headers: %q", ua.Text)
	}

	if _, err := b.ReadDocument(ctx, "http://shop.staging.test/missing"); !errors.Is(err, browser.ErrHTTPStatus) {
		t.Errorf("404: err = %v, want ErrHTTPStatus", err)
	}
	if _, err := b.ReadDocument(ctx, "http://shop.staging.test/logo.png"); !errors.Is(err, browser.ErrNotDocument) {
		t.Errorf("image: err = %v, want ErrNotDocument", err)
	}
	// A host the rules do not map does not resolve here: a clear error, quickly.
	if _, err := b.ReadDocument(ctx, "http://unmapped.invalid/privacy"); err == nil || !strings.Contains(err.Error(), "ERR_NAME_NOT_RESOLVED") {
		t.Errorf("unresolvable host: err = %v", err)
	}
}
