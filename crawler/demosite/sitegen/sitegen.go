// Package sitegen generates many small fixture sites for multi-site audits
// (end-to-end tests and benchmarks of scan --targets): site-NN.example,
// each with its own mix of the demo's tracker stand-ins, a consent banner
// or none, and a privacy policy or none, served by one demosite.Server.
package sitegen

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/trackscan/trackscan/crawler/demosite"
)

// Tracker tags of the demo's stand-ins (crawler/demosite/site), which
// Chromium reaches under their real names through the resolve rules.
var trackers = []struct{ vendor, tag string }{
	{"google-analytics", `<script async src="https://www.googletagmanager.com/gtag/js?id=G-FLEET"></script>`},
	{"facebook", `<script src="https://connect.facebook.net/en_US/fbevents.js"></script>`},
	{"hotjar", `<script src="https://static.hotjar.com/c/hotjar-3.js?sv=6"></script>`},
	{"twitter", `<script src="https://platform.twitter.com/widgets.js"></script>`},
}

// Site is one generated site.
type Site struct {
	ID   string
	Host string
	// Trackers are the tracker tags the home page loads before consent.
	Trackers []string
	// Banner is "", "onetrust" (a OneTrust-shaped DOM) or "generic".
	Banner string
	// Policy is the privacy policy text, "" for none.
	Policy string
	// Broken sites answer 500: their line says failed.
	Broken bool
}

// URL is the site's start URL.
func (s Site) URL() string { return "http://" + s.Host + "/" }

// Generate makes n sites whose features vary with their number, so every
// run of a test or benchmark sees the same sites.
func Generate(n int) []Site {
	out := make([]Site, n)
	for i := range n {
		s := Site{ID: fmt.Sprintf("site-%02d", i), Host: fmt.Sprintf("site-%02d.example", i)}
		// Tracker mix: bit k of (i*7 mod 16) loads tracker k; a few sites
		// load none.
		mask := (i * 7) % 16
		for k, tr := range trackers {
			if mask&(1<<k) != 0 {
				s.Trackers = append(s.Trackers, tr.vendor)
			}
		}
		switch i % 3 {
		case 1:
			s.Banner = "onetrust"
		case 2:
			s.Banner = "generic"
		}
		if i%4 != 0 {
			// Policies disclose the first tracker they load, if any, so
			// others are undisclosed.
			named := "no third parties"
			if len(s.Trackers) > 0 {
				named = vendorName(s.Trackers[0])
			}
			s.Policy = fmt.Sprintf("Privacy policy of %s.\n\nWe use cookies. We use %s to measure visits. We do not sell personal data.\n", s.Host, named)
		}
		s.Broken = n > 5 && i == n-1
		out[i] = s
	}
	return out
}

func vendorName(id string) string {
	switch id {
	case "google-analytics":
		return "Google Analytics"
	case "facebook":
		return "the Meta Pixel"
	case "hotjar":
		return "Hotjar"
	}
	return "X (Twitter) widgets"
}

// Page is the site's home page.
func (s Site) Page() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title>\n", s.Host)
	for _, id := range s.Trackers {
		for _, tr := range trackers {
			if tr.vendor == id {
				b.WriteString(tr.tag + "\n")
			}
		}
	}
	b.WriteString("</head><body><h1>" + s.Host + "</h1><p>A small shop.</p><a href=\"/privacy.html\">Privacy</a>\n")
	switch s.Banner {
	case "onetrust":
		b.WriteString(`<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" style="position:fixed;bottom:0;left:0;right:0;background:#fff;padding:16px">
<p>We use cookies.</p><button id="onetrust-reject-all-handler">Reject All</button> <button id="onetrust-accept-btn-handler">Accept All Cookies</button></div></div>
<script>document.getElementById('onetrust-reject-all-handler').onclick=document.getElementById('onetrust-accept-btn-handler').onclick=function(){document.cookie='OptanonAlertBoxClosed=1; Max-Age=600; Path=/';document.getElementById('onetrust-banner-sdk').style.display='none';};</script>
`)
	case "generic":
		b.WriteString(`<div id="cookie-banner" role="dialog" aria-label="Cookie consent" style="position:fixed;bottom:0;left:0;right:0;background:#eee;padding:16px">
<p>This website uses cookies to improve your experience.</p><button id="reject">Reject all</button> <button id="accept">Accept all</button></div>
<script>document.getElementById('reject').onclick=document.getElementById('accept').onclick=function(){document.cookie='cookie_consent=1; Max-Age=600; Path=/';document.getElementById('cookie-banner').style.display='none';};</script>
`)
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// Mount serves the sites on srv: the home page, the policy page (when the
// site has one) and nothing else; robots.txt and sitemaps are 404.
func Mount(srv *demosite.Server, sites []Site) {
	for _, s := range sites {
		srv.Handle(s.Host, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case s.Broken:
				http.Error(w, "down for maintenance", http.StatusInternalServerError)
			case r.URL.Path == "/":
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, s.Page())
			case r.URL.Path == "/privacy.html" && s.Policy != "":
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, "<!doctype html><title>Privacy</title><main><p>%s</p></main>", strings.ReplaceAll(s.Policy, "\n\n", "</p><p>"))
			default:
				http.NotFound(w, r)
			}
		}))
	}
}

// WriteTargets writes a CSV targets file (id,url,policy) into dir, with
// each site's policy as a file beside it, and returns the file's path.
func WriteTargets(dir string, sites []Site) (string, error) {
	var b strings.Builder
	b.WriteString("# generated fleet fixture\nid,url,policy\n")
	for _, s := range sites {
		policy := ""
		if s.Policy != "" {
			policy = filepath.Join(dir, s.ID+"-privacy.txt")
			if err := os.WriteFile(policy, []byte(s.Policy), 0o644); err != nil {
				return "", err
			}
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", s.ID, s.URL(), policy)
	}
	path := filepath.Join(dir, "targets.csv")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}
