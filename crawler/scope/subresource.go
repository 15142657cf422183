package scope

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// privatePrefixes are URL host prefixes under which every private IPv4
// literal, the IPv6 literals and localhost fall, as the browser writes them
// (Chromium canonicalizes 0x7f.1 and 2130706433 to 127.0.0.1). They are
// wider than the ranges: a matched request is only paused, and CheckAddress
// decides; a request no prefix matches is never paused.
var privatePrefixes = func() []string {
	p := []string{"0.", "10.", "100.", "127.", "169.254.", "172.", "192.0.0.", "192.168.", "198.18.", "198.19.", "["}
	for first := 224; first <= 255; first++ {
		p = append(p, strconv.Itoa(first)+".")
	}
	return p
}()

// hostChars are the characters an IP literal's host may continue with.
const hostChars = "0123456789abcdef.:]"

// SubresourcePatterns are URL wildcard patterns (Chromium's Fetch domain:
// * any string, ? one character) that match every request URL whose host
// may be a private address that is not a target's: IP literals in the
// private ranges, localhost, and names --resolve maps to such an address.
// A target's own address is left out of them, so scanning a staging
// server on 10.0.0.5 pauses none of its requests. Nil with --allow-private.
func (s *Scope) SubresourcePatterns() []string {
	if s.allowPrivate {
		return nil
	}
	s.mu.Lock()
	var except []string
	for ip := range s.targetIPs {
		if ip.Is6() {
			except = append(except, "["+ip.String()+"]")
		} else {
			except = append(except, ip.String())
		}
	}
	loopbackIsTarget := s.targetIPs[netip.AddrFrom4([4]byte{127, 0, 0, 1})]
	s.mu.Unlock()
	slices.Sort(except)
	var hosts []string
	for _, prefix := range privatePrefixes {
		hosts = append(hosts, globsExcept(prefix, except)...)
	}
	if !loopbackIsTarget {
		hosts = append(hosts, "localhost", "*.localhost")
	}
	for _, r := range s.rules {
		if r.Exclude || strings.ContainsAny(r.Host, "[]") {
			continue
		}
		host := r.Target
		if h, _, err := net.SplitHostPort(r.Target); err == nil {
			host = h
		}
		ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
		if err != nil || !IsPrivate(ip) || s.isTargetIP(ip.Unmap()) {
			continue
		}
		if _, err := netip.ParseAddr(r.Host); err == nil {
			continue // an IP literal is judged as written, above
		}
		hosts = append(hosts, r.Host)
	}
	var out []string
	for _, h := range hosts {
		// The host ends the authority: a port, a path, a query or the end.
		out = append(out, "*://"+h+"*", "*://*@"+h+"*")
	}
	return out
}

// globsExcept returns host patterns that match every host beginning with
// prefix except the hosts in except (each followed by a port, a path or the
// end of the URL): the patterns branch, character by character, away from
// each excepted host.
func globsExcept(prefix string, except []string) []string {
	var mine []string
	for _, e := range except {
		if strings.HasPrefix(e, prefix) {
			mine = append(mine, e)
		}
	}
	if len(mine) == 0 {
		return []string{prefix}
	}
	var out []string
	var walk func(p string)
	walk = func(p string) {
		var next []byte
		ends := false
		for _, e := range mine {
			switch {
			case e == p:
				ends = true
			case strings.HasPrefix(e, p):
				next = append(next, e[len(p)])
			}
		}
		for i := range len(hostChars) {
			c := hostChars[i]
			switch {
			case slices.Contains(next, c):
				walk(p + string(c))
			case ends && (c == ':' || c == ']'):
				// The excepted host ends here; a port may follow.
			default:
				out = append(out, p+string(c))
			}
		}
	}
	walk(prefix)
	return out
}

// lookupTimeout bounds the DNS lookup of a document's host: the browser
// would wait for the same answer.
const lookupTimeout = 3 * time.Second

// CheckLookup refuses a document URL whose host name DNS resolves to a
// private address that is not a target's, asking the system resolver once
// per host (the answer is kept for the scan). IP literals, localhost and
// names --resolve maps are judged by CheckAddress without DNS; a lookup
// that fails lets the browser try (it will fail the same way).
func (s *Scope) CheckLookup(ctx context.Context, u *url.URL) error {
	if s.allowPrivate || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	if _, known := s.addressOf(u); known {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	s.mu.Lock()
	ips, seen := s.lookups[host]
	s.mu.Unlock()
	if !seen {
		lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		ips, _ = s.lookup(lctx, host)
		cancel()
		s.mu.Lock()
		s.lookups[host] = ips
		s.mu.Unlock()
	}
	for _, ip := range ips {
		if err := s.CheckDial(host, ip); err != nil {
			return &Refusal{URL: display(u), Reason: ReasonPrivate, Detail: describe(ip) + " (the host's DNS answer)"}
		}
	}
	return nil
}

// CheckRemote judges the address the browser reached for a request's host
// (Network.responseReceived's remoteIPAddress). It is the one check of a
// subresource host name the browser resolved itself, so it comes after
// the request was sent; a refused host is remembered (RefusedHost) and its
// later requests are refused before they leave.
func (s *Scope) CheckRemote(u *url.URL, remote string) error {
	ip, err := netip.ParseAddr(strings.Trim(remote, "[]"))
	if err != nil || s.allowPrivate {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if err := s.CheckDial(host, ip); err != nil {
		s.mu.Lock()
		s.refusedHosts[host] = true
		s.mu.Unlock()
		return &Refusal{URL: display(u), Reason: ReasonPrivate, Detail: describe(ip) + " (reached through the browser's DNS answer; later requests to the host refused)"}
	}
	return nil
}

// RefusedHost says whether CheckRemote refused host.
func (s *Scope) RefusedHost(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusedHosts[strings.ToLower(host)]
}

// RefusedHosts are the hosts CheckRemote refused, sorted.
func (s *Scope) RefusedHosts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.refusedHosts))
	for h := range s.refusedHosts {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

func systemLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}
