// Package realsite serves a 7-page shop whose pages run real tracker SDKs
// (installed from npm by install.sh, never committed) gated by a real
// consent manager, together with a loopback collector that stands in for the
// vendors' API hosts. Chromium reaches the vendors' real hostnames through
// host-resolver-rules, so a scan sees the same hosts, cookies and storage
// keys as on a live shop, and the SDKs beacon as they do there: batched
// events every second, session-replay uploads, a pixel per promo impression.
package realsite

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// ShopHost is the shop's own host; the scan starts at StartURL.
const ShopHost = "www.realshop.example"

// StartURL is the shop's home page.
const StartURL = "https://" + ShopHost + "/"

// Project keys of the SDKs. Their prefixes name the cookies and storage keys
// the SDKs write (see truth.go).
const (
	PostHogToken   = "phc_realbench7shop0000000000000000000000000"
	MixpanelToken  = "5e1f0c2b9a8d47e6b3c21f0a9d8e7c6b"
	AmplitudeKey   = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	SnowplowAppID  = "realshop"
	SnowplowHost   = "collector.snowplowanalytics.com"
	posthogAPI     = "us.i.posthog.com"
	posthogAssets  = "us-assets.i.posthog.com"
	mixpanelAPI    = "api-js.mixpanel.com"
	mixpanelCDN    = "cdn.mxpnl.com"
	amplitudeAPI   = "api2.amplitude.com"
	amplitudeCDN   = "cdn.amplitude.com"
	amplitudeCfg   = "sr-client-cfg.amplitude.com"
	jsdelivr       = "cdn.jsdelivr.net"
	amplitudeBuild = "2.48.1"
)

// asset is one SDK file served under its vendor's CDN URL from node_modules.
type asset struct {
	host, path string
	file       string // relative to node_modules
	gzip       bool   // the file is gzip-compressed and served with Content-Encoding
	mime       string
}

// assets are the browser builds the pages load, at the URLs the vendors'
// own snippets use. Versions are those pinned in install.sh.
var assets = []asset{
	{jsdelivr, "/npm/vanilla-cookieconsent@3.1.0/dist/cookieconsent.umd.js", "vanilla-cookieconsent/dist/cookieconsent.umd.js", false, "application/javascript"},
	{jsdelivr, "/npm/vanilla-cookieconsent@3.1.0/dist/cookieconsent.css", "vanilla-cookieconsent/dist/cookieconsent.css", false, "text/css"},
	{jsdelivr, "/npm/@snowplow/browser-tracker@4.10.1/dist/index.umd.min.js", "@snowplow/browser-tracker/dist/index.umd.min.js", false, "application/javascript"},
	{posthogAssets, "/static/array.full.js", "posthog-js/dist/array.full.js", false, "application/javascript"},
	{mixpanelCDN, "/libs/mixpanel-2-latest.min.js", "mixpanel-browser/dist/mixpanel.min.js", false, "application/javascript"},
	{amplitudeCDN, "/libs/analytics-browser-" + amplitudeBuild + "-min.js.gz", "@amplitude/analytics-browser/lib/scripts/amplitude-min.js.gz", true, "application/javascript"},
	// The Mixpanel snippet is inlined on real shops; here the shop serves
	// the npm copy itself so that no vendor code is committed.
	{ShopHost, "/assets/vendor/mixpanel-snippet.js", "mixpanel-browser/dist/mixpanel-jslib-snippet.min.js", false, "application/javascript"},
}

type servedFile struct {
	asset
	body []byte
}

// Request is one request the site or the collector answered.
type Request struct {
	Time   time.Time `json:"time"`
	Host   string    `json:"host"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
}

// Site is a running shop and collector on loopback.
type Site struct {
	HTTP, HTTPS *httptest.Server
	files       map[string]servedFile // by host+path

	mu  sync.Mutex
	log []Request
}

// DefaultModules is where install.sh puts node_modules.
func DefaultModules() string {
	if d := os.Getenv("REALSITE_DIR"); d != "" {
		return filepath.Join(d, "node_modules")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "trackscan-bench", "realsite", "node_modules")
}

// Start reads every SDK file from modules (a node_modules directory filled
// by install.sh) and serves the shop and the collector on two loopback
// ports, plain and TLS. A missing file is an error naming install.sh.
func Start(modules string) (*Site, error) {
	s := &Site{files: map[string]servedFile{}}
	all := slices.Clone(assets)
	var missing []string
	// Mixpanel's session recorder is a chunk with a content hash in its
	// name, loaded from the CDN's /libs/ when recording starts.
	rec, _ := filepath.Glob(filepath.Join(modules, "mixpanel-browser", "dist", "async-modules", "mixpanel-recorder-*.min.js"))
	if len(rec) != 1 {
		missing = append(missing, "mixpanel-browser/dist/async-modules/mixpanel-recorder-*.min.js")
	} else {
		name := filepath.Base(rec[0])
		all = append(all, asset{mixpanelCDN, "/libs/" + name, "mixpanel-browser/dist/async-modules/" + name, false, "application/javascript"})
	}
	for _, a := range all {
		body, err := os.ReadFile(filepath.Join(modules, a.file))
		if err != nil {
			missing = append(missing, a.file)
			continue
		}
		s.files[a.host+a.path] = servedFile{a, body}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("SDK files missing in %s (run bench/realsite/install.sh): %s", modules, strings.Join(missing, ", "))
	}
	quiet := log.New(io.Discard, "", 0)
	s.HTTP = httptest.NewUnstartedServer(s)
	s.HTTP.Config.ErrorLog = quiet
	s.HTTP.Start()
	s.HTTPS = httptest.NewUnstartedServer(s)
	s.HTTPS.Config.ErrorLog = quiet
	s.HTTPS.StartTLS()
	return s, nil
}

// Close stops both servers.
func (s *Site) Close() {
	s.HTTP.Close()
	s.HTTPS.Close()
}

// ResolveRules maps every hostname to the site: https to the TLS port,
// everything else to the plain one (Chromium's host-resolver-rules).
func (s *Site) ResolveRules() string {
	return fmt.Sprintf("MAP *:443 %s, MAP * %s", s.HTTPS.Listener.Addr(), s.HTTP.Listener.Addr())
}

// TakeLog returns the requests answered since the last call and clears the log.
func (s *Site) TakeLog() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log
	s.log = nil
	return out
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	s.mu.Lock()
	s.log = append(s.log, Request{Time: time.Now(), Host: host, Method: r.Method, Path: r.URL.RequestURI()})
	s.mu.Unlock()

	if f, ok := s.files[host+r.URL.Path]; ok {
		w.Header().Set("Content-Type", f.mime)
		if f.gzip {
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(f.body)
		return
	}
	if host == ShopHost {
		serveShop(w, r)
		return
	}
	serveCollector(w, r, host)
}
