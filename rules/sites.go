package rules

import (
	"slices"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

// Evaluate runs every rule of the catalogue over in. Rules that need a
// policy are skipped when in.Policy is nil. A site scan that spans several
// sites (registrable domains) is evaluated site by site: the rules report
// a vendor once per input, and one site's tracking must not hide another's.
func Evaluate(in Input) Result {
	parts := splitSites(in)
	if parts == nil {
		return evaluate(in, in.Target)
	}
	_, vendors := newEvaluation(in)
	res := Result{Vendors: vendors}
	seen := map[string]int{}
	for _, part := range parts {
		for _, f := range evaluate(part, in.Target).Findings {
			if j, dup := seen[f.Fingerprint]; dup {
				if f.Severity.Rank() > res.Findings[j].Severity.Rank() {
					res.Findings[j].Severity = f.Severity
				}
				continue
			}
			seen[f.Fingerprint] = len(res.Findings)
			res.Findings = append(res.Findings, f)
		}
	}
	SortFindings(res.Findings)
	return res
}

// splitSites returns one input per site of a site scan, in the order of
// their first page, or nil when the scan covers one site. Detections and
// pages belong to the site of their page; a cookie to the sites of the
// pages it was seen on; storage to the site of its origin or, for a third
// party's, to the sites where it was detected; a vendor to the sites where
// it was active, with the phases and hosts seen there.
func splitSites(in Input) []Input {
	if in.Kind != SiteInput {
		return nil
	}
	var sites []string
	for _, p := range in.Pages {
		if s := capture.SiteOfURL(p.URL); !slices.Contains(sites, s) {
			sites = append(sites, s)
		}
	}
	if len(sites) < 2 {
		return nil
	}
	out := make([]Input, 0, len(sites))
	for _, s := range sites {
		out = append(out, siteInput(in, s, sites))
	}
	return out
}

func siteInput(in Input, s string, sites []string) Input {
	part := in
	part.Pages, part.Detections, part.Cookies, part.Storage, part.Vendors = nil, nil, nil, nil, nil
	for _, p := range in.Pages {
		if capture.SiteOfURL(p.URL) == s {
			part.Pages = append(part.Pages, p)
		}
	}
	part.Target = part.Pages[0].URL
	phases := map[string][]capture.Phase{} // by vendor id
	storageHosts := map[string][]capture.Phase{}
	for _, d := range in.Detections {
		if capture.SiteOfURL(d.Page) != s {
			continue
		}
		part.Detections = append(part.Detections, d)
		phases[d.Vendor] = capture.AddPhases(phases[d.Vendor], d.Phase)
		if d.Kind == detectors.KindStorage {
			storageHosts[d.Host] = capture.AddPhases(storageHosts[d.Host], d.Phase)
		}
	}
	for _, c := range in.Cookies {
		var pages []string
		for _, p := range c.Pages {
			if capture.SiteOfURL(p) == s {
				pages = append(pages, p)
			}
		}
		if len(pages) == 0 {
			continue
		}
		if len(pages) < len(c.Pages) {
			// Seen on other sites too: keep the phases its vendor's
			// tracking cookies on this domain were written in here.
			var here []capture.Phase
			for _, d := range part.Detections {
				if d.Kind == detectors.KindTrackingCookie && d.Host == c.Domain && d.Vendor == c.Vendor {
					here = capture.AddPhases(here, d.Phase)
				}
			}
			if len(here) > 0 {
				c.Phases = here
			}
		}
		c.Pages = pages
		part.Cookies = append(part.Cookies, c)
		phases[c.Vendor] = capture.AddPhases(phases[c.Vendor], c.Phases...)
	}
	for _, st := range in.Storage {
		host := capture.HostOf(st.Origin)
		switch own := capture.SiteOfURL(st.Origin); {
		case own == s:
		case !slices.Contains(sites, own) && storageHosts[host] != nil:
			st.Phases = storageHosts[host]
		default:
			continue
		}
		part.Storage = append(part.Storage, st)
		phases[st.Vendor] = capture.AddPhases(phases[st.Vendor], st.Phases...)
	}
	for _, v := range in.Vendors {
		ps, ok := phases[v.ID]
		if !ok {
			continue
		}
		var hosts []string
		for _, d := range part.Detections {
			if d.Vendor == v.ID && d.Host != "" && slices.Contains(v.Hosts, d.Host) && !slices.Contains(hosts, d.Host) {
				hosts = append(hosts, d.Host)
			}
		}
		if len(hosts) > 0 {
			slices.Sort(hosts)
			v.Hosts = hosts
		}
		v.Phases = ps
		part.Vendors = append(part.Vendors, v)
	}
	return part
}
