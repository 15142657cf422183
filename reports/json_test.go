package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/rules"
)

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty", "", "not a trackscan report: empty input"},
		{"not json", "<html>", "not a trackscan report: invalid character"},
		{"array", "[]", "not a trackscan report: json: cannot unmarshal array"},
		{"no schema", `{"kind":"site"}`, `no schema field (want "trackscan/v1")`},
		{"other schema", `{"schema":"trackscan/v2","kind":"site"}`, `unsupported report schema "trackscan/v2"`},
		{"sarif file", `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0"}`, "no schema field"},
		{"bad kind", `{"schema":"trackscan/v1","kind":"app"}`, `report kind "app" is not one of site, email, policy`},
		{"wrong type", `{"schema":"trackscan/v1","kind":"site","findings":"none"}`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadJSON(%q) = %v, %v; want error containing %q", tt.in, rep, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestReadJSONMinimal(t *testing.T) {
	rep, err := ReadJSON(strings.NewReader(`{"schema":"trackscan/v1","kind":"policy","target":"p.md"}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Findings == nil || len(rep.Findings) != 0 || rep.Target != "p.md" {
		t.Errorf("got %+v; want target p.md and an empty, non-nil findings list", rep)
	}
}

// Writing, reading back and writing again must give the same document.
func TestJSONRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		first := render(t, "json", loadFixture(t, fx))
		back, err := ReadJSON(bytes.NewReader(first))
		if err != nil {
			t.Fatalf("%s: %v", fx, err)
		}
		if second := render(t, "json", back); !bytes.Equal(first, second) {
			t.Errorf("%s: round trip changed the document:\n%s", fx, firstDiff(second, first))
		}
	}
}

// The fields docs/json.md promises must be present under their names.
func TestJSONFieldNames(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, "json", loadFixture(t, "site")), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "kind", "target", "tool", "browser", "pages", "vendors", "cookies", "storage", "policy", "findings", "errors", "suppressed"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top level lacks %q", k)
		}
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"rule", "title", "severity", "category", "vendor", "phase", "disclosure", "target", "evidence", "policy_quote", "fingerprint"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	if f["severity"] != "critical" {
		t.Errorf("first finding severity = %v, want the most severe (critical) first", f["severity"])
	}
	if !strings.Contains(string(render(t, "json", loadFixture(t, "site"))), "?id=42&step=1") {
		t.Error("URLs in JSON must not be HTML-escaped")
	}
}

func TestJSONEmptyFindingsIsArray(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).Report(&buf, &Report{Kind: KindSite, Target: "x"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) || !strings.Contains(buf.String(), `"schema": "trackscan/v1"`) {
		t.Errorf("want schema set and findings as [], got:\n%s", buf.String())
	}
}

// FuzzReadJSON checks the reader: bad input gives a one-line error, and an
// accepted report survives a write and a second read unchanged. Rendering
// is FuzzRender's job: rendering all six formats on every input made each
// execution cost up to milliseconds, and the fuzzer minimises every new
// input with O(n^2) executions, which showed as minute-long stalls.
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"schema":"trackscan/v1","kind":"site","target":"https://a.example/","browser":{"third_party_cookies":"block"},` +
		`"pages":[{"url":"https://a.example/","phase":"pre-consent","consent":{"banner_found":true,"action":"reject","clicked":true},"screenshot":"x.png"}],` +
		`"vendors":[{"id":"v","name":"V","category":"analytics","phases":["pre-consent"],"hosts":["t.example"]}],` +
		`"cookies":[{"name":"_v","domain":".a.example","phases":["pre-consent"],"expires_days":400,"blocked":["UserPreferences"]}],` +
		`"findings":[{"rule":"r","title":"T","severity":"high","target":"https://a.example/x?q=1","evidence":"e|<b>","policy_quote":"q","fingerprint":"f"}]}`))
	f.Add([]byte(`{"schema":"trackscan/v1","kind":"site","findings":[{"severity":"bogus"}],"pages":[{"phase":"x"}]}`))
	f.Add([]byte(`{"schema":"trackscan/v1","kind":"email","emails":[{"trackers":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if rep.Schema != Schema || rep.Findings == nil {
			t.Fatalf("accepted schema %q, findings %v", rep.Schema, rep.Findings)
		}
		var first, second bytes.Buffer
		if err := (JSON{}).Report(&first, rep); err != nil {
			t.Fatalf("write: %v", err)
		}
		back, err := ReadJSON(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("cannot read back what was written: %v\n%s", err, first.Bytes())
		}
		if err := (JSON{}).Report(&second, back); err != nil || !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("round trip changed the report (%v):\n%s", err, firstDiff(second.Bytes(), first.Bytes()))
		}
	})
}

func TestSortedFindingsOrder(t *testing.T) {
	in := []rules.Finding{
		{Rule: "b", Severity: rules.Low, Target: "t"},
		{Rule: "a", Severity: rules.Info, Target: "t"},
		{Rule: "c", Severity: rules.Critical, Target: "t"},
		{Rule: "a", Severity: rules.Low, Target: "t"},
		{Rule: "z", Severity: "unknown", Target: "t"},
	}
	got := sortedFindings(in)
	var order []string
	for _, f := range got {
		order = append(order, string(f.Severity)+":"+f.Rule)
	}
	want := "critical:c low:a low:b info:a unknown:z"
	if strings.Join(order, " ") != want {
		t.Errorf("order = %v, want %s", order, want)
	}
	if in[0].Rule != "b" {
		t.Error("sortedFindings modified its input")
	}
}
