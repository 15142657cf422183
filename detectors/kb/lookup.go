package kb

import (
	"net/url"
	"strings"
)

// KB is a loaded knowledge base. It is safe for concurrent use.
type KB struct {
	vendors []*Vendor
	byID    map[string]*Vendor
	byHost  map[string]*Vendor
	lists   []ListMatcher
}

// PLACEHOLDER: the knowledge-base owner replaces this with the embedded data.
var seed = []*Vendor{
	{ID: "google-analytics", Name: "Google Analytics", Owner: "Google", Category: Analytics,
		Domains: []string{"google-analytics.com", "googletagmanager.com"},
		Cookies: []Cookie{{Name: "_ga", Category: Analytics, Days: 730}, {Name: "_ga_*", Category: Analytics, Days: 730}}},
	{ID: "facebook", Name: "Facebook", Owner: "Meta", Category: Advertising,
		Domains: []string{"facebook.com", "facebook.net"}, Cookies: []Cookie{{Name: "_fbp", Category: Advertising, Days: 90}}},
	{ID: "youtube", Name: "YouTube", Owner: "Google", Category: Social, Domains: []string{"youtube.com"}},
	{ID: "hotjar", Name: "Hotjar", Owner: "Contentsquare", Category: SessionReplay, Domains: []string{"hotjar.com"}},
}

var defaultKB = build(seed)

// Default returns the embedded knowledge base.
func Default() *KB { return defaultKB }

func build(vs []*Vendor) *KB {
	k := &KB{vendors: vs, byID: map[string]*Vendor{}, byHost: map[string]*Vendor{}}
	for _, v := range vs {
		k.byID[v.ID] = v
		for _, d := range v.Domains {
			k.byHost[d] = v
		}
	}
	return k
}

// WithLists returns a copy of k that also consults user-supplied lists.
func (k *KB) WithLists(lists ...ListMatcher) *KB {
	c := *k
	c.lists = append(append([]ListMatcher(nil), k.lists...), lists...)
	return &c
}

// Vendors returns every vendor, sorted by id.
func (k *KB) Vendors() []*Vendor { return k.vendors }

// Vendor returns the vendor with this id, or nil.
func (k *KB) Vendor(id string) *Vendor { return k.byID[id] }

// MatchHost finds the vendor of a hostname (suffix match on labels).
func (k *KB) MatchHost(host string) (Match, bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for h := host; h != ""; {
		if v := k.byHost[h]; v != nil {
			return Match{Vendor: v, Category: v.Category, Source: "trackscan"}, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return Match{}, false
}

// MatchURL finds the vendor of a URL by host and URL patterns.
func (k *KB) MatchURL(rawURL string) (Match, bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Match{}, false
	}
	return k.MatchHost(u.Hostname())
}

// MatchRequest classifies a request: the embedded base first, then the lists.
func (k *KB) MatchRequest(rawURL, pageURL, resourceType string) (Match, bool) {
	if m, ok := k.MatchURL(rawURL); ok {
		return m, true
	}
	for _, l := range k.lists {
		if m, ok := l.MatchRequest(rawURL, pageURL, resourceType); ok {
			return m, true
		}
	}
	return Match{}, false
}

// MatchCookie finds the vendor and category of a cookie by name; the domain
// breaks ties between vendors that use the same name.
func (k *KB) MatchCookie(name, domain string) (Match, bool) {
	for _, v := range k.vendors {
		for _, c := range v.Cookies {
			if c.Name == name || (strings.HasSuffix(c.Name, "*") && strings.HasPrefix(name, strings.TrimSuffix(c.Name, "*"))) {
				return Match{Vendor: v, Category: c.Category, Source: "trackscan"}, true
			}
		}
	}
	return Match{}, false
}

// MatchStorageKey finds the vendor of a localStorage/sessionStorage key.
func (k *KB) MatchStorageKey(key string) (Match, bool) { return Match{}, false }

// MatchEmailURL finds the ESP and tracking kind of a URL in an email.
func (k *KB) MatchEmailURL(rawURL string) (EmailMatch, bool) { return EmailMatch{}, false }

// MatchEmailHeader finds the ESP named by an email header.
func (k *KB) MatchEmailHeader(name, value string) (Match, bool) { return Match{}, false }
