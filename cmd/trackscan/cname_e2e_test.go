package main_test

import (
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/crawler/dns/dnstest"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/reports"
)

// cloakedSite serves news.example, whose page loads a pixel and a script
// from metrics.news.example (a CNAME alias of Eulerian's collection host in
// the loopback DNS server) and a style sheet from static.news.example (an
// alias of a CDN). The metrics host sets a cookie on the site's own domain.
func cloakedSite(t *testing.T) (*demosite.Server, *dnstest.Server) {
	t.Helper()
	site := demosite.Start()
	t.Cleanup(site.Close)
	site.Handle("news.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><html><head><title>News</title>
<link rel="stylesheet" href="http://static.news.example/site.css"></head>
<body><h1>Today</h1><img src="http://metrics.news.example/col/p.gif?pg=home" width="1" height="1" alt="">
<script src="http://metrics.news.example/col/tag.js"></script></body></html>`))
	}))
	site.Handle("metrics.news.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "trk_uid", Value: "v1.42", Domain: "news.example", Path: "/", MaxAge: 390 * 86400})
		if strings.HasSuffix(r.URL.Path, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte("window.trk = 1;"))
			return
		}
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"))
	}))
	site.Handle("static.news.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Write([]byte("h1 { color: navy }"))
	}))
	dns, err := dnstest.Start(map[string]string{
		"metrics.news.example": "news.example.eulerian.net",
		"static.news.example":  "d2abc.cloudfront.net",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	return site, dns
}

func TestScanCNAMECloaking(t *testing.T) {
	browsertest.Chromium(t)
	site, dns := cloakedSite(t)
	scan := func(t *testing.T, extra ...string) (result, *reports.Report) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "scan.json")
		args := append([]string{"scan", "http://news.example/", "--resolve", site.ResolveRules(), "--consent", "pre",
			"-f", "json", "-o", out}, extra...)
		res := run(t, args...)
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		return res, readReport(t, out)
	}

	t.Run("with DNS", func(t *testing.T) {
		_, r := scan(t, "--dns", dns.Addr())
		if dns.Queries("metrics.news.example") == 0 || dns.Queries("static.news.example") == 0 {
			t.Fatalf("the configured DNS server was not asked (metrics %d, static %d)",
				dns.Queries("metrics.news.example"), dns.Queries("static.news.example"))
		}
		var vendor bool
		for _, v := range r.Vendors {
			switch v.ID {
			case "eulerian":
				vendor = true
				if !strings.Contains(strings.Join(v.Hosts, " "), "metrics.news.example") ||
					!slices.Contains(v.Kinds, detectors.KindCNAMECloaking) {
					t.Errorf("vendor %+v", v)
				}
			case "amazon-cloudfront":
				t.Errorf("a first-party CDN alias reported as a vendor: %+v", v)
			}
		}
		if !vendor {
			t.Errorf("eulerian not among the vendors: %+v", r.Vendors)
		}
		var detection bool
		for _, d := range r.Detections {
			if d.Kind == "cname-cloaking" {
				detection = true
				if d.Vendor != "eulerian" || !d.FirstParty || d.Host != "metrics.news.example" || d.Confidence != "" ||
					!strings.Contains(d.Evidence, "metrics.news.example -> news.example.eulerian.net") {
					t.Errorf("detection %+v", d)
				}
			}
		}
		if !detection {
			t.Errorf("no cname-cloaking detection: %+v", r.Detections)
		}
		var cookie bool
		for _, c := range r.Cookies {
			if c.Name == "trk_uid" {
				cookie = true
				if c.Vendor != "eulerian" || !c.FirstParty || c.Category != "analytics" {
					t.Errorf("cookie %+v, want eulerian's first-party analytics cookie", c)
				}
			}
		}
		if !cookie {
			t.Errorf("cookie trk_uid not reported: %+v", r.Cookies)
		}
		var finding bool
		for _, f := range r.Findings {
			if f.Rule == "cname-cloaked-tracker" {
				finding = true
				if f.Severity != "high" || f.Vendor != "eulerian" || f.Subject != "metrics.news.example" ||
					!strings.Contains(f.Evidence, "trk_uid") {
					t.Errorf("finding %+v", f)
				}
			}
		}
		if !finding {
			t.Errorf("no cname-cloaked-tracker finding: %+v", r.Findings)
		}
		for _, n := range r.Notes {
			if strings.Contains(n, "CNAME") {
				t.Errorf("note on lookups that worked: %q", n)
			}
		}
	})

	t.Run("no-dns", func(t *testing.T) {
		before := dns.Queries("metrics.news.example")
		_, r := scan(t, "--no-dns")
		if n := dns.Queries("metrics.news.example"); n != before {
			t.Errorf("--no-dns still asked the DNS server (%d queries)", n-before)
		}
		for _, v := range r.Vendors {
			if v.ID == "eulerian" {
				t.Errorf("vendor without DNS: %+v", v)
			}
		}
		for _, d := range r.Detections {
			if d.Kind == "cname-cloaking" || d.Vendor == "eulerian" {
				t.Errorf("detection without DNS: %+v", d)
			}
		}
		for _, f := range r.Findings {
			if f.Rule == "cname-cloaked-tracker" {
				t.Errorf("finding without DNS: %+v", f)
			}
		}
		for _, c := range r.Cookies {
			if c.Name == "trk_uid" && c.Vendor != "" {
				t.Errorf("cookie attributed without DNS: %+v", c)
			}
		}
	})

	t.Run("DNS server down", func(t *testing.T) {
		// A port nobody answers on: the lookups fail, the scan does not.
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := c.LocalAddr().String()
		c.Close()
		_, r := scan(t, "--dns", addr)
		var notes []string
		for _, n := range r.Notes {
			if strings.Contains(n, "CNAME") {
				notes = append(notes, n)
			}
		}
		if len(notes) != 1 || !strings.Contains(notes[0], addr) {
			t.Errorf("want one note on the failed lookups naming %s, got %q", addr, r.Notes)
		}
		for _, d := range r.Detections {
			if d.Kind == "cname-cloaking" {
				t.Errorf("detection without answers: %+v", d)
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{"--dns", dns.Addr(), "--no-dns"}, {"--dns", "udp://127.0.0.1"}} {
			res := run(t, append([]string{"scan", "http://news.example/"}, args...)...)
			if res.code != 2 || !strings.Contains(res.stderr, "--dns") {
				t.Errorf("%v: exit %d, stderr %q; want 2 and a message on --dns", args, res.code, res.stderr)
			}
		}
	})
}
