package browser

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestParseCookieLine(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		line, url   string
		name, host  string
		domain      string
		days        float64
		secure      bool
		sameSite    string
		partitioned bool
		ok          bool
	}{
		{"_ga=GA1.1.1; Max-Age=63072000; Path=/", "https://shop.example/", "_ga", "shop.example", "", 730, false, "", false, true},
		{"fr=x; Domain=.facebook.com; Max-Age=7776000; Secure; HttpOnly; SameSite=None", "https://www.facebook.com/tr", "fr", "www.facebook.com", "facebook.com", 90, true, "None", false, true},
		{"sid=1", "http://a.example/", "sid", "a.example", "", -1, false, "", false, true},
		{"old=1; Expires=Sun, 22 Nov 2026 11:00:00 GMT", "http://a.example/", "old", "a.example", "", 0, false, "", false, true},
		{"later=1; Expires=Mon, 23 Nov 2026 12:00:00 GMT; SameSite=Lax", "http://a.example/", "later", "a.example", "", 1, false, "Lax", false, true},
		{"gone=1; Max-Age=-1", "http://a.example/", "gone", "a.example", "", 0, false, "", false, true},
		{"p=1; Secure; Partitioned; SameSite=None", "https://e.example/", "p", "e.example", "", -1, true, "None", true, true},
		{"=novalue", "http://a.example/", "", "", "", 0, false, "", false, false},
		{"", "http://a.example/", "", "", "", 0, false, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			w, ok := parseCookieLine(tt.line, tt.url, now)
			if ok != tt.ok {
				t.Fatalf("ok = %t", ok)
			}
			if !ok {
				return
			}
			// Only an expiry in the past or a negative Max-Age deletes.
			if deleted := tt.name == "old" || tt.name == "gone"; w.Deleted != deleted {
				t.Errorf("%s: deleted %t, want %t", tt.name, w.Deleted, deleted)
			}
			if w.Name != tt.name || w.Host != tt.host || w.Domain != tt.domain || w.ExpiresDays != tt.days ||
				w.Secure != tt.secure || w.SameSite != tt.sameSite || w.Partitioned != tt.partitioned {
				t.Errorf("got %+v", w)
			}
		})
	}
}

func FuzzParseCookieLine(f *testing.F) {
	f.Add("_ga=GA1.1.1; Max-Age=63072000; Path=/; Domain=.x.com; Secure; SameSite=None; Partitioned")
	f.Add("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, line string) {
		w, ok := parseCookieLine(line, "https://x.example/", time.Now())
		if ok && w.Name == "" {
			t.Fatal("accepted a cookie without a name")
		}
	})
}

func TestHookReport(t *testing.T) {
	r := newRecorder()
	r.hookReport(`{"kind":"cookie","detail":"_fbp=fb.1; Max-Age=7776000","frame":"https://shop.example/","stack":"https://connect.facebook.net/en_US/fbevents.js"}`)
	r.hookReport(`{"kind":"storage","detail":"localStorage _hjTest","frame":"https://shop.example/p","stack":"https://static.hotjar.com/c/h.js"}`)
	r.hookReport(`{"kind":"beacon","api":"sendBeacon","detail":"https://www.google-analytics.com/g/collect","frame":"https://shop.example/","stack":""}`)
	r.hookReport(`not json`)
	if len(r.writes) != 1 || r.writes[0].SetBy != "https://connect.facebook.net/en_US/fbevents.js" || r.writes[0].Source != "script" || r.writes[0].ExpiresDays != 90 {
		t.Errorf("cookie write: %+v", r.writes)
	}
	if len(r.storage) != 1 || r.storage[0].key != "_hjTest" || r.storage[0].kind != "localStorage" {
		t.Errorf("storage: %+v", r.storage)
	}
	if len(r.calls) != 1 || r.calls[0].API != "beacon:sendBeacon" {
		t.Errorf("calls: %+v", r.calls)
	}
}

func TestLoadErrorText(t *testing.T) {
	for in, want := range map[string]string{
		"page load error net::ERR_NAME_NOT_RESOLVED":            "net::ERR_NAME_NOT_RESOLVED",
		"page load error net::ERR_CERT_AUTHORITY_INVALID, more": "net::ERR_CERT_AUTHORITY_INVALID",
		"something else": "something else",
	} {
		if got := loadErrorText(errString(in)); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestRecorderDropsBrowserFavicon(t *testing.T) {
	noInitiator := &network.Initiator{Type: network.InitiatorTypeOther}
	tests := []struct {
		name      string
		url       string
		typ       network.ResourceType
		initiator *network.Initiator
		kept      bool
	}{
		{"browser favicon", "http://shop.example/favicon.ico", network.ResourceTypeOther, noInitiator, false},
		{"main document", "http://shop.example/", network.ResourceTypeDocument, noInitiator, true},
		{"favicon a page loads", "http://shop.example/favicon.ico", network.ResourceTypeImage,
			&network.Initiator{Type: network.InitiatorTypeParser, URL: "http://shop.example/"}, true},
		{"favicon a script fetches", "https://tracker.example/favicon.ico", network.ResourceTypeOther,
			&network.Initiator{Type: network.InitiatorTypeOther, URL: "http://shop.example/app.js"}, true},
		{"other browser fetch", "http://shop.example/other", network.ResourceTypeOther, noInitiator, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder()
			r.onEvent(&network.EventRequestWillBeSent{RequestID: "1", Type: tt.typ, Initiator: tt.initiator,
				DocumentURL: "http://shop.example/", Request: &network.Request{URL: tt.url, Method: "GET"}})
			r.onEvent(&network.EventResponseReceivedExtraInfo{RequestID: "1",
				Headers: network.Headers{"Set-Cookie": "icon=1; Max-Age=60"}})
			var p capture.Page
			r.fill(&p)
			if got := len(p.Requests) == 1; got != tt.kept {
				t.Errorf("request kept = %t, want %t", got, tt.kept)
			}
			if got := len(p.CookieWrites) == 1; got != tt.kept {
				t.Errorf("cookie write kept = %t, want %t", got, tt.kept)
			}
		})
	}
}

// A response that arrives after a consent click still names the request
// that set its cookie.
func TestRecorderResetKeepsInFlightURL(t *testing.T) {
	r := newRecorder()
	r.onEvent(&network.EventRequestWillBeSent{RequestID: "1", Type: network.ResourceTypeImage,
		Initiator:   &network.Initiator{Type: network.InitiatorTypeParser, URL: "http://shop.example/"},
		DocumentURL: "http://shop.example/", Request: &network.Request{URL: "https://ad.doubleclick.net/px?x=1", Method: "GET"}})
	r.reset()
	r.onEvent(&network.EventResponseReceivedExtraInfo{RequestID: "1",
		Headers: network.Headers{"Set-Cookie": "IDE=1; Domain=.doubleclick.net; Max-Age=60"}})
	var p capture.Page
	r.fill(&p)
	if len(p.Requests) != 0 {
		t.Errorf("request from before the reset listed: %+v", p.Requests)
	}
	if len(p.CookieWrites) != 1 || p.CookieWrites[0].SetBy != "https://ad.doubleclick.net/px?x=1" || p.CookieWrites[0].Host != "ad.doubleclick.net" {
		t.Errorf("cookie writes %+v", p.CookieWrites)
	}
}

// CDP does not order a response's Set-Cookie headers (ExtraInfo) after its
// request: either order names the URL that set the cookie, and headers
// whose request never came are still kept, without a setter.
func TestRecorderCookieHeadersBeforeRequest(t *testing.T) {
	sent := &network.EventRequestWillBeSent{RequestID: "7", Type: network.ResourceTypeScript,
		DocumentURL: "http://news.example/", Request: &network.Request{URL: "http://metrics.news.example/tag.js", Method: "GET"}}
	extra := &network.EventResponseReceivedExtraInfo{RequestID: "7",
		Headers: network.Headers{"Set-Cookie": "trk_uid=1; Domain=news.example; Max-Age=60"}}
	orphan := &network.EventResponseReceivedExtraInfo{RequestID: "8", Headers: network.Headers{"Set-Cookie": "lost=1"}}
	for _, tt := range []struct {
		name   string
		events []any
	}{
		{"request first", []any{sent, extra}},
		{"headers first", []any{extra, sent}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder()
			for _, ev := range append(tt.events, orphan) {
				r.onEvent(ev)
			}
			var p capture.Page
			r.fill(&p)
			setBy := map[string]string{}
			for _, w := range p.CookieWrites {
				setBy[w.Name] = w.SetBy
			}
			if setBy["trk_uid"] != "http://metrics.news.example/tag.js" {
				t.Errorf("trk_uid set by %q", setBy["trk_uid"])
			}
			if by, ok := setBy["lost"]; !ok || by != "" {
				t.Errorf("orphan header: kept %v, set by %q", ok, by)
			}
		})
	}
}
