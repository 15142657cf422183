package reports

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// parsed is JUnit XML as a CI server reads it.
type parsed struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failures  []struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
		SystemErr string `xml:"system-err"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, fixture string) parsed {
	t.Helper()
	var p parsed
	if err := xml.Unmarshal(render(t, "junit", loadFixture(t, fixture)), &p); err != nil {
		t.Fatalf("%s: JUnit does not parse: %v", fixture, err)
	}
	return p
}

func TestJUnitParsesBack(t *testing.T) {
	tests := []struct {
		fixture                  string
		tests, failures, skipped int
		cases                    []string // classname/name/failures
	}{
		{"site", 6, 5, 1, []string{
			"category-only-disclosure/https://shop.example//1",
			"cookie-lifetime-exceeds-declared/https://shop.example//1",
			"pre-consent-tracking/https://shop.example//1",
			"session-recording-undeclared/https://shop.example//1",
			"tracking-after-reject/https://shop.example//1",
			"undisclosed-vendor/https://shop.example/basket?id=42&step=1/0",
		}},
		{"email", 3, 3, 0, []string{
			"email-open-tracking-undeclared/campaign/april-news.eml/1",
			"email-open-tracking-undeclared/campaign/welcome.eml/1",
			"recipient-address-leak/campaign/april-news.eml/1",
		}},
		{"policy", 1, 0, 0, []string{"trackscan/https://shop.example/privacy/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			p := parseJUnit(t, tt.fixture)
			if p.Tests != tt.tests || p.Failures != tt.failures || p.Skipped != tt.skipped {
				t.Errorf("tests/failures/skipped = %d/%d/%d, want %d/%d/%d", p.Tests, p.Failures, p.Skipped, tt.tests, tt.failures, tt.skipped)
			}
			var got []string
			for _, c := range p.Suites[0].Cases {
				got = append(got, c.Classname+"/"+c.Name+"/"+strconv.Itoa(len(c.Failures)))
			}
			if strings.Join(got, "\n") != strings.Join(tt.cases, "\n") {
				t.Errorf("cases:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.cases, "\n"))
			}
		})
	}
}

func TestJUnitInfoIsSkipped(t *testing.T) {
	p := parseJUnit(t, "site")
	for _, c := range p.Suites[0].Cases {
		if c.Classname == "undisclosed-vendor" {
			if c.Skipped == nil || !strings.Contains(c.SystemOut, "[info] Vendor not named") {
				t.Errorf("info-only case should be skipped with its finding in system-out: %+v", c)
			}
			return
		}
		if len(c.Failures) > 0 && (c.Failures[0].Type == "" || !strings.Contains(c.Failures[0].Text, "fingerprint: ")) {
			t.Errorf("failure lacks severity or fingerprint: %+v", c.Failures[0])
		}
	}
	if !strings.Contains(p.Suites[0].SystemErr, "navigation timeout") {
		t.Error("scan errors belong in system-err")
	}
}
