package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Document is a page read as a document (a privacy or cookie policy), not
// captured as a visit of any consent phase: what its scripts rendered.
type Document struct {
	URL      string `json:"url"`       // as requested
	FinalURL string `json:"final_url"` // after redirects
	Status   int    `json:"status,omitempty"`
	MimeType string `json:"mime_type,omitempty"`
	// HTML is the top document's DOM after its scripts ran; Text is what
	// it shows (innerText).
	HTML string `json:"-"`
	Text string `json:"-"`
	// Frames are the documents of its frames that have text: a consent
	// banner's cookie declaration may live in one.
	Frames []FrameDocument `json:"-"`
	// CMPCookies are the cookies the page's consent banner declares in its
	// own data (OneTrust's domain data, Usercentrics' services), as listed.
	CMPCookies []CMPCookie `json:"-"`
}

// CMPCookie is one cookie a consent banner's data declares.
type CMPCookie struct {
	CMP      string `json:"cmp"`      // "OneTrust", "Usercentrics"
	Name     string `json:"name"`     // as declared; may end in a wildcard
	Category string `json:"category"` // the banner's group or category name
	Provider string `json:"provider"` // host or service
	// Days is the declared lifetime in days, -1 for a session cookie, 0
	// when the banner gives none.
	Days float64 `json:"days"`
}

// cmpCookiesJS reads the cookie lists consent banners keep in their page
// objects, in the shapes their vendors document: OneTrust's
// GetDomainData().Groups[].Cookies and .Hosts[].Cookies (Length in days,
// IsSession), Usercentrics' getServicesBaseInfo()[].deviceStorage.disclosures
// (maxAgeSeconds, -1 or absent for a session).
const cmpCookiesJS = `(() => {
  const out = [];
  const push = (c) => { if (out.length < 2000 && c.name) out.push(c); };
  try {
    if (window.OneTrust && typeof OneTrust.GetDomainData === 'function') {
      const d = OneTrust.GetDomainData() || {};
      for (const g of (d.Groups || [])) {
        const cat = g.GroupName || '';
        const one = (c, host) => push({cmp: 'OneTrust', name: String(c.Name || ''), category: cat,
          provider: String(host || c.Host || ''), days: c.IsSession ? -1 : (parseFloat(c.Length) || 0)});
        for (const c of (g.Cookies || [])) one(c, '');
        for (const h of (g.Hosts || [])) for (const c of (h.Cookies || [])) one(c, h.HostName);
      }
    }
  } catch (e) { /* a banner without data */ }
  try {
    if (window.UC_UI && typeof UC_UI.getServicesBaseInfo === 'function') {
      for (const s of (UC_UI.getServicesBaseInfo() || [])) {
        const ds = (s.deviceStorage && s.deviceStorage.disclosures) || [];
        for (const c of ds) {
          if (c.type && c.type !== 'cookie') continue;
          const age = c.maxAgeSeconds;
          push({cmp: 'Usercentrics', name: String(c.identifier || c.name || ''), category: String(s.categorySlug || ''),
            provider: String(s.name || ''), days: (age === undefined || age === null || age < 0) ? -1 : age / 86400});
        }
      }
    }
  } catch (e) { /* a banner without data */ }
  return out;
})()`

// FrameDocument is the rendered content of one frame of a Document.
type FrameDocument struct {
	URL  string
	HTML string
	Text string
}

// ErrNotDocument means the URL answered with something that is not a
// readable document (an image, a PDF, a download).
var ErrNotDocument = errors.New("not an HTML or text document")

// maxDocumentBytes bounds the HTML kept from one document or frame.
const maxDocumentBytes = 5 << 20

// documentJS returns the DOM and the visible text of a frame.
const documentJS = `(() => ({
  html: document.documentElement ? document.documentElement.outerHTML : '',
  text: document.body ? document.body.innerText : ''
}))()`

// ReadDocument loads u in a fresh browser context that belongs to no
// phase, with the scan's network settings (the browser's resolve rules,
// flags and --insecure, the visitor user agent, language and GPC), lets
// its scripts run until the network is quiet, and returns the rendered
// document. A policy that a script renders, or that a consent banner
// shows in a frame, is read as a visitor sees it. Nothing of the visit
// is recorded as the site's behaviour.
func (b *Browser) ReadDocument(ctx context.Context, u string) (*Document, error) {
	d := &Document{URL: u}
	rec := newRecorder()
	bctx := b.current()
	if bctx == nil {
		return d, errors.New("browser closed")
	}
	tabCtx, cancelTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(rec.onEvent))
	defer cancelTab()
	stopAfter := context.AfterFunc(ctx, cancelTab)
	defer stopAfter()
	if err := chromedp.Do(tabCtx); err != nil {
		return d, fmt.Errorf("open tab: %w", err)
	}
	tctx, cancel := context.WithTimeout(tabCtx, b.opts.PageTimeout)
	defer cancel()
	if _, err := chromedp.Call(tctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: b.info.UserAgent, AcceptLanguage: b.opts.Language,
	}); err != nil {
		return d, fmt.Errorf("prepare tab: %w", err)
	}
	if b.opts.GPC {
		if _, err := chromedp.Call(tctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Sec-GPC": "1"},
		}); err != nil {
			return d, fmt.Errorf("prepare tab: %w", err)
		}
	}

	resp, err := chromedp.Run(tctx, chromedp.NavigateResponse(u))
	if resp != nil {
		d.Status = int(resp.Status)
		d.FinalURL = resp.URL
		d.MimeType = resp.MimeType
	}
	if err != nil {
		if errors.Is(tctx.Err(), context.DeadlineExceeded) {
			return d, fmt.Errorf("load %s: %w after %s", u, ErrPageTimeout, b.opts.PageTimeout)
		}
		return d, fmt.Errorf("load %s: %s", u, loadErrorText(err))
	}
	if loc, err := chromedp.Run(tctx, chromedp.Location()); err == nil && loc != "" {
		d.FinalURL = loc
	}
	if d.Status >= 400 {
		return d, fmt.Errorf("load %s: %w %d", u, ErrHTTPStatus, d.Status)
	}
	if !readableType(d.MimeType) {
		return d, fmt.Errorf("load %s: %w (%s)", u, ErrNotDocument, d.MimeType)
	}
	b.waitIdle(tctx, rec)

	fs, err := frames(tctx)
	if err != nil || len(fs) == 0 {
		return d, fmt.Errorf("read %s: no document (%v)", u, err)
	}
	for i, f := range fs {
		// The top frame in the page's own world: what its scripts wrote.
		var c struct{ HTML, Text string }
		if i == 0 {
			c, err = evalMain[struct{ HTML, Text string }](tctx, documentJS)
		} else {
			c, err = evalInFrame[struct{ HTML, Text string }](tctx, f.id, documentJS, false)
		}
		if err != nil {
			if i == 0 {
				return d, fmt.Errorf("read %s: %w", u, err)
			}
			continue
		}
		html := truncate(c.HTML, maxDocumentBytes)
		if i == 0 {
			d.HTML, d.Text = html, truncate(c.Text, maxDocumentBytes)
			continue
		}
		if strings.TrimSpace(c.Text) != "" {
			d.Frames = append(d.Frames, FrameDocument{URL: f.url, HTML: html, Text: truncate(c.Text, maxDocumentBytes)})
		}
	}
	if cs, err := evalMain[[]CMPCookie](tctx, cmpCookiesJS); err == nil {
		d.CMPCookies = cs
	}
	if ctx.Err() != nil {
		return d, ctx.Err()
	}
	return d, nil
}

// readableType accepts what a policy is published as.
func readableType(mime string) bool {
	switch strings.ToLower(mime) {
	case "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown", "":
		return true
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
