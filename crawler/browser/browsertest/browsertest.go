// Package browsertest holds what tests that drive Chromium share: the one
// check that skips a test when this machine has no Chromium.
package browsertest

import (
	"testing"

	"github.com/trackscan/trackscan/crawler/browser"
)

// Chromium returns the Chromium the scanner would start (browser.FindChromium)
// and skips the test or benchmark, saying why, when there is none.
func Chromium(tb testing.TB) string {
	tb.Helper()
	path, err := browser.FindChromium()
	if err != nil {
		tb.Skipf("needs Chromium: %v", err)
	}
	return path
}
