package browser

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"

	"github.com/trackscan/trackscan/crawler/capture"
)

// bindingName is the CDP binding hooks.js reports through.
const bindingName = "__trackscanReport"

// maxPostData bounds how much of a request body is kept as evidence.
const maxPostData = 2048

// recorder collects the events of one tab. onEvent runs inside chromedp's
// read loop, so it only files events under a lock and returns.
type recorder struct {
	mu      sync.Mutex
	now     func() time.Time
	list    []*capture.Request                     // in the order they were sent; a redirect hop is a request of its own
	reqs    map[network.RequestID]*capture.Request // the latest hop of each request
	pending map[network.RequestID]bool             // in flight
	own     map[network.RequestID]bool             // the browser's own requests, never recorded
	// early holds Set-Cookie headers (ExtraInfo events) that arrived before
	// their request: CDP does not order them, and without the request the
	// cookie would not name the URL that set it.
	early   map[network.RequestID][]*network.EventResponseReceivedExtraInfo
	settle  *settler
	timing  capture.Timing
	writes  []capture.CookieWrite
	calls   []capture.APICall
	storage []storageWrite
	// Budgets of the events hooks.js reports, per kind (see budget.go),
	// and what the page's own hooks dropped before reporting (overflow).
	scriptCookies budget[capture.CookieWrite]
	storageKind   budget[storageWrite]
	callKinds     map[string]*budget[capture.APICall]
	overflow      map[string]int
	loaded        bool
	// submitted is set once --forms submit submitted a form: later
	// requests are marked OnSubmit.
	submitted bool
	workers   *workerSet // the tab's service workers; nil in tests and for a worker's own recorder
	guard     *tabGuard  // what the tab's guard refused and dismissed; nil in tests
	// docs maps a document's URL to its latest request, and parserLines
	// lists the requests whose line is the parser's (see checkParserLines).
	docs        map[string]network.RequestID
	parserLines []parserLineRef
}

type storageWrite struct{ kind, key, frame, script string }

func newRecorder() *recorder {
	return &recorder{
		now:     time.Now,
		reqs:    map[network.RequestID]*capture.Request{},
		pending: map[network.RequestID]bool{},
		own:     map[network.RequestID]bool{},
		early:   map[network.RequestID][]*network.EventResponseReceivedExtraInfo{},
		settle:  newSettler(time.Now()),
		timing:  capture.Timing{Started: time.Now().UTC()},
	}
}

// reset forgets what was recorded so far (the moment of a consent click):
// what comes after it belongs to the next phase. Requests still in flight
// stay tracked for idleness only.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = nil
	// Requests in flight keep their URL, so that a Set-Cookie of their
	// response still names the URL that set it.
	for id := range r.reqs {
		if !r.pending[id] {
			delete(r.reqs, id)
		}
	}
	r.writes = nil
	r.calls = nil
	r.storage = nil
	r.scriptCookies = budget[capture.CookieWrite]{}
	r.storageKind = budget[storageWrite]{}
	r.callKinds = nil
	r.overflow = nil
	r.workers.reset()
	r.parserLines = nil
}

func (r *recorder) onEvent(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request == nil {
			return
		}
		if browserOwn(ev) || chromiumInternal(ev.Request.URL) {
			r.own[ev.RequestID] = true
			delete(r.early, ev.RequestID)
			return
		}
		r.settle.request(ev.RequestID, ev.Request.URL, ev.Type, r.now())
		if ev.RedirectResponse != nil {
			if prev := r.reqs[ev.RequestID]; prev != nil {
				prev.Status = int(ev.RedirectResponse.Status)
			}
		}
		req := &capture.Request{
			URL:          ev.Request.URL,
			Method:       ev.Request.Method,
			ResourceType: string(ev.Type),
			Initiator:    initiatorURL(ev.Initiator),
			FrameURL:     ev.DocumentURL,
		}
		// The body of a document request is a form's contents: never kept,
		// unless trackscan submitted the form (it then holds the test
		// identity and is the evidence of where the values went). What
		// scripts send (beacons, XHR, fetch) is the evidence of what a
		// tracker receives, and is kept up to maxPostData.
		if ev.Type != network.ResourceTypeDocument || r.submitted {
			req.PostData = postData(ev.Request)
		}
		req.OnSubmit = r.submitted
		req.InitiatorLine = initiatorLine(ev.Initiator)
		if ev.Type == network.ResourceTypeDocument {
			if r.docs == nil {
				r.docs = map[string]network.RequestID{}
			}
			r.docs[ev.Request.URL] = ev.RequestID
		}
		if req.InitiatorLine > 0 && fromParser(ev.Initiator) {
			r.parserLines = append(r.parserLines, parserLineRef{req: req, doc: r.docs[ev.Initiator.URL]})
		}
		r.list = append(r.list, req)
		r.reqs[ev.RequestID] = req
		r.pending[ev.RequestID] = true
		for _, extra := range r.early[ev.RequestID] {
			r.writeCookieHeaders(extra, req)
		}
		delete(r.early, ev.RequestID)
	case *network.EventResponseReceived:
		if req := r.reqs[ev.RequestID]; req != nil && ev.Response != nil {
			req.Status = int(ev.Response.Status)
			req.MimeType = ev.Response.MimeType
		}
	case *network.EventResponseReceivedExtraInfo:
		r.setCookieHeaders(ev)
	case *network.EventLoadingFinished:
		r.settle.finished(ev.RequestID, r.now())
		delete(r.pending, ev.RequestID)
	case *network.EventLoadingFailed:
		r.settle.finished(ev.RequestID, r.now())
		delete(r.pending, ev.RequestID)
		if req := r.reqs[ev.RequestID]; req != nil {
			req.Failed = ev.ErrorText
			if ev.BlockedReason != "" {
				req.Failed += " (" + string(ev.BlockedReason) + ")"
			}
		}
	case *page.EventLoadEventFired:
		r.loaded = true
		r.timing.Loaded = r.now()
	case *runtime.EventBindingCalled:
		if ev.Name == bindingName {
			r.hookReport(ev.Payload)
		}
	}
}

// browserOwn reports Chromium's own fetch of a site's /favicon.ico: it has
// no page initiator and comes on whichever page loads first, so counting it
// would make identical runs differ.
func browserOwn(ev *network.EventRequestWillBeSent) bool {
	if ev.Type != network.ResourceTypeOther || ev.Initiator == nil || ev.Initiator.Type != network.InitiatorTypeOther ||
		ev.Initiator.URL != "" || ev.Initiator.Stack != nil {
		return false
	}
	u, err := url.Parse(ev.Request.URL)
	return err == nil && u.Path == "/favicon.ico"
}

// chromiumInternal reports Chromium's own pages and viewers (the PDF
// viewer is the extension chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai):
// they are the browser, never a vendor of the site.
func chromiumInternal(raw string) bool {
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "chrome-extension", "chrome", "chrome-untrusted", "devtools", "chrome-error", "chrome-search":
		return true
	}
	return false
}

func initiatorURL(in *network.Initiator) string {
	if in == nil {
		return ""
	}
	if in.Stack != nil {
		for st := in.Stack; st != nil; st = st.Parent {
			for _, f := range st.CallFrames {
				if f.URL != "" {
					return f.URL
				}
			}
		}
	}
	return in.URL
}

func postData(req *network.Request) string {
	if !req.HasPostData {
		return ""
	}
	var b strings.Builder
	for _, e := range req.PostDataEntries {
		b.Write(e.Bytes)
		if b.Len() >= maxPostData {
			break
		}
	}
	s := b.String()
	if len(s) > maxPostData {
		s = s[:maxPostData]
	}
	return s
}

// setCookieHeaders files every Set-Cookie line of a response, stored or
// blocked; the extra-info event may come before or after the response
// event, so it is joined on the RequestID.
func (r *recorder) setCookieHeaders(ev *network.EventResponseReceivedExtraInfo) {
	if r.own[ev.RequestID] {
		return
	}
	req := r.reqs[ev.RequestID]
	if req == nil {
		r.early[ev.RequestID] = append(r.early[ev.RequestID], ev)
		return
	}
	r.writeCookieHeaders(ev, req)
}

// writeCookieHeaders records the Set-Cookie lines of a response; req is the
// request it answered, nil when it never showed up.
func (r *recorder) writeCookieHeaders(ev *network.EventResponseReceivedExtraInfo, req *capture.Request) {
	respURL := ""
	frame := ""
	if req != nil {
		respURL = req.URL
		frame = req.FrameURL
	}
	blocked := map[string][]string{}
	for _, bc := range ev.BlockedCookies {
		for _, reason := range bc.BlockedReasons {
			blocked[bc.CookieLine] = append(blocked[bc.CookieLine], string(reason))
		}
	}
	var lines []string
	for name, v := range ev.Headers {
		if strings.EqualFold(name, "set-cookie") {
			if s, ok := v.(string); ok {
				lines = append(lines, strings.Split(s, "\n")...)
			}
		}
	}
	for _, line := range lines {
		w, ok := parseCookieLine(line, respURL, r.now())
		if !ok {
			continue
		}
		w.Source = "header"
		w.SetBy = respURL
		w.FrameURL = frame
		w.Blocked = blocked[line]
		r.writes = append(r.writes, w)
	}
}

// parseCookieLine turns a Set-Cookie header line or a document.cookie
// assignment into a CookieWrite. The host is taken from the URL it applies to.
func parseCookieLine(line, forURL string, now time.Time) (capture.CookieWrite, bool) {
	c, err := http.ParseSetCookie(strings.TrimSpace(line))
	if err != nil || c.Name == "" {
		return capture.CookieWrite{}, false
	}
	w := capture.CookieWrite{
		Name:        c.Name,
		Domain:      strings.TrimPrefix(strings.ToLower(c.Domain), "."),
		Path:        c.Path,
		Secure:      c.Secure,
		HTTPOnly:    c.HttpOnly,
		Partitioned: c.Partitioned,
		ExpiresDays: -1,
	}
	if u, err := url.Parse(forURL); err == nil {
		w.Host = strings.ToLower(u.Hostname())
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		w.SameSite = "Lax"
	case http.SameSiteStrictMode:
		w.SameSite = "Strict"
	case http.SameSiteNoneMode:
		w.SameSite = "None"
	}
	switch {
	case c.MaxAge > 0:
		w.ExpiresDays = roundDays(float64(c.MaxAge) / 86400)
	case c.MaxAge < 0:
		w.ExpiresDays, w.Deleted = 0, true
	case !c.Expires.IsZero():
		d := c.Expires.Sub(now).Hours() / 24
		if d <= 0 {
			d, w.Deleted = 0, true
		}
		w.ExpiresDays = roundDays(d)
	}
	return w, true
}

// roundDays keeps two decimals, so that the seconds between the server's
// clock and ours do not change the report from one run to the next.
func roundDays(d float64) float64 {
	return float64(int64(d*100+0.5)) / 100
}

type hookPayload struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	Frame  string `json:"frame"`
	Stack  string `json:"stack"`
	API    string `json:"api"`
	Count  int    `json:"count"` // of an overflow report
}

// apiKinds are the kinds of API call hooks.js reports. The binding is
// reachable from page scripts, so anything else is forged and only counted.
var apiKinds = map[string]bool{
	"beacon": true, "canvas-read": true, "canvas-write": true, "font-probe": true,
	"webgl-param": true, "audio-fingerprint": true,
}

// kindUnknown counts reports of a kind hooks.js never sends.
const kindUnknown = "unknown"

func (r *recorder) hookReport(payload string) {
	var p hookPayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return
	}
	switch {
	case p.Kind == "overflow":
		// hooks.js held back events of a kind past its own budget.
		if p.Count > 0 && (apiKinds[p.Detail] || p.Detail == "cookie" || p.Detail == "storage") {
			r.countOverflow(p.Detail, p.Count)
		}
	case p.Kind == "cookie":
		w, ok := parseCookieLine(p.Detail, p.Frame, r.now())
		if !ok {
			return
		}
		w.Source = "script"
		w.SetBy = p.Stack
		if w.SetBy == "" {
			w.SetBy = p.Frame // an inline script of the document
		}
		w.FrameURL = p.Frame
		if r.scriptCookies.add(w) {
			r.writes = append(r.writes, w)
		}
		r.settle.wrote("cookie", w.Name, r.now())
	case p.Kind == "popup":
		// hooks.js refused a window.open; the scope says whether to record it.
		r.guard.popupRequested(p.Detail, p.Frame)
	case p.Kind == "storage":
		kind, key, _ := strings.Cut(p.Detail, " ")
		s := storageWrite{kind: kind, key: key, frame: p.Frame, script: p.Stack}
		if r.storageKind.add(s) {
			r.storage = append(r.storage, s)
		}
		r.settle.wrote(kind, key, r.now())
	case apiKinds[p.Kind]:
		api := p.Kind
		if p.API != "" {
			api = p.Kind + ":" + p.API
		}
		c := capture.APICall{API: api, Script: p.Stack, FrameURL: p.Frame, Detail: p.Detail}
		if r.callKinds == nil {
			r.callKinds = map[string]*budget[capture.APICall]{}
		}
		b := r.callKinds[p.Kind]
		if b == nil {
			b = &budget[capture.APICall]{}
			r.callKinds[p.Kind] = b
		}
		if b.add(c) {
			r.calls = append(r.calls, c)
		}
	default:
		r.countOverflow(kindUnknown, 1)
	}
}

func (r *recorder) countOverflow(kind string, n int) {
	if r.overflow == nil {
		r.overflow = map[string]int{}
	}
	r.overflow[kind] += n
}

// dropped is how many events of each kind were counted but not kept, by
// the hooks or here; nil when none.
func (r *recorder) dropped() map[string]int {
	out := map[string]int{}
	for k, n := range r.overflow {
		out[k] += n
	}
	if n := r.scriptCookies.dropped(); n > 0 {
		out["cookie"] += n
	}
	if n := r.storageKind.dropped(); n > 0 {
		out["storage"] += n
	}
	for k, b := range r.callKinds {
		if n := b.dropped(); n > 0 {
			out[k] += n
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// markSubmit says a form is about to be submitted: what follows is
// recorded as OnSubmit, and a navigation the guard refuses is a
// "form-submit".
func (r *recorder) markSubmit() {
	r.mu.Lock()
	r.submitted = true
	r.mu.Unlock()
	r.guard.submitting()
}

// settledFor reports whether the page has started no new work for quiet
// and no request in flight holds it open (see settler).
func (r *recorder) settledFor(quiet time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.settle.settled(r.now(), quiet)
}

// restartQuiet makes the quiet period count from now: after an action
// (writing an email into the page, switching media) whose first requests
// may not have been reported yet.
func (r *recorder) restartQuiet() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settle.lastNew, r.settle.lastNet = r.now(), r.now()
}

// settledBy records how a wait for the page to settle ended; the last wait
// of a visit is the one its timing reports.
func (r *recorder) settledBy(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timing.Settled, r.timing.SettledBy = r.now(), reason
}

// fill copies what was recorded into p, in the order it happened.
func (r *recorder) fill(p *capture.Page) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Headers whose request never showed up are kept, without a setter.
	for _, id := range slices.Sorted(maps.Keys(r.early)) {
		for _, extra := range r.early[id] {
			r.writeCookieHeaders(extra, nil)
		}
		delete(r.early, id)
	}
	// A request the guard refused was never sent: it is a blocked
	// navigation or subresource, not a request to that host.
	refused := r.guard.refusedURLs()
	for _, req := range r.list {
		if req.Failed != "" && refused[req.URL] {
			continue
		}
		p.Requests = append(p.Requests, *req)
	}
	r.workers.fill(p)
	if r.guard != nil {
		r.guard.fill(p)
	}
	t := r.timing
	t.Loaded, t.Settled = t.Loaded.UTC(), t.Settled.UTC()
	p.Timing = &t
	// The last events of a flooded kind come after everything kept in order.
	p.CookieWrites = append(p.CookieWrites, r.writes...)
	p.CookieWrites = append(p.CookieWrites, r.scriptCookies.last()...)
	p.APICalls = append(p.APICalls, r.calls...)
	for _, k := range slices.Sorted(maps.Keys(r.callKinds)) {
		p.APICalls = append(p.APICalls, r.callKinds[k].last()...)
	}
	if d := r.dropped(); d != nil {
		if p.EventsDropped == nil {
			p.EventsDropped = map[string]int{}
		}
		for k, n := range d {
			p.EventsDropped[k] += n
		}
	}
	storage := append(append([]storageWrite(nil), r.storage...), r.storageKind.last()...)
	// Storage writes whose key was later found in storage keep their script.
	byKey := map[string]string{}
	for _, s := range storage {
		byKey[originOf(s.frame)+"\x00"+s.kind+"\x00"+s.key] = s.script
	}
	for i := range p.Storage {
		it := &p.Storage[i]
		k := it.Origin + "\x00" + it.Kind + "\x00" + it.Key
		if script, ok := byKey[k]; ok {
			it.SetBy = script
			delete(byKey, k)
		}
	}
	// Keys written then removed before the end are still evidence of use.
	var left []string
	for k := range byKey {
		left = append(left, k)
	}
	sort.Strings(left)
	for _, k := range left {
		parts := strings.SplitN(k, "\x00", 3)
		p.Storage = append(p.Storage, capture.StorageItem{Origin: parts[0], Kind: parts[1], Key: parts[2], SetBy: byKey[k]})
	}
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// requestURLs lists the URLs of every request seen so far.
func (r *recorder) requestURLs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.list))
	for _, req := range r.list {
		out = append(out, req.URL)
	}
	return append(out, r.workers.requestURLs()...)
}

// parserLineRefs lists the requests whose line came from the parser.
func (r *recorder) parserLineRefs() []parserLineRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]parserLineRef(nil), r.parserLines...)
}

// dropParserLines clears the initiator line of the requests drop picks.
func (r *recorder) dropParserLines(reqs []*capture.Request, drop func(*capture.Request) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, req := range reqs {
		if drop(req) {
			req.InitiatorLine = 0
		}
	}
}

// documentMime is the content type of the first document that loaded: a
// PDF or an image is not a page to scan, whatever viewer Chromium wraps it in.
func (r *recorder) documentMime() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, req := range r.list {
		if req.ResourceType == "Document" && req.Status >= 200 && req.Status < 300 {
			return req.MimeType
		}
	}
	return ""
}

// documentStatus is the status of the first top-level document response
// (a 3xx when its redirect was refused).
func (r *recorder) documentStatus() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, req := range r.list {
		if req.ResourceType == "Document" {
			return req.Status
		}
	}
	return 0
}
