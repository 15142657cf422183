// Package frontier decides which pages of a site a scan visits and in which
// order. colly fetches robots.txt and the sitemaps; the browser renders the
// pages and hands the links of the rendered DOM back through AddLinks.
//
// Order is deterministic: the seeds, then the sitemap URLs in sitemap order,
// then breadth-first by depth, links in document order of the page that was
// handed out first. Every URL that is not queued is recorded with a reason.
package frontier

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"github.com/trackscan/trackscan/crawler/capture"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
)

// Reasons for problems with the files the frontier reads itself.
const (
	ReasonSitemapError = "sitemap-error" // a sitemap listed in robots.txt or an index could not be read
)

const (
	defaultUserAgent  = "trackscan"
	maxSitemapFiles   = 50 // sitemap files read per scan, indexes included
	maxSitemapNesting = 3
	fetchTimeout      = 30 * time.Second
)

// Config says where a crawl starts and how far it may go.
type Config struct {
	Seeds    []string
	MaxPages int // pages handed out by Next; <= 0: no limit
	MaxDepth int // link hops from a seed or sitemap URL; <= 0: no limit
	// Include and Exclude are regular expressions on the normalised URL.
	// Include widens the scope beyond the seeds' registrable domains;
	// Exclude wins over both.
	Include, Exclude []string
	IgnoreRobots     bool
	UserAgent        string       // sent by colly; its first word is the robots.txt token. Default "trackscan"
	Client           *http.Client // for robots.txt and sitemaps; tests map hosts to loopback through it
	// TrapVariants is how many query variants of one path, and how many
	// numbered variants of one path shape (/2026/11/, /page/7, /p/123), are
	// crawled before the rest counts as a trap. Default 20: a tracking scan
	// needs a few pages of each template, not every product or month.
	TrapVariants int
	// NoSitemaps skips sitemap discovery (robots.txt is still read).
	NoSitemaps bool
	// Addresses, when set, refuses pages and sitemaps on addresses a scan
	// must not reach (crawler/scope: private, loopback, link-local unless a
	// target is there); they are skipped with its reason. Redirect hops of
	// robots.txt and sitemaps are the Client's to check (resolve.GuardedClient).
	Addresses interface{ CheckAddress(u *url.URL) error }
}

// Skip is a URL the frontier will not hand out, and why.
type Skip struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
	From   string `json:"from,omitempty"` // the page that linked to it, "" for seeds and sitemaps
}

// Frontier is the queue of pages to visit. It is safe for concurrent use.
type Frontier struct {
	cfg        Config
	include    []*regexp.Regexp
	exclude    []*regexp.Regexp
	domains    map[string]bool // registrable domains of the seeds
	robotToken string

	ctx     context.Context
	robotMu sync.Mutex
	robots  map[string]*robotsEntry // scheme://host -> rules

	mu       sync.Mutex
	cond     *sync.Cond
	queue    itemHeap
	queued   map[string]*item
	handed   map[string]int // URL -> sequence number when handed out
	inFlight map[string]bool
	nHanded  int
	skipped  []Skip
	skipSeen map[string]bool // URL+reason already recorded
	traps    *trapGuard
}

type robotsEntry struct {
	once sync.Once
	data *robotstxt.RobotsData
}

// New checks the configuration; nothing is fetched until Start.
func New(cfg Config) (*Frontier, error) {
	if len(cfg.Seeds) == 0 {
		return nil, errors.New("frontier: no start URL")
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	f := &Frontier{
		cfg:      cfg,
		domains:  map[string]bool{},
		robots:   map[string]*robotsEntry{},
		queued:   map[string]*item{},
		handed:   map[string]int{},
		inFlight: map[string]bool{},
		skipSeen: map[string]bool{},
		traps:    newTrapGuard(cfg.TrapVariants, cfg.TrapVariants),
		ctx:      context.Background(),
	}
	f.cond = sync.NewCond(&f.mu)
	// robots.txt groups name a product token: "trackscan" of "trackscan/1.0 (+url)".
	f.robotToken = defaultUserAgent
	if words := strings.FieldsFunc(cfg.UserAgent, func(r rune) bool { return r == '/' || r == ' ' }); len(words) > 0 {
		f.robotToken = strings.ToLower(words[0])
	}
	var err error
	if f.include, err = compileAll("include", cfg.Include); err != nil {
		return nil, err
	}
	if f.exclude, err = compileAll("exclude", cfg.Exclude); err != nil {
		return nil, err
	}
	for _, s := range cfg.Seeds {
		n, err := Normalize(s, "")
		if err != nil {
			return nil, fmt.Errorf("frontier: start URL %q: %v", s, err)
		}
		u, _ := url.Parse(n)
		f.domains[capture.Site(u.Hostname())] = true
	}
	return f, nil
}

func compileAll(what string, patterns []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("frontier: %s pattern %q: %v", what, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// Start reads robots.txt of each seed's origin and the sitemaps (those
// listed in robots.txt, else /sitemap.xml, following sitemap indexes), then
// queues the seeds followed by the sitemap URLs. It fails only when ctx ends.
func (f *Frontier) Start(ctx context.Context) error {
	f.ctx = ctx
	var origins []string
	seen := map[string]bool{}
	for i, s := range f.cfg.Seeds {
		n, _ := Normalize(s, "")
		f.admit(n, s, 0, -2, i, "")
		u, _ := url.Parse(n)
		o := u.Scheme + "://" + u.Host
		if !seen[o] {
			seen[o] = true
			origins = append(origins, o)
		}
	}
	if f.cfg.NoSitemaps {
		return ctx.Err()
	}
	var maps []string
	guessed := map[string]bool{}
	for _, o := range origins {
		listed := f.robotsFor(o)
		if listed != nil && len(listed.Sitemaps) > 0 {
			maps = append(maps, listed.Sitemaps...)
			continue
		}
		maps = append(maps, o+"/sitemap.xml")
		guessed[o+"/sitemap.xml"] = true
	}
	r := sitemapReader{f: f, guessed: guessed, read: map[string]bool{}}
	for _, m := range maps {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.read1(m, 0)
	}
	return ctx.Err()
}

type sitemapReader struct {
	f       *Frontier
	guessed map[string]bool
	read    map[string]bool
	files   int
	index   int
}

func (r *sitemapReader) read1(raw string, nesting int) {
	n, err := Normalize(raw, "")
	if err != nil || r.read[n] {
		return
	}
	r.read[n] = true
	if r.files >= maxSitemapFiles || nesting > maxSitemapNesting {
		r.f.skip(Skip{URL: n, Reason: ReasonSitemapError, Detail: "too many sitemap files or nesting levels"})
		return
	}
	u, _ := url.Parse(n)
	if !r.f.inScope(u) {
		r.f.skip(Skip{URL: n, Reason: ReasonOutOfScope, Detail: "sitemap"})
		return
	}
	if reason, detail := r.f.refused(u); reason != "" {
		r.f.skip(Skip{URL: n, Reason: reason, Detail: "sitemap: " + detail})
		return
	}
	r.files++
	status, body, err := r.f.fetch(n)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("HTTP %d", status)
	}
	if err != nil {
		if reason, detail, ok := refusalOf(err); ok {
			r.f.skip(Skip{URL: n, Reason: reason, Detail: "sitemap: " + detail})
		} else if !r.guessed[raw] { // a missing /sitemap.xml is normal
			r.f.skip(Skip{URL: n, Reason: ReasonSitemapError, Detail: err.Error()})
		}
		return
	}
	sm, err := ParseSitemap(body)
	if err != nil {
		if !r.guessed[raw] {
			r.f.skip(Skip{URL: n, Reason: ReasonSitemapError, Detail: err.Error()})
		}
		return
	}
	for _, child := range sm.Sitemaps {
		r.read1(child, nesting+1)
	}
	for _, p := range sm.URLs {
		nu, err := Normalize(p, "")
		if err != nil {
			r.f.skip(Skip{URL: p, Reason: reasonFor(err), Detail: "in sitemap " + n})
			continue
		}
		r.f.admit(nu, p, 0, -1, r.index, "")
		r.index++
	}
}

// fetch GETs one file through colly.
func (f *Frontier) fetch(rawURL string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(f.ctx, fetchTimeout)
	defer cancel()
	c := colly.NewCollector(
		colly.UserAgent(f.cfg.UserAgent),
		colly.ParseHTTPErrorResponse(),
		colly.AllowURLRevisit(),
		colly.MaxBodySize(maxSitemapBytes),
		colly.StdlibContext(ctx),
	)
	if f.cfg.Client != nil {
		c.SetClient(f.cfg.Client)
	} else {
		c.SetRequestTimeout(fetchTimeout)
	}
	var status int
	var body []byte
	c.OnResponse(func(r *colly.Response) {
		status, body = r.StatusCode, r.Body
	})
	if err := c.Visit(rawURL); err != nil && status == 0 {
		return 0, nil, err
	}
	return status, body, nil
}

// robotsFor returns the robots.txt rules of an origin, fetching them once.
// An unreachable robots.txt allows everything: the pages themselves will
// fail in the browser if the host is down.
func (f *Frontier) robotsFor(origin string) *robotstxt.RobotsData {
	f.robotMu.Lock()
	e := f.robots[origin]
	if e == nil {
		e = &robotsEntry{}
		f.robots[origin] = e
	}
	f.robotMu.Unlock()
	e.once.Do(func() {
		status, body, err := f.fetch(origin + "/robots.txt")
		if reason, detail, ok := refusalOf(err); ok {
			f.skip(Skip{URL: origin + "/robots.txt", Reason: reason, Detail: "robots.txt: " + detail})
		}
		if err == nil {
			e.data, err = robotstxt.FromStatusAndBytes(status, body)
		}
		if err != nil || e.data == nil {
			e.data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
		}
	})
	return e.data
}

func (f *Frontier) robotsAllow(u *url.URL) bool {
	if f.cfg.IgnoreRobots {
		return true
	}
	rd := f.robotsFor(u.Scheme + "://" + u.Host)
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return rd.TestAgent(p, f.robotToken)
}

func (f *Frontier) inScope(u *url.URL) bool {
	if f.domains[capture.Site(u.Hostname())] {
		return true
	}
	s := u.String()
	for _, re := range f.include {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// refused asks cfg.Addresses about u: the reason and detail of a refusal,
// "" when allowed.
func (f *Frontier) refused(u *url.URL) (reason, detail string) {
	if f.cfg.Addresses == nil {
		return "", ""
	}
	err := f.cfg.Addresses.CheckAddress(u)
	if err == nil {
		return "", ""
	}
	if r, ok := err.(interface{ ReasonDetail() (string, string) }); ok {
		return r.ReasonDetail()
	}
	return ReasonPrivate, err.Error()
}

// refusalOf finds a scope refusal in a fetch error (a redirect hop the
// client's guard refused).
func refusalOf(err error) (reason, detail string, ok bool) {
	var r interface {
		error
		ReasonDetail() (string, string)
	}
	if err == nil || !errors.As(err, &r) {
		return "", "", false
	}
	reason, _ = r.ReasonDetail()
	return reason, r.Error(), true
}

func reasonFor(err error) string {
	if errors.Is(err, errNotHTTP) {
		return ReasonNotHTTP
	}
	return ReasonInvalid
}

// AddLinks queues the links found on page from (visited at depth) in
// document order; they get depth+1. from must be the URL Next returned (not
// the URL after redirects): it orders the links and marks the page done for
// NextWait. Relative links are resolved against it.
func (f *Frontier) AddLinks(from string, depth int, links []string) {
	nfrom, err := Normalize(from, "")
	if err != nil {
		nfrom = from
	}
	type cand struct {
		raw, norm string
		err       error
	}
	cands := make([]cand, len(links))
	for i, l := range links {
		n, err := Normalize(l, from)
		cands[i] = cand{l, n, err}
	}
	// Fetch robots.txt of new hosts before taking the queue lock.
	if !f.cfg.IgnoreRobots {
		for _, c := range cands {
			if u, err := url.Parse(c.norm); c.err == nil && err == nil && f.inScope(u) {
				f.robotsFor(u.Scheme + "://" + u.Host)
			}
		}
	}
	f.mu.Lock()
	parent, ok := f.handed[nfrom]
	if !ok {
		parent = f.nHanded // links of a page we never handed out go last
	}
	f.mu.Unlock()
	for i, c := range cands {
		if c.err != nil {
			f.skip(Skip{URL: c.raw, Reason: reasonFor(c.err), From: nfrom})
			continue
		}
		f.admit(c.norm, c.raw, depth+1, parent, i, nfrom)
	}
	f.Done(from)
}

// admit queues one normalised URL or records why not.
func (f *Frontier) admit(norm, raw string, depth, parent, index int, from string) {
	u, err := url.Parse(norm)
	if err != nil {
		f.skip(Skip{URL: raw, Reason: ReasonInvalid, From: from})
		return
	}
	if isNonHTML(u) {
		f.skip(Skip{URL: norm, Reason: ReasonNotHTML, From: from})
		return
	}
	f.mu.Lock()
	if it, ok := f.queued[norm]; ok {
		// Keep the earliest position a page was found at.
		if k := (item{depth: depth, parent: parent, index: index}); k.less(it) {
			it.depth, it.parent, it.index = depth, parent, index
			heap.Fix(&f.queue, it.heapIdx)
		}
		f.mu.Unlock()
		f.skip(Skip{URL: norm, Reason: ReasonDuplicate, From: from})
		return
	}
	if _, ok := f.handed[norm]; ok {
		f.mu.Unlock()
		f.skip(Skip{URL: norm, Reason: ReasonDuplicate, From: from})
		return
	}
	f.mu.Unlock()

	if !f.inScope(u) {
		f.skip(Skip{URL: norm, Reason: ReasonOutOfScope, From: from})
		return
	}
	if reason, detail := f.refused(u); reason != "" {
		f.skip(Skip{URL: norm, Reason: reason, Detail: detail, From: from})
		return
	}
	for _, re := range f.exclude {
		if re.MatchString(norm) {
			f.skip(Skip{URL: norm, Reason: ReasonExcluded, Detail: re.String(), From: from})
			return
		}
	}
	if !f.robotsAllow(u) {
		f.skip(Skip{URL: norm, Reason: ReasonRobots, From: from})
		return
	}
	if f.cfg.MaxDepth > 0 && depth > f.cfg.MaxDepth {
		f.skip(Skip{URL: norm, Reason: ReasonDepth, From: from})
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.queued[norm]; ok { // queued meanwhile by another goroutine
		f.skipLocked(Skip{URL: norm, Reason: ReasonDuplicate, From: from})
		return
	}
	if why := f.traps.check(u); why != "" {
		f.skipLocked(Skip{URL: norm, Reason: ReasonTrap, Detail: why, From: from})
		return
	}
	if f.cfg.MaxPages > 0 && f.nHanded+f.queue.Len() >= f.cfg.MaxPages {
		f.skipLocked(Skip{URL: norm, Reason: ReasonMaxPages, From: from})
		return
	}
	it := &item{url: norm, depth: depth, parent: parent, index: index}
	heap.Push(&f.queue, it)
	f.queued[norm] = it
	f.cond.Broadcast()
}

func (f *Frontier) skip(s Skip) {
	f.mu.Lock()
	f.skipLocked(s)
	f.mu.Unlock()
}

// skipLocked records s once per URL and reason.
func (f *Frontier) skipLocked(s Skip) {
	k := s.Reason + " " + s.URL
	if f.skipSeen[k] {
		return
	}
	f.skipSeen[k] = true
	f.skipped = append(f.skipped, s)
}

// Next hands out the next page to visit. ok is false when the queue is
// empty (for now: pages in flight may still add links; see NextWait) or the
// page budget is used up.
func (f *Frontier) Next() (u string, depth int, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nextLocked()
}

func (f *Frontier) nextLocked() (string, int, bool) {
	if f.queue.Len() == 0 || (f.cfg.MaxPages > 0 && f.nHanded >= f.cfg.MaxPages) {
		return "", 0, false
	}
	it := heap.Pop(&f.queue).(*item)
	delete(f.queued, it.url)
	f.handed[it.url] = f.nHanded
	f.nHanded++
	f.inFlight[it.url] = true
	return it.url, it.depth, true
}

// NextWait is Next for concurrent workers: while the queue is empty but
// other pages are in flight it waits for their AddLinks or Done. ok is
// false when the crawl is over or ctx ends.
func (f *Frontier) NextWait(ctx context.Context) (u string, depth int, ok bool) {
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.cond.Broadcast()
		f.mu.Unlock()
	})
	defer stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return "", 0, false
		}
		if u, d, ok := f.nextLocked(); ok {
			return u, d, true
		}
		if len(f.inFlight) == 0 || (f.cfg.MaxPages > 0 && f.nHanded >= f.cfg.MaxPages) {
			return "", 0, false
		}
		f.cond.Wait()
	}
}

// Done marks a handed-out page as finished without links (it failed, or
// was not HTML). AddLinks does this itself.
func (f *Frontier) Done(u string) {
	n, err := Normalize(u, "")
	if err != nil {
		n = u
	}
	f.mu.Lock()
	delete(f.inFlight, n)
	f.cond.Broadcast()
	f.mu.Unlock()
}

// Skipped lists every URL not handed out, in the order it was met, once
// per URL and reason; pages still queued when the page budget ran out are
// listed last as max-pages.
func (f *Frontier) Skipped() []Skip {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]Skip(nil), f.skipped...)
	if f.cfg.MaxPages > 0 && f.nHanded >= f.cfg.MaxPages && f.queue.Len() > 0 {
		// Sort a copy: popping the live heap would disturb its indices.
		rest := slices.SortedFunc(slices.Values(f.queue), func(a, b *item) int {
			if a.less(b) {
				return -1
			}
			return 1
		})
		for _, it := range rest {
			out = append(out, Skip{URL: it.url, Reason: ReasonMaxPages})
		}
	}
	return out
}

// Known is how many pages the crawl will visit as far as it knows now:
// those handed out plus those queued, within MaxPages. It only grows.
func (f *Frontier) Known() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.nHanded + f.queue.Len()
	if f.cfg.MaxPages > 0 && n > f.cfg.MaxPages {
		n = f.cfg.MaxPages
	}
	return n
}

// Visited is how many pages Next has handed out.
func (f *Frontier) Visited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nHanded
}

// item is a queued URL; the heap orders by (depth, parent, index): the
// earlier a page was handed out, the earlier its links come.
type item struct {
	url           string
	depth, parent int
	index         int
	heapIdx       int
}

func (a *item) less(b *item) bool {
	if a.depth != b.depth {
		return a.depth < b.depth
	}
	if a.parent != b.parent {
		return a.parent < b.parent
	}
	return a.index < b.index
}

type itemHeap []*item

func (h itemHeap) Len() int           { return len(h) }
func (h itemHeap) Less(i, j int) bool { return h[i].less(h[j]) }
func (h itemHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = i, j
}
func (h *itemHeap) Push(x any) {
	it := x.(*item)
	it.heapIdx = len(*h)
	*h = append(*h, it)
}
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
