package filterlist

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
)

const testList = `[Adblock Plus 2.0]
! Title: trackscan test list
||tracker.example^
||cdn.example/ads/*$script
/pixel.gif?$image,third-party
|https://start.example/only-at-start
banner-frame.html|
&utm_beacon=
||social.example^$~third-party
||frames.example^$subdocument
||beacons.example^$ping,xmlhttprequest
||styles.example^$stylesheet,font,media,other
||notscript.example^$~script
||scoped.example^$domain=news.example|~sports.news.example
||neg-only.example^$domain=~home.example
@@||tracker.example/allowed/*
@@||cdn.example/ads/ok.js$script
||vip.example^$important
@@||vip.example^
/CaseSensitive/$match-case
/^https?:\/\/re\.example\/[a-z]+\/collect/
example.org##.ad-banner
example.org#@#.ad-banner
||popup.example^$popup
||csp.example^$csp=script-src 'none'
||redirect.example^$redirect=noopjs,script
*$third-party,domain=wild.example
`

func TestABPMatching(t *testing.T) {
	l, warns := ParseABP("test.txt", []byte(testList))
	if len(warns) != 1 || !strings.Contains(warns[0], "skipped 3 rules") || !strings.Contains(warns[0], "csp") ||
		!strings.Contains(warns[0], "popup") || !strings.Contains(warns[0], "redirect") {
		t.Fatalf("warnings = %q, want one counting 3 rules with csp, popup, redirect", warns)
	}
	tests := []struct {
		name, url, page, typ string
		want                 string // rule text, "" for no match
	}{
		{"host anchor", "https://tracker.example/x.js", "https://site.example/", "script", "||tracker.example^"},
		{"host anchor subdomain", "https://a.b.tracker.example/x", "", "", "||tracker.example^"},
		{"host anchor label boundary", "https://nottracker.example/x", "", "", ""},
		{"host anchor not a suffix", "https://tracker.example.org/x", "", "", ""},
		{"exception by path", "https://tracker.example/allowed/1.js", "", "", ""},
		{"path part and wildcard", "https://cdn.example/ads/banner.js", "https://site.example/", "script", "||cdn.example/ads/*$script"},
		{"type mismatch", "https://cdn.example/ads/banner.js", "https://site.example/", "image", ""},
		{"exception with type", "https://cdn.example/ads/ok.js", "https://site.example/", "script", ""},
		{"third-party image", "https://img.example/t/pixel.gif?id=1", "https://site.example/", "image", "/pixel.gif?$image,third-party"},
		{"third-party: first party is skipped", "https://img.site.example/pixel.gif?id=1", "https://www.site.example/", "image", ""},
		{"start anchor", "https://start.example/only-at-start/x", "", "", "|https://start.example/only-at-start"},
		{"start anchor elsewhere", "https://other.example/?u=https://start.example/only-at-start", "", "", ""},
		{"end anchor", "https://x.example/banner-frame.html", "", "", "banner-frame.html|"},
		{"end anchor not at end", "https://x.example/banner-frame.html?x=1", "", "", ""},
		{"separator-free substring", "https://x.example/p?a=1&utm_beacon=2", "", "", "&utm_beacon="},
		{"~third-party on first party", "https://social.example/w.js", "https://www.social.example/", "script", "||social.example^$~third-party"},
		{"~third-party on third party", "https://social.example/w.js", "https://site.example/", "script", ""},
		{"subdocument", "https://frames.example/f.html", "https://site.example/", "sub_frame", "||frames.example^$subdocument"},
		{"subdocument from CDP type", "https://frames.example/f.html", "https://site.example/", "Document", ""},
		{"ping", "https://beacons.example/b", "https://site.example/", "Ping", "||beacons.example^$ping,xmlhttprequest"},
		{"xhr from CDP Fetch", "https://beacons.example/b", "https://site.example/", "Fetch", "||beacons.example^$ping,xmlhttprequest"},
		{"stylesheet", "https://styles.example/a.css", "", "Stylesheet", "||styles.example^$stylesheet,font,media,other"},
		{"font", "https://styles.example/a.woff2", "", "Font", "||styles.example^$stylesheet,font,media,other"},
		{"media", "https://styles.example/a.mp4", "", "Media", "||styles.example^$stylesheet,font,media,other"},
		{"other", "https://styles.example/a.json", "", "Manifest", "||styles.example^$stylesheet,font,media,other"},
		{"stylesheet rule vs script", "https://styles.example/a.js", "", "Script", ""},
		{"negated type matches others", "https://notscript.example/a.png", "", "Image", "||notscript.example^$~script"},
		{"negated type", "https://notscript.example/a.js", "", "Script", ""},
		{"domain option", "https://scoped.example/x", "https://www.news.example/a", "", "||scoped.example^$domain=news.example|~sports.news.example"},
		{"domain option excluded subdomain", "https://scoped.example/x", "https://sports.news.example/a", "", ""},
		{"domain option other site", "https://scoped.example/x", "https://blog.example/", "", ""},
		{"domain option unknown page", "https://scoped.example/x", "", "", ""},
		{"only negated domains, other page", "https://neg-only.example/x", "https://else.example/", "", "||neg-only.example^$domain=~home.example"},
		{"only negated domains, that page", "https://neg-only.example/x", "https://home.example/", "", ""},
		{"important beats exception", "https://vip.example/x", "", "", "||vip.example^$important"},
		{"match-case", "https://x.example/CaseSensitive/a", "", "", "/CaseSensitive/$match-case"},
		{"match-case differs", "https://x.example/casesensitive/a", "", "", ""},
		{"regexp rule", "https://re.example/abc/collect?x", "", "", `/^https?:\/\/re\.example\/[a-z]+\/collect/`},
		{"regexp rule no match", "https://re.example/123/collect", "", "", ""},
		{"cosmetic rules ignored", "https://example.org/.ad-banner", "", "", ""},
		{"popup rule skipped", "https://popup.example/", "", "", ""},
		{"wildcard with options", "https://any.example/x", "https://wild.example/", "", "*$third-party,domain=wild.example"},
		{"upper-case URL", "HTTPS://TRACKER.EXAMPLE/X", "", "", "||tracker.example^"},
		{"no host", "not a url", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := l.MatchRequest(tt.url, tt.page, tt.typ)
			if tt.want == "" {
				if ok {
					t.Fatalf("matched %q, want no match", m.Source)
				}
				return
			}
			if !ok {
				t.Fatalf("no match, want %q", tt.want)
			}
			if !strings.HasSuffix(m.Source, " "+tt.want) || !strings.HasPrefix(m.Source, "test.txt:") {
				t.Errorf("source = %q, want test.txt:<line> %s", m.Source, tt.want)
			}
			if m.Vendor == nil || m.Vendor.ID != capture.Site(hostOf(tt.url)) {
				t.Errorf("vendor = %+v, want the request's site", m.Vendor)
			}
		})
	}
}

func TestABPSourceLine(t *testing.T) {
	l, _ := ParseABP("easyprivacy.txt", []byte("! comment\n\n||hotjar.com^\n"))
	m, ok := l.MatchRequest("https://static.hotjar.com/c/hotjar-1.js", "https://shop.example/", "script")
	if !ok || m.Source != "easyprivacy.txt:3 ||hotjar.com^" {
		t.Fatalf("got %q %v, want easyprivacy.txt:3 ||hotjar.com^", m.Source, ok)
	}
	if m.Category != "analytics" {
		t.Errorf("category = %q, want analytics for a privacy list", m.Category)
	}
}

func TestABPMatch(t *testing.T) {
	tests := []struct {
		p, s  string
		whole bool
		want  bool
	}{
		{"abc", "abcdef", false, true},
		{"abc", "abcdef", true, false},
		{"a*f", "abcdef", true, true},
		{"a^", "a/b", false, true},
		{"a^", "a", false, true},
		{"a^", "a.b", false, false},
		{"a^b", "a?b", true, true},
		{"*", "", true, true},
		{"a*^", "abc", true, true},
		{"x", "", false, false},
	}
	for _, tt := range tests {
		if got := abpMatch(tt.p, tt.s, tt.whole); got != tt.want {
			t.Errorf("abpMatch(%q, %q, %v) = %v, want %v", tt.p, tt.s, tt.whole, got, tt.want)
		}
	}
}

func FuzzParseFilterList(f *testing.F) {
	f.Add([]byte(testList), "https://tracker.example/x", "https://site.example/", "script")
	f.Add([]byte("||a.b^$domain=|~,third-party\n@@|x*^|\n/[/\n$$$\n"), "http://a.b:8/", "", "")
	f.Fuzz(func(t *testing.T, list []byte, u, page, typ string) {
		l, _ := ParseABP("fuzz.txt", list)
		if m, ok := l.MatchRequest(u, page, typ); ok && (m.Vendor == nil || !strings.HasPrefix(m.Source, "fuzz.txt:")) {
			t.Fatalf("bad match %+v", m)
		}
	})
}
