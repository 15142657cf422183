package kb

import (
	"strings"
	"testing"
)

func TestEmbeddedKBPassesCheck(t *testing.T) {
	k, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if probs := k.Check(); len(probs) > 0 {
		t.Errorf("%d problems:\n%s", len(probs), strings.Join(probs, "\n"))
	}
	if n := len(k.Vendors()); n < 400 {
		t.Errorf("only %d vendors, want at least 400", n)
	}
}
