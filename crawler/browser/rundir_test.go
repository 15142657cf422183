package browser_test

import (
	"os"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
)

// TestRunDirRemoved: a browser keeps everything it writes (its profile,
// Chromium's temporary files) in one run directory, removed on Close.
func TestRunDirRemoved(t *testing.T) {
	browsertest.Chromium(t)
	tmp, err := os.MkdirTemp("", "ts-run-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	t.Setenv("TMPDIR", tmp)
	b, err := browser.Launch(t.Context(), browser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), browser.RunDirPrefix) {
		t.Errorf("while running, %s holds %v, want one run directory", tmp, entries)
	}
	b.Close()
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("left behind in %s: %v", tmp, entries)
	}
}
