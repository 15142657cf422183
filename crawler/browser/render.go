package browser

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync/atomic"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
)

// Render shows an email's HTML the way a mail client that loads remote
// images does: JavaScript off, images, style sheets and fonts on, frames
// and <meta http-equiv=refresh> refused (their requests are recorded as
// failed with ERR_BLOCKED_BY_CLIENT). It runs
// in a fresh browser context (no cookies from other emails) and returns
// every request the email made, the cookies its responses tried to set
// (stored or blocked) and the cookies the browser kept. name labels the
// result (the email's file). On error the page still holds what was seen.
//
// The HTML is written into the new tab's initial about:blank document. A
// navigated document (a data: URL, or one served by Fetch interception)
// is a public origin to Chromium's local-network checks, which then fail
// every request that --resolve maps to loopback; and a served loopback
// origin would itself be captured by a "MAP *" rule. about:blank is also
// no sender's site, so every host the email loads from is third party, as
// in a mail client.
func (b *Browser) Render(ctx context.Context, name, html string) (*capture.Page, error) {
	p := &capture.Page{URL: name}
	rec := newRecorder()
	var callCtx atomic.Pointer[context.Context]
	listen := func(ev any) {
		rec.onEvent(ev)
		// A mail client neither follows <meta http-equiv=refresh> nor shows
		// frames: such documents are refused (and recorded as failed).
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			if c := callCtx.Load(); c != nil {
				go chromedp.Call(*c, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			}
		}
	}
	tabCtx, cancelTab := chromedp.NewContext(b.current(), chromedp.WithNewBrowserContext(), chromedp.WithListener(listen))
	defer cancelTab()
	stopAfter := context.AfterFunc(ctx, cancelTab)
	defer stopAfter()

	if err := chromedp.Do(tabCtx); err != nil {
		return b.fail(p, rec, fmt.Errorf("open tab: %w", err))
	}
	tctx, cancel := context.WithTimeout(tabCtx, b.opts.PageTimeout)
	defer cancel()
	callCtx.Store(&tctx)
	if _, err := chromedp.Call(tctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*", ResourceType: network.ResourceTypeDocument}},
	}); err != nil {
		return b.fail(p, rec, fmt.Errorf("block navigation: %w", err))
	}
	// Mail clients run no script in a message; neither do we.
	if _, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		return b.fail(p, rec, fmt.Errorf("disable JavaScript: %w", err))
	}
	if _, err := chromedp.Call(tctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: b.info.UserAgent, AcceptLanguage: b.opts.Language,
	}); err != nil {
		return b.fail(p, rec, fmt.Errorf("set user agent: %w", err))
	}
	fs, err := frames(tctx)
	if err == nil && len(fs) == 0 {
		err = errors.New("no frame")
	}
	if err != nil {
		return b.fail(p, rec, fmt.Errorf("find the tab's frame: %w", err))
	}
	if _, err := chromedp.Call(tctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: fs[0].id, HTML: html}); err != nil {
		return b.fail(p, rec, fmt.Errorf("write the email into the page: %w", err))
	}
	// The quiet period counts from now: the email's first requests may not
	// have been reported yet.
	rec.mu.Lock()
	rec.lastNet = rec.now()
	rec.mu.Unlock()
	b.waitIdle(tctx, rec)

	b.collect(tctx, p, rec.requestURLs())
	rec.fill(p)
	sortPage(p)
	p.Scripts, p.Links, p.Storage = nil, nil, nil // nothing runs in a mail client
	switch {
	case ctx.Err() != nil:
		p.Error = ctx.Err().Error()
		return p, ctx.Err()
	case tctx.Err() != nil:
		p.Error = ErrPageTimeout.Error()
		return p, ErrPageTimeout
	}
	return p, nil
}

// quietErrorf is chromedp's error log minus the complaint that a document
// changed in a frame it never saw navigate: that is how Render writes an
// email into about:blank, and it is harmless.
func quietErrorf(format string, args ...any) {
	if strings.Contains(format, "no top-level frame") {
		return
	}
	log.Printf("ERROR: "+format, args...)
}
