package scan

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/dns"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/internal/textfmt"
)

// resolveCNAMEs records on the pages the CNAME chains of their first-party
// subdomains and unknown third-party hosts, for the cloaking detector. The
// lookups run after the capture, each host once; a failure is noted once and
// never makes the scan incomplete (the pages are all there).
func (e *engine) resolveCNAMEs(ctx context.Context, pages []capture.Page) {
	res := e.opts.CNAMEs
	if res == nil || ctx.Err() != nil {
		return
	}
	known := func(h string) bool { _, ok := e.opts.KB.MatchHost(h); return ok }
	hosts := dns.Hosts(pages, known)
	if !e.opts.CNAMEServerChosen {
		hosts = slices.DeleteFunc(hosts, notForSystemDNS(e.opts.Browser.ResolveRules))
	}
	if len(hosts) == 0 {
		return
	}
	out := res.ResolveAll(ctx, hosts)
	dns.Annotate(pages, out.Chains)
	if out.Failed > 0 && ctx.Err() == nil {
		e.note(fmt.Sprintf("%d of %d CNAME %s failed on the %s (first: %s); trackers hidden behind those hosts may be missed",
			out.Failed, out.Looked, textfmt.Plural(out.Looked, "lookup"), res.Server(), out.First))
	}
}

// notForSystemDNS says which hosts the system resolver is not asked about:
// names under reserved top-level domains (RFC 2606, 6761), which have no
// public records, and hosts the resolve rules send elsewhere, whose public
// records say nothing about what the browser reached. A server the user
// chose is asked about all.
func notForSystemDNS(resolveRules string) func(string) bool {
	rules, _ := resolve.Parse(resolveRules)
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
