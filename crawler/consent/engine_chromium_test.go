package consent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/consent"
)

// startChromium starts a headless Chromium for one test and returns a tab.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	chromiumPath := browsertest.Chromium(t)
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
	table := consent.BannerLabels()
	labels := make([]string, len(table))
	for i, tc := range table {
		labels[i] = tc.Label
	}
	in, _ := json.Marshal(labels)
	var got []string
	evalJSON(t, tab, consent.Script(consent.Config{})+"\n;"+string(in)+".map((s) => window.__trackscanConsent.classifyLabel(s))", &got)
	if len(got) != len(labels) {
		t.Fatalf("got %d answers for %d labels", len(got), len(labels))
	}
	for i, tc := range table {
		if consent.Meaning(got[i]) != tc.Want || consent.Meaning(got[i]) != consent.Classify(tc.Label) {
			t.Errorf("%s %q: engine.js %q, Go %q, want %q", tc.Lang, tc.Label, got[i], consent.Classify(tc.Label), tc.Want)
		}
	}
}

// serveSamples serves testdata/consent with the click harness appended to
// every HTML page, as crawler/browser's engine test does.
func serveSamples(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "consent")
	harness, err := os.ReadFile(filepath.Join(dir, "harness.js"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel := filepath.Clean(strings.TrimPrefix(r.URL.Path, "/"))
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if strings.HasPrefix(rel, "..") || !strings.HasSuffix(rel, ".html") || err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
		fmt.Fprintf(w, "<script>%s</script>", harness)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// actResult is what act() answers, as crawler/browser decodes it.
type actResult struct {
	CMP, Selector, Note, Reason string
	Clicked, Found              bool
	Steps, Offered              []string
	Layer                       int
	PreTicked                   []string `json:"preTicked"`
	LegitimateInterestOn        []string `json:"legitimateInterestOn"`
	AcceptProminence            *struct {
		Area       int
		Fill, Text float64
	} `json:"acceptProminence"`
	RejectProminence *struct {
		Area       int
		Fill, Text float64
	} `json:"rejectProminence"`
}

func openAndAct(t *testing.T, tab context.Context, url, action string) actResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	var a actResult
	evalJSON(t, tab, consent.Script(consent.Config{})+fmt.Sprintf("\n;window.__trackscanConsent.act(%q)", action), &a)
	return a
}

// What act() reports about the way it took, what the banner offered and
// how it looked; and that verify() waits out a fade.
func TestActReportsTheWay(t *testing.T) {
	tab := startChromium(t)
	base := serveSamples(t)

	t.Run("second layer: toggles off, then save", func(t *testing.T) {
		a := openAndAct(t, tab, base+"/generic/positive-second-layer.html", "reject")
		if !a.Clicked || a.Layer != 2 || a.Reason != "" {
			t.Fatalf("act = %+v, want clicked on the second layer", a)
		}
		want := []string{`settings "customize"`, "switched off 3 toggles", `save "save preferences"`}
		if !slices.Equal(a.Steps, want) {
			t.Errorf("steps %q, want %q", a.Steps, want)
		}
		if !slices.Equal(a.Offered, []string{"accept", "settings"}) {
			t.Errorf("offered %v, want accept and settings", a.Offered)
		}
		if len(a.PreTicked) != 3 || len(a.LegitimateInterestOn) != 1 || !strings.Contains(a.LegitimateInterestOn[0], "legitimate interest") {
			t.Errorf("pre-ticked %q, legitimate interest on %q", a.PreTicked, a.LegitimateInterestOn)
		}
		var on []bool
		evalJSON(t, tab, `['stats','ads','li'].map((id) => document.getElementById(id).checked)`, &on)
		if slices.Contains(on, true) {
			t.Errorf("toggles left on: %v", on)
		}
		// Accept is a filled, larger button; the settings link has no fill.
		if a.AcceptProminence == nil || a.AcceptProminence.Fill < 3 || a.RejectProminence != nil {
			t.Errorf("prominence accept %+v reject %+v", a.AcceptProminence, a.RejectProminence)
		}
	})

	t.Run("second layer with its own reject all", func(t *testing.T) {
		a := openAndAct(t, tab, base+"/generic/positive-second-layer-de.html", "reject")
		if !a.Clicked || a.Layer != 2 || !slices.Equal(a.Steps, []string{`settings "einstellungen"`, `reject "alle ablehnen"`}) {
			t.Fatalf("act = %+v", a)
		}
	})

	t.Run("first layer", func(t *testing.T) {
		for _, s := range []string{"positive-deep-shadow", "positive-custom-element", "positive-dialog", "positive-pl"} {
			a := openAndAct(t, tab, base+"/generic/"+s+".html", "reject")
			if !a.Clicked || a.Layer != 1 || len(a.Steps) != 1 || !strings.HasPrefix(a.Steps[0], "reject ") || !slices.Contains(a.Offered, "reject") {
				t.Errorf("%s: act = %+v", s, a)
			}
		}
	})

	t.Run("no reject offered", func(t *testing.T) {
		a := openAndAct(t, tab, base+"/generic/reject-missing.html", "reject")
		if a.Clicked || a.Reason != "reject-not-offered" || !slices.Equal(a.Offered, []string{"accept"}) {
			t.Fatalf("act = %+v, want not clicked, reject-not-offered", a)
		}
		if a = openAndAct(t, tab, base+"/generic/reject-missing.html", "accept"); !a.Clicked {
			t.Errorf("accept not clicked: %+v", a)
		}
	})

	t.Run("verify waits out a fade", func(t *testing.T) {
		a := openAndAct(t, tab, base+"/generic/fade-en.html", "reject")
		if !a.Clicked {
			t.Fatalf("act = %+v", a)
		}
		var v struct{ BannerVisible bool }
		evalJSON(t, tab, "window.__trackscanConsent.verify()", &v)
		if !v.BannerVisible {
			t.Error("mid-fade the banner still shows; verify said it was gone")
		}
		deadline := time.Now().Add(5 * time.Second)
		for v.BannerVisible && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			evalJSON(t, tab, "window.__trackscanConsent.verify()", &v)
		}
		if v.BannerVisible {
			t.Error("banner faded to transparent but verify still sees it")
		}
	})
}

// A banner only a Consent-O-Matic rule knows: the rule's steps switch the
// toggles off (reject) or on (accept) and save.
func TestConsentOMaticRule(t *testing.T) {
	tab := startChromium(t)
	base := serveSamples(t)
	for _, tc := range []struct {
		action string
		want   bool
	}{{"reject", false}, {"accept", true}} {
		a := openAndAct(t, tab, base+"/consentomatic/positive-ez-cookie.html", tc.action)
		if !a.Clicked || a.CMP != "com:ez-cookie" || a.Layer != 2 {
			t.Fatalf("%s: act = %+v, want the ez-cookie rule clicked", tc.action, a)
		}
		var state struct {
			Toggles []bool
			Clicks  string
		}
		evalJSON(t, tab, `({toggles: ['ez-pref','ez-stats','ez-ads'].map((id) => document.getElementById(id).checked),
			clicks: document.documentElement.getAttribute('data-clicks') || ''})`, &state)
		if slices.Contains(state.Toggles, !tc.want) || state.Clicks != "saved" {
			t.Errorf("%s: toggles %v, clicks %q; want all %v, then saved", tc.action, state.Toggles, state.Clicks, tc.want)
		}
	}
}

// A scan evaluates DetectScript in every frame: it detects the banner a
// Consent-O-Matic rule knows, and clicks it only once the whole engine
// (Script) is evaluated in the frame.
func TestDetectScriptNeedsScriptToAct(t *testing.T) {
	tab := startChromium(t)
	base := serveSamples(t)
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/consentomatic/positive-ez-cookie.html")); err != nil {
		t.Fatal(err)
	}
	var a actResult
	evalJSON(t, tab, consent.DetectScript(consent.Config{})+"\n;window.__trackscanConsent.detect()", &a)
	if !a.Found || a.CMP != "com:ez-cookie" {
		t.Fatalf("detect = %+v, want com:ez-cookie", a)
	}
	evalJSON(t, tab, "window.__trackscanConsent.act('reject')", &a)
	if a.Clicked || a.Reason != "click-failed" || !strings.Contains(a.Note, "not loaded") {
		t.Fatalf("act without the steps = %+v, want nothing clicked and a note", a)
	}
	evalJSON(t, tab, consent.Script(consent.Config{})+"\n;window.__trackscanConsent.act('reject')", &a)
	if !a.Clicked || a.CMP != "com:ez-cookie" {
		t.Fatalf("act with the steps = %+v, want the rule clicked", a)
	}
}
