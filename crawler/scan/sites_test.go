package scan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/crawler/demosite/sitegen"
)

// fleet serves n generated sites and returns them as scan sites.
func fleet(t *testing.T, n int) (*demosite.Server, []Site) {
	t.Helper()
	browsertest.Chromium(t)
	srv := demosite.Start()
	t.Cleanup(srv.Close)
	gen := sitegen.Generate(n)
	sitegen.Mount(srv, gen)
	var sites []Site
	for _, s := range gen {
		if s.Broken {
			continue
		}
		sites = append(sites, Site{ID: s.ID, URL: s.URL()})
	}
	return srv, sites
}

func sitesOptions(srv *demosite.Server, sites []Site) SitesOptions {
	return SitesOptions{
		Scan: Options{Phases: []capture.Phase{capture.PreConsent},
			Browser: browser.Options{ResolveRules: srv.ResolveRules(), PageTimeout: 20 * time.Second}},
		Sites: sites, Parallel: 2,
	}
}

// TestRunSitesRestarts: every site is scanned once with its own pages, and
// each lane's browser is restarted every K sites, or after every site
// when its memory is above the limit.
func TestRunSitesRestarts(t *testing.T) {
	srv, sites := fleet(t, 6)
	tests := []struct {
		name       string
		every      int
		memory     int64
		minR, maxR int
	}{
		// Lanes share the 5 sites in some split (3+2, 4+1, 5+0): a restart
		// after each 2 sites of a lane makes 2 whatever the split.
		{"every 2 sites", 2, 0, 2, 2},
		// Any Chromium holds more than one byte: a restart after each site.
		{"memory limit", 100, 1, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sitesOptions(srv, sites)
			o.RestartEvery, o.MemoryLimit = tt.every, tt.memory
			var got []string
			o.SiteDone = func(r SiteResult) {
				got = append(got, r.Site.ID)
				if r.Err != nil || r.Result == nil || len(r.Result.Pages) != 1 || r.Result.Pages[0].URL != r.Site.URL {
					t.Errorf("%s: err %v, result %+v", r.Site.ID, r.Err, r.Result)
				}
			}
			stats, err := RunSites(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if len(got) != len(sites) || slices.Compact(got) == nil || len(slices.Compact(got)) != len(sites) {
				t.Errorf("sites done %v, want each of %d once", got, len(sites))
			}
			if stats.Scanned != len(sites) || stats.Restarts < tt.minR || stats.Restarts > tt.maxR {
				t.Errorf("stats %+v, want %d scanned and %d-%d restarts", stats, len(sites), tt.minR, tt.maxR)
			}
		})
	}
}

// TestRunSitesStops: once the context ends no site starts, and the site in
// flight reports itself interrupted.
func TestRunSitesStops(t *testing.T) {
	srv, sites := fleet(t, 6)
	o := sitesOptions(srv, sites)
	o.Parallel = 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := 0
	o.SiteStarted = func(Site) {
		started++
		if started == 2 {
			cancel()
		}
	}
	var results []SiteResult
	o.SiteDone = func(r SiteResult) { results = append(results, r) }
	if _, err := RunSites(ctx, o); err != nil {
		t.Fatal(err)
	}
	if started != 2 || len(results) != 2 {
		t.Fatalf("%d sites started, %d done; want 2 and 2", started, len(results))
	}
	if results[0].Interrupted(ctx) || !results[1].Interrupted(ctx) {
		t.Errorf("interrupted: first %v (err %v), second %v (err %v); want false, true",
			results[0].Interrupted(ctx), results[0].Err, results[1].Interrupted(ctx), results[1].Err)
	}
}

// TestRunSitesBrowserPool spreads sites round-robin over two running
// Chromes that the scan did not start, and leaves them running.
func TestRunSitesBrowserPool(t *testing.T) {
	srv, sites := fleet(t, 4) // no broken site below 6
	urls := []string{remoteChrome(t, srv), remoteChrome(t, srv)}
	o := sitesOptions(srv, sites)
	o.BrowserURLs = urls
	byBrowser := map[string][]string{}
	o.SiteDone = func(r SiteResult) {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Site.ID, r.Err)
		}
		byBrowser[r.BrowserURL] = append(byBrowser[r.BrowserURL], r.Site.ID)
	}
	if _, err := RunSites(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	for i, u := range urls {
		got := byBrowser[u]
		slices.Sort(got)
		want := []string{sites[i].ID, sites[i+2].ID}
		if !slices.Equal(got, want) {
			t.Errorf("browser %d scanned %v, want %v", i, got, want)
		}
	}
	o.BrowserURLs = []string{"http://127.0.0.1:9/"}
	if _, err := RunSites(context.Background(), o); err == nil || !strings.Contains(err.Error(), "not ws://") {
		t.Errorf("http browser URL: err %v", err)
	}
}

// remoteChrome starts a Chromium with a DevTools port, as a browser pool
// would run it, and returns its ws:// URL.
func remoteChrome(t *testing.T, srv *demosite.Server) string {
	t.Helper()
	chromium := browsertest.Chromium(t)
	profile, err := os.MkdirTemp("", "ts-pool-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--remote-debugging-port=0", "--user-data-dir="+profile, "--host-resolver-rules="+srv.ResolveRules(), "about:blank")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		raw, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if lines := strings.Fields(string(raw)); err == nil && len(lines) == 2 {
			return "ws://127.0.0.1:" + lines[0] + lines[1]
		}
	}
	t.Fatal("the pool Chromium did not open its DevTools port")
	return ""
}

func TestProcessTreeRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/statm"); err != nil {
		t.Skip("no /proc")
	}
	if got := ProcessTreeRSS(os.Getpid()); got < 1<<20 {
		t.Errorf("this test process holds %d bytes, want at least 1 MiB", got)
	}
	if got := ProcessTreeRSS(0); got != 0 {
		t.Errorf("pid 0: %d", got)
	}
}
