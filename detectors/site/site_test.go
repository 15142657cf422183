package site

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

func kinds(r Result) map[string]bool {
	m := map[string]bool{}
	for _, d := range r.Detections {
		m[string(d.Kind)+" "+d.Vendor] = true
	}
	return m
}

func TestFingerprintingThresholds(t *testing.T) {
	script := "https://fp.example-cdn.net/fp.js"
	write := func(text, color string) capture.APICall {
		return capture.APICall{API: "canvas-write:fillText", Script: script, Detail: text + "|" + color}
	}
	read := func(size string) capture.APICall {
		return capture.APICall{API: "canvas-read:toDataURL", Script: script, Detail: size}
	}
	fonts := func(n int) []capture.APICall {
		var out []capture.APICall
		for i := 0; i < n; i++ {
			out = append(out, capture.APICall{API: "font-probe:measureText", Script: script, Detail: "72px \"Font" + strings.Repeat("x", i) + "\", monospace"})
		}
		return out
	}
	tests := []struct {
		name  string
		calls []capture.APICall
		want  string // evidence prefix, "" for none
	}{
		{"long text then read", []capture.APICall{write("Cwm fjordbank glyphs", "#069"), read("240x60")}, "canvas fingerprinting"},
		{"two colours then read", []capture.APICall{write("ab", "#069"), write("ab", "#f60"), read("240x60")}, "canvas fingerprinting"},
		{"short text one colour", []capture.APICall{write("ab", "#069"), read("240x60")}, ""},
		{"tiny canvas", []capture.APICall{write("Cwm fjordbank glyphs", "#069"), read("8x8")}, ""},
		{"write without read", []capture.APICall{write("Cwm fjordbank glyphs", "#069")}, ""},
		{"read without write", []capture.APICall{read("240x60")}, ""},
		{"fifty fonts", fonts(50), "font fingerprinting"},
		{"a few fonts", fonts(5), ""},
		{"audio", []capture.APICall{{API: "audio-fingerprint:startRendering", Script: script}}, "audio fingerprinting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := capture.Page{URL: "https://shop.example/", Phase: capture.PreConsent, APICalls: tt.calls}
			r := Analyze([]capture.Page{p}, kb.Default())
			var got string
			for _, d := range r.Detections {
				if d.Kind == detectors.KindFingerprinting {
					got = d.Evidence
					if d.Category != kb.Fingerprinting || d.Vendor != "unknown:example-cdn.net" {
						t.Errorf("detection %+v", d)
					}
				}
			}
			if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want prefix %q", got, tt.want)
			}
		})
	}
}

func TestPixelsAndBeacons(t *testing.T) {
	tests := []struct {
		name string
		img  capture.Element
		want bool
	}{
		{"hidden 1x1 third party", capture.Element{Src: "https://px.unknown-ads.example/p.gif", Width: 1, Height: 1, Visible: false}, true},
		{"visible 1x1 third party", capture.Element{Src: "https://px.unknown-ads.example/p.gif", Width: 1, Height: 1, Visible: true}, true},
		{"logo third party", capture.Element{Src: "https://cdn.unknown.example/logo.png", Width: 120, Height: 40, Visible: true}, false},
		{"first-party spacer", capture.Element{Src: "https://shop.example/s.gif", Width: 1, Height: 1, Visible: true}, false},
		{"hidden large image", capture.Element{Src: "https://cdn.unknown.example/big.png", Width: 300, Height: 200, Visible: false}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := capture.Page{URL: "https://shop.example/", Phase: capture.PreConsent, Images: []capture.Element{tt.img}}
			r := Analyze([]capture.Page{p}, kb.Default())
			got := false
			for _, d := range r.Detections {
				got = got || d.Kind == detectors.KindWebBeacon
			}
			if got != tt.want {
				t.Errorf("web beacon = %t, want %t (%+v)", got, tt.want, r.Detections)
			}
		})
	}
}

func TestCookieAttributionAndPhases(t *testing.T) {
	gtag := "https://www.googletagmanager.com/gtag/js?id=G-1"
	pre := capture.Page{URL: "https://shop.example/", Phase: capture.PreConsent,
		Requests: []capture.Request{{URL: gtag, ResourceType: "Script"}},
		CookieWrites: []capture.CookieWrite{
			{Name: "_ga", Host: "shop.example", ExpiresDays: 730, Source: "script", SetBy: gtag},
			{Name: "opaque_id", Host: "shop.example", ExpiresDays: 30, Source: "script", SetBy: gtag},
			{Name: "sid", Host: "shop.example", ExpiresDays: -1, Source: "header", SetBy: "https://shop.example/"},
			{Name: "tp", Domain: "tracker.example", Host: "x.tracker.example", ExpiresDays: 365, Source: "header",
				SetBy: "https://x.tracker.example/p", Blocked: []string{"ThirdPartyPhaseout"}},
		},
		Cookies: []capture.Cookie{{Name: "_ga", Domain: "shop.example"}, {Name: "opaque_id", Domain: "shop.example"}, {Name: "sid", Domain: "shop.example"}},
	}
	reject := pre
	reject.Phase = capture.AfterReject
	reject.CookieWrites = pre.CookieWrites[:1]
	r := Analyze([]capture.Page{pre, reject}, kb.Default())
	byName := map[string]detectors.Cookie{}
	for _, c := range r.Cookies {
		byName[c.Name] = c
	}
	if c := byName["_ga"]; c.Vendor != "google-analytics" || c.Category != kb.Analytics || !c.FirstParty || !c.Stored || len(c.Phases) != 2 || c.ExpiresDays != 730 {
		t.Errorf("_ga: %+v", c)
	}
	// A cookie the base does not know takes the vendor of the script that set it.
	if c := byName["opaque_id"]; c.Vendor != "google-analytics" || c.SetBy != gtag {
		t.Errorf("opaque_id: %+v", c)
	}
	if c := byName["sid"]; c.Vendor != "" || c.Category != kb.Unknown || c.Source != "header" {
		t.Errorf("sid: %+v", c)
	}
	if c := byName["tp"]; c.Stored || c.FirstParty || len(c.Blocked) != 1 {
		t.Errorf("tp: %+v", c)
	}
}

func TestRegistrableDomain(t *testing.T) {
	for in, want := range map[string]string{
		"www.google-analytics.com": "google-analytics.com",
		"a.b.example.co.uk":        "example.co.uk",
		"127.0.0.1":                "127.0.0.1",
		"shop.example":             "shop.example",
		"":                         "",
	} {
		if got := capture.Site(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestCookieSetterEvidence(t *testing.T) {
	tests := []struct {
		name string
		w    capture.CookieWrite
		want string
	}{
		{"response URL", capture.CookieWrite{SetBy: "https://ad.doubleclick.net/pixel?id=1", Source: "header"}, "https://ad.doubleclick.net/pixel?…"},
		{"script URL", capture.CookieWrite{SetBy: "https://connect.facebook.net/en_US/fbevents.js", Source: "script"}, "https://connect.facebook.net/en_US/fbevents.js"},
		{"unknown response", capture.CookieWrite{Source: "header"}, "a response header"},
		{"unknown script", capture.CookieWrite{Source: "script"}, "a script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := setter(tt.w); got != tt.want {
				t.Errorf("setter = %q, want %q", got, tt.want)
			}
		})
	}
	// The whole evidence line, from a page whose write lacks its URL.
	k := kb.Default()
	res := Analyze([]capture.Page{{URL: "https://shop.example/", Phase: capture.PreConsent,
		CookieWrites: []capture.CookieWrite{{Name: "IDE", Host: "ad.doubleclick.net", Domain: "doubleclick.net", Source: "header", ExpiresDays: 390}}}}, k)
	found := false
	for _, d := range res.Detections {
		if d.Kind == detectors.KindTrackingCookie {
			found = true
			if strings.Contains(d.Evidence, "://") || !strings.HasSuffix(d.Evidence, "set by a response header") {
				t.Errorf("evidence %q", d.Evidence)
			}
		}
	}
	if !found {
		t.Fatal("IDE not detected as a tracking cookie")
	}
}

// TestSocialWidgetFrames: a frame is a social widget when its vendor is a
// social network, by category or by the knowledge base's social_widget flag
// (Facebook is filed under advertising); other third-party frames are not.
func TestSocialWidgetFrames(t *testing.T) {
	tests := []struct {
		frame string
		want  string // kind and vendor of the frame's detection
	}{
		{"https://www.youtube.com/embed/abc", "social-widget youtube"},
		{"https://www.facebook.com/plugins/like.php?href=x", "social-widget facebook"},
		{"https://platform.linkedin.com/embed/share", "social-widget linkedin"},
		{"https://www.youtube-nocookie.com/embed/abc", "third-party-frame youtube-nocookie"},
	}
	for _, tt := range tests {
		t.Run(tt.frame, func(t *testing.T) {
			p := capture.Page{URL: "https://shop.example/", Phase: capture.PreConsent,
				Requests: []capture.Request{{URL: tt.frame, ResourceType: "Document", FrameURL: tt.frame}}}
			if got := kinds(Analyze([]capture.Page{p}, kb.Default())); !got[tt.want] {
				t.Errorf("detections %v, want %q", got, tt.want)
			}
		})
	}
}

// A CMP that deletes Google Analytics cookies on reject clears them: the
// deletion is neither a cookie of the phase nor a tracking detection.
func TestCookieDeletionIsNotTracking(t *testing.T) {
	cmp := "https://shop.example/consent.js"
	reject := capture.Page{URL: "https://shop.example/", Phase: capture.AfterReject,
		CookieWrites: []capture.CookieWrite{
			{Name: "_ga", Host: "shop.example", Source: "script", SetBy: cmp, Deleted: true},
			{Name: "_gid", Host: "shop.example", Source: "script", SetBy: cmp, Deleted: true},
		},
	}
	r := Analyze([]capture.Page{reject}, kb.Default())
	for _, c := range r.Cookies {
		t.Errorf("deleted cookie reported: %+v", c)
	}
	for _, d := range r.Detections {
		if d.Kind == detectors.KindTrackingCookie {
			t.Errorf("deletion detected as tracking: %+v", d)
		}
	}
}
