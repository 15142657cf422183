package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/crawler/dns"
	"github.com/trackscan/trackscan/crawler/frontier"
	"github.com/trackscan/trackscan/crawler/resolve"
)

// pageSource hands out the URLs to capture; the crawl frontier is one, the
// plain list of URLs given on the command line another.
type pageSource interface {
	// NextWait hands out the next page; while none is queued but pages are
	// in flight it waits for their links. ok is false when the crawl is over
	// or ctx ended.
	NextWait(ctx context.Context) (u string, depth int, ok bool)
	// AddLinks queues the links found on a page handed out and marks it done.
	AddLinks(from string, depth int, links []string)
	// Done marks a page handed out as finished without links.
	Done(u string)
	// Known is how many pages the crawl will visit as far as it knows now.
	Known() int
}

// listSource is the URLs given, in order, without crawling.
type listSource struct {
	mu     sync.Mutex
	urls   []string
	handed int
}

func (l *listSource) NextWait(ctx context.Context) (string, int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.urls) == 0 || ctx.Err() != nil {
		return "", 0, false
	}
	u := l.urls[0]
	l.urls = l.urls[1:]
	l.handed++
	return u, 0, true
}

func (l *listSource) AddLinks(string, int, []string) {}
func (l *listSource) Done(string)                    {}

func (l *listSource) Known() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.handed + len(l.urls)
}

// pageSource is the list of URLs given, or with --max-pages above one, a
// crawl frontier seeded with them (robots.txt, sitemaps, links).
func (e *env) pageSource(ctx context.Context, targets []string, f *scanFlags) (pageSource, error) {
	if f.maxPages <= 1 {
		return &listSource{urls: append([]string(nil), targets...)}, nil
	}
	rules, err := resolve.Parse(strings.Join(f.resolve, ", "))
	if err != nil {
		return nil, usageErr("--resolve: %v", err)
	}
	fr, err := frontier.New(frontier.Config{
		Seeds: targets, MaxPages: f.maxPages, MaxDepth: f.depth, Include: f.include, Exclude: f.exclude,
		IgnoreRobots: f.ignoreRobots, Client: resolve.Client(rules, f.insecure, 20*time.Second), TrapVariants: f.trapVariants,
	})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if err := fr.Start(ctx); err != nil {
		return nil, fmt.Errorf("%w: crawl: %v", ErrIncomplete, err)
	}
	return fr, nil
}

// checkPatterns compiles --include and --exclude before the browser starts,
// so that a bad regexp fails at once, even when --max-pages 1 makes no
// crawl use them.
func checkPatterns(f *scanFlags) error {
	for _, set := range []struct {
		flag     string
		patterns []string
	}{{"--include", f.include}, {"--exclude", f.exclude}} {
		for _, p := range set.patterns {
			if _, err := regexp.Compile(p); err != nil {
				return usageErr("%s %q: %v", set.flag, p, err)
			}
		}
	}
	return nil
}

// consentScript builds the in-page consent engine with the site's own
// banner selectors from .trackscan.yml, when given.
func consentScript(f *scanFlags) (string, error) {
	var cfg consent.Config
	c, err := f.out.Config()
	if err != nil {
		return "", err
	}
	if c != nil {
		if c.Consent.Reject != "" {
			cfg.Reject = []string{c.Consent.Reject}
		}
		if c.Consent.Accept != "" {
			cfg.Accept = []string{c.Consent.Accept}
		}
	}
	return consent.Script(cfg), nil
}

// jsonlWriter streams page captures as they finish, so a crash or a kill
// loses nothing that was already captured.
type jsonlWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newJSONLWriter(w io.Writer) *jsonlWriter { return &jsonlWriter{enc: json.NewEncoder(w)} }

func (j *jsonlWriter) write(p *capture.Page) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(p)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// cnameResolver is the resolver of the CNAME lookups, nil with --no-dns.
func cnameResolver(f *scanFlags) (*dns.Resolver, error) {
	if f.noDNS {
		if f.dnsServer != "" {
			return nil, usageErr("--dns and --no-dns exclude each other")
		}
		return nil, nil
	}
	r, err := dns.New(dns.Options{Server: f.dnsServer})
	if err != nil {
		return nil, usageErr("--dns: %v", err)
	}
	return r, nil
}

// resolveCNAMEs records on the pages the CNAME chains of their first-party
// subdomains and unknown third-party hosts, for the cloaking detector. The
// lookups run after the capture, each host once; a failure is noted once and
// never makes the scan incomplete (the pages are all there).
func (r *scanRun) resolveCNAMEs(ctx context.Context, pages []capture.Page, res *dns.Resolver) {
	if res == nil || ctx.Err() != nil {
		return
	}
	known := func(h string) bool { _, ok := r.kb.MatchHost(h); return ok }
	hosts := dns.Hosts(pages, known)
	if r.flags.dnsServer == "" {
		hosts = slices.DeleteFunc(hosts, r.notForSystemDNS())
	}
	if len(hosts) == 0 {
		return
	}
	out := res.ResolveAll(ctx, hosts)
	dns.Annotate(pages, out.Chains)
	if out.Failed > 0 && ctx.Err() == nil {
		r.note(fmt.Sprintf("%d of %d CNAME %s failed on the %s (first: %s); trackers hidden behind those hosts may be missed",
			out.Failed, out.Looked, plural(out.Looked, "lookup"), res.Server(), out.First))
	}
}

// notForSystemDNS says which hosts the system resolver is not asked about:
// names under reserved top-level domains (RFC 2606, 6761), which have no
// public records, and hosts the --resolve rules send elsewhere, whose public
// records say nothing about what the browser reached. --dns asks about all.
func (r *scanRun) notForSystemDNS() func(string) bool {
	rules, _ := resolve.Parse(strings.Join(r.flags.resolve, ", "))
	return func(host string) bool {
		tld := host[strings.LastIndexByte(host, '.')+1:]
		switch tld {
		case "example", "test", "invalid", "localhost", "local":
			return true
		}
		_, mapped, _ := rules.Map(net.JoinHostPort(host, "443"))
		return mapped
	}
}
