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
		"| Severity", "| **critical** | tracking-after-reject",
		"> We only set non-essential cookies", "> _no policy sentence matched_",
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
		if strings.HasPrefix(l, "| Severity") {
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
