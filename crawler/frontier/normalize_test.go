package frontier

import (
	"bytes"
	"compress/gzip"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw, base, want string
		wantErr         bool
	}{
		{raw: "HTTP://WWW.Example.COM", want: "http://www.example.com/"},
		{raw: "https://example.com:443/a#frag", want: "https://example.com/a"},
		{raw: "http://example.com:80/", want: "http://example.com/"},
		{raw: "http://example.com:8080/", want: "http://example.com:8080/"},
		{raw: "https://example.com:80/", want: "https://example.com:80/"},
		{raw: "http://user:pw@example.com/", want: "http://example.com/"},
		{raw: "http://example.com./x", want: "http://example.com/x"},
		{raw: "/b/../c/./d", base: "http://example.com/a/", want: "http://example.com/c/d"},
		{raw: "x", base: "http://example.com/a/b", want: "http://example.com/a/x"},
		{raw: "//cdn.example.net/p", base: "https://example.com/", want: "https://cdn.example.net/p"},
		{raw: "?q=1", base: "https://example.com/s", want: "https://example.com/s?q=1"},
		{raw: "#top", base: "https://example.com/s?q=1", want: "https://example.com/s?q=1"},
		{raw: "http://example.com//a///b/", want: "http://example.com/a/b/"},
		{raw: "http://example.com/a/", want: "http://example.com/a/"}, // trailing slash kept
		{raw: "http://example.com/a", want: "http://example.com/a"},
		{raw: "http://example.com/a/..", want: "http://example.com/"},
		{raw: "http://example.com/?", want: "http://example.com/"},
		{raw: "http://example.com/p?b=2&a=1&a=0", want: "http://example.com/p?a=0&a=1&b=2"},
		{raw: "http://example.com/p?utm_source=x&UTM_Medium=y&id=3&gclid=g&fbclid=f", want: "http://example.com/p?id=3"},
		{raw: "http://example.com/p?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&msclkid=5&_gl=6", want: "http://example.com/p"},
		{raw: "http://example.com/p;jsessionid=ABCDEF?x=1", want: "http://example.com/p?x=1"},
		{raw: "http://example.com/p?PHPSESSID=abc&page=2&sid=9", want: "http://example.com/p?page=2"},
		{raw: "http://example.com/a%2Fb", want: "http://example.com/a%2Fb"},
		{raw: "http://example.com/caf%C3%A9", want: "http://example.com/caf%C3%A9"},
		{raw: "http://[::1]:80/x", want: "http://[::1]/x"},
		{raw: "  https://example.com/  ", want: "https://example.com/"},
		{raw: "mailto:a@example.com", wantErr: true},
		{raw: "javascript:void(0)", wantErr: true},
		{raw: "tel:+49301234", wantErr: true},
		{raw: "data:text/html,hi", wantErr: true},
		{raw: "http://", wantErr: true},
		{raw: "http://exa mple.com/", wantErr: true},
		{raw: "http://example.com/%zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := Normalize(tc.raw, tc.base)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Normalize(%q) = %q, want an error", tc.raw, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tc.raw, err)
			}
			if got != tc.want {
				t.Errorf("Normalize(%q, %q) = %q, want %q", tc.raw, tc.base, got, tc.want)
			}
		})
	}
}

func TestTrapGuard(t *testing.T) {
	tests := []struct {
		name  string
		urls  []string
		traps []bool // per URL
	}{
		{"endless calendar", []string{"http://e.x/cal/2026/11/", "http://e.x/cal/2026/12/", "http://e.x/cal/2027/01/", "http://e.x/cal/2027/02/"},
			[]bool{false, false, false, true}},
		{"same path seen again is no new variant", []string{"http://e.x/cal/2026/11/", "http://e.x/cal/2026/12/", "http://e.x/cal/2026/11/", "http://e.x/cal/2027/01/"},
			[]bool{false, false, false, false}},
		{"ever-changing query", []string{"http://e.x/s?q=1", "http://e.x/s?q=2", "http://e.x/s?q=3", "http://e.x/s?q=4", "http://e.x/t?q=4"},
			[]bool{false, false, false, true, false}},
		{"repeated segment", []string{"http://e.x/a/b/a/b/a/", "http://e.x/a/b/a/"}, []bool{true, false}},
		{"too deep", []string{"http://e.x/" + strings.Repeat("s/", 21) + "x"}, []bool{true}},
		{"very long", []string{"http://e.x/?q=" + strings.Repeat("x", 2100)}, []bool{true}},
		{"cookieless ASP.NET session", []string{"http://e.x/(S(lit3py55t21z5v55vlm25s55))/default.aspx"}, []bool{true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newTrapGuard(3, 3)
			for i, raw := range tc.urls {
				u, err := url.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				if why := g.check(u); (why != "") != tc.traps[i] {
					t.Errorf("%s: trap %q, want trap=%v", raw, why, tc.traps[i])
				}
			}
		})
	}
}

func TestParseSitemap(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return b.Bytes()
	}
	urlset := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
 <url><loc>https://e.x/b</loc><image:image><image:loc>https://e.x/i.png</image:loc></image:image></url>
 <url><loc>
   https://e.x/a?x=1&amp;y=2
 </loc></url>
 <url><loc></loc></url>
</urlset>`
	tests := []struct {
		name     string
		body     []byte
		urls     []string
		sitemaps []string
		wantErr  string
	}{
		{name: "urlset", body: []byte(urlset), urls: []string{"https://e.x/b", "https://e.x/a?x=1&y=2"}},
		{name: "gzipped", body: gz(urlset), urls: []string{"https://e.x/b", "https://e.x/a?x=1&y=2"}},
		{name: "index", body: []byte(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://e.x/s2.xml</loc></sitemap><sitemap><loc>https://e.x/s1.xml.gz</loc></sitemap></sitemapindex>`),
			sitemaps: []string{"https://e.x/s2.xml", "https://e.x/s1.xml.gz"}},
		{name: "no namespace, BOM, other charset", body: []byte("\ufeff<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://e.x/</loc></url></urlset>"),
			urls: []string{"https://e.x/"}},
		{name: "text sitemap", body: []byte("https://e.x/1\n\nnot a url\nhttp://e.x/2\r\n"), urls: []string{"https://e.x/1", "http://e.x/2"}},
		{name: "html page", body: []byte("<html><body>404</body></html>"), wantErr: "neither urlset nor sitemapindex"},
		{name: "empty", body: []byte("  \n"), wantErr: "empty"},
		{name: "broken gzip", body: []byte{0x1f, 0x8b, 0, 1}, wantErr: "sitemap:"},
		{name: "truncated xml", body: []byte(`<urlset><url><loc>https://e.x/</loc></url>`), wantErr: "sitemap:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sm, err := ParseSitemap(tc.body)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sm.URLs, tc.urls) || !slices.Equal(sm.Sitemaps, tc.sitemaps) {
				t.Errorf("got urls %q sitemaps %q, want %q %q", sm.URLs, sm.Sitemaps, tc.urls, tc.sitemaps)
			}
		})
	}
}

// FuzzNormalize checks that normalising never panics, yields an http(s)
// URL that parses, and is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"http://e.x/a/../b?utm_source=1&b=2&a=1#f", "HTTPS://E.X:443//x;jsessionid=1", "/rel?q", "mailto:x", "http://[::1]:80/", "http://e.x/%2F%zz", "http://e.x/a/./b/."} {
		f.Add(s, "http://base.example/dir/page")
	}
	f.Fuzz(func(t *testing.T, raw, base string) {
		n, err := Normalize(raw, base)
		if err != nil {
			return
		}
		u, err := url.Parse(n)
		if err != nil {
			t.Fatalf("Normalize(%q, %q) = %q, which does not parse: %v", raw, base, n, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("Normalize(%q) = %q: scheme %q", raw, n, u.Scheme)
		}
		if u.Fragment != "" {
			t.Fatalf("Normalize(%q) = %q kept a fragment", raw, n)
		}
		again, err := Normalize(n, "")
		if err != nil || again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", raw, n, again, err)
		}
	})
}

// FuzzParseSitemap checks that the parser never panics and only returns
// non-empty, trimmed entries.
func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.x/</loc></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://e.x/s.xml</loc></sitemap></sitemapindex>`))
	f.Add([]byte("https://e.x/1\nhttps://e.x/2"))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		sm, err := ParseSitemap(body)
		if err != nil {
			return
		}
		for _, s := range append(sm.URLs, sm.Sitemaps...) {
			if s == "" || strings.TrimSpace(s) != s {
				t.Fatalf("entry %q is empty or untrimmed", s)
			}
		}
	})
}
