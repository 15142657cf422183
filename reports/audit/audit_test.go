package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// siteReport is a small site report: vendors with their phases, findings.
func siteReport(t *testing.T, target string, withPolicy bool, vendors []detectors.Vendor, findings ...rules.Finding) json.RawMessage {
	t.Helper()
	rep := &reports.Report{Schema: reports.Schema, Kind: reports.KindSite, Target: target, Vendors: vendors, Findings: findings,
		Pages: []reports.Page{{URL: target, Phase: capture.PreConsent, Status: 200, Consent: &capture.Consent{CMP: "cookiebot", BannerFound: true}},
			{URL: target, Phase: capture.AfterReject, Status: 200}}}
	if withPolicy {
		rep.Policy = &policy.Policy{}
	}
	var buf, compact bytes.Buffer
	if err := (reports.JSON{}).Report(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := json.Compact(&compact, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	return compact.Bytes()
}

var (
	ga     = detectors.Vendor{ID: "google-analytics", Name: "Google Analytics", Category: kb.Analytics, Phases: []capture.Phase{capture.PreConsent, capture.AfterReject}, Disclosure: detectors.DisclosureUndisclosed}
	meta   = detectors.Vendor{ID: "meta-pixel", Name: "Meta Pixel", Category: kb.Advertising, Phases: []capture.Phase{capture.AfterAccept}}
	cmpVnd = detectors.Vendor{ID: "cookiebot", Name: "Cookiebot", Category: kb.ConsentManagement, Phases: []capture.Phase{capture.PreConsent}}
)

func sampleLines(t *testing.T) []Line {
	pre := rules.Finding{Rule: "TS001", Title: "Tracking before consent", Severity: rules.High, Target: "https://a.example/", Fingerprint: "f1"}
	rej := rules.Finding{Rule: "TS002", Title: "Tracking after reject", Severity: rules.Critical, Target: "https://a.example/", Fingerprint: "f2"}
	return []Line{
		{Schema: LineSchema, ID: "a", URL: "https://a.example/", Shard: "0/2", Status: Complete, Report: siteReport(t, "https://a.example/", true, []detectors.Vendor{ga, cmpVnd}, pre, rej)},
		{Schema: LineSchema, ID: "b", URL: "https://b.example/", Shard: "1/2", Status: Complete, Report: siteReport(t, "https://b.example/", false, []detectors.Vendor{meta, cmpVnd})},
		{Schema: LineSchema, ID: "c", URL: "https://c.example/", Shard: "1/2", Status: Incomplete, Error: "scan incomplete: 1 of 2 page visits failed",
			Report: siteReport(t, "https://c.example/", false, []detectors.Vendor{ga}, pre)},
		{Schema: LineSchema, ID: "d", URL: "https://d.example/", Shard: "0/2", Status: Failed, Error: "cannot start the browser"},
	}
}

func TestMergeRows(t *testing.T) {
	a, err := Merge(sampleLines(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Totals{Sites: 4, Complete: 2, Incomplete: 1, Failed: 1, TrackingBeforeConsent: 2, TrackingAfterReject: 2,
		Findings: SeverityCounts{Critical: 1, High: 2}}
	if a.Totals != want {
		t.Errorf("totals %+v, want %+v", a.Totals, want)
	}
	s := a.Sites[0]
	if s.ID != "a" || s.CMP != "Cookiebot" || !s.PolicyFound || !s.RejectScanned || strings.Join(s.VendorsBeforeConsent, ",") != "google-analytics" ||
		strings.Join(s.TrackingAfterReject, ",") != "google-analytics" || strings.Join(s.Undisclosed, ",") != "google-analytics" || s.Findings.High != 1 || s.Findings.Critical != 1 {
		t.Errorf("site a: %+v", s)
	}
	if got := a.Vendors[0]; got.ID != "google-analytics" || got.BeforeConsent != 2 || got.Sites != 2 || got.Undisclosed != 2 {
		t.Errorf("first vendor %+v, want google-analytics before consent on 2 sites", got)
	}
	for _, v := range a.Vendors {
		if v.ID == "cookiebot" && v.BeforeConsent != 0 {
			t.Errorf("a CMP counts as tracking before consent: %+v", v)
		}
	}
	if len(a.Rules) != 2 || a.Rules[0].Rule != "TS002" || a.Rules[1].Rule != "TS001" || a.Rules[1].Sites != 2 {
		t.Errorf("rules %+v: want TS002 (critical) then TS001 on 2 sites", a.Rules)
	}
	if len(a.Failed) != 2 || a.Failed[0].ID != "c" || a.Failed[1].ID != "d" {
		t.Errorf("failed %+v", a.Failed)
	}
}

// TestMergeDeterministic: the same lines in any order, split over any
// files, give byte-identical output in every format.
func TestMergeDeterministic(t *testing.T) {
	lines := sampleLines(t)
	render := func(ls []Line) map[string][]byte {
		a, err := Merge(ls)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, f := range Formats {
			var b bytes.Buffer
			if err := Render(&b, a, f); err != nil {
				t.Fatal(err)
			}
			out[f] = b.Bytes()
		}
		return out
	}
	want := render(lines)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		ls := append([]Line(nil), lines...)
		r.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
		got := render(ls)
		for f := range want {
			if !bytes.Equal(got[f], want[f]) {
				t.Fatalf("%s differs after shuffling the lines", f)
			}
		}
	}
	for _, f := range Formats {
		golden := filepath.Join("testdata", "audit."+f)
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(golden, want[f], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		g, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(g, want[f]) {
			t.Errorf("%s differs from %s (run with -update if intended)", f, golden)
		}
	}
}

func TestMergeDuplicates(t *testing.T) {
	lines := sampleLines(t)
	failedA := Line{Schema: LineSchema, ID: "a", URL: "https://a.example/", Shard: "1/2", Status: Failed, Error: "boom"}
	for _, order := range [][]Line{append([]Line{failedA}, lines...), append(append([]Line(nil), lines...), failedA)} {
		a, err := Merge(order)
		if err != nil {
			t.Fatal(err)
		}
		if a.Totals.Sites != 4 || a.Sites[0].Status != Complete {
			t.Errorf("duplicate not folded to the complete line: %+v", a.Sites[0])
		}
		if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "site a appears 2 times (shards 0/2, 1/2)") {
			t.Errorf("warnings %q", a.Warnings)
		}
	}
}

func TestReadLines(t *testing.T) {
	lines := sampleLines(t)
	var buf bytes.Buffer
	for _, l := range lines {
		b, err := l.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
	}
	whole := buf.Bytes()
	got, good, truncated, err := ReadLines(bytes.NewReader(whole), "x")
	if err != nil || truncated || len(got) != 4 || good != int64(len(whole)) {
		t.Fatalf("whole file: %d lines, good %d of %d, truncated %v, err %v", len(got), good, len(whole), truncated, err)
	}
	// A kill mid-write leaves part of the last line.
	cut := whole[:len(whole)-40]
	got, good, truncated, err = ReadLines(bytes.NewReader(cut), "x")
	if err != nil || !truncated || len(got) != 3 || int(good) != bytes.LastIndexByte(cut, '\n')+1 {
		t.Fatalf("cut file: %d lines, good %d, truncated %v, err %v", len(got), good, truncated, err)
	}
	// A bad line in the middle is an error with its number.
	bad := append([]byte("{\"schema\":\"trackscan/site-line/v1\",\"id\":\"x\"}\nnot json\n"), whole...)
	if _, _, _, err := ReadLines(bytes.NewReader(bad), "x.jsonl"); err == nil || !strings.Contains(err.Error(), "x.jsonl:2:") {
		t.Errorf("bad middle line: err %v", err)
	}
	if _, _, _, err := ReadLines(strings.NewReader("{\"schema\":\"trackscan/v1\",\"kind\":\"site\"}\n"), "r.json"); err == nil || !strings.Contains(err.Error(), "not a trackscan site line") {
		t.Errorf("a report is not a site line: err %v", err)
	}
}

func TestReportFileName(t *testing.T) {
	a, b := ReportFileName("https://A.example/x?y", "html"), ReportFileName("https://a.example/x_y", "html")
	if a == b || !strings.HasPrefix(a, "https___a.example_x_y-") || !strings.HasSuffix(a, ".html") {
		t.Errorf("names %q %q", a, b)
	}
	// FNV-1a of the id, as hash/fnv computes it: the same on every run.
	h := fnv.New32a()
	h.Write([]byte("acme"))
	if got, want := ReportFileName("acme", "html"), fmt.Sprintf("acme-%08x.html", h.Sum32()); got != want {
		t.Errorf("name %q, want %q", got, want)
	}
}

func TestCSVSafe(t *testing.T) {
	lines := []Line{{Schema: LineSchema, ID: "=HYPERLINK(\"x\")", URL: "https://x.example/", Status: Failed, Error: "-boom"}}
	a, err := Merge(lines)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Render(&b, a, "csv"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "'=HYPERLINK") || !strings.Contains(b.String(), "'-boom") {
		t.Errorf("formula cells not neutralised: %s", b.String())
	}
}

func FuzzReadLines(f *testing.F) {
	f.Add("{\"schema\":\"trackscan/site-line/v1\",\"id\":\"a\",\"url\":\"https://a.example/\",\"status\":\"complete\"}\n")
	f.Add("{\"schema\":\"trackscan/site-line/v1\",\"id\":\"a\"}\n{\"schema\":\"trackscan/site-line/v1\",\"id\"")
	f.Add("\n\n{}\n")
	f.Fuzz(func(t *testing.T, in string) {
		lines, good, truncated, err := ReadLines(strings.NewReader(in), "f")
		if err != nil {
			return
		}
		if good < 0 || good > int64(len(in)) {
			t.Fatalf("good prefix %d of %d bytes", good, len(in))
		}
		if !truncated && good != int64(len(in)) {
			t.Fatalf("not truncated, yet only %d of %d bytes good", good, len(in))
		}
		for _, l := range lines {
			if l.Schema != LineSchema || l.ID == "" {
				t.Fatalf("bad line accepted: %+v", l)
			}
		}
		if _, err := Merge(lines); err != nil && !strings.Contains(err.Error(), "site ") {
			t.Fatalf("merge: %v", err)
		}
	})
}
