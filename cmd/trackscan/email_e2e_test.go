package main_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/reports"
)

const renderFixture = "../../testdata/email/render/outdoor-news.eml"

// emailTrackers serves the hosts of the render fixture on loopback: a style
// sheet that only a rendering client fetches, with a beacon inside, and an
// ad network that sets a cookie on its pixel.
func emailTrackers(t *testing.T) *demosite.Server {
	t.Helper()
	site := demosite.Start()
	t.Cleanup(site.Close)
	site.Handle("fonts.outdoor-cdn.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Write([]byte(`.banner { background-image: url(https://beacon.outdoor-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=autumn26) }`))
	}))
	site.Handle("sync.adnet.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "adnet_uid", Value: "a81f", Path: "/", MaxAge: 90 * 86400,
			Secure: true, SameSite: http.SameSiteNoneMode})
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a"))
	}))
	return site
}

func TestEmailRenderE2E(t *testing.T) {
	browsertest.Chromium(t)
	site := emailTrackers(t)
	out := filepath.Join(t.TempDir(), "email.json")
	res := run(t, "email", renderFixture, "--render", "--resolve", site.ResolveRules(), "--insecure",
		"--format", "json", "-o", out)
	if res.code != 0 && res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if r.Kind != reports.KindEmail || len(r.Emails) != 1 {
		t.Fatalf("report: %+v", r)
	}
	e := r.Emails[0]
	if e.Error != "" {
		t.Errorf("email error: %s", e.Error)
	}
	if e.ESP != "mailgun" {
		t.Errorf("ESP %q (%s), want mailgun", e.ESP, e.ESPSource)
	}
	find := func(kind detectors.Kind, urlPart string) *detectors.EmailTracker {
		for i, tr := range e.Trackers {
			if tr.Kind == kind && strings.Contains(tr.URL, urlPart) {
				return &e.Trackers[i]
			}
		}
		return nil
	}

	// Only rendering finds the beacon: it sits in a style sheet the HTML imports.
	css := find(detectors.KindCSSTracker, "beacon.outdoor-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif")
	if css == nil || css.Rendered != detectors.RenderedOnly || !css.ThirdParty ||
		!strings.Contains(css.Evidence, "fonts.outdoor-cdn.example/mail/v3/email.css") {
		t.Errorf("CSS beacon found by rendering: %+v", css)
	}
	// The ESP's open pixel is in the HTML and loaded: confirmed.
	pixel := find(detectors.KindOpenPixel, "email.mg.outdoor.example/o/")
	if pixel == nil || pixel.Vendor != "mailgun" || pixel.Rendered != detectors.RenderedConfirmed {
		t.Errorf("Mailgun open pixel: %+v", pixel)
	}
	// The third-party pixel leaks the SHA-256 of the address.
	leak := find(detectors.KindAddressLeak, "sync.adnet.example/px")
	if leak == nil || leak.LeakEncoding != "sha256" || !leak.ThirdParty || leak.Rendered != detectors.RenderedConfirmed {
		t.Errorf("address leak: %+v", leak)
	}
	// Links are never loaded, so they carry no render state.
	if click := find(detectors.KindClickTracking, "email.mg.outdoor.example/c/"); click == nil || click.Rendered != "" {
		t.Errorf("click tracking: %+v", click)
	}

	if e.Render == nil {
		t.Fatal("no render section")
	}
	types := map[string]string{}
	for _, q := range e.Render.Requests {
		types[q.URL] = q.Type
		if q.Status != 200 {
			t.Errorf("request %s: status %d %s", q.URL, q.Status, q.Failed)
		}
	}
	if types["https://fonts.outdoor-cdn.example/mail/v3/email.css"] != "Stylesheet" ||
		types["https://beacon.outdoor-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=autumn26"] != "Image" {
		t.Errorf("requests: %v", types)
	}
	var cookie *detectors.EmailCookie
	for i, c := range e.Render.Cookies {
		if c.Name == "adnet_uid" {
			cookie = &e.Render.Cookies[i]
		}
	}
	if cookie == nil || cookie.Host != "sync.adnet.example" || !cookie.ThirdParty || !cookie.Stored {
		t.Errorf("third-party cookie: %+v in %+v", cookie, e.Render.Cookies)
	}

	// Without --render the beacon stays invisible: the static pass cannot
	// read a remote style sheet.
	static := run(t, "email", renderFixture, "--format", "json", "-o", out)
	if static.code != 0 && static.code != 1 {
		t.Fatalf("static exit %d: %s", static.code, static.stderr)
	}
	for _, tr := range readReport(t, out).Emails[0].Trackers {
		if strings.Contains(tr.URL, "beacon.outdoor-cdn.example") || tr.Rendered != "" {
			t.Errorf("static scan: %+v", tr)
		}
	}
}

func TestEmailRenderBadBrowser(t *testing.T) {
	res := run(t, "email", renderFixture, "--render", "--browser", "/nonexistent/chromium")
	if res.code != 2 || !strings.Contains(res.stderr, "Chromium") || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
}
