package consent

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// startChromium starts a headless Chromium for one test and returns a tab.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("no Chromium at " + chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.Flag("no-sandbox", true), chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

func evalJSON(t *testing.T, ctx context.Context, expr string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: expr, ReturnByValue: new(true), AwaitPromise: new(true)})
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if res.ExceptionDetails != nil {
		t.Fatalf("script error: %s %v", res.ExceptionDetails.Text, res.ExceptionDetails.Exception)
	}
	if err := json.Unmarshal(res.Result.Value, v); err != nil {
		t.Fatalf("decode %s: %v", res.Result.Value, err)
	}
}

// The in-page engine reads every label of the table as Go's Classify does:
// the word lists are one data file, and both sides must use them alike.
func TestClassifyInChromium(t *testing.T) {
	tab := startChromium(t)
	labels := make([]string, len(bannerLabels))
	for i, tc := range bannerLabels {
		labels[i] = tc.label
	}
	in, _ := json.Marshal(labels)
	var got []string
	evalJSON(t, tab, Script(Config{})+"\n;"+string(in)+".map((s) => window.__trackscanConsent.classifyLabel(s))", &got)
	if len(got) != len(labels) {
		t.Fatalf("got %d answers for %d labels", len(got), len(labels))
	}
	for i, tc := range bannerLabels {
		if Meaning(got[i]) != tc.want || Meaning(got[i]) != Classify(tc.label) {
			t.Errorf("%s %q: engine.js %q, Go %q, want %q", tc.lang, tc.label, got[i], Classify(tc.label), tc.want)
		}
	}
}
