package email

import (
	"net/url"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/mailbox"
	"github.com/trackscan/trackscan/detectors"
)

const renderHTML = `<html><head><style>
@import url(https://css.brand-cdn.example/mail.css);
@media print { .p { background: url(https://t.brand-cdn.example/print/8a7f6e5d4c3b2a19) } }
</style></head><body>
<img src="https://email.mg.brand.example/o/eJwNyrEOgjAQBuCnOq3dGr0uZVQ" width="1" height="1">
<img src="https://cdn.brand-cdn.example/logo.png" width="200" height="50">
<a href="https://email.mg.brand.example/c/eJwNyrEOgjAQBuCnOq3dGr0uZVQ">Shop</a>
</body></html>`

func TestAnalyzeRendered(t *testing.T) {
	msg := &mailbox.Message{File: "r.html", HTML: renderHTML,
		Header: mailbox.Header{From: "news@brand.example", All: map[string][]string{}}}
	page := &capture.Page{
		Requests: []capture.Request{
			{URL: "https://css.brand-cdn.example/mail.css", ResourceType: "Stylesheet", Initiator: "about:blank", Status: 200},
			{URL: "https://email.mg.brand.example/o/eJwNyrEOgjAQBuCnOq3dGr0uZVQ", ResourceType: "Image", Status: 200},
			{URL: "https://cdn.brand-cdn.example/logo.png", ResourceType: "Image", Status: 200},
			// Asked for by the imported sheet: only rendering can see these.
			{URL: "https://beacon.brand-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=fall", ResourceType: "Image", Initiator: "https://css.brand-cdn.example/mail.css", Status: 200},
			{URL: "https://fonts.brand-cdn.example/f/Kf0mCnqEu92Fr1Mu4mxK.woff2", ResourceType: "Font", Initiator: "https://css.brand-cdn.example/mail.css", Status: 200},
			{URL: "https://cdn.brand-cdn.example/bg/leaves.jpg", ResourceType: "Image", Initiator: "https://css.brand-cdn.example/mail.css", Status: 200},
			// An element the static pass does not read, loading a token URL.
			{URL: "https://img.brand-cdn.example/hero.jpg?sub=92f1c0aa7e", ResourceType: "Image", Status: 200},
			{URL: "data:image/gif;base64,R0lGOD", ResourceType: "Image"},
			// A refresh the renderer refused: not loaded, not a tracker.
			{URL: "https://go.brand-cdn.example/r/92f1c0aa7e9b8c7d6e5f", ResourceType: "Document", Failed: "net::ERR_BLOCKED_BY_CLIENT"},
		},
		CookieWrites: []capture.CookieWrite{
			{Name: "bid", Host: "beacon.brand-cdn.example", SetBy: "https://beacon.brand-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=fall", ExpiresDays: 30},
			{Name: "sess", Host: "email.mg.brand.example", Blocked: []string{"UserPreferences"}, ExpiresDays: -1},
		},
		Cookies: []capture.Cookie{{Name: "bid", Domain: "beacon.brand-cdn.example"}},
	}
	e := AnalyzeRendered(msg, page, Options{})
	got := map[string]detectors.EmailTracker{}
	for _, tr := range e.Trackers {
		got[string(tr.Kind)+" "+tr.URL] = tr
	}
	tests := []struct {
		name          string
		kind          detectors.Kind
		url, rendered string
	}{
		{"ESP pixel confirmed", detectors.KindOpenPixel, "https://email.mg.brand.example/o/eJwNyrEOgjAQBuCnOq3dGr0uZVQ", detectors.RenderedConfirmed},
		{"print style not loaded", detectors.KindCSSTracker, "https://t.brand-cdn.example/print/8a7f6e5d4c3b2a19", detectors.RenderedNotLoaded},
		{"beacon in imported sheet", detectors.KindCSSTracker, "https://beacon.brand-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=fall", detectors.RenderedOnly},
		{"unread element", detectors.KindOpenPixel, "https://img.brand-cdn.example/hero.jpg?sub=92f1c0aa7e", detectors.RenderedOnly},
		{"new host", detectors.KindThirdPartyContent, "https://beacon.brand-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=fall", detectors.RenderedOnly},
		{"link has no render state", detectors.KindClickTracking, "https://email.mg.brand.example/c/eJwNyrEOgjAQBuCnOq3dGr0uZVQ", ""},
	}
	for _, tt := range tests {
		tr, ok := got[string(tt.kind)+" "+tt.url]
		if !ok || tr.Rendered != tt.rendered {
			t.Errorf("%s: found %v, rendered %q, want %q", tt.name, ok, tr.Rendered, tt.rendered)
		}
	}
	for _, tr := range e.Trackers {
		if tr.Kind != detectors.KindThirdPartyContent && (strings.Contains(tr.URL, ".woff2") || strings.Contains(tr.URL, "leaves.jpg") || strings.Contains(tr.URL, "logo.png")) {
			t.Errorf("plain asset reported as a tracker: %+v", tr)
		}
	}
	if tr := got[string(detectors.KindCSSTracker)+" https://beacon.brand-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=fall"]; !strings.Contains(tr.Evidence, "https://css.brand-cdn.example/mail.css") {
		t.Errorf("evidence does not name the sheet: %q", tr.Evidence)
	}

	for _, tr := range e.Trackers {
		if strings.Contains(tr.URL, "go.brand-cdn.example") {
			t.Errorf("refused document reported: %+v", tr)
		}
	}
	if e.Render == nil || len(e.Render.Requests) != 8 || len(e.Render.Cookies) != 2 {
		t.Fatalf("render section: %+v", e.Render)
	}
	bid, sess := e.Render.Cookies[0], e.Render.Cookies[1]
	if bid.Name != "bid" || !bid.Stored || !bid.ThirdParty {
		t.Errorf("bid: %+v", bid)
	}
	if sess.Name != "sess" || sess.Stored || sess.ThirdParty || len(sess.Blocked) != 1 {
		t.Errorf("sess (first party, blocked): %+v", sess)
	}

	only := 0
	for _, tr := range e.Trackers {
		if tr.Rendered == detectors.RenderedOnly && tr.Kind != detectors.KindThirdPartyContent {
			only++
		}
	}
	if only != 2 {
		t.Errorf("%d trackers only rendering found, want 2", only)
	}

	// Without a page the result is the static one.
	static := AnalyzeRendered(msg, nil, Options{})
	for _, tr := range static.Trackers {
		if tr.Rendered != "" || strings.Contains(tr.URL, "beacon") {
			t.Errorf("static: %+v", tr)
		}
	}
}

// FuzzAnalyzeRendered feeds arbitrary HTML and arbitrary requests (as a
// hostile page could make Chromium report) through the merge: no panic,
// and every tracker carries a render state.
func FuzzAnalyzeRendered(f *testing.F) {
	f.Add(renderHTML, "https://beacon.brand-cdn.example/b/7f3a9c1d2e4b6a0c8d.gif?c=fall", "Image", "https://css.brand-cdn.example/mail.css")
	f.Add(`<img src="//x/%zz">`, "http://[::1]:namedport/", "Font", "")
	f.Add(`<base href="ftp://x/"><img src="a.gif">`, "HTTPS://EXAMPLE.COM", "Stylesheet", "about:blank")
	f.Fuzz(func(t *testing.T, html, reqURL, typ, initiator string) {
		msg := &mailbox.Message{File: "f.html", HTML: html, Header: mailbox.Header{To: "jane@example.com"}}
		page := &capture.Page{Requests: []capture.Request{{URL: reqURL, ResourceType: typ, Initiator: initiator}},
			CookieWrites: []capture.CookieWrite{{Name: "c", Host: reqURL}}}
		e := AnalyzeRendered(msg, page, Options{})
		if e.Trackers == nil || e.Render == nil {
			t.Fatal("nil trackers or render section")
		}
		for _, tr := range e.Trackers {
			if tr.Kind != detectors.KindClickTracking && tr.Rendered == "" && !strings.HasPrefix(tr.Evidence, "recipient address") {
				t.Fatalf("no render state: %+v", tr)
			}
		}
	})
}

// URLs as an email writes them and as Chromium requests them compare equal.
func TestURLKey(t *testing.T) {
	tests := []struct {
		written, requested string
		same               bool
	}{
		{"https://T.Example", "https://t.example/", true},
		{"https://t.example/a b.gif", "https://t.example/a%20b.gif", true},
		{"https://t.example/o?u=1&e=2", "https://t.example/o?u=1&e=2", true},
		{"https://t.example/o?u=1#top", "https://t.example/o?u=1", true},
		{"https://t.example/o?u=1", "https://t.example/o?u=2", false},
		{"http://t.example/o", "https://t.example/o", false},
	}
	for _, tt := range tests {
		w, err1 := url.Parse(tt.written)
		r, err2 := url.Parse(tt.requested)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if got := urlKey(w) == urlKey(r); got != tt.same {
			t.Errorf("%s vs %s: same %v, want %v (%s, %s)", tt.written, tt.requested, got, tt.same, urlKey(w), urlKey(r))
		}
	}
}

// A style that only applies when printed (or in dark mode) loads only when
// the renderer shows the email that way: the tracker says so.
func TestAnalyzeRenderedConditions(t *testing.T) {
	msg := &mailbox.Message{File: "r.html", HTML: renderHTML,
		Header: mailbox.Header{From: "news@brand.example", All: map[string][]string{}}}
	const printURL = "https://t.brand-cdn.example/print/8a7f6e5d4c3b2a19"
	for _, tt := range []struct {
		condition, want string
	}{
		{"", detectors.RenderedConfirmed},
		{"print", detectors.RenderedPrint},
		{"dark-mode", detectors.RenderedDarkMode},
	} {
		page := &capture.Page{Requests: []capture.Request{{URL: printURL, ResourceType: "Image", Status: 200, Condition: tt.condition}}}
		e := AnalyzeRendered(msg, page, Options{})
		found := false
		for _, tr := range e.Trackers {
			if tr.Kind == detectors.KindCSSTracker && tr.URL == printURL {
				found = true
				if tr.Rendered != tt.want {
					t.Errorf("condition %q: rendered %q, want %q", tt.condition, tr.Rendered, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("condition %q: no css tracker for %s", tt.condition, printURL)
		}
		if e.Render == nil || len(e.Render.Requests) != 1 || e.Render.Requests[0].Condition != tt.condition {
			t.Errorf("condition %q: render requests %+v", tt.condition, e.Render)
		}
	}
}
