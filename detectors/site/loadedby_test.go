package site

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

const (
	shop   = "https://shop.example/"
	gtmURL = "https://www.googletagmanager.com/gtm.js?id=GTM-AB12CD"
	fbURL  = "https://connect.facebook.net/en_US/fbevents.js"
	appJS  = "https://shop.example/static/app.js"
)

func TestLoadChains(t *testing.T) {
	vendors := map[string]string{
		"www.googletagmanager.com": "google-tag-manager", "connect.facebook.net": "facebook",
		"www.facebook.com": "facebook", "cdn.mxpnl.com": "mixpanel", "api-js.mixpanel.com": "mixpanel",
		"static.ads-twitter.com": "twitter", "t.co": "twitter", "www.google-analytics.com": "google-analytics",
	}
	vendorOf := func(raw, _ string) string { return vendors[capture.HostOf(raw)] }
	doc := capture.Request{URL: shop, ResourceType: "Document"}
	cases := []struct {
		name string
		reqs []capture.Request
		want map[string]string // vendor -> chain.String()
	}{
		{
			name: "tag manager from an inline snippet",
			reqs: []capture.Request{doc,
				{URL: gtmURL, ResourceType: "Script", Initiator: shop, InitiatorLine: 7},
				{URL: fbURL, ResourceType: "Script", Initiator: gtmURL, InitiatorLine: 210},
				{URL: "https://www.facebook.com/tr/?id=1&ev=PageView", ResourceType: "Image", Initiator: fbURL, InitiatorLine: 24},
			},
			want: map[string]string{"google-tag-manager": "inline:7", "facebook": "inline:7 > GTM-AB12CD"},
		},
		{
			name: "vendor beacon walks past the vendor's own script",
			reqs: []capture.Request{doc,
				{URL: "https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js", ResourceType: "Script", Initiator: shop, InitiatorLine: 31},
				{URL: "https://api-js.mixpanel.com/track/", ResourceType: "XHR", Initiator: "https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js"},
			},
			want: map[string]string{"mixpanel": "inline:31"},
		},
		{
			name: "first-party script with line, through another vendor",
			reqs: []capture.Request{doc,
				{URL: appJS, ResourceType: "Script", Initiator: shop, InitiatorLine: 3},
				{URL: "https://static.ads-twitter.com/uwt.js", ResourceType: "Script", Initiator: appJS, InitiatorLine: 88},
				{URL: "https://www.google-analytics.com/g/collect?v=2", ResourceType: "Ping", Initiator: "https://static.ads-twitter.com/uwt.js", InitiatorLine: 1},
			},
			want: map[string]string{
				"twitter":          "inline:3 > app.js:88",
				"google-analytics": "inline:3 > app.js:88 > via twitter",
			},
		},
		{
			name: "no initiator (a navigation) gives no chain; a cycle stops",
			reqs: []capture.Request{doc,
				{URL: "https://t.co/i/adsct", ResourceType: "Image"},
				{URL: "https://www.google-analytics.com/a.js", ResourceType: "Script", Initiator: "https://cdn.mxpnl.com/x.js"},
				{URL: "https://cdn.mxpnl.com/x.js", ResourceType: "Script", Initiator: "https://www.google-analytics.com/a.js"},
			},
			want: map[string]string{"google-analytics": "via mixpanel", "mixpanel": "via google-analytics"},
		},
		{
			name: "fragment on the initiator and the page",
			reqs: []capture.Request{doc,
				{URL: fbURL, ResourceType: "Script", Initiator: shop + "#top", InitiatorLine: 2},
			},
			want: map[string]string{"facebook": "inline:2"},
		},
	}
	// A vendor's two scripts, inserted from two places of the page, in
	// either order: the same chain either way.
	twoScripts := []capture.Request{doc,
		{URL: fbURL, ResourceType: "Script", Initiator: shop, InitiatorLine: 20},
		{URL: "https://connect.facebook.net/signals/config/1", ResourceType: "Script", Initiator: shop, InitiatorLine: 4},
	}
	cases = append(cases,
		struct {
			name string
			reqs []capture.Request
			want map[string]string
		}{"two scripts of one vendor", twoScripts, map[string]string{"facebook": "inline:20"}},
		struct {
			name string
			reqs []capture.Request
			want map[string]string
		}{"the same two in the other order", []capture.Request{doc, twoScripts[2], twoScripts[1]}, map[string]string{"facebook": "inline:20"}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := capture.Page{URL: shop, Requests: tc.reqs}
			got := map[string]string{}
			for v, chain := range loadChains(&p, vendorOf) {
				got[v] = detectors.LoadedBy{Chain: chain}.String()
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("chains = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTagContainer(t *testing.T) {
	cases := map[string]string{
		gtmURL: "GTM-AB12CD",
		"https://www.googletagmanager.com/gtag/js?id=G-XYZ123":                      "G-XYZ123",
		"https://tags.tiqcdn.com/utag/acme/main/prod/utag.js":                       "tealium:acme/main",
		"https://assets.adobedtm.com/1a2b/3c4d/launch-EN0123abcd.min.js":            "launch-EN0123abcd",
		"https://cdn.segment.com/analytics.js/v1/abcdefghijklmnop/analytics.min.js": "segment:abcdef…",
		"https://shop.example/js/container_Xy12Ab.js":                               "matomo:container_Xy12Ab",
		"https://www.googletagmanager.com/ns.html?id=GTM-AB12CD":                    "",
		fbURL: "",
		"::":  "",
	}
	for in, want := range cases {
		if got := tagContainer(in); got != want {
			t.Errorf("tagContainer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadStepShortAndActionable(t *testing.T) {
	l := detectors.LoadedBy{Chain: []detectors.LoadStep{
		{Kind: detectors.LoadPage, URL: shop, Line: 7},
		{Kind: detectors.LoadTagManager, URL: gtmURL, Container: "GTM-AB12CD", Vendor: "google-tag-manager"},
		{Kind: detectors.LoadVendor, URL: "https://static.ads-twitter.com/uwt.js", Vendor: "twitter"},
	}}
	if got := l.String(); got != "inline:7 > GTM-AB12CD > via twitter" {
		t.Errorf("String = %q", got)
	}
	if s, ok := l.Actionable(); !ok || s.Container != "GTM-AB12CD" {
		t.Errorf("Actionable = %+v %v, want the container", s, ok)
	}
	fp := detectors.LoadStep{Kind: detectors.LoadFirstParty, URL: appJS + "?v=3", Line: 88}
	if got := fp.Short(); got != "app.js:88" {
		t.Errorf("Short = %q", got)
	}
	if _, ok := (detectors.LoadedBy{}).Actionable(); ok {
		t.Error("an empty chain has no actionable step")
	}
}

// TestAnalyzeLoadedBy runs the knowledge base: vendors[].loaded_by per
// phase, one chain per distinct route.
func TestAnalyzeLoadedBy(t *testing.T) {
	page := func(phase capture.Phase, url string) capture.Page {
		return capture.Page{URL: url, Phase: phase, Requests: []capture.Request{
			{URL: url, ResourceType: "Document"},
			{URL: gtmURL, ResourceType: "Script", Initiator: url, InitiatorLine: 5},
			{URL: fbURL, ResourceType: "Script", Initiator: gtmURL, InitiatorLine: 40},
		}}
	}
	r := Analyze([]capture.Page{page(capture.AfterAccept, shop+"b"), page(capture.PreConsent, shop), page(capture.PreConsent, shop+"a")}, kb.Default())
	var fb *detectors.Vendor
	for i := range r.Vendors {
		if r.Vendors[i].ID == "facebook" {
			fb = &r.Vendors[i]
		}
	}
	if fb == nil {
		t.Fatalf("facebook not found: %+v", r.Vendors)
	}
	var got []string
	for _, l := range fb.LoadedBy {
		got = append(got, string(l.Phase)+" "+l.Page+" "+l.String())
	}
	want := []string{"pre-consent " + shop + " inline:5 > GTM-AB12CD", "after-accept " + shop + "b inline:5 > GTM-AB12CD"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("loaded_by = %q, want %q", got, want)
	}
}

// BenchmarkLoadChains walks the initiators of a page of 200 requests:
// scripts loading scripts five deep, each with a few beacons.
func BenchmarkLoadChains(b *testing.B) {
	p := capture.Page{URL: shop, Requests: []capture.Request{{URL: shop, ResourceType: "Document"}}}
	vendors := map[string]string{}
	for v := 0; v < 20; v++ {
		parent := shop
		for d := 0; d < 5; d++ {
			u := "https://v" + itoa(v) + ".example/s" + itoa(d) + ".js"
			vendors[capture.HostOf(u)] = "v" + itoa(v)
			p.Requests = append(p.Requests, capture.Request{URL: u, ResourceType: "Script", Initiator: parent, InitiatorLine: d + 1})
			p.Requests = append(p.Requests, capture.Request{URL: u + "?beacon", ResourceType: "Ping", Initiator: u})
			parent = u
		}
	}
	vendorOf := func(raw, _ string) string { return vendors[capture.HostOf(raw)] }
	b.ReportAllocs()
	for b.Loop() {
		loadChains(&p, vendorOf)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// FuzzLoadChains feeds arbitrary initiator graphs (URLs, cycles, self
// references, fragments) and tag-manager URLs: no panic, chains stay
// within maxChainDepth steps, and every step has a kind.
func FuzzLoadChains(f *testing.F) {
	f.Add(shop, gtmURL, fbURL, 7)
	f.Add("https://a.example/x.js", "https://a.example/x.js", "https://a.example/x.js#f", 0)
	f.Add("https://tags.tiqcdn.com/utag/a/b/prod/utag.js", "https://cdn.segment.com/analytics.js/v1/k/analytics.js", "::", -3)
	f.Fuzz(func(t *testing.T, a, b, c string, line int) {
		urls := []string{shop, a, b, c}
		p := capture.Page{URL: shop, Requests: []capture.Request{{URL: shop, ResourceType: "Document"}}}
		for i, u := range urls[1:] {
			p.Requests = append(p.Requests, capture.Request{URL: u, ResourceType: "Script", Initiator: urls[i], InitiatorLine: line})
			p.Requests = append(p.Requests, capture.Request{URL: u + "?b", ResourceType: "Ping", Initiator: urls[(i+2)%len(urls)]})
		}
		vendorOf := func(raw, _ string) string { return capture.HostOf(raw) }
		for v, chain := range loadChains(&p, vendorOf) {
			if len(chain) == 0 || len(chain) > maxChainDepth {
				t.Fatalf("%s: chain of %d steps", v, len(chain))
			}
			for _, s := range chain {
				if s.Kind == "" {
					t.Fatalf("%s: step without kind: %+v", v, s)
				}
			}
		}
		tagContainer(a)
	})
}
