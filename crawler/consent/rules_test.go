package consent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The list of CMPs every release must know.
var requiredCMPs = []string{"onetrust", "cookiebot", "didomi", "quantcast", "trustarc", "usercentrics",
	"sourcepoint", "consentmanager", "cookieyes", "osano", "complianz", "iubenda", "borlabs", "termly",
	"axeptio", "klaro", "cookieconsent", "tarteaucitron", "cookiescript", "civic"}

func TestBuiltInRules(t *testing.T) {
	rs, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rs.Rules {
		ids[r.ID] = true
	}
	for _, id := range requiredCMPs {
		if !ids[id] {
			t.Errorf("no rule for %s", id)
		}
		// Each rule is tested in Chromium with its own samples.
		for _, f := range []string{"positive.html", "negative.html"} {
			if _, err := os.Stat(filepath.Join("..", "..", "testdata", "consent", id, f)); err != nil {
				t.Errorf("rule %s has no sample %s", id, f)
			}
		}
	}
	// A rule's settings-layer path is clicked only when its first layer has
	// no reject button: a sample without one must exercise it.
	for _, r := range rs.Rules {
		if len(r.RejectSteps) == 0 {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", "..", "testdata", "consent", r.ID, "positive-settings.html")); err != nil {
			t.Errorf("rule %s has reject steps but no sample positive-settings.html", r.ID)
		}
	}
	// The generic fallback has a banner and a near miss in every language.
	for _, lang := range []string{"en", "de", "fr", "es", "it", "nl"} {
		for _, kind := range []string{"positive", "negative"} {
			if _, err := os.Stat(filepath.Join("..", "..", "testdata", "consent", "generic", kind+"-"+lang+".html")); err != nil {
				t.Errorf("generic fallback has no %s sample in %s", kind, lang)
			}
		}
	}
}

func TestCheckRejectsBadRules(t *testing.T) {
	good := func() RuleSet {
		return RuleSet{
			Rules:   []Rule{{ID: "x", Name: "X", Detect: []string{"#x"}, Reject: []Target{{CSS: "#no"}}, Accept: []Target{{CSS: "#yes"}}}},
			Generic: Generic{Words: "cookie", Necessary: "necessary", LegitimateInterest: "legitimate interest", Reject: []string{"^reject all$"}, Accept: []string{"^accept all$"}},
		}
	}
	tests := []struct {
		name   string
		mutate func(*RuleSet)
		want   string
	}{
		{"valid", func(*RuleSet) {}, ""},
		{"no id", func(rs *RuleSet) { rs.Rules[0].ID = "" }, "id and name"},
		{"reserved id", func(rs *RuleSet) { rs.Rules[0].ID = "generic" }, "reserved"},
		{"duplicate id", func(rs *RuleSet) { rs.Rules = append(rs.Rules, rs.Rules[0]) }, "duplicate"},
		{"no detect", func(rs *RuleSet) { rs.Rules[0].Detect = nil }, "no detect"},
		{"no reject", func(rs *RuleSet) { rs.Rules[0].Reject = nil }, "no way to reject"},
		{"steps are enough", func(rs *RuleSet) {
			rs.Rules[0].Reject = nil
			rs.Rules[0].RejectSteps = []Target{{CSS: "#settings"}, {CSS: "#save"}}
		}, ""},
		{"no accept", func(rs *RuleSet) { rs.Rules[0].Accept = nil }, "no way to accept"},
		{"empty selector", func(rs *RuleSet) { rs.Rules[0].Accept[0].CSS = " " }, "empty selector"},
		{"bad text", func(rs *RuleSet) { rs.Rules[0].Accept[0].Text = "(" }, "text"},
		{"unanchored", func(rs *RuleSet) { rs.Generic.Reject = []string{"reject"} }, "not anchored"},
		{"bad words", func(rs *RuleSet) { rs.Generic.Words = "" }, "words"},
		{"bad necessary", func(rs *RuleSet) { rs.Generic.Necessary = "(" }, "necessary"},
		{"unanchored save", func(rs *RuleSet) { rs.Generic.Save = []string{"^save"} }, "not anchored"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := good()
			tc.mutate(&rs)
			err := rs.Check()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTargetJSON(t *testing.T) {
	var ts []Target
	if err := jsonUnmarshal(`["#a", {"css": "#b", "text": "^x$"}]`, &ts); err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0] != (Target{CSS: "#a"}) || ts[1] != (Target{CSS: "#b", Text: "^x$"}) {
		t.Fatalf("got %+v", ts)
	}
}

func TestScript(t *testing.T) {
	s := Script(Config{Reject: []string{"#my-no"}, Accept: []string{"#my-yes"}})
	for _, want := range []string{"window.__trackscanConsent", `const CONFIG = {"reject":["#my-no"],"accept":["#my-yes"]}`, `"id":"onetrust"`, `"id":"civic"`} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(s), "})();") {
		t.Errorf("script does not end as a statement: %q", s[len(s)-20:])
	}
	if first, second := Script(Config{}), Script(Config{}); first != second {
		t.Error("script is not deterministic")
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func TestName(t *testing.T) {
	for id, want := range map[string]string{"onetrust": "OneTrust", "cookieconsent": "vanilla-cookieconsent (orestbida)",
		"generic": "generic cookie banner", "config": "banner matched by the configured selectors", "": "", "nope": "nope"} {
		if got := Name(id); got != want {
			t.Errorf("Name(%q) = %q, want %q", id, got, want)
		}
	}
}

// DetectScript keeps every Consent-O-Matic detector, in the file's order,
// and none of the steps.
func TestDetectScriptDetectors(t *testing.T) {
	names := func(raw string) []string {
		dec := json.NewDecoder(strings.NewReader(raw))
		var out []string
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var rule map[string]json.RawMessage
			if err := dec.Decode(&rule); err != nil {
				t.Fatal(err)
			}
			if _, ok := rule["detectors"]; ok {
				out = append(out, tok.(string))
			}
		}
		return out
	}
	want, got := names(comRulesJSON), names(comDetectors())
	if len(want) < 100 || !slices.Equal(got, want) {
		t.Fatalf("detectors of %d rules, want the %d rules with detectors in the file's order", len(got), len(want))
	}
	if strings.Contains(comDetectors(), `"methods"`) {
		t.Error("detectors-only rules still hold methods")
	}
	full, light := Script(Config{}), DetectScript(Config{})
	if len(light)*3 > len(full) {
		t.Errorf("DetectScript is %d bytes, Script %d: the split saves too little", len(light), len(full))
	}
	if !strings.HasSuffix(strings.TrimSpace(light), "})();") {
		t.Error("DetectScript does not end as a statement")
	}
}
