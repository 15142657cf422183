// Package filterlist reads the tracker lists a user supplies at run time:
// Adblock Plus filter lists (EasyPrivacy, EasyList), DuckDuckGo's tds.json
// and Disconnect's services.json. Their licences forbid embedding them, so
// trackscan never ships them; each loads into a kb.ListMatcher consulted
// after the embedded knowledge base.
package filterlist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/trackscan/trackscan/detectors/kb"
	"golang.org/x/net/publicsuffix"
)

// Load reads a list file and detects its format from the content: a JSON
// object with "trackers" is a tds.json, one with "categories" a Disconnect
// services.json, anything else Adblock Plus filter syntax. Warnings are
// things the user should know (rules skipped) but that do not stop a scan.
func Load(path string) (kb.ListMatcher, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return Parse(filepath.Base(path), b)
}

// Parse is Load on bytes already read; name is used in match sources.
func Parse(name string, b []byte) (kb.ListMatcher, []string, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &top); err != nil {
			return nil, nil, fmt.Errorf("%s: not valid JSON: %v", name, err)
		}
		switch {
		case top["trackers"] != nil:
			return ParseTDS(name, trimmed)
		case top["categories"] != nil:
			m, err := ParseDisconnect(name, trimmed)
			return m, nil, err
		}
		return nil, nil, fmt.Errorf("%s: JSON list is neither a tds.json (no \"trackers\") nor a services.json (no \"categories\")", name)
	}
	m, warns := ParseABP(name, trimmed)
	if m.rules == 0 {
		return nil, warns, fmt.Errorf("%s: no network rules found", name)
	}
	return m, warns, nil
}

// siteOf returns the registrable domain (eTLD+1) of host, or host itself
// when it has none (an IP address, localhost).
func siteOf(host string) string {
	if s, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return s
	}
	return host
}

// vendorCache hands out one synthetic vendor per (list, site) so matches do
// not allocate a vendor each time.
type vendorCache struct {
	m   sync.Map // site -> *kb.Vendor
	cat kb.Category
}

func (c *vendorCache) get(site string) *kb.Vendor {
	if v, ok := c.m.Load(site); ok {
		return v.(*kb.Vendor)
	}
	v, _ := c.m.LoadOrStore(site, &kb.Vendor{ID: site, Name: site, Category: c.cat, Domains: []string{site}})
	return v.(*kb.Vendor)
}

// hostOf returns the lower-case host of a URL without allocating in the
// common case, or "" when there is none.
func hostOf(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	s := u[i+3:]
	if j := strings.IndexAny(s, "/?#"); j >= 0 {
		s = s[:j]
	}
	if j := strings.LastIndexByte(s, '@'); j >= 0 {
		s = s[j+1:]
	}
	if strings.HasPrefix(s, "[") {
		if j := strings.IndexByte(s, ']'); j > 0 {
			return s[1:j]
		}
	}
	if j := strings.LastIndexByte(s, ':'); j >= 0 {
		s = s[:j]
	}
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// hostUnder reports whether host is domain or one of its subdomains.
func hostUnder(host, domain string) bool {
	return host == domain || (len(host) > len(domain) && strings.HasSuffix(host, domain) && host[len(host)-len(domain)-1] == '.')
}
