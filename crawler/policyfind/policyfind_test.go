package policyfind

import (
	"reflect"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
)

func page(u string, anchors ...capture.Anchor) capture.Page {
	return capture.Page{URL: u, FinalURL: u, Anchors: anchors}
}

func a(href, text string, footer bool) capture.Anchor {
	return capture.Anchor{Href: href, Text: text, Footer: footer, Tag: "a"}
}

// TestJudgeLanguages: link texts, labels, titles and URLs that name a
// policy, in seven languages, and what is not a policy.
func TestJudgeLanguages(t *testing.T) {
	const base = "https://shop.example/"
	tests := []struct {
		name   string
		anchor capture.Anchor
		kind   Kind // "" = not a candidate
		url    string
	}{
		{"en privacy policy", a("/legal/privacy", "Privacy Policy", false), Privacy, "https://shop.example/legal/privacy"},
		{"en privacy notice", a("/notice", "Our privacy notice", false), Privacy, ""},
		{"en cookie policy", a("/cookies", "Cookie Policy", false), Cookies, ""},
		{"en data protection notice", a("/dp", "Data protection notice", false), Privacy, ""},
		{"de Datenschutzerklärung", a("/datenschutz", "Datenschutzerklärung", false), Privacy, ""},
		{"de Datenschutz", a("/ds", "Datenschutz", false), Privacy, ""},
		{"de Cookie-Richtlinie", a("/cr", "Cookie-Richtlinie", false), Cookies, ""},
		{"de capitalised", a("/ds", "DATENSCHUTZHINWEISE", false), Privacy, ""},
		{"fr politique de confidentialité", a("/pc", "Politique de confidentialité", false), Privacy, ""},
		{"fr politique cookies", a("/pk", "Politique relative aux cookies", false), Cookies, ""},
		{"fr données personnelles", a("/dp", "Données personnelles", false), Privacy, ""},
		{"es política de privacidad", a("/pp", "Política de privacidad", false), Privacy, ""},
		{"es política de cookies", a("/pk", "Política de cookies", false), Cookies, ""},
		{"it informativa privacy", a("/ip", "Informativa sulla privacy", false), Privacy, ""},
		{"it informativa cookie", a("/ic", "Informativa cookie", false), Cookies, ""},
		{"nl privacyverklaring", a("/pv", "Privacyverklaring", false), Privacy, ""},
		{"nl cookiebeleid", a("/cb", "Cookiebeleid", false), Cookies, ""},
		{"pt política de privacidade", a("/pp", "Política de Privacidade", false), Privacy, ""},
		{"aria-label only", capture.Anchor{Href: "/p", Label: "Privacy policy", Tag: "a"}, Privacy, ""},
		{"title only", capture.Anchor{Href: "/p", Title: "Datenschutzerklärung", Tag: "a"}, Privacy, ""},
		{"URL only", a("/de/datenschutzerklaerung.html", "Rechtliches", false), Privacy, "https://shop.example/de/datenschutzerklaerung.html"},
		{"rel privacy-policy", capture.Anchor{Href: "/p", Rel: "privacy-policy", Tag: "link"}, Privacy, ""},
		{"another domain", a("https://group.example/privacy", "Privacy policy", true), Privacy, "https://group.example/privacy"},
		{"fragment kept off", a("/privacy#cookies", "Privacy policy", false), Privacy, "https://shop.example/privacy"},
		// Not documents.
		{"cookie settings", a("#", "Cookie settings", true), "", ""},
		{"privacy settings page", a("/account/privacy-settings", "Privacy settings", false), "", ""},
		{"Cookie-Einstellungen", a("javascript:void(0)", "Cookie-Einstellungen", true), "", ""},
		{"do not sell", a("/ccpa", "Do Not Sell My Personal Information", true), "", ""},
		{"mailto", a("mailto:privacy@shop.example", "Privacy policy", false), "", ""},
		{"unrelated", a("/about", "About us", true), "", ""},
		{"same page banner", a("https://shop.example/#privacy", "Privacy", false), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := judge(tt.anchor, base)
			if tt.kind == "" {
				if ok {
					t.Fatalf("read as %+v, want no candidate", c)
				}
				return
			}
			if !ok || c.Kind != tt.kind {
				t.Fatalf("got %+v (ok %v), want kind %s", c, ok, tt.kind)
			}
			if tt.url != "" && c.URL != tt.url {
				t.Errorf("url %s, want %s", c.URL, tt.url)
			}
		})
	}
}

// TestFindPrefersFooterRelAndSiteWide: the footer link beats a link in an
// article, rel beats everything, a link on several pages beats one on one.
func TestFindPrefersFooterRelAndSiteWide(t *testing.T) {
	pages := []capture.Page{
		page("https://shop.example/",
			a("/blog/why-privacy-matters", "Privacy", false),
			a("/legal/privacy", "Privacy", true),
			a("/legal/cookies", "Cookie policy", true),
			a("#", "Cookie settings", true)),
		page("https://shop.example/cart",
			a("/legal/privacy", "Privacy", true),
			a("https://cdn.cmp.example/declaration/123", "Cookie declaration", false)),
	}
	got := Find(pages)
	var urls []string
	for _, c := range got {
		urls = append(urls, string(c.Kind)+" "+string(c.How)+" "+c.URL)
	}
	want := []string{
		"privacy footer https://shop.example/legal/privacy",
		"privacy link https://shop.example/blog/why-privacy-matters",
		"cookies footer https://shop.example/legal/cookies",
		"cookies link https://cdn.cmp.example/declaration/123",
	}
	if !reflect.DeepEqual(urls, want) {
		t.Fatalf("Find =\n%q\nwant\n%q", urls, want)
	}
	picked, fallbacks := Pick(got)
	if len(picked) != 2 || picked[0].URL != "https://shop.example/legal/privacy" || picked[1].URL != "https://shop.example/legal/cookies" {
		t.Errorf("Pick = %+v", picked)
	}
	if len(fallbacks) != 2 {
		t.Errorf("fallbacks = %+v", fallbacks)
	}

	withRel := append(pages, page("https://shop.example/about",
		capture.Anchor{Href: "https://shop.example/p/privacy-notice", Rel: "privacy-policy", Tag: "link"}))
	if c := Find(withRel)[0]; c.How != HowRel || c.URL != "https://shop.example/p/privacy-notice" {
		t.Errorf("rel not first: %+v", c)
	}
}

func TestFindNothing(t *testing.T) {
	if got := Find([]capture.Page{page("https://shop.example/", a("/about", "About", true))}); len(got) != 0 {
		t.Errorf("Find = %+v, want none", got)
	}
	wk := WellKnown("https://shop.example/some/page?x=1")
	if len(wk) == 0 || wk[0].URL != "https://shop.example/privacy" || wk[0].How != HowWellKnown {
		t.Errorf("WellKnown = %+v", wk)
	}
	if WellKnown("file:///tmp/x") != nil {
		t.Error("WellKnown of a file URL")
	}
}

func FuzzFind(f *testing.F) {
	f.Add("/datenschutz", "Datenschutzerklärung", "", "", false)
	f.Add("https://x.example/privacy#a", "Privacy policy", "Privacy", "privacy-policy", true)
	f.Add("%zz", "\xff\xfe", "", "", true)
	f.Fuzz(func(t *testing.T, href, text, label, rel string, footer bool) {
		got := Find([]capture.Page{page("https://shop.example/", capture.Anchor{Href: href, Text: text, Label: label, Rel: rel, Footer: footer, Tag: "a"})})
		for _, c := range got {
			if c.URL == "" || (c.Kind != Privacy && c.Kind != Cookies) {
				t.Fatalf("bad candidate %+v", c)
			}
		}
	})
}
