package browser_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
)

func TestCaptureSmoke(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	ctx := context.Background()
	b, err := browser.Launch(ctx, browser.Options{ResolveRules: site.ResolveRules(), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	p, err := b.Capture(ctx, demosite.StartURL, browser.Visit{Phase: capture.PreConsent})
	t.Logf("capture took %s", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != 200 || len(p.Requests) < 10 || len(p.CookieWrites) == 0 || len(p.Cookies) == 0 || len(p.Storage) == 0 || len(p.APICalls) == 0 {
		t.Errorf("thin capture: status %d, %d requests, %d cookie writes, %d stored, %d storage, %d API calls",
			p.Status, len(p.Requests), len(p.CookieWrites), len(p.Cookies), len(p.Storage), len(p.APICalls))
	}
	if os.Getenv("DUMP") != "" {
		out, _ := json.MarshalIndent(p, "", "  ")
		os.WriteFile("/tmp/page.json", out, 0o644)
	}
}
