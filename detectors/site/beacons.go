package site

import (
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/beacon"
)

// pageBeacons reports each request whose payload a beacon decoder reads:
// the events and identifiers it sent, as a KindBeaconPayload detection.
func (a *analysis) pageBeacons(p *capture.Page, base detectors.Detection, pageURL string, firstParty func(string) bool) {
	for _, r := range p.Requests {
		sent, ok := beacon.Decode(r)
		if !ok {
			continue
		}
		host := capture.HostOf(r.URL)
		w, known := a.attribute(r.URL, pageURL, r.ResourceType)
		if !known && !firstParty(host) {
			w = unknownVendor(host)
		}
		d := base
		d.Kind, d.Vendor, d.Category, d.URL, d.Host, d.Source = detectors.KindBeaconPayload, w.id, w.category, r.URL, host, w.source
		d.FirstParty = firstParty(host)
		d.Evidence = sentEvidence(sent, r.URL)
		d.Sent = &sent
		a.detect(d)
		a.addVendor(w, p.Phase, "", d.Kind)
	}
}

// sentEvidence is one line: the format, its events and each identifier by
// field, kind and encoding, with the value's prefix for personal data.
func sentEvidence(s detectors.Sent, rawURL string) string {
	var b strings.Builder
	b.WriteString(s.Format + " to " + trimURL(rawURL))
	if len(s.Events) > 0 {
		b.WriteString(": events " + strings.Join(s.Events, ", "))
	}
	for i, id := range s.Identifiers {
		if i == 0 {
			b.WriteString("; sent ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(id.Field + " (" + id.Kind + ", " + id.Encoding)
		if detectors.Personal(id.Kind) {
			// Random visitor ids change every run; a hash prefix of what
			// the visitor typed does not, and lets two reports be matched.
			b.WriteString(" " + id.Prefix)
		}
		b.WriteString(")")
	}
	return b.String()
}
