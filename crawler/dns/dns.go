// Package dns resolves the CNAME chains of the hosts a scan saw, so that the
// detectors can attribute a first-party-looking host to the tracker it is an
// alias of ("CNAME cloaking"). It runs after the pages are captured and only
// adds Page.CNAMEs; the browser never depends on it.
//
// Lookups go through Go's own resolver (net.Resolver with PreferGo), either
// to the system's name servers or to one server given by the user. Go's
// LookupCNAME returns a single name, and which one (first alias or final
// canonical name) depends on which answer arrives first, so the lookup also
// reads every CNAME record of the answers passing through its connection
// and rebuilds the whole chain from them.
package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/trackscan/trackscan/crawler/capture"
)

// Defaults of Options.
const (
	DefaultTimeout  = 2 * time.Second
	DefaultParallel = 8
	// maxHops bounds a chain: resolvers give up on longer ones too, and a
	// loop must end.
	maxHops = 10
)

// Options configure a Resolver.
type Options struct {
	// Server is the DNS server (host:port, or host for port 53) all
	// queries go to; empty means the system's name servers.
	Server   string
	Timeout  time.Duration // budget of one host's lookup; DefaultTimeout when 0
	Parallel int           // lookups at once; DefaultParallel when 0
}

// Resolver looks up CNAME chains.
type Resolver struct {
	opts Options
	r    *net.Resolver
}

// New returns a Resolver; a bad Server address is an error.
func New(o Options) (*Resolver, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.Server != "" {
		if _, _, err := net.SplitHostPort(o.Server); err != nil {
			o.Server = net.JoinHostPort(strings.Trim(o.Server, "[]"), "53")
		}
		host, port, err := net.SplitHostPort(o.Server)
		if err != nil || host == "" || port == "" || strings.ContainsAny(o.Server, "/ ") {
			return nil, fmt.Errorf("DNS server %q: want HOST or HOST:PORT", o.Server)
		}
	}
	res := &Resolver{opts: o}
	var d net.Dialer
	res.r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		if o.Server != "" {
			address = o.Server
		}
		c, err := d.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		col, _ := ctx.Value(collectorKey{}).(*collector)
		if col == nil {
			return c, nil
		}
		// Go's resolver speaks datagrams to a PacketConn and
		// length-prefixed messages to anything else: keep the type.
		if u, ok := c.(*net.UDPConn); ok {
			return &packetSniffer{UDPConn: u, col: col}, nil
		}
		return &streamSniffer{Conn: c, col: col}, nil
	}}
	return res, nil
}

// Server names the resolver the lookups use, for notes.
func (r *Resolver) Server() string {
	if r.opts.Server == "" {
		return "system resolver"
	}
	return r.opts.Server
}

type collectorKey struct{}

// collector keeps the CNAME records (alias -> target) seen in answers.
type collector struct {
	mu     sync.Mutex
	target map[string]string
}

func (c *collector) parse(msg []byte) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || !h.Response {
		return
	}
	if err := p.SkipAllQuestions(); err != nil {
		return
	}
	for {
		rh, err := p.AnswerHeader()
		if err != nil {
			return
		}
		if rh.Type != dnsmessage.TypeCNAME {
			if p.SkipAnswer() != nil {
				return
			}
			continue
		}
		rr, err := p.CNAMEResource()
		if err != nil {
			return
		}
		// The first answer for a name wins: the A, AAAA and CNAME queries
		// all carry the chain, and one odd answer must not rewrite it.
		alias, target := normHost(rh.Name.String()), normHost(rr.CNAME.String())
		c.mu.Lock()
		if _, ok := c.target[alias]; !ok && target != "" {
			c.target[alias] = target
		}
		c.mu.Unlock()
	}
}

type packetSniffer struct {
	*net.UDPConn
	col *collector
}

func (s *packetSniffer) Read(b []byte) (int, error) {
	n, err := s.UDPConn.Read(b)
	if n > 0 {
		s.col.parse(b[:n])
	}
	return n, err
}

type streamSniffer struct {
	net.Conn
	col *collector
	buf []byte
}

func (s *streamSniffer) Read(b []byte) (int, error) {
	n, err := s.Conn.Read(b)
	s.buf = append(s.buf, b[:n]...)
	for len(s.buf) >= 2 {
		l := int(s.buf[0])<<8 | int(s.buf[1])
		if len(s.buf) < 2+l {
			break
		}
		s.col.parse(s.buf[2 : 2+l])
		s.buf = s.buf[2+l:]
	}
	return n, err
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".") }

// Chain returns the CNAME chain of host, first alias first, without host
// itself; empty when the host is no alias. A name that does not exist is
// no error (an empty chain); other failures are.
func (r *Resolver) Chain(ctx context.Context, host string) ([]string, error) {
	host = normHost(host)
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	col := &collector{target: map[string]string{}}
	canonical, err := r.r.LookupCNAME(context.WithValue(ctx, collectorKey{}, col), host)
	if err != nil {
		if dnsErr, ok := errors.AsType[*net.DNSError](err); ok && dnsErr.IsNotFound {
			return nil, nil
		}
		return nil, err
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	var chain []string
	for at := host; len(chain) < maxHops; {
		next, ok := col.target[at]
		if !ok || next == "" || next == host || slices.Contains(chain, next) {
			break
		}
		chain = append(chain, next)
		at = next
	}
	if canonical = normHost(canonical); len(chain) == 0 && canonical != "" && canonical != host {
		chain = []string{canonical}
	}
	return chain, nil
}

// Result is what ResolveAll found.
type Result struct {
	Chains map[string][]string // host -> chain, only for hosts that are aliases
	Looked int                 // hosts looked up
	Failed int                 // lookups that failed (timeouts, server errors)
	First  string              // the first failure, by host order
}

// ResolveAll looks up each host once, Parallel at a time.
func (r *Resolver) ResolveAll(ctx context.Context, hosts []string) Result {
	hosts = slices.Clone(hosts)
	for i := range hosts {
		hosts[i] = normHost(hosts[i])
	}
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	chains := make([][]string, len(hosts))
	errs := make([]error, len(hosts))
	sem := make(chan struct{}, r.opts.Parallel)
	var wg sync.WaitGroup
	for i, h := range hosts {
		if ctx.Err() != nil {
			errs[i] = ctx.Err()
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			chains[i], errs[i] = r.Chain(ctx, h)
		})
	}
	wg.Wait()
	res := Result{Chains: map[string][]string{}, Looked: len(hosts)}
	for i, h := range hosts {
		if errs[i] != nil {
			res.Failed++
			if res.First == "" {
				res.First = errs[i].Error()
			}
			continue
		}
		if len(chains[i]) > 0 {
			res.Chains[h] = chains[i]
		}
	}
	return res
}

// Hosts returns the hosts of the pages worth a CNAME lookup: hosts of the
// page's own registrable domain other than the page's host (a cloaked
// tracker sits on a subdomain), and hosts of other domains that known does
// not recognise (an unknown third party may be an alias of a known one).
// IP addresses have no CNAME. known may be nil.
func Hosts(pages []capture.Page, known func(host string) bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pages {
		pageURL := p.FinalURL
		if pageURL == "" {
			pageURL = p.URL
		}
		pageHost := resolvableHost(pageURL)
		site := capture.Site(pageHost)
		for _, r := range p.Requests {
			h := resolvableHost(r.URL)
			if h == "" || h == pageHost || seen[h] || net.ParseIP(h) != nil || !strings.Contains(h, ".") {
				continue
			}
			seen[h] = true
			if capture.Site(h) == site || known == nil || !known(h) {
				out = append(out, h)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Annotate records on every page the chains of the hosts it requested.
func Annotate(pages []capture.Page, chains map[string][]string) {
	for i := range pages {
		p := &pages[i]
		for _, r := range p.Requests {
			h := resolvableHost(r.URL)
			if c, ok := chains[h]; ok {
				if p.CNAMEs == nil {
					p.CNAMEs = map[string][]string{}
				}
				p.CNAMEs[h] = c
			}
		}
	}
}

// resolvableHost is the host of an http(s) or ws(s) URL, normalised as the
// resolver keys it; "" for other schemes (data:, blob:), which resolve nothing.
func resolvableHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") {
		return ""
	}
	return normHost(u.Hostname())
}
