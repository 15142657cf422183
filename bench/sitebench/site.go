package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// benchHost is the virtual host of the generated site; demosite maps every
// hostname to loopback, so Chromium reaches it under this name.
const benchHost = "bench.example"

// trackerLoad is what every generated page embeds: the demosite's stand-ins
// for real tracker hosts (analytics, session replay, social, fingerprinting),
// a hidden 1x1 pixel and a cross-site video iframe — a typical small shop.
const trackerLoad = `<script async src="https://www.googletagmanager.com/gtag/js?id=G-BENCH1"></script>
<script src="https://static.hotjar.com/c/hotjar-3.js?sv=6"></script>
<script src="https://connect.facebook.net/en_US/fbevents.js"></script>
<img src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1" width="1" height="1" style="display:none" alt="">
<iframe width="320" height="180" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Video" frameborder="0"></iframe>
<p><a href="https://twitter.com/share" class="twitter-share-button">Share</a><script async src="https://platform.twitter.com/widgets.js"></script></p>
<script src="https://fpnpmcdn.net/v3/demo/loader_v3.js"></script>
<script>localStorage.setItem('bench_seen', '1');</script>
`

// site serves an N-page site: page 0 is the home page and links to every
// other page (Blacklight samples its pages from the landing page's links),
// every page links to the next one (trackscan's BFS), and the sitemap lists
// them all in order.
type site struct{ pages int }

// pagePath names page i with letters only ("/shop/page-ab.html"): trackscan's
// frontier treats more than 20 digit-numbered variants of one path shape as a
// crawler trap, and a real site's pages have slugs, not counters.
func pagePath(i int) string {
	if i == 0 {
		return "/"
	}
	return "/shop/page-" + letters(i) + ".html"
}

// letters spells i in base 26 with a..z.
func letters(i int) string {
	var b []byte
	for ; i > 0; i /= 26 {
		b = append([]byte{byte('a' + i%26)}, b...)
	}
	return string(b)
}

func (s site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: http://%s/sitemap.xml\n", benchHost)
		return
	case "/sitemap.xml":
		w.Header().Set("Content-Type", "application/xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for i := 0; i < s.pages; i++ {
			fmt.Fprintf(&b, "<url><loc>http://%s%s</loc></url>\n", benchHost, pagePath(i))
		}
		b.WriteString("</urlset>\n")
		w.Write([]byte(b.String()))
		return
	}
	i, ok := s.index()[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Set-Cookie", "bench_session=s"+strconv.Itoa(i)+"; Path=/; HttpOnly; SameSite=Lax")
	w.Write([]byte(s.page(i)))
}

// index maps every page path to its number.
func (s site) index() map[string]int {
	m := make(map[string]int, s.pages)
	for i := range s.pages {
		m[pagePath(i)] = i
	}
	return m
}

func (s site) page(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bench page %d</title></head><body>\n", i)
	fmt.Fprintf(&b, "<h1>Bench page %d</h1>\n<p>Products, prices and a newsletter form, as on any shop page.</p>\n", i)
	b.WriteString("<nav>")
	if i == 0 {
		for j := 1; j < s.pages; j++ {
			fmt.Fprintf(&b, "<a href=\"%s\">Page %d</a> ", pagePath(j), j)
		}
	} else {
		b.WriteString(`<a href="/">Home</a> `)
		if i+1 < s.pages {
			fmt.Fprintf(&b, "<a href=\"%s\">Next</a>", pagePath(i+1))
		}
	}
	b.WriteString("</nav>\n")
	b.WriteString(trackerLoad)
	b.WriteString("</body></html>\n")
	return b.String()
}
