package frontier

import (
	"bytes"
	"compress/gzip"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

type resp struct {
	status int
	body   []byte
}

// hostSite serves fixed responses keyed by host+path; every host reaches it.
func hostSite(t *testing.T, files map[string]resp) *http.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.Host+r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(f.status)
		_, _ = w.Write(f.body)
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

func TestStartSources(t *testing.T) {
	ok := func(s string) resp { return resp{200, []byte(s)} }
	tests := []struct {
		name   string
		files  map[string]resp
		cfg    Config
		visits []string
		skips  []Skip
	}{
		{
			name: "guessed sitemap.xml, gzipped",
			files: map[string]resp{
				"a.example/sitemap.xml": {200, gzipped(`<urlset><url><loc>http://a.example/x</loc></url><url><loc>http://a.example/y</loc></url></urlset>`)},
			},
			visits: []string{"http://a.example/", "http://a.example/x", "http://a.example/y"},
		},
		{
			name:   "no sitemap at all is not an error",
			visits: []string{"http://a.example/"},
		},
		{
			name: "robots.txt lists sitemaps on an in-scope host and elsewhere",
			files: map[string]resp{
				"a.example/robots.txt":        ok("Sitemap: http://static.a.example/sm.txt\nSitemap: http://cdn.b.example/sm.xml\nSitemap: http://a.example/gone.xml\n"),
				"static.a.example/sm.txt":     ok("http://a.example/t1\nhttp://a.example/t2\n"),
				"static.a.example/robots.txt": ok("User-agent: *\nDisallow: /\n"),
			},
			visits: []string{"http://a.example/", "http://a.example/t1", "http://a.example/t2"},
			skips: []Skip{
				{URL: "http://cdn.b.example/sm.xml", Reason: ReasonOutOfScope},
				{URL: "http://a.example/gone.xml", Reason: ReasonSitemapError},
			},
		},
		{
			name: "robots.txt server error disallows everything",
			files: map[string]resp{
				"a.example/robots.txt": {503, []byte("busy")},
			},
			skips: []Skip{{URL: "http://a.example/", Reason: ReasonRobots}},
		},
		{
			name: "robots.txt server error ignored on request",
			files: map[string]resp{
				"a.example/robots.txt": {503, []byte("busy")},
			},
			cfg:    Config{IgnoreRobots: true},
			visits: []string{"http://a.example/"},
		},
		{
			name: "sitemap index loop is read once",
			files: map[string]resp{
				"a.example/sitemap.xml": ok(`<sitemapindex><sitemap><loc>http://a.example/s2.xml</loc></sitemap></sitemapindex>`),
				"a.example/s2.xml":      ok(`<sitemapindex><sitemap><loc>http://a.example/sitemap.xml</loc></sitemap><sitemap><loc>http://a.example/s3.xml</loc></sitemap></sitemapindex>`),
				"a.example/s3.xml":      ok(`<urlset><url><loc>http://a.example/deep</loc></url></urlset>`),
			},
			visits: []string{"http://a.example/", "http://a.example/deep"},
		},
		{
			name: "sitemap that is an HTML page",
			files: map[string]resp{
				"a.example/robots.txt": ok("Sitemap: http://a.example/map\n"),
				"a.example/map":        ok("<!doctype html><html><body>Site map</body></html>"),
			},
			visits: []string{"http://a.example/"},
			skips:  []Skip{{URL: "http://a.example/map", Reason: ReasonSitemapError}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Seeds = []string{"http://a.example/"}
			tc.cfg.Client = hostSite(t, tc.files)
			f, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for {
				u, _, ok := f.Next()
				if !ok {
					break
				}
				got = append(got, u)
				f.Done(u)
			}
			if !slices.Equal(got, tc.visits) {
				t.Errorf("visits %q, want %q", got, tc.visits)
			}
			if d := diffSkips(f.Skipped(), tc.skips); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestStartEndsWithContext(t *testing.T) {
	f, err := New(Config{Seeds: []string{"http://a.example/"}, Client: hostSite(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Start(ctx); err == nil {
		t.Fatal("Start ignored a cancelled context")
	}
}
