package browsertest

import (
	"os"
	"testing"
)

// TestChromium: with Chromium on PATH the path is an executable file;
// with an empty PATH the test is skipped, not failed.
func TestChromium(t *testing.T) {
	t.Run("found", func(t *testing.T) {
		path := Chromium(t)
		fi, err := os.Stat(path)
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			t.Errorf("Chromium() = %q, not an executable file (%v)", path, err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		var skipped bool
		// A sub-test, so that its Skip ends only the sub-test.
		t.Run("skips", func(t *testing.T) {
			defer func() { skipped = t.Skipped() }()
			Chromium(t)
			t.Error("Chromium returned without a browser on PATH")
		})
		if !skipped {
			t.Error("no skip without Chromium")
		}
	})
}
