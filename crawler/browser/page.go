package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
)

//go:embed hooks.js
var hooksJS string

//go:embed collect.js
var collectJS string

const gpcJS = `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true, configurable: true});`

// crashEventWait bounds the wait for a crash event after a navigation
// aborted: on a busy machine it comes a second or more after the abort,
// and the visit fails either way (this only decides with which error).
const crashEventWait = 3 * time.Second

// Visit says what to do on one page in one phase.
type Visit struct {
	Phase capture.Phase
	// ConsentScript is the consent engine's JavaScript (crawler/consent),
	// which defines window.__trackscanConsent; empty disables consent
	// handling. It may be consent.DetectScript, evaluated in every frame:
	// then ConsentActScript, the whole engine, is evaluated in the banner's
	// frame before clicking a banner only a Consent-O-Matic rule knows.
	ConsentScript    string
	ConsentActScript string
	// ConsentAction is "reject" or "accept" for the consent phases, "" to
	// only look for a banner and read the consent signals.
	ConsentAction string
	// ScreenshotPath, when set, receives a PNG of the viewport at the end.
	ScreenshotPath string

	// Carry is the consent choice another page of the phase stored: it is
	// set before navigation (cookies, and localStorage of its origin) and
	// the banner is clicked only when it shows anyway.
	Carry *capture.ConsentState
	// ExpectBanner says the page showed a banner before consent, so that on
	// a carried visit its absence verifies that the carried choice took.
	ExpectBanner bool
	// ConsentHost and KeepState narrow what a click's consent state may
	// hold (see CaptureState). Both may be nil.
	ConsentHost func(host string) bool
	KeepState   func(kind, name, domain string) bool
	// OnConsentState, when set, is called with a click's consent state as
	// soon as it is known and before the page reloads to record the phase,
	// so that other pages can start with the choice at once. It runs on
	// the caller's goroutine, inside CaptureState.
	OnConsentState func(*capture.ConsentState)
	// Scope overrides Options.Scope for this visit.
	Scope Scope
	// FillForms types the test identity into the page's visible forms after
	// the consent step, without submitting (see fillForms).
	FillForms bool
	// SubmitForms also submits each filled form once, after its fill was
	// observed, unless it looks unsafe to submit (see submitForms).
	SubmitForms bool
}

// ErrPageTimeout means the page did not finish within the page timeout.
var ErrPageTimeout = errors.New("page timed out")

// ErrHTTPStatus and ErrNotHTML mean the page answered, but with an error
// status or with something that is not a web page: visiting it again
// would give the same answer.
var (
	ErrHTTPStatus = errors.New("HTTP")
	ErrNotHTML    = errors.New("not an HTML page")
)

// ErrTabCrashed means the page's renderer crashed.
var ErrTabCrashed = errors.New("tab crashed")

// Capture visits pageURL in a fresh browser context and records what it
// does. On error the returned page still holds what was captured. The scan
// uses CaptureState; Capture is kept as the one-call form for tests and
// callers that carry no consent state.
func (b *Browser) Capture(ctx context.Context, pageURL string, v Visit) (*capture.Page, error) {
	p, _, err := b.CaptureState(ctx, pageURL, v)
	return p, err
}

// CaptureState is Capture that also returns, in a reject or accept visit
// whose click took, the consent state the click stored: the cookies and
// first-party localStorage keys it added or changed, limited to the page's
// registrable domain, the host of the banner's frame and hosts ConsentHost
// accepts, and to what KeepState keeps (the caller leaves tracker cookies
// out: carrying them would hide what the next page sets itself).
func (b *Browser) CaptureState(ctx context.Context, pageURL string, v Visit) (*capture.Page, *capture.ConsentState, error) {
	p := &capture.Page{URL: pageURL, Phase: v.Phase}
	rec := newRecorder()
	sc := v.Scope
	if sc == nil {
		sc = b.opts.Scope
	}
	guard := newTabGuard(sc)
	rec.guard = guard
	workers := newWorkerSet()
	rec.workers = workers
	bctx := b.current()
	if bctx == nil {
		return b.failState(p, rec, errors.New("browser closed"))
	}
	var crashed atomic.Bool
	crash := make(chan struct{})
	var cancelTab context.CancelFunc
	listen := func(ev any) {
		if _, ok := ev.(*inspector.EventTargetCrashed); ok {
			// Fail now rather than at the page timeout.
			if !crashed.Swap(true) {
				close(crash)
			}
			cancelTab()
			return
		}
		guard.onEvent(ev)
		rec.onEvent(ev)
		workers.onEvent(ev)
	}
	tabCtx, cancel0 := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(listen))
	cancelTab = cancel0
	defer cancelTab()
	// Ctrl-C or the scan's deadline ends this tab, never the browser.
	stopAfter := context.AfterFunc(ctx, cancelTab)
	defer stopAfter()

	if err := chromedp.Do(tabCtx); err != nil {
		return b.failState(p, rec, fmt.Errorf("open tab: %w", err))
	}
	workers.ready(tabCtx)
	tctx, cancel := context.WithTimeout(tabCtx, b.opts.PageTimeout)
	defer cancel()
	if err := b.prepareTab(tctx, v.Carry); err != nil {
		return b.failState(p, rec, fmt.Errorf("prepare tab: %w", err))
	}
	if err := guard.ready(tabCtx); err != nil {
		return b.failState(p, rec, fmt.Errorf("prepare tab: %w", err))
	}

	navErr := b.navigate(tctx, p, rec, pageURL)
	if navErr != nil && p.Status == 0 && strings.Contains(navErr.Error(), "ERR_ABORTED") {
		// A renderer that crashes while loading aborts the navigation a
		// moment before its crash event arrives.
		select {
		case <-crash:
		case <-time.After(crashEventWait):
		}
	}
	if crashed.Load() {
		return b.failState(p, rec, fmt.Errorf("load %s: %w", pageURL, ErrTabCrashed))
	}
	if navErr != nil && p.Status == 0 {
		return b.failState(p, rec, navErr)
	}
	b.waitIdle(tctx, rec)

	var state *capture.ConsentState
	if v.ConsentScript != "" {
		state = b.handleConsent(tctx, p, rec, pageURL, v)
	}
	if v.FillForms {
		b.fillForms(tctx, p, rec)
		if v.SubmitForms && len(p.FormFields) > 0 {
			b.submitForms(tctx, p, rec, pageURL)
		}
	}

	b.collect(tctx, p, rec.requestURLs())
	b.checkParserLines(tctx, rec)
	b.collectStorageExtra(tctx, p)
	if v.ScreenshotPath != "" {
		if png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot()); err == nil {
			if os.WriteFile(v.ScreenshotPath, png, 0o644) == nil {
				p.Screenshot = v.ScreenshotPath
			}
		}
	}
	rec.fill(p)
	sortPage(p)
	var err error
	switch {
	case navErr != nil:
		err = navErr
	case crashed.Load():
		err = ErrTabCrashed
	case ctx.Err() != nil:
		err = ctx.Err()
	case tctx.Err() != nil && !b.Alive():
		err = fmt.Errorf("browser lost: %w", tctx.Err())
	case tctx.Err() != nil:
		err = ErrPageTimeout
	}
	if err != nil {
		p.Error = err.Error()
		return p, nil, err
	}
	return p, state, nil
}

func (b *Browser) failState(p *capture.Page, rec *recorder, err error) (*capture.Page, *capture.ConsentState, error) {
	p, err = b.fail(p, rec, err)
	return p, nil, err
}

// fail returns what was recorded up to err, with err noted on the page.
func (b *Browser) fail(p *capture.Page, rec *recorder, err error) (*capture.Page, error) {
	rec.fill(p)
	sortPage(p)
	p.Error = err.Error()
	return p, err
}

// prepareTab installs the instrumentation before the first document loads,
// after the carried consent state, if any: the seeding must not show up as
// the page's own storage writes.
func (b *Browser) prepareTab(ctx context.Context, carry *capture.ConsentState) error {
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: bindingName}); err != nil {
		return err
	}
	if err := presetState(ctx, carry); err != nil {
		return fmt.Errorf("carry consent state: %w", err)
	}
	src := hooksJS
	if b.opts.GPC {
		src = gpcJS + "\n" + src
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		return err
	}
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: b.info.UserAgent, AcceptLanguage: b.opts.Language,
	}); err != nil {
		return err
	}
	if b.opts.GPC {
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Sec-GPC": "1"},
		}); err != nil {
			return err
		}
	}
	return nil
}

// navigate loads u and records the main document's final URL and status.
// A redirect the guard refused leaves the page as the redirect left it (its
// 3xx status, nothing loaded); a document that is not a web page is an
// error that says what it was.
func (b *Browser) navigate(ctx context.Context, p *capture.Page, rec *recorder, u string) error {
	g := rec.guard
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if resp != nil {
		p.Status = int(resp.Status)
		p.FinalURL = resp.URL
	}
	if nh := g.refusedDocument(); nh != nil {
		return fmt.Errorf("load %s: %w: it is %s (%s)", u, ErrNotHTML, nh.mime, sizeText(nh.size))
	}
	if err != nil && g.refusedTop() {
		p.Status = rec.documentStatus()
		p.FinalURL = u
		return nil
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w after %s", ErrPageTimeout, b.opts.PageTimeout)
		}
		return fmt.Errorf("load %s: %s", u, loadErrorText(err))
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil && loc != "" {
		p.FinalURL = loc
	}
	if p.Status >= 400 {
		return fmt.Errorf("load %s: %w %d", u, ErrHTTPStatus, p.Status)
	}
	if mime := rec.documentMime(); !isHTMLType(mime) {
		return fmt.Errorf("load %s: %w: it is %s", u, ErrNotHTML, mime)
	}
	return nil
}

func isHTMLType(mime string) bool {
	switch strings.ToLower(mime) {
	case "text/html", "application/xhtml+xml", "":
		return true
	}
	return false
}

// loadErrorText keeps Chromium's net::ERR_ name, which says what went wrong.
func loadErrorText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "net::ERR_"); i >= 0 {
		s = s[i:]
		if j := strings.IndexAny(s, " ,\n)"); j > 0 {
			s = s[:j]
		}
	}
	return s
}

// waitIdle waits until the page has settled (see settler): it started no
// new work for IdleTime, at most MaxIdleWait. A fixed sleep is either too
// short or wastes time, and a wait for network silence never ends early on
// pages whose SDKs beacon every second.
func (b *Browser) waitIdle(ctx context.Context, rec *recorder) {
	deadline := time.Now().Add(b.opts.MaxIdleWait)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for time.Now().Before(deadline) {
		if rec.settledFor(b.opts.IdleTime) {
			rec.settledBy(SettledIdle)
			return
		}
		select {
		case <-ctx.Done():
			rec.settledBy(SettledTimeout)
			return
		case <-t.C:
		}
	}
	rec.settledBy(SettledCap)
}

// frameInfo is one frame of the page.
type frameInfo struct {
	id  cdp.FrameID
	url string
}

func frames(ctx context.Context) ([]frameInfo, error) {
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil || tree.FrameTree == nil {
		return nil, err
	}
	var out []frameInfo
	var walk func(ft *page.FrameTree)
	walk = func(ft *page.FrameTree) {
		if ft.Frame != nil {
			out = append(out, frameInfo{id: ft.Frame.ID, url: ft.Frame.URL + ft.Frame.URLFragment})
		}
		for _, c := range ft.ChildFrames {
			walk(c)
		}
	}
	walk(tree.FrameTree)
	return out, nil
}

// evalInFrame runs expr in an isolated world of a frame: it shares the DOM
// but not the page's JavaScript, so a page cannot tamper with it.
func evalInFrame[T any](ctx context.Context, frame cdp.FrameID, expr string, awaitPromise bool) (T, error) {
	var zero T
	world, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame, WorldName: "trackscan"})
	if err != nil {
		return zero, err
	}
	return evaluate[T](ctx, runtime.EvaluateParams{
		Expression: expr, ContextID: world.ExecutionContextID, ReturnByValue: new(true), AwaitPromise: new(awaitPromise),
	})
}

// evalMain runs expr in the page's own world of the top frame (where
// __tcfapi and __gpp live).
func evalMain[T any](ctx context.Context, expr string) (T, error) {
	return evaluate[T](ctx, runtime.EvaluateParams{Expression: expr, ReturnByValue: new(true), AwaitPromise: new(true)})
}

// evaluate runs Runtime.evaluate and decodes the returned value into T.
func evaluate[T any](ctx context.Context, params runtime.EvaluateParams) (T, error) {
	var v T
	res, err := chromedp.Call(ctx, runtime.Evaluate, params)
	if err != nil {
		return v, err
	}
	if res.ExceptionDetails != nil {
		return v, fmt.Errorf("script error: %s", res.ExceptionDetails.Text)
	}
	if res.Result == nil || len(res.Result.Value) == 0 {
		return v, nil
	}
	err = json.Unmarshal(res.Result.Value, &v)
	return v, err
}

type collected struct {
	Scripts []struct {
		Src string `json:"src"`
	} `json:"scripts"`
	Iframes []element        `json:"iframes"`
	Images  []element        `json:"images"`
	Links   []string         `json:"links"`
	Anchors []capture.Anchor `json:"anchors"`
	Storage []struct {
		Kind string `json:"kind"`
		Key  string `json:"key"`
		Len  int    `json:"len"`
	} `json:"storage"`
}

type element struct {
	Src     string  `json:"src"`
	W       float64 `json:"w"`
	H       float64 `json:"h"`
	Visible bool    `json:"visible"`
}

// collect reads cookies, storage and the DOM inventory of every frame.
func (b *Browser) collect(ctx context.Context, p *capture.Page, requestURLs []string) {
	fs, _ := frames(ctx)
	origins := map[string]bool{}
	for i, f := range fs {
		c, err := evalInFrame[collected](ctx, f.id, collectJS, false)
		if err != nil {
			continue
		}
		frameURL := ""
		if i > 0 {
			frameURL = f.url
		}
		for _, s := range c.Scripts {
			p.Scripts = append(p.Scripts, capture.Element{Src: s.Src, FrameURL: frameURL, Visible: true})
		}
		for _, e := range c.Iframes {
			p.Iframes = append(p.Iframes, capture.Element{Src: e.Src, FrameURL: frameURL, Width: e.W, Height: e.H, Visible: e.Visible})
		}
		for _, e := range c.Images {
			p.Images = append(p.Images, capture.Element{Src: e.Src, FrameURL: frameURL, Width: e.W, Height: e.H, Visible: e.Visible})
		}
		if i == 0 {
			p.Links = c.Links
			p.Anchors = c.Anchors
		}
		origin := originOf(f.url)
		if origin == "" || origins[origin] {
			continue
		}
		origins[origin] = true
		for _, s := range c.Storage {
			p.Storage = append(p.Storage, capture.StorageItem{Origin: origin, Kind: s.Kind, Key: s.Key, ValueLength: s.Len})
		}
	}
	// network.GetCookies without URLs covers only the page's frames: ask for
	// the origin of every request seen, so third-party cookies are included.
	urls := cookieURLs(p, fs, requestURLs)
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		return
	}
	now := float64(time.Now().Unix())
	for _, c := range append(res.Cookies, contextCookies(ctx, res.Cookies)...) {
		days := -1.0
		if !c.Session && c.Expires > 0 {
			days = roundDays((c.Expires - now) / 86400)
		}
		p.Cookies = append(p.Cookies, capture.Cookie{
			Name: c.Name, Domain: strings.TrimPrefix(c.Domain, "."), Path: c.Path, ExpiresDays: days,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: string(c.SameSite),
			Partitioned: c.PartitionKey != nil, ValueLength: len(c.Value),
		})
	}
}

func cookieURLs(p *capture.Page, fs []frameInfo, requestURLs []string) []string {
	set := map[string]bool{}
	add := func(raw string) {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return
		}
		set[u.Scheme+"://"+u.Host+"/"] = true
	}
	for _, f := range fs {
		add(f.url)
	}
	for _, u := range requestURLs {
		add(u)
	}
	add(p.URL)
	add(p.FinalURL)
	for _, e := range p.Scripts {
		add(e.Src)
	}
	for _, e := range p.Iframes {
		add(e.Src)
	}
	for _, e := range p.Images {
		add(e.Src)
	}
	out := slices.Sorted(maps.Keys(set))
	return out
}

// sortPage makes the per-page lists deterministic where order carries no
// meaning (requests keep the order they were sent in).
func sortPage(p *capture.Page) {
	sort.SliceStable(p.Cookies, func(i, j int) bool {
		if p.Cookies[i].Domain != p.Cookies[j].Domain {
			return p.Cookies[i].Domain < p.Cookies[j].Domain
		}
		return p.Cookies[i].Name < p.Cookies[j].Name
	})
	sort.SliceStable(p.Storage, func(i, j int) bool {
		a, b := p.Storage[i], p.Storage[j]
		if a.Origin != b.Origin {
			return a.Origin < b.Origin
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Key < b.Key
	})
}
