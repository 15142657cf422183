package rules

import (
	"slices"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// multiSite is a scan of two bakeries' and a garden shop's home pages, plus
// a bakery's second host: Hotjar records on every page before consent, and
// a Hotjar cookie on each.
func multiSite(urls ...string) Input {
	in := Input{Kind: SiteInput, Target: urls[0]}
	hj := vendor("hotjar", "Hotjar", "Hotjar", kb.SessionReplay, pre)
	hj.Hosts = []string{"static.hotjar.com"}
	in.Vendors = []detectors.Vendor{hj}
	for _, u := range urls {
		in.Pages = append(in.Pages, PageInfo{URL: u, Phase: pre})
		in.Detections = append(in.Detections, detectors.Detection{Kind: detectors.KindSessionRecorder, Vendor: "hotjar",
			Category: kb.SessionReplay, Phase: pre, Page: u, Host: "static.hotjar.com"})
		host := capture.HostOf(u)
		in.Cookies = append(in.Cookies, detectors.Cookie{Name: "_hjSession", Domain: host, Vendor: "hotjar", Category: kb.SessionReplay,
			ExpiresDays: 1, Phases: []capture.Phase{pre}, Stored: true, Pages: []string{u}})
	}
	return in
}

func TestFindingsPerSite(t *testing.T) {
	tests := []struct {
		name  string
		urls  []string
		sites []string // the site of each pre-consent-tracking finding's page, sorted
	}{
		{"one page", []string{"http://bakery.example/"}, []string{"bakery.example"}},
		{"one site, two hosts", []string{"http://bakery.example/", "http://www.bakery.example/shop"}, []string{"bakery.example"}},
		{"two sites", []string{"http://bakery.example/", "http://garden.example/"}, []string{"bakery.example", "garden.example"}},
		{"three sites, one with two pages", []string{"http://bakery.example/", "http://garden.example/", "http://recipes.example/",
			"http://garden.example/article.html"}, []string{"bakery.example", "garden.example", "recipes.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Evaluate(multiSite(tt.urls...))
			var sites []string
			fps := map[string]bool{}
			for _, f := range res.Findings {
				if fps[f.Fingerprint] {
					t.Errorf("fingerprint %s twice", f.Fingerprint)
				}
				fps[f.Fingerprint] = true
				if f.Rule == RulePreConsentTracking {
					sites = append(sites, capture.SiteOfURL(f.Target))
				}
			}
			slices.Sort(sites)
			if !slices.Equal(sites, tt.sites) {
				t.Errorf("pre-consent findings on %v, want %v", sites, tt.sites)
			}
			if len(res.Vendors) != 1 || res.Vendors[0].ID != "hotjar" {
				t.Errorf("vendors %+v", res.Vendors)
			}
		})
	}
}

// A vendor active on one site only is that site's: the other site's input
// holds neither its detections nor its cookies, and a cookie seen on both
// keeps the phases it was written in on each.
func TestSplitSites(t *testing.T) {
	in := multiSite("http://bakery.example/", "http://garden.example/")
	in.Pages = append(in.Pages, PageInfo{URL: "http://garden.example/", Phase: accept})
	g := ga(accept)
	in.Vendors = append(in.Vendors, g)
	in.Detections = append(in.Detections,
		detectors.Detection{Kind: detectors.KindTrackingCookie, Vendor: "google-analytics", Category: kb.Analytics, Phase: accept,
			Page: "http://garden.example/", Host: "doubleclick.net"},
		detectors.Detection{Kind: detectors.KindTrackingCookie, Vendor: "google-analytics", Category: kb.Analytics, Phase: pre,
			Page: "http://bakery.example/", Host: "doubleclick.net"})
	in.Cookies = append(in.Cookies, detectors.Cookie{Name: "IDE", Domain: "doubleclick.net", Vendor: "google-analytics",
		Category: kb.Analytics, Phases: []capture.Phase{pre, accept}, Stored: true,
		Pages: []string{"http://bakery.example/", "http://garden.example/"}})
	in.Storage = []detectors.Storage{
		{Origin: "http://bakery.example", Kind: "localStorage", Key: "cart", Phases: []capture.Phase{pre}},
		{Origin: "https://static.hotjar.com", Kind: "localStorage", Key: "_hjid", Vendor: "hotjar", Category: kb.SessionReplay,
			Phases: []capture.Phase{pre, accept}},
	}
	in.Detections = append(in.Detections, detectors.Detection{Kind: detectors.KindStorage, Vendor: "hotjar",
		Category: kb.SessionReplay, Phase: pre, Page: "http://garden.example/", Host: "static.hotjar.com"})
	parts := splitSites(in)
	if len(parts) != 2 {
		t.Fatalf("%d parts", len(parts))
	}
	bakery, garden := parts[0], parts[1]
	if bakery.Target != "http://bakery.example/" || garden.Target != "http://garden.example/" {
		t.Errorf("targets %s, %s", bakery.Target, garden.Target)
	}
	ide := func(p Input) []capture.Phase {
		for _, c := range p.Cookies {
			if c.Name == "IDE" {
				return c.Phases
			}
		}
		return nil
	}
	if got := ide(bakery); !slices.Equal(got, []capture.Phase{pre}) {
		t.Errorf("bakery IDE phases %v", got)
	}
	if got := ide(garden); !slices.Equal(got, []capture.Phase{accept}) {
		t.Errorf("garden IDE phases %v", got)
	}
	keys := func(p Input) (out []string) {
		for _, s := range p.Storage {
			out = append(out, s.Key)
		}
		return out
	}
	if !slices.Equal(keys(bakery), []string{"cart"}) || !slices.Equal(keys(garden), []string{"_hjid"}) {
		t.Errorf("storage bakery %v garden %v", keys(bakery), keys(garden))
	}
	if garden.Storage[0].Phases[0] != pre || len(garden.Storage[0].Phases) != 1 {
		t.Errorf("garden _hjid phases %v", garden.Storage[0].Phases)
	}
	for _, v := range garden.Vendors {
		if v.ID == "google-analytics" && !slices.Equal(v.Phases, []capture.Phase{accept}) {
			t.Errorf("garden GA phases %v", v.Phases)
		}
	}
	if splitSites(multiSite("http://bakery.example/", "https://www.bakery.example/")) != nil {
		t.Error("one site split")
	}
	email := Input{Kind: EmailInput, Pages: []PageInfo{{URL: "http://a.example/"}, {URL: "http://b.example/"}}}
	if splitSites(email) != nil {
		t.Error("email input split")
	}
}
