package frontier

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func BenchmarkNormalize(b *testing.B) {
	raw := "HTTPS://WWW.Example.COM:443/shop/../catalogue//item/?utm_source=news&b=2&a=1&fbclid=xyz#reviews"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Normalize(raw, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSitemap(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 10000 {
		fmt.Fprintf(&sb, "<url><loc>https://www.example.com/p/%d</loc><lastmod>2026-11-01</lastmod></url>\n", i)
	}
	sb.WriteString("</urlset>")
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		sm, err := ParseSitemap(body)
		if err != nil || len(sm.URLs) != 10000 {
			b.Fatal(err, len(sm.URLs))
		}
	}
}

// BenchmarkCrawl1000 hands out 1000 pages of a synthetic site whose pages
// each link to 50 others (most of them already known), robots ignored.
func BenchmarkCrawl1000(b *testing.B) {
	links := func(n int) []string {
		out := make([]string, 50)
		for i := range out {
			out[i] = fmt.Sprintf("/p/%d?utm_source=x#top", (n*7+i*13)%5000)
		}
		return out
	}
	b.ReportAllocs()
	for b.Loop() {
		f, err := New(Config{Seeds: []string{"https://www.example.com/"}, IgnoreRobots: true, NoSitemaps: true, MaxPages: 1000, TrapVariants: 1 << 20})
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			u, d, ok := f.Next()
			if !ok {
				break
			}
			f.AddLinks(u, d, links(n))
			n++
		}
		if n != 1000 {
			b.Fatalf("crawled %d pages", n)
		}
	}
}
