package browser

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
)

// Scope decides which documents a page may load; crawler/scope implements
// it. Check is asked about every top-frame document request but the first
// one (the URL the caller asked for, whose redirects are checked):
// redirects, location=, meta refresh, form posts, popups. CheckAddress is
// asked about the first request and about the documents of frames, which
// may be on other sites but never on a private address.
type Scope interface {
	Check(u *url.URL) error
	CheckAddress(u *url.URL) error
}

// privateGuard is what a Scope that refuses private addresses (crawler/scope
// does) offers for what Check and CheckAddress cannot see cheaply:
// subresources, and host names whose DNS answer is private.
type privateGuard interface {
	// SubresourcePatterns are Fetch URL patterns for the requests that may
	// go to a private address: only those pause, whatever their type.
	SubresourcePatterns() []string
	// CheckLookup judges a document's host by its DNS answer.
	CheckLookup(ctx context.Context, u *url.URL) error
	// CheckRemote judges the address a request reached.
	CheckRemote(u *url.URL, remote string) error
	// RefusedHost and RefusedHosts are the hosts CheckRemote refused.
	RefusedHost(host string) bool
	RefusedHosts() []string
}

// reasonOf splits a scope error into a reason and a detail, when the error
// carries them (crawler/scope.Refusal does).
func reasonOf(err error) (reason, detail string) {
	type reasoned interface{ ReasonDetail() (string, string) }
	if r, ok := err.(reasoned); ok {
		return r.ReasonDetail()
	}
	return "out-of-scope", err.Error()
}

// maxDialogText bounds what a dialog's message keeps: it is a fact about
// the page, not content to archive.
const maxDialogText = 200

// notHTML is a top-frame document that answered with something else than
// a web page; it is refused before its body is read.
type notHTML struct {
	mime string
	size int64 // from Content-Length, -1 when unknown
}

// tabGuard stands between a tab and what its page asks for: every document
// request (checked against the scope, and refused before any byte is sent
// when it leaves it), dialogs (dismissed at once), popups (closed), and
// top-frame documents that are not web pages (refused at their headers).
type tabGuard struct {
	scope Scope

	mu        sync.Mutex
	ctx       context.Context // the tab's; nil until it is ready
	mainFrame cdp.FrameID
	started   bool                       // the first top-frame document request was seen
	urls      map[fetch.RequestID]string // paused requests, for the From of a redirect hop
	topDoc    string                     // the committed top-frame document
	blocked   []capture.BlockedNavigation
	blockTop  bool // a top-frame navigation was refused
	dialogs   []capture.Dialog
	notHTML   *notHTML
	reached   map[string]bool // refused after the browser had reached them: their requests were sent
	armed     []string        // the refused hosts the tab's Fetch patterns pause
	submit    bool            // a form was submitted: a refused top-frame navigation is its
}

func newTabGuard(scope Scope) *tabGuard {
	return &tabGuard{scope: scope, urls: map[fetch.RequestID]string{}, reached: map[string]bool{}}
}

// ready arms the guard on the tab of ctx: from now on document requests
// pause until the guard answers, downloads are denied and dialogs closed.
func (g *tabGuard) ready(ctx context.Context) error {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Target == nil {
		return fmt.Errorf("no tab")
	}
	g.mu.Lock()
	g.ctx = ctx
	g.mainFrame = cdp.FrameID(c.Target.TargetID)
	g.mu.Unlock()
	// Nothing a page offers as a download is written anywhere.
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: c.BrowserContextID,
	}); err != nil {
		return fmt.Errorf("deny downloads: %w", err)
	}
	return g.arm(ctx)
}

// arm sets which requests pause: every document request, at its request
// and at its response, and the requests whose URL may name a private
// address (privateGuard.SubresourcePatterns, and the hosts the browser was
// seen reaching on one). Everything else goes out without a round trip.
func (g *tabGuard) arm(ctx context.Context) error {
	patterns := []*fetch.RequestPattern{
		{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest},
		{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse},
	}
	if pg, ok := g.scope.(privateGuard); ok {
		hosts := pg.RefusedHosts()
		g.mu.Lock()
		g.armed = hosts
		g.mu.Unlock()
		globs := pg.SubresourcePatterns()
		for _, h := range hosts {
			globs = append(globs, "*://"+h+"*")
		}
		for _, glob := range globs {
			patterns = append(patterns, &fetch.RequestPattern{URLPattern: glob, RequestStage: fetch.RequestStageRequest})
		}
	}
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: patterns})
	return err
}

// onEvent handles the events the guard answers; it runs in chromedp's read
// loop, so every answer goes out from a goroutine of its own.
func (g *tabGuard) onEvent(ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		go g.paused(ev)
	case *page.EventJavascriptDialogOpening:
		g.mu.Lock()
		g.dialogs = append(g.dialogs, capture.Dialog{Type: string(ev.Type), Message: cut(ev.Message, maxDialogText), URL: ev.URL})
		ctx := g.ctx
		g.mu.Unlock()
		if ctx != nil {
			// beforeunload is accepted (the page may go); the others are
			// dismissed, as a user who closes them would.
			accept := ev.Type == page.DialogTypeBeforeunload
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept}) //nolint:errcheck // the tab may be gone
		}
	case *page.EventFrameNavigated:
		if ev.Frame != nil && ev.Frame.ParentID == "" {
			g.mu.Lock()
			g.topDoc = ev.Frame.URL
			g.mu.Unlock()
		}
	case *target.EventTargetCreated:
		g.popup(ev.TargetInfo)
	case *network.EventResponseReceived:
		if ev.Response != nil && ev.Response.RemoteIPAddress != "" {
			g.remote(ev.Response.URL, ev.Response.RemoteIPAddress, ev.Type)
		}
	}
}

// remote judges the address a response came from. A host name the browser
// resolved itself to a private address is only known here, after its
// request was sent: the request is recorded as refused and reached, and the
// tab pauses the host's later requests (and the next tabs start so).
func (g *tabGuard) remote(raw, ip string, typ network.ResourceType) {
	pg, ok := g.scope.(privateGuard)
	if !ok {
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	err = pg.CheckRemote(u, ip)
	if err == nil {
		return
	}
	g.mu.Lock()
	from, ctx := g.topDoc, g.ctx
	g.reached[raw] = true
	rearm := !slices.Contains(g.armed, strings.ToLower(u.Hostname()))
	g.mu.Unlock()
	kind := "subresource"
	if typ == network.ResourceTypeDocument {
		kind = "frame"
	}
	g.block(raw, err, from, kind, false)
	if rearm && ctx != nil {
		go g.arm(ctx) //nolint:errcheck // the tab may be gone
	}
}

// popup closes a window the page managed to open (a scan visits pages,
// never popups) as soon as Chromium announces it. Its URL is not known yet
// then, and its first request may already be on its way: hooks.js stops
// window.open before that, and Chromium's popup blocker stops the rest
// unless a click opened them.
func (g *tabGuard) popup(info *target.Info) {
	g.mu.Lock()
	ctx, main := g.ctx, g.mainFrame
	g.mu.Unlock()
	if info == nil || ctx == nil || info.Type != "page" || string(info.OpenerID) != string(main) {
		return
	}
	go chromedp.CallBrowser(ctx, target.CloseTarget, target.CloseTargetParams{TargetID: info.TargetID}) //nolint:errcheck // it may be closed already
}

// popupRequested records a window.open that hooks.js refused, when its
// URL is one the scope refuses too (an in-scope popup is only not opened).
func (g *tabGuard) popupRequested(raw, from string) {
	if g == nil || g.scope == nil {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return
	}
	if err := g.scope.Check(u); err != nil {
		g.block(raw, err, from, "popup", false)
	}
}

// paused answers one paused document request.
func (g *tabGuard) paused(ev *fetch.EventRequestPaused) {
	g.mu.Lock()
	ctx := g.ctx
	top := ev.FrameID == g.mainFrame
	g.mu.Unlock()
	if ctx == nil || ev.Request == nil {
		return
	}
	if ev.ResponseStatusCode != 0 || ev.ResponseErrorReason != "" {
		g.response(ctx, ev, top)
		return
	}
	if ev.ResourceType != network.ResourceTypeDocument {
		g.subresource(ctx, ev)
		return
	}
	g.mu.Lock()
	from := g.topDoc
	if prev, ok := g.urls[ev.RedirectedRequestID]; ok && ev.RedirectedRequestID != "" {
		from = prev
	}
	g.urls[ev.RequestID] = ev.Request.URL
	first := top && !g.started && ev.RedirectedRequestID == ""
	if top {
		g.started = true
	}
	g.mu.Unlock()
	err := g.check(ev.Request.URL, top && !first)
	if pg, ok := g.scope.(privateGuard); ok && err == nil {
		if u, perr := url.Parse(ev.Request.URL); perr == nil {
			err = pg.CheckLookup(ctx, u)
		}
	}
	if err != nil {
		kind := "navigation"
		g.mu.Lock()
		submit := g.submit
		g.mu.Unlock()
		switch {
		case ev.RedirectedRequestID != "":
			kind = "redirect"
		case !top:
			kind = "frame"
		case submit:
			kind = "form-submit"
		}
		g.block(ev.Request.URL+ev.Request.URLFragment, err, from, kind, top)
		// Aborted, not blocked: an aborted navigation leaves the page it
		// left in place, where a blocked one would show an error page.
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		return
	}
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
}

// subresource answers a paused request that is not a document: one whose
// URL matched a private-address pattern. It is refused, before anything is
// sent, when its address is private and not a target's or its host was
// seen resolving to such an address.
func (g *tabGuard) subresource(ctx context.Context, ev *fetch.EventRequestPaused) {
	err := g.check(ev.Request.URL, false)
	if pg, ok := g.scope.(privateGuard); ok && err == nil {
		if u, perr := url.Parse(ev.Request.URL); perr == nil && pg.RefusedHost(u.Hostname()) {
			err = &hostRefusal{url: ev.Request.URL}
		}
	}
	if err != nil {
		g.mu.Lock()
		from := g.topDoc
		g.mu.Unlock()
		g.block(ev.Request.URL, err, from, "subresource", false)
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
		return
	}
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
}

// hostRefusal is a request to a host the browser was seen reaching on a
// private address.
type hostRefusal struct{ url string }

func (h *hostRefusal) Error() string { return h.url + " refused: private-address" }

func (h *hostRefusal) ReasonDetail() (string, string) {
	return "private-address", "its host resolved to a private address earlier in the scan"
}

// check asks the scope about a document URL: the whole scope for the top
// frame after its first request, the address only otherwise.
func (g *tabGuard) check(raw string, whole bool) error {
	if g.scope == nil {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if whole {
		return g.scope.Check(u)
	}
	return g.scope.CheckAddress(u)
}

// response refuses a top-frame document that is not a web page (a PDF, an
// image, a 50 MB binary) at its headers: Chromium would otherwise open its
// viewer or start a download.
func (g *tabGuard) response(ctx context.Context, ev *fetch.EventRequestPaused, top bool) {
	if top && ev.ResponseStatusCode >= 200 && ev.ResponseStatusCode < 300 {
		mime, size := "", int64(-1)
		attachment := false
		for _, h := range ev.ResponseHeaders {
			switch strings.ToLower(h.Name) {
			case "content-type":
				mime = strings.ToLower(strings.TrimSpace(strings.SplitN(h.Value, ";", 2)[0]))
			case "content-length":
				if n, err := strconv.ParseInt(strings.TrimSpace(h.Value), 10, 64); err == nil {
					size = n
				}
			case "content-disposition":
				attachment = strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Value)), "attachment")
			}
		}
		if !isHTMLType(mime) || attachment {
			switch {
			case mime == "":
				mime = "a download (no content type)"
			case attachment:
				mime += " sent as a download"
			}
			g.mu.Lock()
			if g.notHTML == nil {
				g.notHTML = &notHTML{mime: mime, size: size}
			}
			g.mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
			return
		}
	}
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
}

// maxBlocked bounds the refusals kept per page: a page that retries a
// navigation in a loop must not grow the record without end.
const maxBlocked = 100

func (g *tabGuard) block(raw string, err error, from, kind string, top bool) {
	reason, detail := reasonOf(err)
	g.mu.Lock()
	defer g.mu.Unlock()
	if top {
		g.blockTop = true
	}
	nb := capture.BlockedNavigation{URL: raw, Reason: reason, Detail: detail, From: from, Kind: kind}
	if len(g.blocked) >= maxBlocked || slices.Contains(g.blocked, nb) {
		return
	}
	g.blocked = append(g.blocked, nb)
}

// submitting says --forms submit is submitting a form of the page.
func (g *tabGuard) submitting() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.submit = true
	g.mu.Unlock()
}

// refusedTop says whether a top-frame navigation was refused.
func (g *tabGuard) refusedTop() bool {
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.blockTop
}

func (g *tabGuard) refusedDocument() *notHTML {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.notHTML
}

// refusedURLs are the URLs of the requests the guard refused before they
// were sent.
func (g *tabGuard) refusedURLs() map[string]bool {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]bool{}
	for _, b := range g.blocked {
		if g.reached[b.URL] {
			continue // sent before it could be refused: a request of the page
		}
		out[b.URL] = true
		if i := strings.IndexByte(b.URL, '#'); i >= 0 {
			out[b.URL[:i]] = true
		}
	}
	return out
}

// fill copies what the guard saw into p.
func (g *tabGuard) fill(p *capture.Page) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p.NavigationsBlocked = append(p.NavigationsBlocked, g.blocked...)
	p.Dialogs = append(p.Dialogs, g.dialogs...)
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// sizeText says a size in bytes the way a person reads it.
func sizeText(n int64) string {
	switch {
	case n < 0:
		return "size unknown"
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
}
