package reports

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/reports/sariftest"
	"github.com/trackscan/trackscan/rules"
)

// loadedByReport is the site fixture with a vendor loaded through a tag
// manager and a finding that names it.
func loadedByReport(t *testing.T) *Report {
	rep := loadFixture(t, "site")
	lb := detectors.LoadedBy{Phase: capture.PreConsent, Page: "https://shop.example/", Chain: []detectors.LoadStep{
		{Kind: detectors.LoadPage, URL: "https://shop.example/", Line: 7},
		{Kind: detectors.LoadTagManager, URL: "https://www.googletagmanager.com/gtm.js?id=GTM-AB12CD", Container: "GTM-AB12CD", Vendor: "google-tag-manager"},
	}}
	rep.Vendors[0].LoadedBy = []detectors.LoadedBy{lb}
	step, _ := lb.Actionable()
	rep.Findings = append(rep.Findings, rules.Finding{Rule: rules.RulePreConsentTracking, Title: "t", Severity: rules.High,
		Vendor: rep.Vendors[0].ID, Target: "https://shop.example/", Evidence: "e", Fingerprint: "f", LoadedBy: &step})
	return rep
}

func TestLoadedByInTable(t *testing.T) {
	out := string(render(t, "table", loadedByReport(t)))
	if !strings.Contains(out, "LOADED BY") || !strings.Contains(out, "GTM-AB12CD") {
		t.Errorf("table lacks the LOADED BY column or the container:\n%s", out)
	}
	// Without any loaded_by the column is not printed (older reports).
	if out := string(render(t, "table", loadFixture(t, "site"))); strings.Contains(out, "LOADED BY") {
		t.Error("LOADED BY printed with nothing in it")
	}
}

func TestLoadedByIsTheSARIFLocation(t *testing.T) {
	raw := render(t, "sarif", loadedByReport(t))
	if err := sariftest.Validate(raw); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
					LogicalLocations []struct{ Name, Kind string }
				}
				RelatedLocations []struct {
					PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range doc.Runs[0].Results {
		if len(r.Locations) == 0 || len(r.Locations[0].LogicalLocations) == 0 {
			continue
		}
		found = true
		loc := r.Locations[0]
		if loc.LogicalLocations[0].Name != "GTM-AB12CD" || !strings.Contains(loc.PhysicalLocation.ArtifactLocation.URI, "gtm.js") {
			t.Errorf("location = %+v, want the GTM container", loc)
		}
		if len(r.RelatedLocations) != 1 || r.RelatedLocations[0].PhysicalLocation.ArtifactLocation.URI != "https://shop.example/" {
			t.Errorf("related = %+v, want the page", r.RelatedLocations)
		}
	}
	if !found {
		t.Error("no result carries the loaded_by location")
	}
}

func TestHTMLLinksHAR(t *testing.T) {
	rep := loadedByReport(t)
	for i := range rep.Pages {
		if rep.Pages[i].URL == "https://shop.example/" && rep.Pages[i].Phase == capture.PreConsent {
			rep.Pages[i].HAR = "evidence/shop.example_0a1b2c3d_pre-consent.har"
		}
	}
	out := string(render(t, "html", rep))
	if n := strings.Count(out, `<a href="evidence/shop.example_0a1b2c3d_pre-consent.har">HAR</a>`); n < 2 {
		t.Errorf("HAR linked %d times, want from the page and from its findings", n)
	}
	if !strings.Contains(out, "loaded by tag-manager</span> GTM-AB12CD") {
		t.Error("finding does not say what loaded its vendor")
	}
}
