package email

import (
	"net/url"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/mailbox"
	"github.com/trackscan/trackscan/detectors"
)

const fixtures = "../../testdata/email"

func load(t *testing.T, name string) *mailbox.Message {
	t.Helper()
	rs := mailbox.ReadFile(filepath.Join(fixtures, name), nil, mailbox.Options{})
	if len(rs) != 1 || rs[0].Msg == nil {
		t.Fatalf("%s: cannot load: %+v", name, rs)
	}
	return rs[0].Msg
}

// hostsOf lists the distinct hosts of trackers of a kind, sorted.
func hostsOf(e detectors.Email, kind detectors.Kind) []string {
	set := map[string]bool{}
	for _, tr := range e.Trackers {
		if tr.Kind == kind {
			set[tr.Host] = true
		}
	}
	out := []string{}
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

func count(e detectors.Email, kind detectors.Kind) int {
	n := 0
	for _, tr := range e.Trackers {
		if tr.Kind == kind {
			n++
		}
	}
	return n
}

func vendorsOf(e detectors.Email, kind detectors.Kind) []string {
	set := map[string]bool{}
	for _, tr := range e.Trackers {
		if tr.Kind == kind && tr.Vendor != "" {
			set[tr.Vendor] = true
		}
	}
	out := []string{}
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func TestAnalyzeFixtures(t *testing.T) {
	tests := []struct {
		file        string
		esp, source string   // ESP and what named it
		pixelHosts  []string // hosts of open pixels
		pixelVendor []string
		clicks      int // click-tracking links
		thirdParty  []string
	}{
		{"mailchimp.eml", "mailchimp", "header X-Campaign", []string{"shop.us5.list-manage.com"}, []string{"mailchimp"}, 2,
			[]string{"mcusercontent.com", "shop.us5.list-manage.com"}},
		{"sendgrid-branded.eml", "sendgrid", "header X-Sg-Eid", []string{"links.brand.example"}, []string{"sendgrid"}, 1, []string{}},
		{"mailgun-branded.eml", "mailgun", "open pixel URL", []string{"email.mg.brand.example"}, []string{"mailgun"}, 1, []string{}},
		{"sfmc.eml", "salesforce-marketing-cloud", "header X-Sfmc-Stack", []string{"click.e.brand.example"}, []string{"salesforce-marketing-cloud"}, 2, []string{}},
		// A bare template names no sender: every host it loads from is a third party.
		{"mautic.html", "mautic", "open pixel URL", []string{"marketing.shop.example"}, []string{"mautic"}, 1, []string{"marketing.shop.example"}},
		{"mailjet.eml", "mailjet", "header X-Mj-Mid", []string{"x8k2p.mjt.lu"}, []string{"mailjet"}, 1, []string{"x8k2p.mjt.lu"}},
		{"dotdigital.eml", "dotdigital", "open pixel URL", []string{"r1.dmtrk.net"}, []string{"dotdigital"}, 1, []string{"r1.dmtrk.net"}},
		{"hubspot.eml", "hubspot", "Return-Path bounce.hubspotemail.net", []string{"t.hubspotemail.net"}, []string{"hubspot"}, 2, []string{"t.hubspotemail.net"}},
		{"amazon-ses.eml", "amazon-ses", "header Feedback-Id", []string{"abc123de.r.us-east-1.awstrack.me"}, []string{"amazon-ses"}, 1, []string{"abc123de.r.us-east-1.awstrack.me"}},
		{"latin1-constant-contact.eml", "constant-contact", "open pixel URL", []string{"r20.rs6.net"}, []string{"constant-contact"}, 0, []string{"r20.rs6.net"}},
		// Clean negatives: no open pixel at all.
		{"clean/spacers-and-logos.html", "", "", []string{}, []string{}, 0, []string{"cdn.shop.example"}},
		{"clean/plain-text.eml", "", "", []string{}, []string{}, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := Analyze(load(t, tt.file), Options{})
			if e.ESP != tt.esp || e.ESPSource != tt.source {
				t.Errorf("ESP = %q (%q), want %q (%q)", e.ESP, e.ESPSource, tt.esp, tt.source)
			}
			if got := hostsOf(e, detectors.KindOpenPixel); !reflect.DeepEqual(got, tt.pixelHosts) {
				t.Errorf("open pixel hosts = %v, want %v", got, tt.pixelHosts)
			}
			if got := vendorsOf(e, detectors.KindOpenPixel); !reflect.DeepEqual(got, tt.pixelVendor) {
				t.Errorf("open pixel vendors = %v, want %v", got, tt.pixelVendor)
			}
			if got := count(e, detectors.KindClickTracking); got != tt.clicks {
				t.Errorf("click-tracking links = %d, want %d: %+v", got, tt.clicks, e.Trackers)
			}
			if got := hostsOf(e, detectors.KindThirdPartyContent); !reflect.DeepEqual(got, tt.thirdParty) {
				t.Errorf("third-party hosts = %v, want %v", got, tt.thirdParty)
			}
		})
	}
}

func TestMailchimpDetails(t *testing.T) {
	e := Analyze(load(t, "mailchimp.eml"), Options{})
	if e.From != "news@shop.example" || !strings.HasPrefix(e.Subject, "Spring sale") {
		t.Errorf("From %q Subject %q", e.From, e.Subject)
	}
	for _, tr := range e.Trackers {
		switch {
		case tr.Kind == detectors.KindOpenPixel && !tr.ThirdParty:
			t.Errorf("list-manage.com pixel must be third party for news@shop.example: %+v", tr)
		case tr.Kind == detectors.KindClickTracking && strings.Contains(tr.URL, "unsubscribe"):
			t.Errorf("unsubscribe link counted as click tracking: %s", tr.URL)
		case strings.Contains(tr.URL, "s.gif"):
			t.Errorf("repeated spacer reported: %+v", tr)
		}
	}
}

func TestCSSTrackers(t *testing.T) {
	e := Analyze(load(t, "css-trackers.html"), Options{})
	got := map[string]string{}
	for _, tr := range e.Trackers {
		if tr.Kind == detectors.KindCSSTracker {
			got[tr.URL] = tr.Evidence
		}
	}
	want := map[string]string{
		"https://t.metrics.example/print/9f8e7d6c5b4a39281706?c=spring": "@media print",
		"https://t.metrics.example/dark?m=9f8e7d6c5b4a39281706":         "prefers-color-scheme",
		"https://t.metrics.example/fwd/9f8e7d6c5b4a39281706.gif":        "forward-only selector",
		"https://t.metrics.example/open/9f8e7d6c5b4a39281706.gif":       "tracking path",
	}
	for u, why := range want {
		if !strings.Contains(got[u], why) {
			t.Errorf("%s: evidence %q, want it to mention %q", u, got[u], why)
		}
	}
	if len(got) != len(want) {
		t.Errorf("css trackers = %v, want exactly %d (the dark-mode logo, hero and background pattern are content)", got, len(want))
	}
	if n := count(e, detectors.KindOpenPixel); n != 0 {
		t.Errorf("%d open pixels in a CSS-only email", n)
	}
}

// CSS trackers in the places the static pass reads, each named by where it
// sits; plain assets in the same places are content.
func TestCSSTrackerPlaces(t *testing.T) {
	tests := []struct {
		name, html, url, why string
	}{
		{"background attribute", `<table><tr><td background="https://t.example/bg/9f8e7d6c5b4a39281706.gif">x</td></tr></table>`,
			"https://t.example/bg/9f8e7d6c5b4a39281706.gif", "background attribute"},
		{"@import", `<style>@import url(https://t.example/open/9f8e7d6c5b4a39281706.css);</style>`,
			"https://t.example/open/9f8e7d6c5b4a39281706.css", "CSS @import"},
		{"@import string", `<style>@import "https://t.example/track/9f8e7d6c5b4a39281706.css" print;</style>`,
			"https://t.example/track/9f8e7d6c5b4a39281706.css", "CSS @import"},
		{"content url", `<style>.x::after { content: url("https://t.example/pixel/9f8e7d6c5b4a39281706.png") }</style>`,
			"https://t.example/pixel/9f8e7d6c5b4a39281706.png", "CSS content"},
		{"print inline sheet", `<style>@media only print { body { background: url(https://t.example/p?id=9f8e7d6c5b4a39281706) } }</style>`,
			"https://t.example/p?id=9f8e7d6c5b4a39281706", "@media print"},
		{"dark mode", `<style>@media (prefers-color-scheme: dark) { .a { background-image: url(https://t.example/d?u=81) } }</style>`,
			"https://t.example/d?u=81", "prefers-color-scheme"},
		{"forward-only", `<style>.moz-forward-container .f { background: url(https://t.example/f?u=81) }</style>`,
			"https://t.example/f?u=81", "forward-only selector"},
		{"inline style", `<div style="background-image: url('https://t.example/open/9f8e7d6c5b4a39281706')"></div>`,
			"https://t.example/open/9f8e7d6c5b4a39281706", "CSS background-image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(&mailbox.Message{File: "t.html", HTML: tt.html}, Options{})
			for _, tr := range e.Trackers {
				if tr.Kind == detectors.KindCSSTracker && tr.URL == tt.url && strings.Contains(tr.Evidence, tt.why) {
					return
				}
			}
			t.Errorf("no css-tracker %s mentioning %q: %+v", tt.url, tt.why, e.Trackers)
		})
	}
	clean := `<style>@import url(https://fonts.example/css?family=Roboto);
@media print { .logo { background: url(https://cdn.example/logo-print.png) } }
.hero { background-image: url(https://cdn.example/hero.jpg) }</style>
<td background="https://cdn.example/pattern.png">x</td>`
	if n := count(Analyze(&mailbox.Message{File: "clean.html", HTML: clean}, Options{}), detectors.KindCSSTracker); n != 0 {
		t.Errorf("plain CSS assets: %d css trackers", n)
	}
}

func TestAddressLeaks(t *testing.T) {
	opt := Options{Recipients: []string{"  Jane.Doe@Example.COM "}, FirstParty: []string{"shop.example"}}
	e := Analyze(load(t, "leaks.html"), opt)
	type leak struct {
		enc        string
		thirdParty bool
	}
	got := map[string]leak{}
	for _, tr := range e.Trackers {
		if tr.Kind == detectors.KindAddressLeak {
			got[tr.URL] = leak{tr.LeakEncoding, tr.ThirdParty}
			if !tr.RecipientSpecific {
				t.Errorf("leak not recipient-specific: %s", tr.URL)
			}
		}
	}
	want := map[string]leak{
		"https://pixel.adnet.example/p?email=jane.doe@example.com":                                                                                                         {"plain", true},
		"https://pixel.adnet.example/q?e=jane.doe%40example.com":                                                                                                           {"urlencoded", true},
		"https://sync.adnet.example/b0/8QKTamFuZS5kb2VAZXhhbXBsZS5jb22eAf8=":                                                                                               {"base64", true},
		"https://sync.adnet.example/b1?t=8QKT1GphbmUuZG9lQGV4YW1wbGUuY29tngH_":                                                                                             {"base64", true},
		"https://sync.adnet.example/b2?t=8QKT1IVqYW5lLmRvZUBleGFtcGxlLmNvbZ4B%2Fw%3D%3D":                                                                                   {"base64", true},
		"https://sync.adnet.example/hex/6a616e652e646f65406578616d706c652e636f6d":                                                                                          {"hex", true},
		"https://id.adnet.example/md5/0cba00ca3da1b283a57287bcceb17e35":                                                                                                    {"md5", true},
		"https://id.adnet.example/s1?h=A3CADDB38202511EAB803116294DC020F7C4F8A2":                                                                                           {"sha1", true},
		"https://id.adnet.example/s224?h=86863e578aa334b08d24e932334da92b667d307d126ed8d40213b771":                                                                         {"sha224", true},
		"https://id.adnet.example/s256?uid=86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d":                                                               {"sha256", true},
		"https://id.adnet.example/s384/f242e5072188053dddf9d3e380e908391688511c8a1f4d2a98d25885ee44aaf748fd57f96a6d08a49d5d0e817b04fc63":                                   {"sha384", true},
		"https://id.adnet.example/s512?h=358c75d37759d9df9ed01d23ef5c11ddc7e69b5ee818e60c868cd271de55b54ce641d3028f46a5d5def6c5a938d251efb80ec33a307c321837a055734df1064c": {"sha512", true},
		"https://shop.example/account?u=eyJlIjoiamFuZS5kb2VAZXhhbXBsZS5jb20ifQ":                                                                                            {"base64", false},
		"https://shop.example/prefs?email=jane.doe%40example.com":                                                                                                          {"urlencoded", false},
		"https://shop.example/img/banner.png?who=86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d":                                                         {"sha256", false},
	}
	if !reflect.DeepEqual(got, want) {
		for u, w := range want {
			if got[u] != w {
				t.Errorf("%s: got %+v, want %+v", u, got[u], w)
			}
		}
		for u, g := range got {
			if _, ok := want[u]; !ok {
				t.Errorf("unexpected leak %s %+v", u, g)
			}
		}
	}
	// A large first-party banner carrying the address hash is an open pixel.
	for _, tr := range e.Trackers {
		if tr.Kind == detectors.KindOpenPixel && strings.Contains(tr.URL, "banner.png") {
			return
		}
	}
	t.Error("recipient-specific banner not reported as an open pixel")
}

func TestLeakUsesToHeaderByDefault(t *testing.T) {
	msg := &mailbox.Message{File: "x.eml", HTML: `<img src="https://t.example/o?e=jane.doe%40example.com">`,
		Header: mailbox.Header{To: "jane.doe@example.com", From: "a@shop.example"}}
	e := Analyze(msg, Options{})
	if count(e, detectors.KindAddressLeak) != 1 {
		t.Fatalf("trackers %+v, want one address leak from the To: address", e.Trackers)
	}
	if e2 := Analyze(msg, Options{Recipients: []string{"someone@else.example"}}); count(e2, detectors.KindAddressLeak) != 0 {
		t.Errorf("--recipient must replace To:, got %+v", e2.Trackers)
	}
}

func TestCompare(t *testing.T) {
	a, b := Compare(load(t, "compare-alice.eml"), load(t, "compare-bob.eml"), Options{})
	for _, e := range []detectors.Email{a, b} {
		pixels := map[string]bool{}
		for _, tr := range e.Trackers {
			if tr.Kind == detectors.KindOpenPixel {
				if !tr.RecipientSpecific || tr.ThirdParty {
					t.Errorf("%s: %+v", e.File, tr)
				}
				pixels[tr.URL[:strings.Index(tr.URL, "?")]] = true
			}
		}
		if !reflect.DeepEqual(pixels, map[string]bool{"https://cdn.brand.example/img/banner.png": true}) {
			t.Errorf("%s: open pixels %v, want only the recipient-specific banner", e.File, pixels)
		}
		if hostsOf(e, detectors.KindClickTracking)[0] != "brand.example" || count(e, detectors.KindClickTracking) != 1 {
			t.Errorf("%s: want the one recipient-specific link, got %+v", e.File, e.Trackers)
		}
	}
	// Analysed alone, the banner is just content.
	if n := count(Analyze(load(t, "compare-alice.eml"), Options{}), detectors.KindOpenPixel); n != 0 {
		t.Errorf("without compare: %d open pixels, want 0", n)
	}
}

func TestImageHeuristics(t *testing.T) {
	tests := []struct {
		name, html string
		pixel      bool
	}{
		{"1x1 attributes", `<img src="https://t.example/a.png" width="1" height="1">`, true},
		{"0x0 inline style", `<img src="https://t.example/a.png" style="width:0;height:0">`, true},
		{"style overrides attributes", `<img src="https://t.example/a.png" width="100" height="100" style="width:1px;height:1px">`, true},
		{"display none", `<img src="https://t.example/a.png" width="300" height="100" style="display:none">`, true},
		// Responsive emails hide whole blocks (the mobile variant): a sized
		// image there is layout; an unsized one with a token is not.
		{"hidden ancestor", `<div style="visibility:hidden"><img src="https://t.example/o/9f8e7d6c5b4a39281706aa"></div>`, true},
		{"sized image in a hidden block", `<div style="visibility:hidden"><img src="https://t.example/a.png" width="300" height="100"></div>`, false},
		{"opacity 0", `<img src="https://t.example/a.png" width="30" height="10" style="opacity:0">`, true},
		{"max-height 0", `<img src="https://t.example/a.png" width="30" height="10" style="max-height:0px">`, true},
		{"display none important", `<img src="https://t.example/a.png" width="300" height="100" style="DISPLAY: none !important;">`, true},
		{"hidden important ancestor", `<div style="visibility:hidden!important"><img src="https://t.example/p?u=9f8e7d6c5b4a39281706aa"></div>`, true},
		{"1px important", `<img src="https://t.example/a.png" style="width:1px!important;height:1px !important">`, true},
		{"picture source pixel", `<picture><source srcset="https://shop.us5.list-manage.com/track/open.php?u=9f3a2c&amp;id=71be0d 1x"><img src="https://cdn.example/x.png" width="300" height="100"></picture>`, true},
		{"hidden attribute", `<img src="https://t.example/a.png" width="300" height="100" hidden>`, true},
		{"tracking path no size", `<img src="https://t.example/open/9f8e7d6c5b4a39281706">`, true},
		{"token gif", `<img src="https://t.example/9f8e7d6c5b4aa39281706.gif">`, true},
		{"srcset pixel", `<img src="https://cdn.example/x.png" srcset="https://t.example/px.png 1x" width="1" height="1">`, true},
		{"logo", `<img src="https://cdn.example/logo.png" width="120" height="40">`, false},
		{"logo no size", `<img src="https://cdn.example/brand/logo.png">`, false},
		{"cache buster", `<img src="https://cdn.example/t/photo.jpg?v=2">`, false},
		{"spacer name", `<img src="https://cdn.example/spacer.gif" width="1" height="1">`, false},
		{"repeated spacer", `<img src="https://cdn.example/p.gif" width="1" height="1"><img src="https://cdn.example/p.gif" width="1" height="1">`, false},
		{"tall 1px line", `<img src="https://cdn.example/line.png" width="1" height="40">`, false},
		{"cid image", `<img src="cid:logo@x" width="1" height="1">`, false},
		{"data image", `<img src="data:image/gif;base64,R0lGOD" width="1" height="1">`, false},
		{"picture of logos", `<picture><source srcset="https://cdn.example/logo@2x.png 2x, https://cdn.example/logo.png 1x"><img src="https://cdn.example/logo.png" width="120" height="40"></picture>`, false},
		{"display block important", `<img src="https://cdn.example/hero.png" width="600" height="300" style="display:block !important">`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(&mailbox.Message{File: "t.html", HTML: tt.html}, Options{})
			if got := count(e, detectors.KindOpenPixel) > 0; got != tt.pixel {
				t.Errorf("open pixel = %v, want %v: %+v", got, tt.pixel, e.Trackers)
			}
		})
	}
}

// Open pixels no list knows: tiny, hidden or off-screen by attribute or
// CSS, 1x1 in srcset or <picture>, CSS backgrounds, per-recipient tokens,
// analytics hits; each with a confidence and the reason. Spacers and
// layout images stay clean.
func TestUnlistedPixels(t *testing.T) {
	tests := []struct {
		name, html      string
		kind            string // "" when nothing may be reported
		confidence, why string
	}{
		{"width alone", `<img src="https://news.brand.example/i/hero.png" width="1">`, string(detectors.KindOpenPixel), "medium", "image 1px wide, height not set"},
		{"height alone in CSS", `<img src="https://news.brand.example/i/a.png" style="height:1px">`, string(detectors.KindOpenPixel), "medium", "image 1px high, width not set"},
		{"display none", `<img src="https://news.brand.example/i/a.png" width="20" height="20" style="display:none">`, string(detectors.KindOpenPixel), "medium", "image hidden by display:none"},
		{"opacity 0", `<img src="https://news.brand.example/i/a.png" style="opacity:0">`, string(detectors.KindOpenPixel), "medium", "image hidden by opacity:0"},
		{"off-screen", `<img src="https://news.brand.example/i/a.png" style="position:absolute;left:-9999px">`, string(detectors.KindOpenPixel), "medium", "image hidden by off-screen (left:-9999px)"},
		{"1w srcset", `<img src="https://cdn.brand.example/logo.png" srcset="https://news.brand.example/i/a.png 1w" alt="">`, string(detectors.KindOpenPixel), "medium", "image 1px wide, height not set"},
		{"1x1 picture source", `<picture><source srcset="https://news.brand.example/i/a.png" width="1" height="1"><img src="https://cdn.brand.example/logo.png" width="120" height="40"></picture>`, string(detectors.KindOpenPixel), "high", "1x1 image"},
		{"CSS background of a 1px cell", `<table><tr><td style="width:1px;height:1px;background-image:url(https://news.brand.example/bg?u=a8F3kd92)"></td></tr></table>`, string(detectors.KindCSSTracker), "medium", "CSS background-image of an element of 1px or less"},
		{"CSS background of a hidden block", `<div style="display:none;background:url('https://news.brand.example/bg?u=a8F3kd92')"></div>`, string(detectors.KindCSSTracker), "medium", "CSS background of an element hidden by display:none"},
		{"per-recipient token", `<img src="https://news.brand.example/img?s=a8F3kd92Lq0zX7pW4mN1">`, string(detectors.KindOpenPixel), "low", "image whose URL carries an opaque token"},
		{"Matomo hit", `<img src="https://stats.brand.example/matomo.php?idsite=3&amp;rec=1&amp;action_name=newsletter" width="600">`, string(detectors.KindOpenPixel), "high", "Matomo/Piwik tracking request used as an open pixel"},
		{"Piwik hit", `<img src="https://brand.example/piwik/piwik.php?idsite=1&amp;rec=1" alt="">`, string(detectors.KindOpenPixel), "high", "Matomo/Piwik tracking request used as an open pixel"},
		{"GA collect", `<img src="https://www.google-analytics.com/collect?v=1&amp;tid=UA-12345-1&amp;cid=555&amp;t=event&amp;ec=email&amp;ea=open">`, string(detectors.KindOpenPixel), "high", "Google Analytics collect hit used as an open pixel"},
		{"GA4 collect", `<img src="https://www.google-analytics.com/g/collect?v=2&amp;tid=G-ABC123&amp;cid=555&amp;en=email_open">`, string(detectors.KindOpenPixel), "high", "Google Analytics collect hit used as an open pixel"},
		// Layout and content stay clean.
		{"vertical spacer line", `<img src="https://cdn.brand.example/line.png" width="1" height="40">`, "", "", ""},
		{"hash-named asset", `<img src="https://img.shop.example/image/store/2003906387/9b7b9cb8065a449e94f904baa348d279.png?w=500&amp;h=250" width="100%">`, "", "", ""},
		{"webmail image proxy", `<img src="https://ci3.googleusercontent.com/proxy/70fkHGUpDtUOOGht5AHLstyZVDHlofjej1ffkABuKoJT">`, "", "", ""},
		{"sized logo in a hidden mobile block", `<div style="display:none;max-height:0"><img src="https://cdn.brand.example/logo.png" width="200" height="75"></div>`, "", "", ""},
		{"background photo", `<table><tr><td style="background-image:url(https://cdn.brand.example/hero.jpg);width:600px;height:300px"></td></tr></table>`, "", "", ""},
		{"repeated spacer by width", `<img src="https://a.brand.example/9/9d08eac.png" width="1" height="20"><img src="https://a.brand.example/9/9d08eac.png" width="40" height="1">`, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(&mailbox.Message{File: "t.html", HTML: tt.html}, Options{FirstParty: []string{"brand.example"}})
			var got []detectors.EmailTracker
			for _, tr := range e.Trackers {
				if tr.Kind == detectors.KindOpenPixel || tr.Kind == detectors.KindCSSTracker {
					got = append(got, tr)
				}
			}
			if tt.kind == "" {
				if len(got) > 0 {
					t.Errorf("reported %+v", got)
				}
				return
			}
			if len(got) != 1 || string(got[0].Kind) != tt.kind || got[0].Confidence != tt.confidence || got[0].Evidence != tt.why {
				t.Errorf("got %+v\nwant one %s, confidence %s, %q", got, tt.kind, tt.confidence, tt.why)
			}
		})
	}
}

// Click tracking no list knows: a link that shows one site but goes
// through another's opaque token, and many links through one redirect
// path; a shop's own product links are not tracking.
func TestUnlistedClickTracking(t *testing.T) {
	tests := []struct {
		name, html string
		want       []string // evidence of each click-tracking finding, sorted by URL
	}{
		{"shown host differs", `<a href="https://go.mailer.example/x/Zk9sQ2FtcGFpZ24xMjM0NTY">www.shop.example/sale</a>`,
			[]string{"link shows www.shop.example but goes through go.mailer.example with an opaque token"}},
		{"shown host is the link's", `<a href="https://www.shop.example/x/Zk9sQ2FtcGFpZ24xMjM0NTY3">www.shop.example</a>`,
			[]string{"link with an opaque token"}},
		{"many links through one redirect path",
			`<a href="https://trk.mailer.example/cl/3669_md/9/1330/1789">Offer</a><a href="https://trk.mailer.example/cl/3669_md/9/1330/1790">Terms</a><a href="https://trk.mailer.example/cl/3669_md/9/1330/1791">Shop</a>`,
			[]string{"one of 3 links through the redirect path /cl/ of trk.mailer.example", "one of 3 links through the redirect path /cl/ of trk.mailer.example", "one of 3 links through the redirect path /cl/ of trk.mailer.example"}},
		{"two links are not many", `<a href="https://trk.mailer.example/cl/3669_md/9/1330/1789">Offer</a><a href="https://trk.mailer.example/cl/3669_md/9/1330/1790">Terms</a>`, nil},
		{"product links", `<a href="https://www.shop.example/p/1234">A</a><a href="https://www.shop.example/p/5678">B</a><a href="https://www.shop.example/p/9012">C</a>`, nil},
		{"dated articles", `<a href="https://news.example/2026/12/07/story">A</a><a href="https://news.example/2026/12/06/story">B</a><a href="https://news.example/2026/12/05/story">C</a>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(&mailbox.Message{File: "t.html", HTML: tt.html}, Options{})
			var got []string
			for _, tr := range e.Trackers {
				if tr.Kind == detectors.KindClickTracking {
					got = append(got, tr.Evidence)
					if tr.Confidence == "" {
						t.Errorf("%s: no confidence", tr.URL)
					}
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("click tracking %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLinkHeuristics(t *testing.T) {
	tests := []struct {
		name, html string
		tracked    bool
	}{
		{"generic redirect", `<a href="https://go.example/r?url=https%3A%2F%2Fshop.example%2Fx">x</a>`, true},
		{"redirect in path", `<a href="https://go.example/redirect/https%3A%2F%2Fshop.example%2Fx">x</a>`, true},
		{"opaque token", `<a href="https://go.example/l/eJwNyjEOgjAUBuDT8DZD2mLbpQOJ">x</a>`, true},
		{"web view", `<a href="https://shop.example/webversion?id=7c41a9e0">View in browser</a>`, true},
		{"utm only", `<a href="https://shop.example/spring-sale-2024?utm_source=newsletter&utm_campaign=spring_2024">x</a>`, false},
		{"plain", `<a href="https://shop.example/about">About</a>`, false},
		{"unsubscribe token", `<a href="https://shop.example/unsubscribe/eJwNyjEOgjAUBuDT8DZD2mLbpQOJ">Unsubscribe</a>`, false},
		{"mailto", `<a href="mailto:help@shop.example">Help</a>`, false},
		{"same-host redirect", `<a href="https://shop.example/login?next=https://shop.example/cart">x</a>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(&mailbox.Message{File: "t.html", HTML: tt.html}, Options{})
			if got := count(e, detectors.KindClickTracking) > 0; got != tt.tracked {
				t.Errorf("click tracking = %v, want %v: %+v", got, tt.tracked, e.Trackers)
			}
		})
	}
}

func TestTrackersSortedAndNeverNil(t *testing.T) {
	e := Analyze(load(t, "mailchimp.eml"), Options{})
	if !sort.SliceIsSorted(e.Trackers, func(i, j int) bool {
		x, y := e.Trackers[i], e.Trackers[j]
		return x.Kind < y.Kind || x.Kind == y.Kind && x.URL < y.URL
	}) {
		t.Error("trackers not sorted by kind and URL")
	}
	if e := Analyze(&mailbox.Message{File: "empty.html"}, Options{}); e.Trackers == nil {
		t.Error("Trackers is nil; JSON would say null")
	}
}

// Without a sender domain no host is "the sender's own": a leak is a third
// party's until --first-party says otherwise, and the email says why.
func TestSenderUnknown(t *testing.T) {
	tests := []struct {
		name          string
		file          string
		firstParty    []string
		senderUnknown bool
		thirdParty    map[string]bool // leak host -> third party
	}{
		{"bare html", "leaks.html", nil, true,
			map[string]bool{"pixel.adnet.example": true, "sync.adnet.example": true, "id.adnet.example": true, "shop.example": true}},
		{"bare html with --first-party", "leaks.html", []string{"shop.example"}, false,
			map[string]bool{"pixel.adnet.example": true, "sync.adnet.example": true, "id.adnet.example": true, "shop.example": false}},
		{"bare html, the ad network named first party", "leaks.html", []string{"adnet.example"}, false,
			map[string]bool{"pixel.adnet.example": false, "sync.adnet.example": false, "id.adnet.example": false, "shop.example": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(load(t, tt.file), Options{Recipients: []string{"jane.doe@example.com"}, FirstParty: tt.firstParty})
			if e.SenderUnknown != tt.senderUnknown {
				t.Errorf("SenderUnknown = %v, want %v", e.SenderUnknown, tt.senderUnknown)
			}
			got := map[string]bool{}
			for _, tr := range e.Trackers {
				if tr.Kind == detectors.KindAddressLeak {
					got[tr.Host] = tr.ThirdParty
				}
			}
			if !reflect.DeepEqual(got, tt.thirdParty) {
				t.Errorf("leak hosts third party = %v, want %v", got, tt.thirdParty)
			}
		})
	}
	// A From header names the sender.
	if e := Analyze(load(t, "mailchimp.eml"), Options{}); e.SenderUnknown {
		t.Error("mailchimp.eml has a From header: sender known")
	}
}

// --compare says which part of each differing URL differs and whether that
// part encodes the copy's recipient.
func TestCompareNamesTheDifferingPart(t *testing.T) {
	a, b := Compare(load(t, "compare/ann.eml"), load(t, "compare/ben.eml"), Options{})
	want := map[string][]detectors.URLDifference{
		"https://t.shopmail.example/c/8271?u=8b5a6a28fc840441be692d74a81ccd1a&l=3": {{Part: "query parameter u", Value: "8b5a6a28fc840441be692d74a81ccd1a", Address: "md5"}},
		"https://cdn.shopmail.example/img/winter.jpg?r=3f9c1a7e":                   {{Part: "query parameter r", Value: "3f9c1a7e"}},
		"https://t.shopmail.example/o/YW5uQGV4YW1wbGUub3Jn/42.gif":                 {{Part: "path segment 2", Value: "YW5uQGV4YW1wbGUub3Jn", Address: "base64"}},
	}
	got := map[string][]detectors.URLDifference{}
	for _, tr := range a.Trackers {
		if len(tr.Differs) > 0 {
			got[tr.URL] = tr.Differs
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("differences:\n got %+v\nwant %+v", got, want)
	}
	for _, tr := range b.Trackers {
		if tr.Kind == detectors.KindOpenPixel && strings.Contains(tr.URL, "/o/") && (len(tr.Differs) != 1 || tr.Differs[0].Value != "YmVuQGV4YW1wbGUubmV0") {
			t.Errorf("Ben's pixel: %+v", tr.Differs)
		}
	}
}

func TestURLDifferences(t *testing.T) {
	parse := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	tests := []struct {
		a, b  string
		parts []string
	}{
		{"https://t.example/o/abc/1.gif", "https://t.example/o/xyz/1.gif", []string{"path segment 2"}},
		{"https://t.example/o/abc", "https://t.example/o/abc/extra", []string{"path"}},
		{"https://t.example/o?e=1&l=2", "https://t.example/o?l=2&e=3", []string{"query parameter e"}},
		{"https://t.example/o?e=1", "https://t.example/o", []string{"query parameter e"}},
		{"https://a.example/o#x", "https://b.example/o#y", []string{"host", "fragment"}},
	}
	for _, tt := range tests {
		da, db := urlDifferences(parse(tt.a), parse(tt.b))
		var parts []string
		for i, d := range da {
			parts = append(parts, d.Part)
			if db[i].Part != d.Part {
				t.Errorf("%s vs %s: parts out of step", tt.a, tt.b)
			}
		}
		if !reflect.DeepEqual(parts, tt.parts) {
			t.Errorf("%s vs %s: parts %q, want %q", tt.a, tt.b, parts, tt.parts)
		}
	}
}

// Each tracker says why it identifies the recipient, or nothing when it
// only counts (the rules turn that into a medium or an info finding).
func TestIndividualTracking(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"token pixel", `<img src="https://t.news.example/open/8f2a9c71d4e6b3a05f1c7d2e?c=spring" width="1" height="1">`, "per-recipient token in its URL"},
		{"ESP pixel", `<img src="https://shop.us5.list-manage.com/track/open.php?u=9f3a2c&amp;id=71be0d&amp;e=5a1c9e" width="1" height="1">`, "Mailchimp URL with a subscriber id"},
		{"address in the pixel", `<img src="https://t.news.example/o.gif?m=jane%40example.com" width="1" height="1">`, "carries the recipient's address (urlencoded)"},
		{"counting pixel", `<img src="https://t.news.example/count/spring-2026.gif" width="1" height="1">`, ""},
		{"counting redirect", `<a href="https://t.news.example/r?url=https%3A%2F%2Fwww.news.example%2F">Shop</a>`, ""},
		{"redirect with a token", `<a href="https://t.news.example/r/Zk9sQ2FtcGFpZ24xMjM0NTY3?url=https%3A%2F%2Fwww.news.example%2F">Shop</a>`, "per-recipient token in its URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Analyze(&mailbox.Message{File: "t.html", HTML: tt.html}, Options{Recipients: []string{"jane@example.com"}})
			n := 0
			for _, tr := range e.Trackers {
				if tr.Kind == detectors.KindOpenPixel || tr.Kind == detectors.KindClickTracking {
					n++
					if tr.Individual != tt.want {
						t.Errorf("individual %q, want %q", tr.Individual, tt.want)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d trackers: %+v", n, e.Trackers)
			}
		})
	}
}
