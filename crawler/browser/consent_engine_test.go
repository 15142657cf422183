package browser_test

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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/consent"
)

// The consent engine (crawler/consent) runs inside pages; these tests run
// it in a real Chromium against the DOM samples in testdata/consent: every
// CMP rule with its positive and negative samples, the generic fallback in
// six languages, a banner only the user's selectors know, and a TCF stub.

var samplesDir = filepath.Join("..", "..", "testdata", "consent")

type detectResult struct {
	CMP            string `json:"cmp"`
	Found          bool   `json:"found"`
	RejectSelector string `json:"rejectSelector"`
	AcceptSelector string `json:"acceptSelector"`
	Note           string `json:"note"`
}

type actResult struct {
	CMP      string `json:"cmp"`
	Found    bool   `json:"found"`
	Clicked  bool   `json:"clicked"`
	Selector string `json:"selector"`
	Note     string `json:"note"`
}

type signalsResult struct {
	TCF *struct {
		CMPID           int             `json:"cmpId"`
		EventStatus     string          `json:"eventStatus"`
		GDPRApplies     bool            `json:"gdprApplies"`
		PurposeConsents map[string]bool `json:"purposeConsents"`
		VendorConsents  map[string]bool `json:"vendorConsents"`
		TCString        string          `json:"tcString"`
	} `json:"tcf"`
	GPP *string `json:"gpp"`
	GPC bool    `json:"gpc"`
}

// serveSamples serves testdata/consent with the click harness appended to
// every HTML page.
func serveSamples(t *testing.T) *httptest.Server {
	t.Helper()
	harness, err := os.ReadFile(filepath.Join(samplesDir, "harness.js"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel := filepath.Clean(strings.TrimPrefix(r.URL.Path, "/"))
		if strings.HasPrefix(rel, "..") || !strings.HasSuffix(rel, ".html") {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(samplesDir, rel))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		html := strings.Replace(string(b), "</body>", "<script>\n"+string(harness)+"</script>\n</body>", 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(html))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// startChromium starts one browser for the whole test and returns a tab.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	chromiumPath := browsertest.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	// No deadline on the browser's context: a deadline there would close
	// the browser; each step gets its own below.
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// page is one loaded sample with an isolated world for the engine, as the
// browser package runs it (the page's scripts cannot see or tamper with it).
type samplePage struct {
	t     *testing.T
	ctx   context.Context
	world runtime.ExecutionContextID
}

func openSample(t *testing.T, tab context.Context, url string) *samplePage {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.Frame.ID, WorldName: "trackscan-test"})
	if err != nil {
		t.Fatal(err)
	}
	return &samplePage{t: t, ctx: ctx, world: w.ExecutionContextID}
}

// evalJSON evaluates expr (awaiting a promise) in the engine's world, or in
// the page's own world when main is true, and decodes the result into v.
func (p *samplePage) evalJSON(expr string, main bool, v any) {
	p.t.Helper()
	params := runtime.EvaluateParams{Expression: expr, ReturnByValue: new(true), AwaitPromise: new(true)}
	if !main {
		params.ContextID = p.world
	}
	res, err := chromedp.Call(p.ctx, runtime.Evaluate, params)
	if err != nil {
		p.t.Fatalf("evaluate: %v", err)
	}
	if res.ExceptionDetails != nil {
		desc := res.ExceptionDetails.Text
		if res.ExceptionDetails.Exception != nil {
			desc += " " + res.ExceptionDetails.Exception.Description
		}
		p.t.Fatalf("script error: %s", desc)
	}
	if err := json.Unmarshal(res.Result.Value, v); err != nil {
		p.t.Fatalf("decode %s: %v", res.Result.Value, err)
	}
}

func (p *samplePage) install(cfg consent.Config) {
	p.t.Helper()
	var ok bool
	p.evalJSON(consent.Script(cfg)+"\n;typeof window.__trackscanConsent.detect === 'function'", false, &ok)
	if !ok {
		p.t.Fatal("engine not installed")
	}
}

func (p *samplePage) detect() detectResult {
	var d detectResult
	p.evalJSON("window.__trackscanConsent.detect()", false, &d)
	return d
}

func (p *samplePage) act(action string) actResult {
	var a actResult
	p.evalJSON(fmt.Sprintf("window.__trackscanConsent.act(%q)", action), false, &a)
	return a
}

func (p *samplePage) bannerVisible() bool {
	var v struct {
		BannerVisible bool `json:"bannerVisible"`
	}
	p.evalJSON("window.__trackscanConsent.verify()", false, &v)
	return v.BannerVisible
}

// choice is what the sample's harness recorded in the page's own world.
func (p *samplePage) choice() string {
	var c string
	p.evalJSON("document.documentElement.getAttribute('data-choice') || ''", true, &c)
	return c
}

// waitChoice polls the recorded choice until it is want or 2 s passed:
// act() returns right after its last click, and a CMP may close a moment
// later (a message from its iframe, an animation).
func (p *samplePage) waitChoice(want string) string {
	p.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := p.choice()
		if got == want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func samples(t *testing.T, dir, prefix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(samplesDir, dir, prefix+"*.html"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no samples %s/%s*.html", dir, prefix)
	}
	for i := range m {
		m[i] = dir + "/" + filepath.Base(m[i])
	}
	slices.Sort(m)
	return m
}

// checkChoice detects, clicks action, and checks the harness saw the right
// button clicked and the banner went away.
func checkChoice(t *testing.T, tab context.Context, url, wantCMP string, cfg consent.Config, action string) {
	t.Helper()
	p := openSample(t, tab, url)
	p.install(cfg)
	d := p.detect()
	if !d.Found || d.CMP != wantCMP {
		t.Fatalf("detect = %+v, want %s found", d, wantCMP)
	}
	if action == "reject" && d.RejectSelector == "" && !strings.Contains(d.Note, "settings layer") {
		t.Errorf("detect names no reject button and no settings path: %+v", d)
	}
	a := p.act(action)
	if !a.Clicked || a.Selector == "" {
		t.Fatalf("act(%s) = %+v", action, a)
	}
	if got := p.waitChoice(action); got != action {
		t.Fatalf("act(%s) clicked %q (%s); the page recorded choice %q", action, a.Selector, a.Note, got)
	}
	if p.bannerVisible() {
		t.Errorf("verify says the banner is still visible after %s", action)
	}
}

func TestConsentEngineInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	tab := startChromium(t)
	srv := serveSamples(t)
	rules, err := consent.LoadRules()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("rules", func(t *testing.T) {
		for _, r := range rules.Rules {
			t.Run(r.ID, func(t *testing.T) {
				for _, s := range samples(t, r.ID, "positive") {
					for _, action := range []string{"reject", "accept"} {
						t.Run(filepath.Base(s)+"/"+action, func(t *testing.T) {
							checkChoice(t, tab, srv.URL+"/"+s, r.ID, consent.Config{}, action)
						})
					}
				}
				for _, s := range samples(t, r.ID, "negative") {
					t.Run(filepath.Base(s), func(t *testing.T) {
						p := openSample(t, tab, srv.URL+"/"+s)
						p.install(consent.Config{})
						if d := p.detect(); d.Found {
							t.Fatalf("detect found a banner: %+v", d)
						}
						if a := p.act("reject"); a.Clicked {
							t.Fatalf("act clicked on a page without a banner: %+v", a)
						}
						if p.choice() != "" {
							t.Fatal("something was clicked")
						}
					})
				}
			})
		}
	})

	t.Run("generic", func(t *testing.T) {
		for _, s := range samples(t, "generic", "positive") {
			for _, action := range []string{"reject", "accept"} {
				t.Run(filepath.Base(s)+"/"+action, func(t *testing.T) {
					checkChoice(t, tab, srv.URL+"/"+s, "generic", consent.Config{}, action)
				})
			}
		}
		for _, s := range samples(t, "generic", "negative") {
			t.Run(filepath.Base(s), func(t *testing.T) {
				p := openSample(t, tab, srv.URL+"/"+s)
				p.install(consent.Config{})
				if d := p.detect(); d.Found {
					t.Fatalf("detect found a banner: %+v", d)
				}
			})
		}
	})

	t.Run("config selectors", func(t *testing.T) {
		url := srv.URL + "/config/positive.html"
		p := openSample(t, tab, url)
		p.install(consent.Config{})
		if d := p.detect(); d.Found {
			t.Fatalf("without the user's selectors the custom banner must not be recognised: %+v", d)
		}
		cfg := consent.Config{Reject: []string{"#gdpr-box .btn-no"}, Accept: []string{"#gdpr-box .btn-yes"}}
		for _, action := range []string{"reject", "accept"} {
			t.Run(action, func(t *testing.T) { checkChoice(t, tab, url, "config", cfg, action) })
		}
		// The user's selectors win over a CMP rule on the same page.
		checkChoice(t, tab, srv.URL+"/onetrust/positive.html", "config",
			consent.Config{Reject: []string{"#onetrust-reject-all-handler"}}, "reject")
	})

	t.Run("steps name each click", func(t *testing.T) {
		p := openSample(t, tab, srv.URL+"/onetrust/positive-settings.html")
		p.install(consent.Config{})
		a := p.act("reject")
		if want := "#onetrust-pc-btn-handler then "; !strings.HasPrefix(a.Selector, want) || !strings.Contains(a.Selector, "ot-pc-refuse-all-handler") {
			t.Errorf("selector %q, want the settings button then the refuse-all button", a.Selector)
		}
	})

	// Sourcepoint's message lives in an iframe, and the choice removes that
	// iframe. The browser runs the engine in every frame, so here it runs
	// inside the iframe that the click destroys: act() must still answer.
	t.Run("click that removes the engine's own frame", func(t *testing.T) {
		p := openSample(t, tab, srv.URL+"/sourcepoint/positive-iframe.html")
		tree, err := chromedp.Call(p.ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil || len(tree.FrameTree.ChildFrames) != 1 {
			t.Fatalf("frame tree: %v", err)
		}
		w, err := chromedp.Call(p.ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{
			FrameID: tree.FrameTree.ChildFrames[0].Frame.ID, WorldName: "trackscan-test"})
		if err != nil {
			t.Fatal(err)
		}
		inFrame := &samplePage{t: t, ctx: p.ctx, world: w.ExecutionContextID}
		inFrame.install(consent.Config{})
		if d := inFrame.detect(); !d.Found || d.CMP != "sourcepoint" {
			t.Fatalf("detect in the message frame = %+v", d)
		}
		if a := inFrame.act("accept"); !a.Clicked || !strings.Contains(a.Selector, "button") {
			t.Fatalf("act = %+v", a)
		}
		if got := p.waitChoice("accept"); got != "accept" {
			t.Fatalf("choice %q", got)
		}
		var gone bool
		for range 40 {
			if p.evalJSON("document.getElementById('sp_message_iframe_873654') === null", true, &gone); gone {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !gone {
			t.Error("the message iframe was not removed")
		}
	})

	t.Run("describe shows shadow and frame paths", func(t *testing.T) {
		p := openSample(t, tab, srv.URL+"/usercentrics/positive.html")
		p.install(consent.Config{})
		if d := p.detect(); !strings.HasPrefix(d.RejectSelector, "#usercentrics-root >>> ") {
			t.Errorf("reject selector %q does not name the shadow host", d.RejectSelector)
		}
		p = openSample(t, tab, srv.URL+"/generic/positive-iframe.html")
		p.install(consent.Config{})
		if d := p.detect(); d.RejectSelector != "#consent-frame |> #no" {
			t.Errorf("reject selector %q, want the frame path", d.RejectSelector)
		}
	})

	t.Run("signals", func(t *testing.T) {
		p := openSample(t, tab, srv.URL+"/tcf/stub.html")
		var s signalsResult
		// signals() reads page globals, so it runs in the page's own world.
		p.evalJSON(consent.Script(consent.Config{})+"\n;window.__trackscanConsent.signals()", true, &s)
		if s.TCF == nil {
			t.Fatal("no TCF data from the stub")
		}
		if s.TCF.CMPID != 28 || s.TCF.EventStatus != "tcloaded" || !s.TCF.GDPRApplies ||
			!s.TCF.PurposeConsents["1"] || s.TCF.PurposeConsents["2"] || !s.TCF.VendorConsents["755"] ||
			!strings.HasPrefix(s.TCF.TCString, "CQHnsg") {
			t.Errorf("tcf = %+v", *s.TCF)
		}
		if s.GPP == nil || !strings.HasPrefix(*s.GPP, "DBABMA~") {
			t.Errorf("gpp = %v", s.GPP)
		}
		var removed int
		p.evalJSON("window.__removed || 0", true, &removed)
		if removed != 1 {
			t.Errorf("the TCF listener was not removed (id %d)", removed)
		}

		p = openSample(t, tab, srv.URL+"/generic/positive-en.html")
		p.evalJSON("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true, configurable: true});"+
			consent.Script(consent.Config{})+"\n;window.__trackscanConsent.signals()", true, &s)
		if s.TCF != nil || s.GPP != nil || !s.GPC {
			t.Errorf("page without CMP APIs: %+v", s)
		}
	})
}

// BenchmarkConsentDetect measures one detect() on a page of ~3000 elements
// with no banner, the engine's worst case: every rule misses and the generic
// pass looks at every link and button.
func BenchmarkConsentDetect(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<!doctype html><html><body><nav>")
	for i := range 300 {
		fmt.Fprintf(&sb, `<a href="/p/%d">Product %d</a> `, i, i)
	}
	sb.WriteString("</nav><main>")
	for i := range 600 {
		fmt.Fprintf(&sb, `<div class="card"><h3>Item %d</h3><p>Text about cookies and seeds.</p><button>Add to cart</button></div>`, i)
	}
	sb.WriteString(`</main><footer><button>Accept</button><a href="/privacy">Privacy</a></footer></body></html>`)
	ctx := benchTab(b, sb.String())
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](consent.Script(consent.Config{})+";void 0")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		d, err := chromedp.Run(ctx, chromedp.Evaluate[detectResult]("window.__trackscanConsent.detect()"))
		if err != nil || d.Found {
			b.Fatalf("detect: %+v %v", d, err)
		}
	}
}

// BenchmarkConsentInstall measures evaluating the consent engine in a
// page, as every visit does in every frame it asks about a banner: the
// detect script a scan uses there, and the whole engine it evaluates only
// before clicking a banner a Consent-O-Matic rule knows.
func BenchmarkConsentInstall(b *testing.B) {
	ctx := benchTab(b, `<!doctype html><title>x</title><p>Hello`)
	for _, c := range []struct{ name, src string }{
		{"detect-script", consent.DetectScript(consent.Config{}) + ";void 0"},
		{"whole-script", consent.Script(consent.Config{}) + ";void 0"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](c.src)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchTab starts Chromium for a benchmark and returns a tab that shows
// pageHTML; both end with the benchmark.
func benchTab(b *testing.B, pageHTML string) context.Context {
	chromiumPath := browsertest.Chromium(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(pageHTML))
	}))
	b.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		b.Fatal(err)
	}
	return ctx
}
