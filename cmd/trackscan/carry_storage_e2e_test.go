package main_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
)

// TestConsentCarriedInSessionAndIndexedDB scans two shops whose banners
// keep the choice only in sessionStorage (tabchoice.example) or only in
// IndexedDB (dbchoice.example). In the reject phase the first page clicks;
// the second starts with the record carried, so its banner stays away
// and Hotjar, gated on an accept, stays off; the accept phase shows that
// the gate opens.
func TestConsentCarriedInSessionAndIndexedDB(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	for _, tc := range []struct {
		first, second, state string
	}{
		{"http://tabchoice.example/", "http://tabchoice.example/pens.html", "sessionStorage inkwell-consent"},
		{"http://dbchoice.example/", "http://dbchoice.example/yarn.html", `indexedDB loom-privacy/choices "site"`},
	} {
		t.Run(capture.HostOf(tc.first), func(t *testing.T) {
			r := scanFixture(t, site, tc.first, tc.second, "--consent", "pre,reject,accept", "--no-policy")
			for _, phase := range []capture.Phase{reject, accept} {
				var clicked, carried *capture.Consent
				for _, p := range pagesIn(r, phase) {
					switch {
					case p.Consent == nil:
					case p.Consent.Clicked:
						clicked = p.Consent
					case p.Consent.Carried:
						carried = p.Consent
					}
				}
				if clicked == nil || !slices.Contains(clicked.State, tc.state) {
					t.Fatalf("%s: the click's state %+v, want it to name %s", phase, clicked, tc.state)
				}
				if carried == nil || carried.CarriedFrom != tc.first || !carried.Verified || !slices.Contains(carried.State, tc.state) {
					t.Errorf("%s: the second page's consent %+v, want the choice carried from %s, its banner gone", phase, carried, tc.first)
				}
			}
			seen := seenOn(r, "hotjar", reject)
			if len(seen) != 0 {
				t.Errorf("hotjar after reject on %v: the carried refusal did not hold", seen)
			}
			if got := seenOn(r, "hotjar", accept); !got[tc.second] {
				t.Errorf("hotjar after accept on %v, want the second page too (the carried accept opens the gate)", got)
			}
			if got := vendorPhases(r, "hotjar"); strings.Contains(phaseList(got), string(pre)) {
				t.Errorf("hotjar in %v before consent", got)
			}
		})
	}
}

func phaseList(ps []capture.Phase) string {
	var s []string
	for _, p := range ps {
		s = append(s, string(p))
	}
	return strings.Join(s, ",")
}
