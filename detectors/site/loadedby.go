package site

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

// maxChainsPerPhase keeps loaded_by short when a vendor arrives by several
// routes over many pages; the first ones in page order are kept.
const maxChainsPerPhase = 3

// maxChainDepth stops the walk up the initiators on a pathological page.
const maxChainDepth = 16

// loadChains computes, for every vendor that made a request on the page,
// the chain that brought it in. vendorOf names the vendor of a URL ("" for
// the site's own unknown resources). A vendor's scripts are tried first,
// its other requests when no script gives a chain; of the chains that lead
// out of the vendor's own scripts, the least in text order is kept, so the
// answer does not depend on the order the page made its requests in.
func loadChains(p *capture.Page, vendorOf func(rawURL, resourceType string) string) map[string][]detectors.LoadStep {
	pageURL := p.FinalURL
	if pageURL == "" {
		pageURL = p.URL
	}
	byURL := map[string]*capture.Request{}
	vendor := map[string]string{}
	for i := range p.Requests {
		r := &p.Requests[i]
		key := stripFragment(r.URL)
		if _, ok := byURL[key]; !ok {
			byURL[key] = r
			vendor[key] = vendorOf(r.URL, r.ResourceType)
		}
	}
	vendorOfURL := func(u string) string {
		key := stripFragment(u)
		if v, ok := vendor[key]; ok {
			return v
		}
		v := vendorOf(u, "Script")
		vendor[key] = v
		return v
	}
	out := map[string][]detectors.LoadStep{}
	for _, scripts := range []bool{true, false} {
		found := map[string]string{} // vendor -> its chain's text, to compare
		for i := range p.Requests {
			r := &p.Requests[i]
			if (r.ResourceType == "Script") != scripts {
				continue
			}
			v := vendor[stripFragment(r.URL)]
			if v == "" || (out[v] != nil && found[v] == "") {
				continue // a vendor with a script chain needs no other
			}
			chain := walkInitiators(r, v, pageURL, byURL, vendorOfURL)
			if len(chain) == 0 {
				continue
			}
			// Of several chains the least in text order, not the first
			// made: the order of a page's requests varies run to run.
			text := detectors.LoadedBy{Chain: chain}.String()
			if old, ok := found[v]; !ok || text < old {
				out[v], found[v] = chain, text
			}
		}
	}
	return out
}

// walkInitiators follows a request's initiators up to the page, skipping
// the target vendor's own scripts, and returns the steps root first.
func walkInitiators(r *capture.Request, target, pageURL string, byURL map[string]*capture.Request,
	vendorOf func(string) string) []detectors.LoadStep {
	var steps []detectors.LoadStep
	seen := map[string]bool{}
	cur := r
	for depth := 0; cur != nil && depth < maxChainDepth; depth++ {
		init := stripFragment(cur.Initiator)
		if init == "" || seen[init] {
			break
		}
		seen[init] = true
		if init == stripFragment(pageURL) {
			steps = append(steps, detectors.LoadStep{Kind: detectors.LoadPage, URL: pageURL, Line: cur.InitiatorLine})
			break
		}
		parent := byURL[init]
		v := vendorOf(init)
		if v != target {
			steps = append(steps, loadStep(init, cur.InitiatorLine, v))
		}
		cur = parent
	}
	slices.Reverse(steps)
	// A chain made only of the target's own scripts says nothing.
	return steps
}

func loadStep(rawURL string, line int, vendor string) detectors.LoadStep {
	s := detectors.LoadStep{URL: rawURL, Line: line, Vendor: vendor}
	switch {
	case tagContainer(rawURL) != "":
		s.Kind, s.Container = detectors.LoadTagManager, tagContainer(rawURL)
	case vendor == "":
		s.Kind = detectors.LoadFirstParty
	default:
		s.Kind = detectors.LoadVendor
	}
	return s
}

var (
	tealiumPath = regexp.MustCompile(`^/utag/([^/]+)/([^/]+)/[^/]+/utag\.js$`)
	launchFile  = regexp.MustCompile(`/(launch-[A-Za-z0-9_-]+?)(?:\.min)?\.js$`)
	segmentPath = regexp.MustCompile(`^/analytics\.js/v1/([A-Za-z0-9]+)/analytics(?:\.min)?\.js$`)
	matomoTM    = regexp.MustCompile(`/(container_[A-Za-z0-9]+)\.js$`)
)

// tagContainer names the tag-manager container a script URL loads, from the
// URL shapes the tag managers document: Google Tag Manager and the Google
// tag (?id=), Tealium iQ (account/profile), Adobe Launch (launch-*.js),
// Segment (write key, cut to a prefix) and Matomo Tag Manager; "" otherwise.
func tagContainer(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasSuffix(host, "googletagmanager.com") && (u.Path == "/gtm.js" || u.Path == "/gtag/js"):
		return u.Query().Get("id")
	case host == "tags.tiqcdn.com":
		if m := tealiumPath.FindStringSubmatch(u.Path); m != nil {
			return "tealium:" + m[1] + "/" + m[2]
		}
	case strings.HasSuffix(host, "adobedtm.com"):
		if m := launchFile.FindStringSubmatch(u.Path); m != nil {
			return m[1]
		}
	case host == "cdn.segment.com":
		if m := segmentPath.FindStringSubmatch(u.Path); m != nil {
			return "segment:" + shortPrefix(m[1])
		}
	}
	if m := matomoTM.FindStringSubmatch(u.Path); m != nil {
		return "matomo:" + m[1]
	}
	return ""
}

// shortPrefix keeps the first characters of an identifier: enough to tell
// two apart in a report, not enough to reuse.
func shortPrefix(s string) string {
	const keep = 6
	if len(s) <= keep {
		return s
	}
	return s[:keep] + "…"
}

func stripFragment(raw string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		return raw[:i]
	}
	return raw
}

// pageLoadedBy files the page's chains on the vendors seen in it.
func (a *analysis) pageLoadedBy(p *capture.Page, pageURL string, firstParty func(string) bool) {
	chains := loadChains(p, func(raw, resourceType string) string {
		host := capture.HostOf(raw)
		if host == "" {
			return ""
		}
		if w, ok := a.attribute(raw, pageURL, resourceType); ok {
			return w.id
		}
		if firstParty(host) {
			return ""
		}
		return unknownVendor(host).id
	})
	for id, chain := range chains {
		v := a.vendors[id]
		if v == nil {
			continue
		}
		v.LoadedBy = append(v.LoadedBy, detectors.LoadedBy{Phase: p.Phase, Page: pageURL, Chain: chain})
	}
}

// sortLoadedBy orders a vendor's chains by phase, then page, so output
// does not depend on the order pages finished in, and keeps per phase the
// first maxChainsPerPhase distinct chains.
func sortLoadedBy(ls []detectors.LoadedBy) []detectors.LoadedBy {
	slices.SortStableFunc(ls, func(x, y detectors.LoadedBy) int {
		if d := x.Phase.Rank() - y.Phase.Rank(); d != 0 {
			return d
		}
		if x.Page != y.Page {
			return strings.Compare(x.Page, y.Page)
		}
		return strings.Compare(x.String(), y.String())
	})
	var out []detectors.LoadedBy
	seen := map[string]bool{}
	perPhase := map[capture.Phase]int{}
	for _, l := range ls {
		key := string(l.Phase) + "\x00" + l.String()
		if seen[key] || perPhase[l.Phase] >= maxChainsPerPhase {
			continue
		}
		seen[key] = true
		perPhase[l.Phase]++
		out = append(out, l)
	}
	return out
}
