// Package scope decides which URLs a scan may load as a page or fetch
// itself: the sites of its targets (plus --include patterns), and never a
// private, loopback or link-local address (a cloud metadata service, an
// admin port on the scanning machine) unless a target is itself on one or
// the user allowed private addresses. The browser applies it to every
// main-frame navigation; trackscan's own HTTP client to every redirect hop
// and every address it dials.
package scope

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/resolve"
)

// Reasons a URL is refused.
const (
	ReasonOutOfScope = "out-of-scope"    // another site than the targets', not matched by an include pattern
	ReasonPrivate    = "private-address" // a private, loopback or link-local address
	ReasonScheme     = "scheme"          // not http(s): file:, chrome:, ftp: ...
)

// Refusal is the error of a refused URL.
type Refusal struct {
	URL    string
	Reason string
	Detail string // e.g. "169.254.169.254 is link-local"
}

func (r *Refusal) Error() string {
	if r.Detail == "" {
		return fmt.Sprintf("%s refused: %s", r.URL, r.Reason)
	}
	return fmt.Sprintf("%s refused: %s (%s)", r.URL, r.Reason, r.Detail)
}

// ReasonDetail lets the browser record a refusal without importing this
// package.
func (r *Refusal) ReasonDetail() (reason, detail string) { return r.Reason, r.Detail }

// Config says what a scan's scope is built from.
type Config struct {
	Targets      []string // the URLs the user asked for
	Include      []string // regular expressions on the URL that widen the scope
	Rules        resolve.Rules
	AllowPrivate bool // --allow-private: private addresses are ordinary addresses
}

// Scope is safe for concurrent use.
type Scope struct {
	sites        map[string]bool // registrable domains of the hostname targets
	origins      map[string]bool // host:port of IP-literal targets: another port is another service
	targetHosts  map[string]bool
	include      []*regexp.Regexp
	rules        resolve.Rules
	allowPrivate bool

	mu           sync.Mutex
	targetIPs    map[netip.Addr]bool // private addresses the targets are on
	lookups      map[string][]netip.Addr
	refusedHosts map[string]bool // hosts the browser reached on a private address
	lookup       func(ctx context.Context, host string) ([]netip.Addr, error)
}

// New builds the scope of a scan.
func New(cfg Config) (*Scope, error) {
	s := &Scope{
		sites: map[string]bool{}, origins: map[string]bool{}, targetHosts: map[string]bool{},
		rules: cfg.Rules, allowPrivate: cfg.AllowPrivate, targetIPs: map[netip.Addr]bool{},
		lookups: map[string][]netip.Addr{}, refusedHosts: map[string]bool{}, lookup: systemLookup,
	}
	for _, p := range cfg.Include {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("include pattern %q: %v", p, err)
		}
		s.include = append(s.include, re)
	}
	for _, t := range cfg.Targets {
		u, err := url.Parse(t)
		if err != nil || u.Hostname() == "" {
			return nil, fmt.Errorf("target %q: not a URL with a host", t)
		}
		host := strings.ToLower(u.Hostname())
		s.targetHosts[host] = true
		if _, err := netip.ParseAddr(host); err == nil {
			s.origins[hostPort(u)] = true
		} else {
			s.sites[capture.Site(host)] = true
		}
		if ip, err := netip.ParseAddr(host); err == nil && IsPrivate(ip) {
			s.targetIPs[ip.Unmap()] = true
		}
		if ip, ok := s.addressOf(u); ok && IsPrivate(ip) {
			s.targetIPs[ip] = true
		}
	}
	return s, nil
}

// AllowPrivate says whether private addresses are allowed for every URL.
func (s *Scope) AllowPrivate() bool { return s.allowPrivate }

// Check refuses a URL that is not http(s), not in the scan's scope, or on
// a private address.
func (s *Scope) Check(u *url.URL) error {
	if err := s.CheckAddress(u); err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil // about:blank, data: — nothing leaves the machine
	}
	if !s.InScope(u) {
		return &Refusal{URL: display(u), Reason: ReasonOutOfScope, Detail: "another site than the scan's"}
	}
	return nil
}

// InScope says whether u belongs to the sites of the targets or matches an
// include pattern.
func (s *Scope) InScope(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	if _, err := netip.ParseAddr(host); err == nil {
		if s.origins[hostPort(u)] {
			return true
		}
	} else if s.sites[capture.Site(host)] {
		return true
	}
	raw := u.String()
	for _, re := range s.include {
		if re.MatchString(raw) {
			return true
		}
	}
	return false
}

// CheckAddress refuses a URL that is not http(s) or whose address, as far
// as it can be known without DNS (an IP literal, localhost, or where the
// --resolve rules send the host), is private and not a target's. A
// hostname that public DNS resolves to a private address is caught when
// trackscan's own client dials it (CheckDial); the browser resolves on its own.
func (s *Scope) CheckAddress(u *url.URL) error {
	switch u.Scheme {
	case "http", "https":
	case "about", "data", "blob":
		return nil // no network
	default:
		return &Refusal{URL: display(u), Reason: ReasonScheme, Detail: u.Scheme + ": is not a web page"}
	}
	if s.allowPrivate {
		return nil
	}
	// The IP a URL names is refused even when --resolve sends it elsewhere:
	// 169.254.169.254 is the metadata service wherever a test maps it.
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := s.refusePrivate(u, ip.Unmap()); err != nil {
			return err
		}
	}
	if ip, ok := s.addressOf(u); ok {
		return s.refusePrivate(u, ip)
	}
	return nil
}

func (s *Scope) refusePrivate(u *url.URL, ip netip.Addr) error {
	if !IsPrivate(ip) || s.isTargetIP(ip) {
		return nil
	}
	return &Refusal{URL: display(u), Reason: ReasonPrivate, Detail: describe(ip)}
}

// CheckDial refuses to connect to ip for host (before any byte is sent)
// when ip is private and neither a target's address nor allowed. A target
// host that resolves to a private address makes that address a target's.
func (s *Scope) CheckDial(host string, ip netip.Addr) error {
	ip = ip.Unmap()
	if s.allowPrivate || !IsPrivate(ip) {
		return nil
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.targetHosts[host] {
		s.targetIPs[ip] = true
		return nil
	}
	if s.targetIPs[ip] {
		return nil
	}
	return &Refusal{URL: host, Reason: ReasonPrivate, Detail: describe(ip)}
}

func (s *Scope) isTargetIP(ip netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.targetIPs[ip]
}

// addressOf is the IP a URL's host stands for without asking DNS.
func (s *Scope) addressOf(u *url.URL) (netip.Addr, bool) {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if mapped, ok, err := s.rules.Map(net.JoinHostPort(host, port)); ok && err == nil {
		if h, _, err := net.SplitHostPort(mapped); err == nil {
			host = h
		}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), true
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1}), true
	}
	return netip.Addr{}, false
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// privateNets are the ranges no scan reaches unless asked to. IPv4-mapped
// IPv6 addresses are unmapped before the test.
var privateNets = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local, where cloud metadata services answer"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("fc00::/7"), "unique local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// IsPrivate says whether ip is private, loopback, link-local or otherwise
// not a public web server's address.
func IsPrivate(ip netip.Addr) bool { return kindOf(ip) != "" }

func kindOf(ip netip.Addr) string {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return "invalid"
	}
	for _, n := range privateNets {
		if n.prefix.Contains(ip.WithZone("")) {
			return n.what
		}
	}
	return ""
}

func describe(ip netip.Addr) string {
	return ip.Unmap().WithZone("").String() + " is " + kindOf(ip)
}

// display is a URL as a refusal names it; an empty one still says so.
func display(u *url.URL) string {
	if s := u.String(); s != "" {
		return s
	}
	return "(empty URL)"
}
