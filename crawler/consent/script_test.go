package consent

import (
	"encoding/json"
	"testing"
)

func TestConsentOMaticData(t *testing.T) {
	var rules map[string]struct {
		Detectors []json.RawMessage `json:"detectors"`
		Methods   []struct {
			Name string `json:"name"`
		} `json:"methods"`
	}
	if err := json.Unmarshal([]byte(comRulesJSON), &rules); err != nil {
		t.Fatal(err)
	}
	if len(rules) < 200 {
		t.Errorf("%d Consent-O-Matic rules, want the whole collection (200+)", len(rules))
	}
	for name, r := range rules {
		if len(r.Detectors) == 0 {
			t.Errorf("rule %s has no detector", name)
		}
	}
}
