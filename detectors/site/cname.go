package site

import (
	"context"
	"fmt"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// cloak is what a host's CNAME chain says about the vendor behind it.
type cloak struct {
	attribution
	chain      []string // host first, then each alias target
	confidence string   // "" for a known vendor in the chain, "low" for a suspicion
}

// hopResolver answers one hop of a chain the crawler already resolved, so
// kb.MatchCNAME can judge every hop without a lookup of its own.
type hopResolver string

func (h hopResolver) LookupCNAME(context.Context, string) (string, error) { return string(h), nil }

// pageCloaks attributes the page's aliased hosts: a first-party subdomain
// (or an unknown third-party host) whose chain reaches a known tracking
// vendor is that vendor's; a first-party subdomain aliased to an unknown
// host of another registrable domain is suspected when the page's traffic
// to it looks like tracking. Attributions hold for the whole scan.
func (a *analysis) pageCloaks(p *capture.Page, site string, firstParty func(string) bool) {
	for _, host := range sortedKeys(p.CNAMEs) {
		if _, done := a.cloaks[host]; done {
			continue
		}
		chain := p.CNAMEs[host]
		fp := firstParty(host)
		if c, ok := a.cnameVendor(host, chain); ok {
			a.cloaks[host] = c
			continue
		}
		if !fp || len(chain) == 0 {
			continue
		}
		last := chain[len(chain)-1]
		target := capture.Site(last)
		if target == site || a.knownEssential(chain) || !looksLikeTracking(p, host) {
			continue
		}
		w := unknownVendor(last)
		a.cloaks[host] = cloak{attribution: w, chain: append([]string{host}, chain...), confidence: "low"}
	}
}

// cnameVendor walks the chain and returns the first hop the knowledge base
// (or a user list) attributes to a non-essential vendor. A chain to a CDN or
// other infrastructure is no cloaking: the host stays first party.
func (a *analysis) cnameVendor(host string, chain []string) (cloak, bool) {
	for _, hop := range chain {
		m, ok, err := a.kb.MatchCNAME(context.Background(), hopResolver(hop), host)
		if err != nil || !ok || m.Vendor == nil {
			continue
		}
		cat := m.Category
		if cat == "" {
			cat = m.Vendor.Category
		}
		if !cat.NonEssential() {
			return cloak{}, false
		}
		return cloak{attribution: attribution{id: m.Vendor.ID, source: m.Source, category: cat, vendor: m.Vendor},
			chain: append([]string{host}, chain...)}, true
	}
	return cloak{}, false
}

// knownEssential is true when some hop of the chain is known infrastructure
// (a CDN, a host): such aliases are everyday and no sign of tracking.
func (a *analysis) knownEssential(chain []string) bool {
	for _, hop := range chain {
		if m, ok := a.kb.MatchHost(hop); ok && m.Vendor != nil {
			return true
		}
	}
	return false
}

// looksLikeTracking is true when the page's traffic to host is what a
// tracker's looks like: an image, ping or beacon to it, or a cookie written
// by one of its responses or scripts.
func looksLikeTracking(p *capture.Page, host string) bool {
	for _, r := range p.Requests {
		if capture.HostOf(r.URL) == host && (r.ResourceType == "Image" || r.ResourceType == "Ping") {
			return true
		}
	}
	for _, c := range p.APICalls {
		if strings.HasPrefix(c.API, "beacon") && capture.HostOf(c.Detail) == host {
			return true
		}
	}
	for _, w := range p.CookieWrites {
		if capture.HostOf(w.SetBy) == host {
			return true
		}
	}
	return false
}

// attribute is matchURL that also knows the hosts attributed by CNAME.
func (a *analysis) attribute(raw, pageURL, resourceType string) (attribution, bool) {
	if w, ok := a.matchURL(raw, pageURL, resourceType); ok {
		return w, true
	}
	if c, ok := a.cloaks[capture.HostOf(raw)]; ok {
		return c.attribution, true
	}
	return attribution{}, false
}

// cloakDetections reports each cloaked host the page requested, once per
// page and phase, with the chain as evidence.
func (a *analysis) cloakDetections(p *capture.Page, base detectors.Detection, firstParty func(string) bool) {
	first := map[string]string{}
	for _, r := range p.Requests {
		if h := capture.HostOf(r.URL); first[h] == "" {
			first[h] = r.URL
		}
	}
	for _, host := range sortedKeys(p.CNAMEs) {
		c, ok := a.cloaks[host]
		if !ok || first[host] == "" {
			continue
		}
		d := base
		d.Kind, d.Vendor, d.Category, d.URL, d.Host, d.Source = detectors.KindCNAMECloaking, c.id, c.category, first[host], host, c.source
		d.FirstParty, d.Confidence = firstParty(host), c.confidence
		if c.confidence == "" {
			d.Evidence = fmt.Sprintf("%s is a DNS alias of %s (CNAME %s)", host, c.id, strings.Join(c.chain, " -> "))
		} else {
			d.Evidence = fmt.Sprintf("%s is a DNS alias of unknown %s and its traffic looks like tracking (CNAME %s)",
				host, strings.TrimPrefix(c.id, "unknown:"), strings.Join(c.chain, " -> "))
		}
		a.detect(d)
		a.addVendor(c.attribution, p.Phase, host, d.Kind)
	}
}

var _ kb.Resolver = hopResolver("")
