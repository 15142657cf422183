package browser

import (
	"context"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
)

// A service worker's own fetches are not the page's: their requests and
// the cookies their responses set reach only the worker's target. The
// tab auto-attaches to the workers its page starts (chromedp turns that
// on); each service worker gets a session of its own with the network
// domain enabled and a recorder, and what it records joins the page's
// capture, marked with the worker's script.

// workerSet holds the service workers of one tab.
type workerSet struct {
	mu   sync.Mutex
	ctx  context.Context // the tab's; nil until the tab is open
	seen map[target.ID]bool
	list []*worker
}

type worker struct {
	script string // the worker's script URL
	rec    *recorder
}

func newWorkerSet() *workerSet { return &workerSet{seen: map[target.ID]bool{}} }

// ready gives the set the tab's context: workers announced from now on are
// attached.
func (ws *workerSet) ready(tabCtx context.Context) {
	ws.mu.Lock()
	ws.ctx = tabCtx
	ws.mu.Unlock()
}

// onEvent attaches to a service worker the tab announces. It runs in
// chromedp's read loop, so the attach goes out from a goroutine.
func (ws *workerSet) onEvent(ev any) {
	a, ok := ev.(*target.EventAttachedToTarget)
	if !ok || a.TargetInfo == nil || a.TargetInfo.Type != "service_worker" {
		return
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.ctx == nil || ws.seen[a.TargetInfo.TargetID] {
		return
	}
	ws.seen[a.TargetInfo.TargetID] = true
	w := &worker{script: a.TargetInfo.URL, rec: newRecorder()}
	ws.list = append(ws.list, w)
	go ws.attach(ws.ctx, a.TargetInfo.TargetID, w)
}

// attach opens a session on the worker (chromedp enables the network
// domain on it); the session ends with the tab.
func (ws *workerSet) attach(tabCtx context.Context, id target.ID, w *worker) {
	ctx, cancel := chromedp.NewContext(tabCtx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel(), chromedp.WithListener(w.rec.onEvent))
	// A worker that stopped first records nothing; the session lives until
	// the tab ends.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return
	}
	context.AfterFunc(tabCtx, cancel)
}

// reset forgets what the workers recorded (a consent click: see recorder.reset).
func (ws *workerSet) reset() {
	for _, w := range ws.workers() {
		w.rec.reset()
	}
}

func (ws *workerSet) workers() []*worker {
	if ws == nil {
		return nil
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return append([]*worker(nil), ws.list...)
}

// requestURLs are the URLs the workers requested, for the cookie lookup.
func (ws *workerSet) requestURLs() []string {
	var out []string
	for _, w := range ws.workers() {
		out = append(out, w.rec.requestURLs()...)
	}
	return out
}

// fill adds the workers' requests and cookie writes to p: requests name
// the worker as their initiator when Chromium gave none, and cookie writes
// keep their response URL as the setter, like the page's own.
func (ws *workerSet) fill(p *capture.Page) {
	for _, w := range ws.workers() {
		w.rec.mu.Lock()
		for _, req := range w.rec.list {
			r := *req
			r.ServiceWorker = w.script
			if r.Initiator == "" {
				r.Initiator = w.script
			}
			p.Requests = append(p.Requests, r)
		}
		for _, cw := range w.rec.writes {
			cw.ServiceWorker = w.script
			p.CookieWrites = append(p.CookieWrites, cw)
		}
		w.rec.mu.Unlock()
	}
}

// contextCookies are the cookies of the tab's browser context that have
// misses (by name, domain and path). A visit's context is fresh, so every
// cookie in it was set during the visit: those on hosts the page never
// asked for were set by a service worker's fetch (or its cookieStore),
// which the page's cookie lookup by URL cannot see, even when the worker's
// session started too late to record the response.
func contextCookies(ctx context.Context, have []*network.Cookie) []*network.Cookie {
	c := chromedp.FromContext(ctx)
	if c == nil || c.BrowserContextID == "" {
		return nil
	}
	res, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: c.BrowserContextID})
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	for _, k := range have {
		seen[k.Name+"|"+k.Domain+"|"+k.Path] = true
	}
	var out []*network.Cookie
	for _, k := range res.Cookies {
		if !seen[k.Name+"|"+k.Domain+"|"+k.Path] {
			out = append(out, k)
		}
	}
	return out
}
