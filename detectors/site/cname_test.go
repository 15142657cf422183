package site

import (
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

func TestCNAMECloaking(t *testing.T) {
	const page = "https://shop.example/"
	img := func(u string) capture.Request { return capture.Request{URL: u, ResourceType: "Image"} }
	css := func(u string) capture.Request { return capture.Request{URL: u, ResourceType: "Stylesheet"} }
	headerCookie := capture.CookieWrite{Name: "trk_uid", Domain: "shop.example", Host: "metrics.shop.example",
		ExpiresDays: 390, Source: "header", SetBy: "https://metrics.shop.example/p.gif"}
	tests := []struct {
		name     string
		requests []capture.Request
		writes   []capture.CookieWrite
		cnames   map[string][]string
		// want is "vendor confidence first-party" of the cname-cloaking
		// detection, "" for none.
		want       string
		wantCookie string // vendor of cookie trk_uid, when written
		wantNot    string // a vendor that must not appear
		wantKinds  []string
	}{
		{
			name:     "first-party subdomain aliased to a tracker",
			requests: []capture.Request{img("https://metrics.shop.example/p.gif")},
			writes:   []capture.CookieWrite{headerCookie},
			cnames:   map[string][]string{"metrics.shop.example": {"shop.example.eulerian.net"}},
			want:     "eulerian  true", wantCookie: "eulerian",
			wantKinds: []string{"web-beacon eulerian", "tracking-cookie eulerian"},
		},
		{
			name:     "tracker in the middle of a longer chain",
			requests: []capture.Request{{URL: "https://smetrics.shop.example/b/ss/x", ResourceType: "Ping"}},
			cnames:   map[string][]string{"smetrics.shop.example": {"shop.example.sc.omtrdc.net", "edge.cdn-unknown.example"}},
			want:     "adobe-analytics  true",
		},
		{
			name:     "first-party subdomain on a CDN is no cloaking",
			requests: []capture.Request{img("https://cdn.shop.example/logo.png")},
			cnames:   map[string][]string{"cdn.shop.example": {"d111.cloudfront.net"}},
			wantNot:  "amazon-cloudfront",
		},
		{
			name:       "alias within the site",
			requests:   []capture.Request{img("https://img.shop.example/p.gif")},
			writes:     []capture.CookieWrite{{Name: "trk_uid", Domain: "shop.example", Host: "img.shop.example", Source: "header", SetBy: "https://img.shop.example/p.gif"}},
			cnames:     map[string][]string{"img.shop.example": {"shop.example"}},
			wantCookie: "",
		},
		{
			name:     "unknown target with a pixel and a cookie is a low-confidence suspicion",
			requests: []capture.Request{img("https://metrics.shop.example/p.gif")},
			writes:   []capture.CookieWrite{headerCookie},
			cnames:   map[string][]string{"metrics.shop.example": {"shop-example.collect.unknown-metrics.net"}},
			want:     "unknown:unknown-metrics.net low true", wantCookie: "unknown:unknown-metrics.net",
		},
		{
			name:     "unknown target serving only style sheets is not suspected",
			requests: []capture.Request{css("https://assets.shop.example/site.css")},
			cnames:   map[string][]string{"assets.shop.example": {"shop-example.hosting-unknown.net"}},
			wantNot:  "unknown:hosting-unknown.net",
		},
		{
			name:     "unknown third-party host aliased to a tracker",
			requests: []capture.Request{img("https://t.partner-net.org/p.gif")},
			cnames:   map[string][]string{"t.partner-net.org": {"partner.k.keyade.com"}},
			want:     "keyade  false", wantNot: "unknown:partner-net.org", wantKinds: []string{"web-beacon keyade"},
		},
		{
			name:     "without DNS answers the subdomain stays first party",
			requests: []capture.Request{img("https://metrics.shop.example/p.gif")},
			writes:   []capture.CookieWrite{headerCookie},
			wantNot:  "eulerian", wantCookie: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := capture.Page{URL: page, Phase: capture.PreConsent, Requests: tt.requests, CookieWrites: tt.writes, CNAMEs: tt.cnames}
			r := Analyze([]capture.Page{p}, kb.Default())
			var got []string
			for _, d := range r.Detections {
				if d.Kind == detectors.KindCNAMECloaking {
					got = append(got, d.Vendor+" "+d.Confidence+" "+map[bool]string{true: "true", false: "false"}[d.FirstParty])
					if !strings.Contains(d.Evidence, " -> ") || d.Host == "" || d.URL == "" {
						t.Errorf("evidence %+v", d)
					}
				}
			}
			if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) != 1 || got[0] != tt.want) {
				t.Errorf("cname-cloaking detections %q, want %q", got, tt.want)
			}
			for _, k := range tt.wantKinds {
				if !kinds(r)[k] {
					t.Errorf("missing detection %q; have %v", k, kinds(r))
				}
			}
			for _, v := range r.Vendors {
				if tt.wantNot != "" && v.ID == tt.wantNot {
					t.Errorf("vendor %s reported: %+v", v.ID, v)
				}
			}
			if tt.want != "" {
				id := strings.Fields(tt.want)[0]
				found := false
				for _, v := range r.Vendors {
					if v.ID == id {
						found = true
						if !slices.Contains(v.Kinds, detectors.KindCNAMECloaking) {
							t.Errorf("vendor %s kinds %v", id, v.Kinds)
						}
					}
				}
				if !found {
					t.Errorf("vendor %s missing: %+v", id, r.Vendors)
				}
			}
			for _, c := range r.Cookies {
				if c.Name == "trk_uid" {
					if c.Vendor != tt.wantCookie || !c.FirstParty {
						t.Errorf("cookie %+v, want vendor %q, first party", c, tt.wantCookie)
					}
					// A suspicion names the unknown vendor but cannot say
					// what its cookie is for.
					if tt.wantCookie != "" && !strings.HasPrefix(tt.wantCookie, "unknown:") && !c.Category.NonEssential() {
						t.Errorf("cookie of a cloaked tracker classified %s", c.Category)
					}
				}
			}
		})
	}
}

// The attribution is per host for the whole scan, and the detection is per
// page and phase.
func TestCNAMECloakingAcrossPages(t *testing.T) {
	cn := map[string][]string{"metrics.shop.example": {"shop.example.eulerian.net"}}
	var pages []capture.Page
	for _, ph := range []capture.Phase{capture.PreConsent, capture.AfterReject} {
		for _, u := range []string{"https://shop.example/", "https://shop.example/about"} {
			pages = append(pages, capture.Page{URL: u, Phase: ph, CNAMEs: cn,
				Requests: []capture.Request{{URL: "https://metrics.shop.example/collect.js", ResourceType: "Script"}}})
		}
	}
	r := Analyze(pages, kb.Default())
	n := 0
	for _, d := range r.Detections {
		if d.Kind == detectors.KindCNAMECloaking {
			n++
		}
		if d.Kind == detectors.KindThirdPartyScript && (d.Vendor != "eulerian" || !d.FirstParty) {
			t.Errorf("script detection %+v", d)
		}
	}
	if n != 4 {
		t.Errorf("%d cname-cloaking detections, want 4", n)
	}
}

// Chromium may report a response's cookies before the request they came
// with, so a write can lack its setter; a later write of the same cookie
// that names a cloaked setter still makes it the tracker's.
func TestCookieSetterArrivesLate(t *testing.T) {
	cn := map[string][]string{"metrics.shop.example": {"shop.example.eulerian.net"}}
	for _, order := range [][]string{{"", "tag.js"}, {"tag.js", ""}} {
		p := capture.Page{URL: "https://shop.example/", Phase: capture.PreConsent, CNAMEs: cn,
			Requests: []capture.Request{{URL: "https://metrics.shop.example/tag.js", ResourceType: "Script"}}}
		for _, setter := range order {
			w := capture.CookieWrite{Name: "trk_uid", Domain: "shop.example", Host: "metrics.shop.example", Source: "header", ExpiresDays: 390}
			if setter != "" {
				w.SetBy = "https://metrics.shop.example/" + setter
			}
			p.CookieWrites = append(p.CookieWrites, w)
		}
		r := Analyze([]capture.Page{p}, kb.Default())
		if len(r.Cookies) != 1 || r.Cookies[0].Vendor != "eulerian" {
			t.Errorf("writes with setters %q: cookies %+v, want trk_uid as eulerian's", order, r.Cookies)
		}
	}
}
