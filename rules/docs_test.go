package rules

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md from the catalogue")

const rulesDoc = "../docs/rules.md"

// docs/rules.md is generated from the catalogue; this keeps the two equal.
func TestRulesDoc(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(rulesDoc, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -run TestRulesDoc -update)", err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("%s is out of date: run go test ./rules -run TestRulesDoc -update", rulesDoc)
	}
	for _, r := range Rules() {
		if !strings.Contains(string(got), "\n## "+r.ID+"\n") {
			t.Errorf("%s has no section for rule %s", rulesDoc, r.ID)
		}
	}
}
