package frontier

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/crawler/scope"
)

// siteLinks is the fixture site: the links each page's rendered DOM has, in
// document order, as the browser would hand them back. Keys are normalised
// URLs.
var siteLinks = map[string][]string{
	"http://www.shop.example/": {
		"/about#team",              // duplicate of a sitemap URL once the fragment goes
		"products/",                // relative, duplicate too
		"/blog/",                   // new
		"/calendar/2026/11/",       // an endless calendar starts here
		"mailto:shop@shop.example", // not http
		"javascript:void(0)",       // not http
		"/files/catalogue.PDF",     // not a page
		"http://WWW.Shop.Example:80/news?b=2&a=1&fbclid=xyz", // normalises to /news?a=1&b=2
		"https://cdn.other.example/lib.html",                 // other registrable domain
		"/cart;jsessionid=0A1B2C3D",                          // session id dropped
		"/private/account",                                   // robots.txt
		"http://blog.shop.example/",                          // subdomain: in scope
	},
	"http://www.shop.example/about":           {"/team/", "/", "/about?utm_campaign=x&gclid=1"},
	"http://www.shop.example/products/":       {"/products/1", "/products/2", "/products/3"},
	"http://www.shop.example/contact":         nil,
	"http://www.shop.example/blog/":           {"/blog/2026/hello", "/a/a/a/", "/blog/?sessionid=77"},
	"http://www.shop.example/news?a=1&b=2":    {"/news?b=2&a=1&utm_source=n"},
	"http://www.shop.example/cart":            {"/cart;jsessionid=FFFF"},
	"http://blog.shop.example/":               {"/about", "/private/x"},
	"http://www.shop.example/team/":           {"/team/#top"},
	"http://www.shop.example/products/1":      {"/products/2"},
	"http://www.shop.example/blog/2026/hello": {"/blog/"},
	"http://blog.shop.example/about":          nil,
}

func init() {
	// The calendar: every month links to the next one, for ever.
	for y := 2026; y < 2030; y++ {
		for m := 1; m <= 12; m++ {
			ny, nm := y, m+1
			if nm == 13 {
				ny, nm = y+1, 1
			}
			siteLinks[fmt.Sprintf("http://www.shop.example/calendar/%d/%02d/", y, m)] =
				[]string{fmt.Sprintf("/calendar/%d/%02d/", ny, nm), "/"}
		}
	}
}

// newSite serves testdata/frontier/site as www.shop.example and a
// robots.txt for blog.shop.example, and returns a client that sends every
// host to it.
func newSite(t testing.TB) (*http.Client, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var fetched []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched = append(fetched, r.Host+r.URL.Path)
		mu.Unlock()
		if r.Host == "blog.shop.example" && r.URL.Path == "/robots.txt" {
			// A group for our own token: the * group of www does not apply here.
			_, _ = w.Write([]byte("User-agent: Trackscan\nDisallow: /private/\n"))
			return
		}
		if r.Host != "www.shop.example" || r.URL.Path == "/" {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "frontier", "site", filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".xml") {
			w.Header().Set("Content-Type", "application/xml")
		} else {
			w.Header().Set("Content-Type", "text/plain")
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, &fetched
}

type visit struct {
	URL   string
	Depth int
}

// crawl plays the browser: it takes pages in order and hands back their links.
func crawl(t *testing.T, cfg Config) ([]visit, []Skip) {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []visit
	for {
		u, d, ok := f.Next()
		if !ok {
			break
		}
		got = append(got, visit{u, d})
		f.AddLinks(u, d, siteLinks[u])
		if len(got) > 500 {
			t.Fatal("crawl does not end")
		}
	}
	return got, f.Skipped()
}

const www = "http://www.shop.example"

func TestCrawlOrderAndSkips(t *testing.T) {
	client, fetched := newSite(t)
	got, skipped := crawl(t, Config{Seeds: []string{www + "/"}, Client: client, TrapVariants: 4})

	wantVisits := []visit{
		{www + "/", 0},
		// sitemap order
		{www + "/about", 0}, {www + "/products/", 0}, {www + "/contact", 0},
		// links of / in document order
		{www + "/blog/", 1}, {www + "/calendar/2026/11/", 1}, {www + "/news?a=1&b=2", 1},
		{www + "/cart", 1}, {"http://blog.shop.example/", 1},
		// links of /about, then /products/
		{www + "/team/", 1},
		{www + "/products/1", 1}, {www + "/products/2", 1}, {www + "/products/3", 1},
		// depth 2, parents in the order they were visited
		{www + "/blog/2026/hello", 2},
		{www + "/calendar/2026/12/", 2},
		{"http://blog.shop.example/about", 2},
		{www + "/calendar/2027/01/", 3},
		{www + "/calendar/2027/02/", 4},
	}
	if !slices.Equal(got, wantVisits) {
		t.Errorf("visits:\n%s\nwant:\n%s", fmtVisits(got), fmtVisits(wantVisits))
	}

	wantSkips := []Skip{
		{URL: "http://partner.other.example/landing", Reason: ReasonOutOfScope},
		{URL: www + "/private/orders", Reason: ReasonRobots},
		{URL: www + "/sitemap-missing.xml", Reason: ReasonSitemapError},
		{URL: www + "/about", Reason: ReasonDuplicate},
		{URL: www + "/products/", Reason: ReasonDuplicate},
		{URL: "mailto:shop@shop.example", Reason: ReasonNotHTTP},
		{URL: "javascript:void(0)", Reason: ReasonNotHTTP},
		{URL: www + "/files/catalogue.PDF", Reason: ReasonNotHTML},
		{URL: "https://cdn.other.example/lib.html", Reason: ReasonOutOfScope},
		{URL: www + "/private/account", Reason: ReasonRobots},
		{URL: www + "/", Reason: ReasonDuplicate},
		{URL: www + "/a/a/a/", Reason: ReasonTrap},
		{URL: www + "/blog/", Reason: ReasonDuplicate},
		{URL: www + "/news?a=1&b=2", Reason: ReasonDuplicate},
		{URL: www + "/cart", Reason: ReasonDuplicate},
		{URL: "http://blog.shop.example/private/x", Reason: ReasonRobots},
		{URL: www + "/team/", Reason: ReasonDuplicate},
		{URL: www + "/products/2", Reason: ReasonDuplicate},
		{URL: www + "/calendar/2027/03/", Reason: ReasonTrap},
	}
	if d := diffSkips(skipped, wantSkips); d != "" {
		t.Error(d)
	}
	for _, p := range *fetched {
		if !strings.HasSuffix(p, "robots.txt") && !strings.HasSuffix(p, ".xml") {
			t.Errorf("the frontier fetched a page itself: %s", p)
		}
	}
}

// diffSkips compares URL and reason (details are for people).
func diffSkips(got, want []Skip) string {
	type ur struct{ URL, Reason string }
	var g, w []ur
	for _, s := range got {
		g = append(g, ur{s.URL, s.Reason})
	}
	for _, s := range want {
		w = append(w, ur{s.URL, s.Reason})
	}
	if slices.Equal(g, w) {
		return ""
	}
	var b strings.Builder
	b.WriteString("skips:\n")
	for _, s := range g {
		fmt.Fprintf(&b, "  %-14s %s\n", s.Reason, s.URL)
	}
	b.WriteString("want:\n")
	for _, s := range w {
		fmt.Fprintf(&b, "  %-14s %s\n", s.Reason, s.URL)
	}
	return b.String()
}

func fmtVisits(vs []visit) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %d %s\n", v.Depth, v.URL)
	}
	return b.String()
}

func TestCrawlLimits(t *testing.T) {
	client, _ := newSite(t)
	tests := []struct {
		name       string
		cfg        Config
		wantVisits []string
		wantSkip   map[string]string // URL -> reason that must be among the skips
		noSkip     []string          // URLs that must not be skipped at all
	}{
		{
			name:       "page budget",
			cfg:        Config{MaxPages: 3},
			wantVisits: []string{www + "/", www + "/about", www + "/products/"},
			wantSkip:   map[string]string{www + "/contact": ReasonMaxPages, www + "/blog/": ReasonMaxPages},
		},
		{
			name:       "depth 0 keeps seeds and sitemap",
			cfg:        Config{MaxDepth: -1, NoSitemaps: true, MaxPages: 1},
			wantVisits: []string{www + "/"},
		},
		{
			name: "depth 1",
			cfg:  Config{MaxDepth: 1},
			wantVisits: []string{www + "/", www + "/about", www + "/products/", www + "/contact",
				www + "/blog/", www + "/calendar/2026/11/", www + "/news?a=1&b=2", www + "/cart",
				"http://blog.shop.example/", www + "/team/", www + "/products/1", www + "/products/2", www + "/products/3"},
			wantSkip: map[string]string{www + "/blog/2026/hello": ReasonDepth, www + "/calendar/2026/12/": ReasonDepth},
		},
		{
			name: "ignore robots and exclude the blog",
			cfg:  Config{IgnoreRobots: true, Exclude: []string{`/blog/`, `^http://blog\.`}, MaxDepth: 1, NoSitemaps: true},
			wantVisits: []string{www + "/", www + "/about", www + "/products/", www + "/calendar/2026/11/",
				www + "/news?a=1&b=2", www + "/cart", www + "/private/account"},
			wantSkip: map[string]string{www + "/blog/": ReasonExcluded, "http://blog.shop.example/": ReasonExcluded},
			noSkip:   []string{www + "/private/account"},
		},
		{
			name: "include widens the scope",
			cfg:  Config{Include: []string{`^https://cdn\.other\.example/`}, MaxPages: 9, NoSitemaps: true},
			wantVisits: []string{www + "/", www + "/about", www + "/products/", www + "/blog/", www + "/calendar/2026/11/",
				www + "/news?a=1&b=2", "https://cdn.other.example/lib.html", www + "/cart", "http://blog.shop.example/"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Seeds = []string{www + "/"}
			tc.cfg.Client = client
			got, skipped := crawl(t, tc.cfg)
			var urls []string
			for _, v := range got {
				urls = append(urls, v.URL)
			}
			if !slices.Equal(urls, tc.wantVisits) {
				t.Errorf("visits:\n  %s\nwant:\n  %s", strings.Join(urls, "\n  "), strings.Join(tc.wantVisits, "\n  "))
			}
			reasons := map[string][]string{}
			for _, s := range skipped {
				reasons[s.URL] = append(reasons[s.URL], s.Reason)
			}
			for u, r := range tc.wantSkip {
				if !slices.Contains(reasons[u], r) {
					t.Errorf("%s: skip reasons %v, want %s", u, reasons[u], r)
				}
			}
			for _, u := range tc.noSkip {
				if len(reasons[u]) > 0 {
					t.Errorf("%s skipped: %v", u, reasons[u])
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no seed", Config{}, "no start URL"},
		{"bad seed", Config{Seeds: []string{"ftp://x.example/"}}, "not an http(s) URL"},
		{"bad include", Config{Seeds: []string{"https://x.example/"}, Include: []string{"("}}, "include pattern"},
		{"bad exclude", Config{Seeds: []string{"https://x.example/"}, Exclude: []string{"[z-a]"}}, "exclude pattern"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestConcurrentWorkers runs several workers with NextWait; the set of pages
// must be the same as a sequential crawl's, each page exactly once.
func TestConcurrentWorkers(t *testing.T) {
	client, _ := newSite(t)
	cfg := Config{Seeds: []string{www + "/"}, Client: client, TrapVariants: 4}
	seq, _ := crawl(t, cfg)
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				u, d, ok := f.NextWait(context.Background())
				if !ok {
					return
				}
				mu.Lock()
				got = append(got, u)
				mu.Unlock()
				f.AddLinks(u, d, siteLinks[u])
			}
		})
	}
	wg.Wait()
	var want []string
	for _, v := range seq {
		want = append(want, v.URL)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("concurrent crawl visited\n%v\nwant\n%v", got, want)
	}
}

func TestNextWaitEndsWithContext(t *testing.T) {
	f, err := New(Config{Seeds: []string{"http://x.example/"}, IgnoreRobots: true, NoSitemaps: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := f.Next(); !ok {
		t.Fatal("seed not handed out")
	}
	// The seed is in flight: NextWait would wait for its links.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if u, _, ok := f.NextWait(ctx); ok {
		t.Fatalf("NextWait returned %s after cancel", u)
	}
	f.Done("http://x.example/")
	if _, _, ok := f.NextWait(context.Background()); ok {
		t.Fatal("NextWait handed out a page after the crawl ended")
	}
}

func TestKnown(t *testing.T) {
	f, err := New(Config{Seeds: []string{"http://x.example/"}, IgnoreRobots: true, NoSitemaps: true, MaxPages: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		links []string
		want  int
	}{
		{[]string{"/a", "/b"}, 3},       // the seed and two links
		{[]string{"/c", "/d", "/e"}, 4}, // capped at MaxPages
		{nil, 4},
	}
	if got := f.Known(); got != 1 {
		t.Errorf("before the seed: %d, want 1", got)
	}
	for i, s := range steps {
		u, d, ok := f.Next()
		if !ok {
			t.Fatalf("step %d: nothing to hand out", i)
		}
		f.AddLinks(u, d, s.links)
		if got := f.Known(); got != s.want {
			t.Errorf("step %d: Known %d, want %d", i, got, s.want)
		}
	}
}

// TestOwnFetchesGuarded: robots.txt and sitemaps that redirect to the
// metadata address or another site are refused at the hop, recorded with
// the refusal's reason, and the metadata stand-in is never contacted.
func TestOwnFetchesGuarded(t *testing.T) {
	var metaHits atomic.Int32
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { metaHits.Add(1) }))
	defer meta.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/sitemap.xml":
			http.Redirect(w, r, "http://evil.example/sitemap.xml", http.StatusFound)
		default:
			w.Write([]byte("<html></html>"))
		}
	}))
	defer site.Close()
	rules, err := resolve.Parse("MAP 169.254.169.254 " + meta.Listener.Addr().String() + ", MAP * " + site.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scope.New(scope.Config{Targets: []string{"http://shop.test/"}, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Seeds: []string{"http://shop.test/"}, MaxPages: 10, Addresses: sc,
		Client: resolve.GuardedClient(rules, false, 5*time.Second, sc)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.AddLinks("http://shop.test/", 0, []string{"http://169.254.169.254/latest/", "http://shop.test/a"})
	reasons := map[string]string{}
	for _, s := range f.Skipped() {
		reasons[s.URL] = s.Reason
	}
	for u, want := range map[string]string{
		"http://shop.test/robots.txt":  scope.ReasonPrivate,
		"http://shop.test/sitemap.xml": scope.ReasonOutOfScope,
	} {
		if reasons[u] != want {
			t.Errorf("%s: skipped as %q, want %q (all: %v)", u, reasons[u], want, reasons)
		}
	}
	if n := metaHits.Load(); n > 0 {
		t.Errorf("the metadata stand-in was contacted %d times", n)
	}
}
