package demosite

import (
	"bytes"
	"io"
	"io/fs"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

func TestMount(t *testing.T) {
	s := Start()
	defer s.Close()
	s.Mount(fstest.MapFS{
		"fixture.example/index.html":        {Data: []byte("<p>fixture home</p>")},
		"fixture.example/page.html.headers": {Data: []byte("Set-Cookie: a=1; Path=/\n")},
		"fixture.example/page.html":         {Data: []byte("<p>page</p>")},
		"static.hotjar.com/c/hotjar-3.js":   {Data: []byte("// replaced")},
		"cdn.example/lib.js":                {Data: []byte("// lib")},
		"shop.example/only-in-fixture.html": {Data: []byte("<p>added</p>")},
		"fixture.example/feed/index.html":   {Data: []byte("<p>feed</p>")},
		"fixture.example/data.json.headers": {Data: []byte("Content-Type: application/json\n")},
		"fixture.example/data.json":         {Data: []byte("{}")},
		"fixture.example/plain/calendar":    {Data: []byte("<p>no extension</p>")},
	})
	tests := []struct {
		host, path     string
		status         int
		body, ctype    string
		cookie         string
		bodyIsNotEmpty bool
	}{
		{"fixture.example", "/", 200, "<p>fixture home</p>", "text/html; charset=utf-8", "", false},
		{"fixture.example", "/page.html", 200, "<p>page</p>", "text/html; charset=utf-8", "a=1; Path=/", false},
		{"fixture.example", "/feed", 200, "<p>feed</p>", "text/html; charset=utf-8", "", false},
		{"fixture.example", "/data.json", 200, "{}", "application/json", "", false},
		{"fixture.example", "/plain/calendar", 200, "<p>no extension</p>", "text/html; charset=utf-8", "", false},
		// A site's missing page is a 404, not a pixel.
		{"fixture.example", "/missing.html", 404, "", "", "", true},
		// The mounted tree wins over the embedded demo.
		{"static.hotjar.com", "/c/hotjar-3.js", 200, "// replaced", "text/javascript; charset=utf-8", "", false},
		{"cdn.example", "/lib.js", 200, "// lib", "text/javascript; charset=utf-8", "", false},
		// The demo is still served around the fixture.
		{"shop.example", "/only-in-fixture.html", 200, "<p>added</p>", "text/html; charset=utf-8", "", false},
		{"shop.example", "/robots.txt", 200, "", "text/plain; charset=utf-8", "", true},
		{"shop.example", "/nope.html", 404, "", "", "", true},
		// Tracker endpoints with no file answer a pixel.
		{"cdn.example", "/collect", 200, string(pixel), "image/gif", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.host+tt.path, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://"+tt.host+tt.path, nil)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			body, _ := io.ReadAll(w.Result().Body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if tt.bodyIsNotEmpty && len(body) == 0 || !tt.bodyIsNotEmpty && string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if got := w.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("content type %q, want %q", got, tt.ctype)
			}
			if got := w.Header().Get("Set-Cookie"); got != tt.cookie {
				t.Errorf("cookie %q, want %q", got, tt.cookie)
			}
		})
	}
}

// The client reaches virtual hosts by their names over http and https, as
// Chromium does through ResolveRules.
func TestClient(t *testing.T) {
	s := Start()
	defer s.Close()
	want, err := fs.ReadFile(files, "site/shop.example/privacy.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{PolicyURL, "https://shop.example/privacy.html"} {
		t.Run(u, func(t *testing.T) {
			resp, err := s.Client().Get(u)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !bytes.Equal(got, want) {
				t.Errorf("GET %s: %s, %d bytes, want the policy (%d bytes)", u, resp.Status, len(got), len(want))
			}
		})
	}
}
