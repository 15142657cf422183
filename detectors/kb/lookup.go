package kb

import (
	"strings"
)

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

func baseMatch(v *Vendor, c Category) Match {
	if c == "" {
		c = v.Category
	}
	return Match{Vendor: v, Category: c, Source: SourceBase}
}

// MatchHost finds the vendor of a hostname (suffix match on labels).
func (k *KB) MatchHost(host string) (Match, bool) {
	if v := k.matchHostPath(normHost(host), "", false); v != nil {
		return baseMatch(v, ""), true
	}
	return Match{}, false
}

// matchHostPath walks host from the longest label suffix to the shortest.
// At each level a claim limited to matching paths wins over a whole-host
// claim (googletagmanager.com/gtag/js is Google Analytics, the rest of the
// host is Google Tag Manager).
func (k *KB) matchHostPath(host, pathQuery string, withPath bool) *Vendor {
	for h := host; h != ""; {
		for _, e := range k.hosts[h] {
			if e.path == "" {
				return e.v
			}
			if withPath && globMatch(e.path, pathQuery) {
				return e.v
			}
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return nil
}

// MatchURL finds the vendor of a URL by host and URL patterns. Script
// patterns without a host (a self-hosted Matomo's /matomo.js) are tried
// when the host is unknown.
func (k *KB) MatchURL(rawURL string) (Match, bool) {
	host, pq, ok := splitURL(rawURL)
	if !ok {
		return Match{}, false
	}
	if v := k.matchHostPath(host, pq, true); v != nil {
		return baseMatch(v, ""), true
	}
	if v := k.anyHost.match(pq); v != nil {
		return baseMatch(v, ""), true
	}
	return Match{}, false
}

func (p *pathIndex) match(pq string) *Vendor {
	pathOnly := pq
	if i := strings.IndexAny(pathOnly, "?#"); i >= 0 {
		pathOnly = pathOnly[:i]
	}
	last := pathOnly[strings.LastIndexByte(pathOnly, '/')+1:]
	for _, e := range p.byLast[last] {
		if globMatch(e.path, pathOnly) || globMatch(e.path, pq) {
			return e.v
		}
	}
	for _, e := range p.rest {
		if globMatch(e.path, pq) {
			return e.v
		}
	}
	return nil
}

// splitURL returns the lower-case host and the path with its query of an
// absolute http(s) URL (or a scheme-relative one) without allocating for
// the common case. Hosts without a scheme ("example.com/x") are accepted.
func splitURL(raw string) (host, pathQuery string, ok bool) {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else {
		s = strings.TrimPrefix(s, "//")
	}
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		host, pathQuery = s, "/"
	} else {
		host, pathQuery = s[:end], s[end:]
		if pathQuery[0] != '/' {
			pathQuery = "/" + pathQuery
		}
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if strings.HasPrefix(host, "[") { // IPv6 literal
		if j := strings.IndexByte(host, ']'); j > 0 {
			host = host[1:j]
		}
	} else if c := strings.LastIndexByte(host, ':'); c >= 0 {
		host = host[:c]
	}
	if host == "" {
		return "", "", false
	}
	if hasUpper(host) || strings.HasSuffix(host, ".") {
		host = normHost(host)
	}
	if i := strings.IndexByte(pathQuery, '#'); i >= 0 {
		pathQuery = pathQuery[:i]
	}
	return host, pathQuery, true
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
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
// breaks ties between vendors that use the same name. The category is the
// cookie's own, so a vendor's load-balancer cookie stays essential.
func (k *KB) MatchCookie(name, domain string) (Match, bool) {
	return k.pick(k.cookies.candidates(name), domain)
}

// MatchStorageKey finds the vendor of a localStorage/sessionStorage key.
func (k *KB) MatchStorageKey(key string) (Match, bool) {
	return k.pick(k.storage.candidates(key), "")
}

// pick chooses among vendors claiming the same name: the one whose domain
// the cookie was set on, else the first (vendors are in id order).
func (k *KB) pick(es []nameEntry, domain string) (Match, bool) {
	if len(es) == 0 {
		return Match{}, false
	}
	if len(es) > 1 && domain != "" {
		if v := k.matchHostPath(normHost(strings.TrimPrefix(domain, ".")), "", false); v != nil {
			for _, e := range es {
				if e.v == v {
					return baseMatch(e.v, e.cat), true
				}
			}
		}
	}
	return baseMatch(es[0].v, es[0].cat), true
}
