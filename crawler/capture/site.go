package capture

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Site is the registrable domain (eTLD+1) of host: what first and third
// party are measured by. IP addresses and single-label names (localhost)
// are their own site; a trailing dot and case do not count.
func Site(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || net.ParseIP(strings.Trim(host, "[]")) != nil || !strings.Contains(host, ".") {
		return host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// HostOf is the lower-case host name of a URL, "" when it has none.
func HostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// SiteOfURL is the Site of a URL's host.
func SiteOfURL(rawURL string) string { return Site(HostOf(rawURL)) }

// HostUnder reports whether host is domain or one of its subdomains. Both
// are compared as given: callers pass lower-case names without a trailing dot.
func HostUnder(host, domain string) bool {
	return host == domain || (len(host) > len(domain) && strings.HasSuffix(host, domain) && host[len(host)-len(domain)-1] == '.')
}
