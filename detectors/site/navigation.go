package site

import (
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// navigations reports the navigations the browser refused on a page: a
// page that sends its visitors elsewhere unasked, or toward an address of
// the visitor's own network, does so to every visitor.
func (a *analysis) navigations(p *capture.Page, base detectors.Detection) {
	for _, nb := range p.NavigationsBlocked {
		d := base
		d.Kind, d.Category = detectors.KindNavigationOutOfScope, kb.Unknown
		d.URL, d.Host = trimURL(nb.URL), capture.HostOf(nb.URL)
		d.Evidence = nb.Kind + " to " + trimURL(nb.URL) + " refused: " + nb.Reason
		if nb.Detail != "" {
			d.Evidence += " (" + nb.Detail + ")"
		}
		a.detect(d)
	}
}
