package reports

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/rules"
)

// JUnit writes JUnit XML for CI test views. Each (rule, target) pair with
// findings is one test case (classname = rule, name = target):
//   - every finding of low severity or above is a <failure> of that case;
//   - a case whose findings are all info is <skipped>, since info findings
//     never fail a build, and its findings are listed in <system-out>;
//   - a report without findings has one passing case for its target, so a
//     CI view shows the scan ran.
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
		Name: fmt.Sprintf("trackscan %s %s", r.Kind, r.Target),
		Properties: []junitProperty{
			{Name: "kind", Value: r.Kind},
			{Name: "target", Value: r.Target},
			{Name: "trackscan.version", Value: r.Tool.Version},
		},
	}
	if r.Suppressed > 0 {
		suite.Properties = append(suite.Properties, junitProperty{Name: "suppressed", Value: fmt.Sprint(r.Suppressed)})
	}
	for _, c := range junitCases(r.Findings) {
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
		var info []string
		for _, f := range groups[k] {
			if f.Severity.Rank() >= rules.Low.Rank() {
				c.Failures = append(c.Failures, junitFailure{
					Message: f.Title,
					Type:    string(f.Severity),
					Text:    findingText(f),
				})
				continue
			}
			info = append(info, findingText(f))
		}
		if len(c.Failures) == 0 {
			c.Skipped = &junitSkipped{Message: "informational findings only"}
		}
		c.SystemOut = strings.Join(info, "\n\n")
		cases = append(cases, c)
	}
	return cases
}

// findingText is the plain-text body of one finding for JUnit and similar.
func findingText(f rules.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s", f.Severity, f.Title)
	for _, kv := range [][2]string{
		{"phase", f.Phase}, {"vendor", f.Vendor}, {"disclosure", f.Disclosure},
		{"evidence", oneLineText(f.Evidence)}, {"policy", oneLineText(f.PolicyQuote)}, {"fingerprint", f.Fingerprint},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "\n%s: %s", kv[0], kv[1])
		}
	}
	return b.String()
}
