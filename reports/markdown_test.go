package reports

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/rules"
)

func TestMarkdownStructure(t *testing.T) {
	out := string(render(t, "markdown", loadFixture(t, "site")))
	for _, want := range []string{
		"## trackscan site: https://shop.example/",
		"**6 findings: 1 critical, 1 high, 2 medium, 1 low, 1 info** · 4 pages",
		"### Findings", "### Vendors", "<details><summary>Cookies (5)</summary>",
		"| #   | Severity", "| 1   | **critical**",
		"- [1] \u201cWe only set non-essential cookies", "| none   |",
		`Consent manager &lt;OneTrust&gt; is named in the policy \| info only.`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details>")
	}
	// Every row of the findings table has as many cells as the header.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "| #   | Severity") {
			cols := strings.Count(l, "|")
			for _, row := range lines[i+1 : i+8] {
				if strings.Count(strings.ReplaceAll(row, `\|`, ""), "|") != cols {
					t.Errorf("row %q does not have %d separators", row, cols)
				}
			}
		}
	}
}

func TestMdCell(t *testing.T) {
	for in, want := range map[string]string{
		"a|b": `a\|b`, "<script>": "&lt;script&gt;", "one\ntwo": "one<br>two", "`code`": "'code'", "plain": "plain",
	} {
		if got := mdCell(in); got != want {
			t.Errorf("mdCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownNoFindings(t *testing.T) {
	out := string(render(t, "markdown", &Report{Kind: KindSite, Target: "https://a.example/", Findings: []rules.Finding{}}))
	if !strings.Contains(out, "**no findings**") || strings.Contains(out, "### Findings") {
		t.Errorf("unexpected markdown for an empty report:\n%s", out)
	}
}

// The same finding on several pages is one row listing the pages; the
// evidence and the policy sentence are written once.
func TestMarkdownGroupsPages(t *testing.T) {
	out := string(render(t, "markdown", repeatedFinding()))
	if n := strings.Count(out, "consent-mode-denied-firing"); n != 1 {
		t.Errorf("rule appears %d times, want one row:\n%s", n, out)
	}
	for _, want := range []string{"| /<br>/about.html<br>/products/<br>/products/mug.html<br>+1 more |",
		"**5 findings: 5 medium**", "1. **Google Consent Mode signal not honoured**: gcs=G100", "- [1] \u201cOnly with consent.\u201d"} {
		if !strings.Contains(strings.ReplaceAll(out, "  ", " "), strings.ReplaceAll(want, "  ", " ")) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

// repeatedFinding is one Consent Mode finding on five pages of one site.
func repeatedFinding() *Report {
	rep := &Report{Kind: KindSite, Target: "https://shop.example/"}
	for _, p := range []string{"", "about.html", "products/", "products/mug.html", "zz.html"} {
		rep.Findings = append(rep.Findings, rules.Finding{Rule: "consent-mode-denied-firing", Title: "Google Consent Mode signal not honoured",
			Severity: rules.Medium, Vendor: "google-analytics", Phase: "pre-consent", Target: "https://shop.example/" + p,
			Evidence: "gcs=G100 to www.google-analytics.com while cookies _ga were set pre-consent", PolicyQuote: "Only with consent.",
			Fingerprint: "fp" + p})
	}
	return rep
}
