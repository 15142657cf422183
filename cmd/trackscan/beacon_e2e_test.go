package main_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
)

// TestScanBeaconingSDK: beacon.example runs an ungated analytics SDK (a
// stand-in under Segment's hostnames) that beacons every second while the
// page is open, so the network never goes quiet. Every page must still be
// captured in every phase with the SDK's vendor, its request, its cookie and
// its localStorage key, and the banner's choice must be stored after reject
// and after accept.
func TestScanBeaconingSDK(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	jsonl := filepath.Join(t.TempDir(), "pages.jsonl")
	urls := []string{"http://beacon.example/", "http://beacon.example/article.html"}
	r := scanFixture(t, site, append(slices.Clone(urls), "--consent", "pre,reject,accept", "--jsonl", jsonl)...)

	for _, phase := range capture.Phases {
		if got := urlsIn(r, phase); !slices.Equal(got, urls) {
			t.Errorf("%s: pages %v, want %v", phase, got, urls)
		}
	}
	if got := vendorPhases(r, "segment"); !phasesEqual(got, capture.Phases...) {
		t.Errorf("vendor segment in %v, want every phase", got)
	}
	if got := cookiePhases(r, "ajs_anonymous_id"); !phasesEqual(got, capture.Phases...) {
		t.Errorf("cookie ajs_anonymous_id in %v, want every phase", got)
	}
	if got := storagePhases(r, "ajs_anonymous_id"); !phasesEqual(got, capture.Phases...) {
		t.Errorf("localStorage ajs_anonymous_id in %v, want every phase", got)
	}
	if got := cookiePhases(r, "steep_consent"); !phasesEqual(got, reject, accept) {
		t.Errorf("choice cookie steep_consent in %v, want after reject and after accept", got)
	}

	// Per page and phase: the SDK loaded and beaconed at least once, and the
	// vendor is named on that page.
	beaconed := map[string]map[capture.Phase]bool{}
	for _, p := range jsonlPages(t, jsonl) {
		for _, req := range p.Requests {
			if strings.HasPrefix(req.URL, "https://api.segment.io/v1/") {
				if beaconed[p.URL] == nil {
					beaconed[p.URL] = map[capture.Phase]bool{}
				}
				beaconed[p.URL][p.Phase] = true
			}
		}
	}
	for _, u := range urls {
		for _, phase := range capture.Phases {
			if !beaconed[u][phase] {
				t.Errorf("%s (%s): no beacon to api.segment.io captured", u, phase)
			}
			if !seenOn(r, "segment", phase)[u] {
				t.Errorf("%s (%s): vendor segment not detected on the page", u, phase)
			}
		}
	}
}
