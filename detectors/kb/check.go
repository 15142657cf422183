package kb

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	idRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	hostRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

// Lookup answers what an input is: "cookie:NAME[;domain=D]" and
// "storage:KEY" say so explicitly; otherwise a URL, a host or a cookie
// name is guessed from its shape (a host that is unknown is retried as a
// cookie name, since names like "_ga.x" look like hosts).
func (k *KB) Lookup(input string) (Match, bool) {
	in := strings.TrimSpace(input)
	switch {
	case strings.HasPrefix(in, "cookie:"):
		name, domain, _ := strings.Cut(strings.TrimPrefix(in, "cookie:"), ";domain=")
		return k.MatchCookie(name, domain)
	case strings.HasPrefix(in, "storage:"):
		return k.MatchStorageKey(strings.TrimPrefix(in, "storage:"))
	case strings.Contains(in, "://") || strings.HasPrefix(in, "//"):
		return k.MatchURL(in)
	case hostRe.MatchString(strings.ToLower(in)):
		if m, ok := k.MatchHost(in); ok {
			return m, true
		}
	case strings.Contains(in, ".") && strings.Contains(in, "/") && !strings.HasPrefix(in, "/"):
		return k.MatchURL(in)
	}
	if m, ok := k.MatchCookie(in, ""); ok {
		return m, true
	}
	return k.MatchStorageKey(in)
}

// claimants lists every vendor that could claim a sample at the level that
// decides it, so Check can tell "matches only its vendor" from "wins a tie".
func (k *KB) claimants(sample string) []*Vendor {
	var es []nameEntry
	switch {
	case strings.HasPrefix(sample, "cookie:"):
		name, domain, _ := strings.Cut(strings.TrimPrefix(sample, "cookie:"), ";domain=")
		if domain != "" {
			if m, ok := k.MatchCookie(name, domain); ok {
				return []*Vendor{m.Vendor}
			}
			return nil
		}
		es = k.cookies.candidates(name)
	case strings.HasPrefix(sample, "storage:"):
		es = k.storage.candidates(strings.TrimPrefix(sample, "storage:"))
	default:
		if m, ok := k.Lookup(sample); ok {
			return []*Vendor{m.Vendor}
		}
		return nil
	}
	seen := map[*Vendor]bool{}
	var out []*Vendor
	for _, e := range es {
		if !seen[e.v] {
			seen[e.v] = true
			out = append(out, e.v)
		}
	}
	return out
}

// Check validates the knowledge base and returns one line per problem,
// sorted: unique ids, known categories, well-formed hosts and patterns,
// two samples per vendor at least, every positive sample resolving to its
// vendor and only to it, no negative sample resolving to it.
func (k *KB) Check() []string {
	var probs []string
	bad := func(v *Vendor, format string, args ...any) {
		where := v.ID
		if f := k.origin[v.ID]; f != "" {
			where = f + ": " + v.ID
		}
		probs = append(probs, where+": "+fmt.Sprintf(format, args...))
	}
	validCat := map[Category]bool{}
	for _, c := range Categories {
		validCat[c] = true
	}
	bareOwner := map[string]string{}
	for _, v := range k.vendors {
		if !idRe.MatchString(v.ID) {
			bad(v, "id must be lower-case words joined by '-'")
		}
		if strings.TrimSpace(v.Name) == "" {
			bad(v, "has no name")
		}
		if !validCat[v.Category] {
			bad(v, "unknown category %q", v.Category)
		}
		for _, c := range v.Categories {
			if !validCat[c] {
				bad(v, "unknown category %q in categories", c)
			}
		}
		for _, d := range v.Domains {
			h := normHost(d)
			if !hostRe.MatchString(h) {
				bad(v, "domain %q is not a host name", d)
				continue
			}
			if other, ok := bareOwner[h]; ok && other != v.ID {
				bad(v, "domain %q is also claimed by %s", h, other)
			}
			bareOwner[h] = v.ID
		}
		for _, s := range v.Scripts {
			host, p := splitPattern(s)
			if host != "" && !hostRe.MatchString(host) {
				bad(v, "script pattern %q: host part is not a host name", s)
			}
			if !strings.HasPrefix(p, "/") {
				bad(v, "script pattern %q needs a path starting with '/'", s)
			}
		}
		for _, c := range v.Cookies {
			if c.Category != "" && !validCat[c.Category] {
				bad(v, "cookie %q: unknown category %q", c.Name, c.Category)
			}
		}
		if v.Samples == nil || len(v.Samples.Match) == 0 {
			bad(v, "needs at least one sample that must match it")
		}
		if v.Samples == nil || len(v.Samples.NoMatch) == 0 {
			bad(v, "needs at least one sample that must not match it")
		}
		if v.Samples == nil {
			continue
		}
		for _, s := range v.Samples.Match {
			cl := k.claimants(s)
			switch {
			case len(cl) == 0:
				bad(v, "sample %q matches no vendor", s)
			case cl[0] != v:
				bad(v, "sample %q matches %s instead", s, cl[0].ID)
			case len(cl) > 1:
				ids := make([]string, 0, len(cl)-1)
				for _, o := range cl[1:] {
					ids = append(ids, o.ID)
				}
				bad(v, "sample %q also matches %s", s, strings.Join(ids, ", "))
			}
		}
		for _, s := range v.Samples.NoMatch {
			for _, o := range k.claimants(s) {
				if o == v {
					bad(v, "negative sample %q matches it", s)
				}
			}
		}
	}
	sort.Strings(probs)
	return probs
}
