package browser_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
)

// TestTabCrash: a renderer that crashes fails its visit at once, with
// ErrTabCrashed, and leaves the browser usable.
func TestTabCrash(t *testing.T) {
	browsertest.Chromium(t)
	ctx := context.Background()
	b, err := browser.Launch(ctx, browser.Options{PageTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	_, err = b.Capture(ctx, "chrome://crash", browser.Visit{Phase: capture.PreConsent})
	if !errors.Is(err, browser.ErrTabCrashed) {
		t.Fatalf("err %v, want ErrTabCrashed", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("crash noticed after %s: it waited for the page timeout", d)
	}
	if !b.Alive() {
		t.Fatal("a tab crash took the browser down")
	}
	if _, err := b.Capture(ctx, "about:blank", browser.Visit{Phase: capture.PreConsent}); err != nil {
		t.Errorf("next visit: %v", err)
	}
}
