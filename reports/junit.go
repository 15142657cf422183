package reports

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/rules"
)

// JUnit writes JUnit XML for CI test views: one test case per rule and
// target (classname = rule, name = target).
//   - a case with findings of low severity or above has one <failure> whose
//     message counts them and whose body lists every finding of the case;
//   - a case whose findings are all info is <skipped>, since info findings
//     never fail a build, and its findings are listed in <system-out>;
//   - every rule of the catalogue that applies to the report's kind (and
//     policy) and did not fire is a passing case for the report's target,
//     so a CI view shows what was checked; a site scan of several start
//     URLs has them for each start URL whose site the rule did not fire on;
//   - a report to which no rule applies (a policy) has one passing case.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemErr  string          `xml:"system-err,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped  `xml:"skipped,omitempty"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Report implements Reporter.
func (JUnit) Report(w io.Writer, in *Report) error {
	r := normalized(in)
	suite := junitSuite{
		Name: fmt.Sprintf("trackscan %s %s", r.Kind, r.TargetLine()),
		Properties: []junitProperty{
			{Name: "kind", Value: string(r.Kind)},
			{Name: "target", Value: r.Target},
			{Name: "trackscan.version", Value: r.Tool.Version},
		},
	}
	if r.Suppressed > 0 {
		suite.Properties = append(suite.Properties, junitProperty{Name: "suppressed", Value: fmt.Sprint(r.Suppressed)})
	}
	cases := append(junitCases(r.Findings), passingCases(r)...)
	slices.SortStableFunc(cases, func(a, b junitCase) int {
		return cmp.Or(strings.Compare(a.Classname, b.Classname), strings.Compare(a.Name, b.Name))
	})
	for _, c := range cases {
		suite.Tests++
		if len(c.Failures) > 0 {
			suite.Failures++
		}
		if c.Skipped != nil {
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(suite.Cases) == 0 {
		suite.Tests = 1
		suite.Cases = []junitCase{{Name: r.Target, Classname: "trackscan", SystemOut: "no findings"}}
	}
	if len(r.Errors) > 0 {
		suite.SystemErr = strings.Join(r.Errors, "\n")
	}
	doc := junitSuites{Name: "trackscan", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCases groups sorted findings by (rule, target), ordered by rule then
// target so that the XML is stable.
func junitCases(fs []rules.Finding) []junitCase {
	type key struct{ rule, target string }
	groups := map[key][]rules.Finding{}
	var keys []key
	for _, f := range fs {
		k := key{f.Rule, f.Target}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(a.rule, b.rule), strings.Compare(a.target, b.target))
	})
	cases := make([]junitCase, 0, len(keys))
	for _, k := range keys {
		c := junitCase{Name: k.target, Classname: k.rule}
		fs := groups[k]
		texts := make([]string, len(fs))
		worst, failing := rules.Severity(""), 0
		for i, f := range fs {
			texts[i] = findingText(f)
			if f.Severity.Rank() >= rules.Low.Rank() {
				failing++
			}
			if f.Severity.Rank() > worst.Rank() {
				worst = f.Severity
			}
		}
		if failing == 0 {
			c.Skipped = &junitSkipped{Message: "informational findings only"}
			c.SystemOut = strings.Join(texts, "\n\n")
		} else {
			c.Failures = []junitFailure{{Message: failureMessage(fs), Type: string(worst), Text: strings.Join(texts, "\n\n")}}
		}
		cases = append(cases, c)
	}
	return cases
}

// failureMessage summarises a case: "Title: 3 findings (2 high, 1 medium)".
func failureMessage(fs []rules.Finding) string {
	if len(fs) == 1 {
		return fmt.Sprintf("%s: 1 %s finding", fs[0].Title, fs[0].Severity)
	}
	count := map[rules.Severity]int{}
	for _, f := range fs {
		count[f.Severity]++
	}
	var parts []string
	for _, s := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		if count[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[s], s))
		}
	}
	return fmt.Sprintf("%s: %d findings (%s)", fs[0].Title, len(fs), strings.Join(parts, ", "))
}

// passingCases are the catalogue's rules that apply to the report and did
// not fire, one case each per target: every start URL of a site scan of
// several, a rule passing for a start URL when none of its findings is on
// that URL's site; otherwise the report's target, when it did not fire at all.
func passingCases(r *Report) []junitCase {
	targets := []string{r.Target}
	multi := r.Kind == KindSite && len(r.Targets) > 1
	if multi {
		targets = r.Targets
	}
	fired := map[[2]string]bool{} // rule and site ("" when not split)
	for _, f := range r.Findings {
		site := ""
		if multi {
			site = capture.SiteOfURL(f.Target)
		}
		fired[[2]string{f.Rule, site}] = true
	}
	var out []junitCase
	for _, rule := range rules.Rules() {
		if !rule.AppliesTo(r.Kind, r.Policy != nil) {
			continue
		}
		for _, t := range targets {
			site := ""
			if multi {
				site = capture.SiteOfURL(t)
			}
			if !fired[[2]string{rule.ID, site}] {
				out = append(out, junitCase{Name: t, Classname: rule.ID})
			}
		}
	}
	return out
}

// findingText is the plain-text body of one finding for JUnit and similar.
func findingText(f rules.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s", f.Severity, f.Title)
	for _, kv := range [][2]string{
		{"phase", string(f.Phase)}, {"vendor", f.Vendor}, {"disclosure", string(f.Disclosure)},
		{"evidence", oneLineText(f.Evidence)}, {"requests", strings.Join(f.URLs, " ")}, {"policy", oneLineText(f.PolicyQuote)},
		{"fingerprint", f.Fingerprint},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "\n%s: %s", kv[0], kv[1])
		}
	}
	return b.String()
}
