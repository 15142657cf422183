package site

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

func TestBeaconPayloadDetections(t *testing.T) {
	hash := strings.Repeat("3f", 32)
	p := capture.Page{URL: shop, Phase: capture.PreConsent, Requests: []capture.Request{
		{URL: shop, ResourceType: "Document"},
		{URL: "https://www.facebook.com/tr/?id=1&ev=Lead&ud[em]=" + hash + "&fbp=fb.1.17.99", ResourceType: "Image", Initiator: fbURL},
		{URL: "https://shop.example/static/app.js", ResourceType: "Script"},
	}}
	r := Analyze([]capture.Page{p}, kb.Default())
	var got []detectors.Detection
	for _, d := range r.Detections {
		if d.Kind == detectors.KindBeaconPayload {
			got = append(got, d)
		}
	}
	if len(got) != 1 {
		t.Fatalf("beacon-payload detections = %+v, want one", got)
	}
	d := got[0]
	want := "meta-pixel to https://www.facebook.com/tr/?…: events Lead; sent fbp (client-id, plain), ud[em] (email, sha256 3f3f3f3f…)"
	if d.Vendor != "facebook" || d.Evidence != want || d.Sent == nil || d.Sent.Identifiers[1].Kind != detectors.IDEmail {
		t.Errorf("detection = %+v\nwant evidence %q", d, want)
	}
}
