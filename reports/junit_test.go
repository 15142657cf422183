package reports

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
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
		// Rules that did not fire are passing cases for the report's target.
		{"site", 23, 5, 1, []string{
			"accept-more-prominent/https://shop.example//0",
			"advanced-matching-before-consent/https://shop.example//0",
			"category-only-disclosure/https://shop.example//1",
			"cname-cloaked-tracker/https://shop.example//0",
			"consent-before-choice/https://shop.example//0",
			"consent-mode-denied-firing/https://shop.example//0",
			"contradicted-practice/https://shop.example//0",
			"cookie-declared-necessary-tracker/https://shop.example//0",
			"cookie-lifetime-exceeds-declared/https://shop.example//1",
			"cookie-lifetime-over-13-months/https://shop.example//0",
			"cookie-undeclared/https://shop.example//0",
			"fingerprinting-undeclared/https://shop.example//0",
			"key-logging/https://shop.example//0",
			"legitimate-interest-preset/https://shop.example//0",
			"navigation-out-of-scope/https://shop.example//0",
			"pii-sent-to-third-party/https://shop.example//0",
			"pre-consent-tracking/https://shop.example//1",
			"pre-ticked-toggles/https://shop.example//0",
			"reject-not-found/https://shop.example//0",
			"reject-not-offered/https://shop.example//0",
			"session-recording-undeclared/https://shop.example//1",
			"tracking-after-reject/https://shop.example//1",
			"undisclosed-vendor/https://shop.example/basket?id=42&step=1/0",
		}},
		{"email", 7, 3, 0, []string{
			"contradicted-practice/campaign//0",
			"email-click-tracking-undeclared/campaign//0",
			"email-individual-click-tracking/campaign//0",
			"email-individual-open-tracking/campaign//0",
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

// Several findings of one rule on one target are one case with one
// failure; the message counts them and the body lists each.
func TestJUnitOneFailurePerCase(t *testing.T) {
	f := func(sev rules.Severity, vendor string) rules.Finding {
		return rules.Finding{Rule: rules.RuleContradictedPractice, Title: "Observed practice contradicts the policy",
			Severity: sev, Vendor: vendor, Target: "https://shop.example/", Fingerprint: "fp-" + vendor}
	}
	tests := []struct {
		name     string
		findings []rules.Finding
		message  string
		typ      string
		vendors  []string
	}{
		{"three", []rules.Finding{f(rules.High, "hotjar"), f(rules.High, "facebook"), f(rules.Medium, "youtube")},
			"Observed practice contradicts the policy: 3 findings (2 high, 1 medium)", "high", []string{"hotjar", "facebook", "youtube"}},
		{"one", []rules.Finding{f(rules.Low, "hotjar")}, "Observed practice contradicts the policy: 1 low finding", "low", []string{"hotjar"}},
		{"with info", []rules.Finding{f(rules.Info, "a"), f(rules.Medium, "b")},
			"Observed practice contradicts the policy: 2 findings (1 medium, 1 info)", "medium", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &Report{Kind: KindSite, Target: "https://shop.example/", Findings: tt.findings, Policy: &policy.Policy{}}
			var p parsed
			if err := xml.Unmarshal(render(t, "junit", rep), &p); err != nil {
				t.Fatal(err)
			}
			applicable := 0
			for _, r := range rules.Rules() {
				if r.AppliesTo(KindSite, true) {
					applicable++
				}
			}
			if p.Tests != applicable || p.Failures != 1 || p.Suites[0].Tests != applicable {
				t.Errorf("tests/failures = %d/%d, want %d/1", p.Tests, p.Failures, applicable)
			}
			n := 0
			for _, c := range p.Suites[0].Cases {
				if c.Classname != rules.RuleContradictedPractice {
					if len(c.Failures) != 0 || c.Skipped != nil || c.Name != rep.Target {
						t.Errorf("a rule that did not fire should pass: %+v", c)
					}
					continue
				}
				n++
				if len(c.Failures) != 1 {
					t.Fatalf("%d failures in one case, want 1", len(c.Failures))
				}
				fl := c.Failures[0]
				if fl.Message != tt.message || fl.Type != tt.typ {
					t.Errorf("failure %q/%q, want %q/%q", fl.Message, fl.Type, tt.message, tt.typ)
				}
				for _, v := range tt.vendors {
					if !strings.Contains(fl.Text, "vendor: "+v+"\n") {
						t.Errorf("failure body lacks vendor %s:\n%s", v, fl.Text)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d cases for the rule, want 1", n)
			}
		})
	}
}

func TestRuleAppliesTo(t *testing.T) {
	tests := []struct {
		rule      string
		kind      Kind
		hasPolicy bool
		want      bool
	}{
		{rules.RulePreConsentTracking, KindSite, false, true},
		{rules.RulePreConsentTracking, KindEmail, true, false},
		{rules.RuleUndisclosedVendor, KindSite, false, false},
		{rules.RuleUndisclosedVendor, KindSite, true, true},
		{rules.RuleEmailOpenUndeclared, KindEmail, true, true},
		{rules.RuleEmailOpenUndeclared, KindSite, true, false},
		{rules.RuleRecipientAddressLeak, KindEmail, false, true},
		{rules.RuleContradictedPractice, KindEmail, true, true},
		{rules.RuleContradictedPractice, KindSite, true, true},
		{rules.RuleContradictedPractice, KindPolicy, true, false},
	}
	for _, tt := range tests {
		r, _ := rules.Lookup(tt.rule)
		if got := r.AppliesTo(tt.kind, tt.hasPolicy); got != tt.want {
			t.Errorf("%s.AppliesTo(%s, %v) = %v, want %v", tt.rule, tt.kind, tt.hasPolicy, got, tt.want)
		}
	}
}

// A scan of several sites has passing cases for every start URL: a rule
// that fired on one site still passes on the others.
func TestJUnitPassingCasesPerSite(t *testing.T) {
	targets := []string{"https://shop.example/", "https://blog.test/", "https://news.test/start"}
	rep := &Report{Kind: KindSite, Target: targets[0], Targets: targets, Findings: []rules.Finding{{
		Rule: rules.RuleCookieLifetime13Months, Title: "Cookie lifetime over 13 months", Severity: rules.Low,
		Target: "https://blog.test/about", Fingerprint: "fp"}}}
	var p parsed
	if err := xml.Unmarshal(render(t, "junit", rep), &p); err != nil {
		t.Fatal(err)
	}
	applicable := 0
	for _, r := range rules.Rules() {
		if r.AppliesTo(KindSite, false) {
			applicable++
		}
	}
	passing := map[string]int{}
	var fired []string
	for _, c := range p.Suites[0].Cases {
		if len(c.Failures) > 0 {
			fired = append(fired, c.Classname+" "+c.Name)
			continue
		}
		passing[c.Name]++
		if c.Classname == rules.RuleCookieLifetime13Months && c.Name == "https://blog.test/" {
			t.Errorf("rule that fired on blog.test also passes there")
		}
	}
	if len(fired) != 1 || fired[0] != rules.RuleCookieLifetime13Months+" https://blog.test/about" {
		t.Errorf("failing cases %v", fired)
	}
	want := map[string]int{targets[0]: applicable, targets[1]: applicable - 1, targets[2]: applicable}
	for _, target := range targets {
		if passing[target] != want[target] {
			t.Errorf("%s: %d passing cases, want %d", target, passing[target], want[target])
		}
	}
	if p.Tests != 3*applicable {
		t.Errorf("tests = %d, want %d", p.Tests, 3*applicable)
	}
}
