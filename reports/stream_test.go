package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/rules"
)

// The SARIF log is written around its results one by one; it must be the
// document json.Encoder writes for the whole log, even when a finding's
// text looks like the results array the writer splices into.
func TestSARIFStreamedIsTheWholeLog(t *testing.T) {
	tricky := "\n      \"results\": [],\n</script>&<"
	for _, n := range []int{0, 1, 7} {
		rep := &Report{Schema: Schema, Kind: KindSite, Target: "https://shop.example/", Tool: Tool{Name: "trackscan", Version: "t"}}
		for i := range n {
			rep.Findings = append(rep.Findings, rules.Finding{Rule: fmt.Sprintf("rule-%d", i%3), Title: "T" + tricky,
				Severity: rules.High, Target: fmt.Sprintf("https://shop.example/p%d", i), Evidence: "seen" + tricky,
				Fingerprint: fmt.Sprintf("%016x", i), Phase: capture.PreConsent, URLs: []string{"https://t.example/a?b=1&c=2"}})
		}
		var got bytes.Buffer
		if err := (SARIF{}).Report(&got, rep); err != nil {
			t.Fatal(err)
		}
		// The whole log, built and encoded at once.
		r := normalized(rep)
		run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "trackscan", Version: "t", InformationURI: toolInfoURI, Rules: []sarifRule{}}},
			Results: []sarifResult{}, Properties: map[string]any{"kind": r.Kind, "target": r.Target}}
		index := map[string]int{}
		for _, f := range r.Findings {
			i, seen := index[f.Rule]
			if !seen {
				i = len(run.Tool.Driver.Rules)
				index[f.Rule] = i
				run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, SARIF{}.rule(f))
			}
			run.Results = append(run.Results, sarifResultOf(f, i))
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(sarifLog{Schema: sarifSchemaURI, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d findings: streamed log differs from the whole log\ngot:\n%s\nwant:\n%s", n, got.String(), want.String())
		}
	}
}

func TestHARIndex(t *testing.T) {
	pages := []Page{
		{URL: "https://s.example/a", Phase: capture.PreConsent},
		{URL: "https://s.example/b", FinalURL: "https://s.example/b2", Phase: capture.PreConsent, HAR: "b-pre.har"},
		{URL: "https://s.example/b", Phase: capture.AfterAccept, HAR: "b-accept.har"},
		{URL: "https://s.example/b", Phase: capture.AfterAccept, HAR: "b-accept-again.har"},
	}
	x := newHARIndex(pages)
	for _, c := range []struct {
		page  string
		phase capture.Phase
		want  string
	}{
		{"https://s.example/a", capture.PreConsent, ""},
		{"https://s.example/b", capture.PreConsent, "b-pre.har"},
		{"https://s.example/b2", capture.PreConsent, "b-pre.har"},
		{"https://s.example/b", capture.AfterAccept, "b-accept.har"}, // the first page wins
		{"https://s.example/b", "", "b-pre.har"},                     // no phase: any phase, first page
		{"https://s.example/b2", capture.AfterReject, ""},
		{"https://other.example/", "", ""},
	} {
		if got := x.of(c.page, c.phase); got != c.want {
			t.Errorf("of(%s, %q) = %q, want %q", c.page, c.phase, got, c.want)
		}
	}
	if got := newHARIndex(pages[:1]).of("https://s.example/a", ""); got != "" {
		t.Errorf("no HAR written: got %q", got)
	}
}

// A report read back from JSON is already in order; rendering it must not
// copy its lists, and rendering one out of order must not reorder the
// caller's lists.
func TestNormalizedSharesOrderedLists(t *testing.T) {
	sorted := &Report{Pages: []Page{{URL: "a", Phase: capture.PreConsent}, {URL: "b", Phase: capture.PreConsent}},
		Findings: []rules.Finding{{Rule: "a", Severity: rules.High}, {Rule: "b", Severity: rules.Low}}}
	n := normalized(sorted)
	if &n.Pages[0] != &sorted.Pages[0] || &n.Findings[0] != &sorted.Findings[0] {
		t.Error("ordered lists were copied")
	}
	unsorted := &Report{Pages: []Page{{URL: "b", Phase: capture.PreConsent}, {URL: "a", Phase: capture.PreConsent}},
		Findings: []rules.Finding{{Rule: "b", Severity: rules.Low}, {Rule: "a", Severity: rules.High}}}
	n = normalized(unsorted)
	if n.Pages[0].URL != "a" || n.Findings[0].Rule != "a" {
		t.Errorf("not sorted: %v %v", n.Pages, n.Findings)
	}
	if unsorted.Pages[0].URL != "b" || unsorted.Findings[0].Rule != "b" {
		t.Error("the caller's lists were reordered")
	}
	if n := normalized(&Report{}); n.Findings == nil || n.Pages != nil {
		t.Errorf("empty report: findings %#v, pages %#v", n.Findings, n.Pages)
	}
}

// Strings decoded from a report are shared: equal values point at one copy.
func TestReadJSONSharesStrings(t *testing.T) {
	doc := `{"schema":"trackscan/v1","kind":"site","target":"https://s.example/","findings":[],
	"detections":[{"kind":"third-party-script","page":"https://s.example/p","url":"https://t.example/1"},
	              {"kind":"third-party-script","page":"https://s.example/p","url":"https://t.example/2"}]}`
	rep, err := ReadJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	a, b := rep.Detections[0], rep.Detections[1]
	if a.Page != "https://s.example/p" || b.Page != a.Page || a.URL != "https://t.example/1" || b.URL != "https://t.example/2" {
		t.Fatalf("decoded %+v %+v", a, b)
	}
	if unsafe.StringData(a.Page) != unsafe.StringData(b.Page) || unsafe.StringData(string(a.Kind)) != unsafe.StringData(string(b.Kind)) {
		t.Error("equal strings are separate copies")
	}
}
