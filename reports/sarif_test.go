package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/reports/sariftest"
	"github.com/trackscan/trackscan/rules"
)

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	for _, fx := range fixtures {
		if err := sariftest.Validate(render(t, "sarif", loadFixture(t, fx))); err != nil {
			t.Errorf("%s: SARIF does not validate: %v", fx, err)
		}
	}
	// The schema must really reject something, or the check above proves nothing.
	if err := sariftest.Validate([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`)); err == nil {
		t.Error("schema accepted a driver without a name")
	}
}

// sarifDoc is the part of a SARIF log the assertions below read.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string `json:"id"`
					ShortDescription     struct{ Text string }
					DefaultConfiguration struct{ Level string }
					Properties           struct {
						Tags             []string `json:"tags"`
						SecuritySeverity string   `json:"security-severity"`
					}
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			RuleIndex           int               `json:"ruleIndex"`
			Level               string            `json:"level"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }
					Region           struct{ StartLine int }
				}
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFContent(t *testing.T) {
	var doc sarifDoc
	if err := json.Unmarshal(render(t, "sarif", loadFixture(t, "site")), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Name != "trackscan" || len(run.Results) != 6 || len(run.Tool.Driver.Rules) != 6 {
		t.Fatalf("driver %q, %d results, %d rules; want trackscan, 6, 6", run.Tool.Driver.Name, len(run.Results), len(run.Tool.Driver.Rules))
	}
	wantLevel := map[string]string{
		"tracking-after-reject": "error", "pre-consent-tracking": "error", "cookie-lifetime-exceeds-declared": "warning",
		"session-recording-undeclared": "warning", "category-only-disclosure": "warning", "undisclosed-vendor": "note",
	}
	for _, res := range run.Results {
		if res.Level != wantLevel[res.RuleID] {
			t.Errorf("%s: level %q, want %q", res.RuleID, res.Level, wantLevel[res.RuleID])
		}
		if got := run.Tool.Driver.Rules[res.RuleIndex].ID; got != res.RuleID {
			t.Errorf("result %s points at rule %s", res.RuleID, got)
		}
		if res.PartialFingerprints[fingerprintKey] == "" {
			t.Errorf("%s: no %s", res.RuleID, fingerprintKey)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI == "" || loc.Region.StartLine != 1 {
			t.Errorf("%s: location %+v", res.RuleID, loc)
		}
	}
	if r := run.Tool.Driver.Rules[0]; r.ID != "tracking-after-reject" || r.Properties.SecuritySeverity != "9.5" || r.DefaultConfiguration.Level != "error" {
		t.Errorf("first rule = %+v; want the critical tracking-after-reject with security-severity 9.5", r)
	}
}

func TestSARIFNoFindings(t *testing.T) {
	var doc sarifDoc
	if err := json.Unmarshal(render(t, "sarif", loadFixture(t, "policy")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || doc.Runs[0].Results == nil {
		t.Errorf("want one run with an empty results list, got %+v", doc)
	}
}

func TestSARIFRuleText(t *testing.T) {
	rep := loadFixture(t, "site")
	rep.Findings = append(rep.Findings, rules.Finding{Rule: "from-a-newer-version", Title: "Something new", Severity: rules.Low,
		Target: "https://shop.example/", Fingerprint: "ff"})
	var buf bytes.Buffer
	if err := (SARIF{}).Report(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		if r.ID == "from-a-newer-version" {
			seen++
			if r.ShortDescription.Text != "Something new" || r.DefaultConfiguration.Level != "warning" || r.Help.Text == "" {
				t.Errorf("unknown rule not described from its finding: %+v", r)
			}
			continue
		}
		cat, ok := rules.Lookup(r.ID)
		if !ok {
			t.Fatalf("fixture rule %s is not in the catalogue", r.ID)
		}
		seen++
		if r.ShortDescription.Text != cat.Title || r.FullDescription.Text != cat.Why || r.Help.Text != cat.Fix ||
			r.DefaultConfiguration.Level != sarifLevel(cat.Severity) {
			t.Errorf("%s: catalogue text not used: %+v", r.ID, r)
		}
		if len(cat.References) > 0 && !strings.Contains(r.Help.Markdown, cat.References[0]) {
			t.Errorf("%s: help lacks the references", r.ID)
		}
	}
	if seen != 7 {
		t.Errorf("%d rules described, want 7", seen)
	}
}

func TestRuleName(t *testing.T) {
	for in, want := range map[string]string{
		"pre-consent-tracking": "PreConsentTracking", "cookie_lifetime": "CookieLifetime", "x": "X", "": "", "über-regel": "ÜberRegel",
	} {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", in, got, want)
		}
	}
}
