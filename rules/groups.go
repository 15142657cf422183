package rules

import (
	"sort"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// What several rule families read: the non-essential activity of each phase
// grouped by vendor, and where a finding is reported.

// phaseGroup is everything non-essential one vendor (or, without a known
// vendor, one cookie, storage key or host) did in one phase.
type phaseGroup struct {
	vendor   string
	subject  string // cookie name, storage key or host when vendor is ""
	category kb.Category
	cookies  []string
	storage  []string
	hosts    []string
	pages    []string
	urls     []string // request URLs, and the URLs that set its cookies
	// stored: it wrote cookies or storage, or read the device (fingerprinting),
	// which is what ePrivacy Art. 5(3) is about; otherwise only requests were seen.
	stored bool
	reads  []detectors.Kind // detection kinds that read the device or record the visit
}

// phaseGroups collects the non-essential activity of a phase, by vendor.
func (ev *evaluation) phaseGroups(phase capture.Phase) []*phaseGroup {
	if gs, ok := ev.groups[phase]; ok {
		return gs
	}
	groups := map[string]*phaseGroup{}
	get := func(vendor, kind, subject string, c kb.Category) *phaseGroup {
		key := vendor
		if vendor == "" {
			key = kind + ":" + subject
		}
		g := groups[key]
		if g == nil {
			g = &phaseGroup{vendor: vendor, category: c}
			if vendor == "" {
				g.subject = subject
			}
			if v := ev.vendors[vendor]; v != nil && v.Category.NonEssential() {
				g.category = v.Category
			}
			groups[key] = g
		}
		return g
	}
	for _, v := range ev.in.Vendors {
		if hasPhase(v.Phases, phase) && v.Category.NonEssential() {
			g := get(v.ID, "", "", v.Category)
			g.hosts = append(g.hosts, v.Hosts...)
		}
	}
	for _, c := range ev.in.Cookies {
		if hasPhase(c.Phases, phase) && c.Category.NonEssential() {
			g := get(c.Vendor, "cookie", c.Name, c.Category)
			name := c.Name
			if !c.Stored && len(c.Blocked) > 0 {
				name += " (refused by the browser)"
			}
			g.cookies = append(g.cookies, name)
			g.pages = append(g.pages, c.Pages...)
			g.urls = append(g.urls, c.SetBy)
			g.stored = true
		}
	}
	for _, s := range ev.in.Storage {
		if hasPhase(s.Phases, phase) && s.Category.NonEssential() {
			g := get(s.Vendor, "storage", s.Key, s.Category)
			g.storage = append(g.storage, s.Key)
			g.stored = true
		}
	}
	for _, d := range ev.in.Detections {
		if d.Phase != phase || !d.Category.NonEssential() || d.Kind == detectors.KindConsentMode {
			continue
		}
		g := get(d.Vendor, "host", d.Host, d.Category)
		g.hosts = append(g.hosts, d.Host)
		g.pages = append(g.pages, d.Page)
		g.urls = append(g.urls, d.URL)
		switch d.Kind {
		case detectors.KindFingerprinting, detectors.KindSessionRecorder:
			g.reads = append(g.reads, d.Kind)
			g.stored = true
		case detectors.KindTrackingCookie, detectors.KindStorage:
			g.stored = true
		}
	}
	out := make([]*phaseGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].vendor != out[j].vendor {
			return out[i].vendor < out[j].vendor
		}
		return out[i].subject < out[j].subject
	})
	ev.groups[phase] = out
	return out
}

// vendorGroup is a vendor's activity in a phase, or nil.
func (ev *evaluation) vendorGroup(phase capture.Phase, vendor string) *phaseGroup {
	gs := ev.phaseGroups(phase)
	i := sort.Search(len(gs), func(i int) bool { return gs[i].vendor >= vendor })
	if i < len(gs) && gs[i].vendor == vendor && vendor != "" {
		return gs[i]
	}
	return nil
}

// storedInPhase reports whether a vendor wrote cookies or storage, or read
// the device, in a phase.
func (ev *evaluation) storedInPhase(vendor string, phase capture.Phase) bool {
	g := ev.vendorGroup(phase, vendor)
	return g != nil && g.stored
}

// firstPage picks the page a finding is reported on: the first, in sorted
// order, of the pages it was seen on, else the scan target.
func (ev *evaluation) firstPage(pages []string) string {
	if u := sortedSet(pages); len(u) > 0 {
		return u[0]
	}
	return ev.in.Target
}

// vendorPages lists the pages a vendor was seen on, in any phase.
func (ev *evaluation) vendorPages(vendor string) []string { return ev.pages[vendor] }

func (g *phaseGroup) evidence(phase capture.Phase) string {
	parts := []string{"seen " + string(phase)}
	if len(g.cookies) > 0 {
		parts = append(parts, "cookies "+listSome(g.cookies, 5))
	}
	if len(g.storage) > 0 {
		parts = append(parts, "storage "+listSome(g.storage, 5))
	}
	for _, k := range sortedSet(g.reads) {
		switch k {
		case detectors.KindFingerprinting:
			parts = append(parts, "reads the device (fingerprinting)")
		case detectors.KindSessionRecorder:
			parts = append(parts, "records the visit (session recorder)")
		}
	}
	if len(g.hosts) > 0 {
		parts = append(parts, "hosts "+listSome(g.hosts, 3))
	}
	if !g.stored {
		parts = append(parts, "requests only, no cookie or storage")
	}
	return strings.Join(parts, "; ")
}
