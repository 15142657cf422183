// Package resolve reads Chromium's host-resolver-rules ("MAP *:443
// 127.0.0.1:8443, MAP * 127.0.0.1:8080") so that trackscan's own HTTP
// fetches (robots.txt, sitemaps, policies) reach the same hosts as the
// browser does.
package resolve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"syscall"
	"time"
)

// Rule is one MAP or EXCLUDE entry.
type Rule struct {
	Exclude bool
	Host    string // pattern with * wildcards
	Port    string // "" for any port
	Target  string // host:port, or host (keeps the port), or ~NOTFOUND
}

// Rules is a parsed host-resolver-rules list, applied first match wins.
type Rules []Rule

// Parse reads a host-resolver-rules value.
func Parse(s string) (Rules, error) {
	var out Rules
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		switch {
		case strings.EqualFold(f[0], "MAP") && len(f) == 3:
			host, port := splitPattern(f[1])
			out = append(out, Rule{Host: strings.ToLower(host), Port: port, Target: f[2]})
		case strings.EqualFold(f[0], "EXCLUDE") && len(f) == 2:
			host, port := splitPattern(f[1])
			out = append(out, Rule{Exclude: true, Host: strings.ToLower(host), Port: port})
		default:
			return nil, fmt.Errorf("bad resolver rule %q: want \"MAP PATTERN HOST[:PORT]\" or \"EXCLUDE PATTERN\"", strings.TrimSpace(part))
		}
	}
	return out, nil
}

func splitPattern(p string) (host, port string) {
	if i := strings.LastIndexByte(p, ':'); i >= 0 && !strings.Contains(p[i:], "]") {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// Map returns the address to dial for addr ("host:port"), and whether a rule
// changed it.
func (rs Rules) Map(addr string) (string, bool, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, false, err
	}
	host = strings.ToLower(host)
	for _, r := range rs {
		if ok, _ := path.Match(r.Host, host); !ok && r.Host != host {
			continue
		}
		if r.Port != "" && r.Port != port {
			continue
		}
		if r.Exclude {
			return addr, false, nil
		}
		if r.Target == "~NOTFOUND" {
			return "", true, fmt.Errorf("%s: host mapped to ~NOTFOUND", host)
		}
		if _, _, err := net.SplitHostPort(r.Target); err == nil {
			return r.Target, true, nil
		}
		return net.JoinHostPort(r.Target, port), true, nil
	}
	return addr, false, nil
}

// Guard refuses URLs and addresses a client must not reach (crawler/scope
// implements it).
type Guard interface {
	// Check is asked about the first URL and every redirect hop.
	Check(u *url.URL) error
	// CheckDial is asked about the address a host resolved to, before
	// connecting: DNS may send an allowed name to a private address.
	CheckDial(host string, ip netip.Addr) error
}

// maxRedirects is as many hops as net/http follows by default.
const maxRedirects = 10

// GuardedClient returns an HTTP client that dials through the rules and
// asks g about every request, every redirect hop and every address it
// dials (a nil g allows everything); insecure skips certificate checks, as
// --insecure does for the browser.
func GuardedClient(rs Rules, insecure bool, timeout time.Duration, g Guard) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		mapped, _, err := rs.Map(addr)
		if err != nil {
			return nil, err
		}
		d := &net.Dialer{Timeout: 10 * time.Second}
		if g != nil {
			d.Control = func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("dial %s: %w", address, err)
				}
				return g.CheckDial(host, ap.Addr())
			}
		}
		return d.DialContext(ctx, network, mapped)
	}
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for --insecure
	}
	c := &http.Client{Timeout: timeout}
	if g == nil {
		c.Transport = tr
		return c
	}
	c.Transport = guardedTransport{next: tr, g: g}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("stopped after 10 redirects")
		}
		return g.Check(req.URL)
	}
	return c
}

// guardedTransport checks the first URL of a request; the client's
// CheckRedirect checks the hops, and a caller that replaces it (colly does)
// still goes through here for every hop.
type guardedTransport struct {
	next http.RoundTripper
	g    Guard
}

func (t guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.g.Check(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}
