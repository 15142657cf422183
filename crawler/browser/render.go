package browser

import (
	"context"
	"errors"
	"fmt"
	"log"
	"regexp"
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
	// A mail client ignores <meta http-equiv=refresh>. Blocking the
	// navigation is not enough: Chromium then swaps the email for an error
	// page, whose DOM would be collected and whose styles never change.
	if _, err := chromedp.Call(tctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: fs[0].id, HTML: metaRefresh.ReplaceAllString(html, "")}); err != nil {
		return b.fail(p, rec, fmt.Errorf("write the email into the page: %w", err))
	}
	// The quiet period counts from now: the email's first requests may not
	// have been reported yet.
	rec.restartQuiet()
	b.waitIdle(tctx, rec)
	conditional := b.renderConditions(tctx, rec, strings.ToLower(html))

	b.collect(tctx, p, rec.requestURLs())
	rec.fill(p)
	sortPage(p)
	for i := range p.Requests {
		p.Requests[i].Condition = conditional[p.Requests[i].URL]
	}
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

// renderConditions shows the loaded email as a reader in dark mode would
// see it, then as printed, and names the URLs each first asked for: a
// tracker behind @media (prefers-color-scheme: dark) or @media print loads
// only then. The media switch needs no reload; the styles re-apply. A
// condition the HTML never mentions is skipped: it would only cost the wait
// for quiet. (A style sheet the email imports is not read for this.)
func (b *Browser) renderConditions(ctx context.Context, rec *recorder, lowerHTML string) map[string]string {
	out := map[string]string{}
	seen := map[string]bool{}
	for _, u := range rec.requestURLs() {
		seen[u] = true
	}
	for _, c := range []struct {
		name, hint string
		set        emulation.SetEmulatedMediaParams
	}{
		{"dark-mode", "prefers-color-scheme", emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}},
		{"print", "print", emulation.SetEmulatedMediaParams{Media: "print", Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}}},
	} {
		if ctx.Err() != nil {
			break
		}
		if !strings.Contains(lowerHTML, c.hint) {
			continue
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, c.set); err != nil {
			break
		}
		rec.restartQuiet()
		b.waitIdle(ctx, rec)
		for _, u := range rec.requestURLs() {
			if !seen[u] {
				seen[u], out[u] = true, c.name
			}
		}
	}
	return out
}

// metaRefresh matches <meta http-equiv="refresh" ...> in any spelling.
var metaRefresh = regexp.MustCompile(`(?i)<meta\b[^>]*http-equiv\s*=\s*["']?\s*refresh[^>]*>`)

// quietErrorf is chromedp's error log minus the complaint that a document
// changed in a frame it never saw navigate: that is how Render writes an
// email into about:blank, and it is harmless.
func quietErrorf(format string, args ...any) {
	if strings.Contains(format, "no top-level frame") {
		return
	}
	log.Printf("ERROR: "+format, args...)
}
