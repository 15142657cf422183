package realsite

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeModules lays out every file Start reads, with placeholder bodies, so
// the server can be tested without npm.
func fakeModules(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := []string{"mixpanel-browser/dist/async-modules/mixpanel-recorder-AbC123.min.js"}
	for _, a := range assets {
		files = append(files, a.file)
	}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("/* "+f+" */"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestStartNeedsInstall(t *testing.T) {
	_, err := Start(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "install.sh") {
		t.Fatalf("Start on an empty dir: %v, want an error naming install.sh", err)
	}
}

func TestSiteAnswers(t *testing.T) {
	s, err := Start(fakeModules(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		method, url string
		header      map[string]string
		status      int
		want        map[string]string // response headers
		body        string            // substring of the body
	}{
		{"GET", StartURL, nil, 200, map[string]string{"Content-Type": "text/html; charset=utf-8"}, `data-category="analytics"`},
		{"GET", "https://" + ShopHost + "/sitemap.xml", nil, 200, nil, "/product/burr-grinder</loc>"},
		{"GET", "https://" + ShopHost + "/nowhere", nil, 404, nil, ""},
		{"GET", "https://cdn.amplitude.com/libs/analytics-browser-" + amplitudeBuild + "-min.js.gz", nil, 200, map[string]string{"Content-Encoding": "gzip"}, "amplitude-min.js.gz"},
		{"GET", "https://cdn.mxpnl.com/libs/mixpanel-recorder-AbC123.min.js", nil, 200, nil, "mixpanel-recorder-AbC123"},
		{"OPTIONS", "https://api2.amplitude.com/2/httpapi", map[string]string{"Origin": "https://" + ShopHost, "Access-Control-Request-Headers": "content-type"},
			204, map[string]string{"Access-Control-Allow-Origin": "https://" + ShopHost, "Access-Control-Allow-Headers": "content-type", "Access-Control-Allow-Credentials": "true"}, ""},
		{"GET", "https://us-assets.i.posthog.com/array/" + PostHogToken + "/config", nil, 200, map[string]string{"Content-Type": "application/json"}, `"sessionRecording":{"endpoint":"/s/"`},
		{"POST", "https://us.i.posthog.com/flags/?v=2", nil, 200, nil, `"flags":{}`},
		{"POST", "https://api-js.mixpanel.com/track/?verbose=1", nil, 200, nil, `{"status":1,"error":null}`},
		{"POST", "https://api-js.mixpanel.com/track/", nil, 200, nil, "1"},
		{"GET", "https://" + SnowplowHost + "/i?e=pv", nil, 200, map[string]string{"Content-Type": "image/gif"}, "GIF89a"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			for k, v := range tt.want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			body, _ := io.ReadAll(rec.Body)
			if !strings.Contains(string(body), tt.body) {
				t.Errorf("body %.200q lacks %q", body, tt.body)
			}
			if ct := rec.Header().Get("Content-Type"); ct == "application/json" && !json.Valid(body) {
				t.Errorf("invalid JSON: %s", body)
			}
		})
	}
	log := s.TakeLog()
	if len(log) != len(tests) || log[0].Host != ShopHost || log[0].Method != http.MethodGet {
		t.Errorf("request log %+v, want every request, the first to the shop", log)
	}
	if len(s.TakeLog()) != 0 {
		t.Error("TakeLog did not clear the log")
	}
}

// Grow adds served, linked product pages with the shop's head.
func TestGrow(t *testing.T) {
	saved := Pages
	defer func() { Pages = saved }()
	Pages = slices.Clone(saved)
	Grow(12)
	if len(Pages) != 12 {
		t.Fatalf("%d pages after Grow(12)", len(Pages))
	}
	Grow(5) // never shrinks
	if len(Pages) != 12 {
		t.Fatalf("%d pages after Grow(5)", len(Pages))
	}
	seen := map[string]bool{}
	for _, p := range Pages {
		if seen[p.path] {
			t.Errorf("path %s twice", p.path)
		}
		seen[p.path] = true
	}
	rec := httptest.NewRecorder()
	serveShop(rec, httptest.NewRequest("GET", "https://"+ShopHost+Pages[11].path, nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "vanilla-cookieconsent") {
		t.Errorf("grown page: %d %q", rec.Code, rec.Body.String())
	}
	if home := renderPage(0); !strings.Contains(home, `href="`+Pages[11].path+`"`) {
		t.Error("the home page does not link the grown page")
	}
}
