package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/crawler/scope"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/internal/textfmt"
)

// engine is the state of one Run: a pool of tabs over one browser.
type engine struct {
	opts             Options
	browser          *browser.Browser
	phases           []capture.Phase
	src              pageSource
	consentScript    string // consent.DetectScript
	consentActScript string // consent.Script
	scope            *scope.Scope

	mu       sync.Mutex
	failed   int
	firstErr string
	notes    []string
	planned  int

	restartMu sync.Mutex
	restarts  int

	policyReads policyReads

	// afterCrawl, when set, is called with the pre-consent pages as soon
	// as the crawl ends, before the consent passes.
	afterCrawl func(pre []capture.Page)
}

// maxRestarts is how often a browser that died is started again per scan:
// once covers a crash; a browser that keeps dying will not do better.
const maxRestarts = 1

// maxClickTries is how many pages of a phase may try to click the banner in
// turn before the rest of the phase clicks each its own.
const maxClickTries = 3

// crawled is a page of the pre-consent pass.
type crawled struct {
	url string
	pre *capture.Page
}

func (c crawled) banner() bool { return c.pre.Consent != nil && c.pre.Consent.BannerFound }

// capture runs the phases as site-level passes: the pre-consent pass crawls
// and records the pages; each consent pass then visits the same pages, the
// first page with a banner clicks it and the others start with the choice
// that click stored (see consentPass).
func (e *engine) capture(ctx context.Context) []capture.Page {
	pages := e.crawl(ctx)
	if e.afterCrawl != nil {
		pre := make([]capture.Page, len(pages))
		for i, c := range pages {
			pre[i] = *c.pre
		}
		e.afterCrawl(pre)
	}
	var out []capture.Page
	var targets []crawled
	for _, c := range pages {
		out = append(out, *c.pre)
		if c.pre.Error == "" {
			targets = append(targets, c)
		}
	}
	if len(e.phases) == 1 || ctx.Err() != nil {
		return out
	}
	if e.consentScript == "" {
		e.note("consent engine unavailable; scanned before consent only")
		return out
	}
	if !slices.ContainsFunc(targets, crawled.banner) {
		e.note("no consent banner found on any page; scanned before consent only")
		e.plan(len(pages))
		return out
	}
	// A consent choice belongs to one site: each site (registrable domain)
	// of the scan gets its own passes, whose first banner page clicks.
	sites := bySite(targets)
	total := len(pages)
	var passes []*consentPass
	for _, group := range sites {
		if !slices.ContainsFunc(group.pages, crawled.banner) {
			e.note(fmt.Sprintf("%s: no consent banner found on any page; scanned before consent only", group.site))
			continue
		}
		total += len(group.pages) * (len(e.phases) - 1)
		for _, phase := range e.phases[1:] {
			ps := newConsentPass(phase, group.pages)
			if len(sites) > 1 {
				ps.site = group.site
			}
			passes = append(passes, ps)
		}
	}
	e.plan(total)
	// The passes are independent of each other (every visit has a fresh
	// browser context), so their clicks run side by side, and each pass's
	// carried visits join the pool of tabs as soon as its click has stored
	// a choice, while the clicked page still reloads to record its phase.
	q := newJobQueue(len(passes))
	for _, ps := range passes {
		q.push(func() { e.click(ctx, ps, q) })
	}
	q.run(ctx, e.opts.Concurrency)
	// Pages in phase order, and within a phase in crawl order per site.
	for _, phase := range e.phases[1:] {
		for _, ps := range passes {
			if ps.phase == phase {
				out = append(out, e.finishPass(ctx, ps)...)
			}
		}
	}
	return out
}

// siteGroup is the pages of one site (registrable domain) in crawl order.
type siteGroup struct {
	site  string
	pages []crawled
}

// bySite groups pages by registrable domain, sites in order of their first
// page.
func bySite(pages []crawled) []siteGroup {
	var out []siteGroup
	index := map[string]int{}
	for _, c := range pages {
		key := capture.SiteOfURL(c.url)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, siteGroup{site: key})
		}
		out[i].pages = append(out[i].pages, c)
	}
	return out
}

// crawl is the pre-consent pass: workers take pages from the source until
// it is exhausted, and hand each page's links back.
func (e *engine) crawl(ctx context.Context) []crawled {
	// order is held from NextWait to the append, so pages are listed in
	// the order the source handed them out and the page that clicks in
	// each consent phase does not depend on timing. Each worker fills in
	// only its own page; wg.Wait publishes them.
	var order sync.Mutex
	var pages []*crawled
	var wg sync.WaitGroup
	for range e.opts.Concurrency {
		wg.Go(func() {
			for {
				order.Lock()
				u, depth, ok := e.src.NextWait(ctx)
				c := &crawled{url: u}
				if ok {
					pages = append(pages, c)
				}
				order.Unlock()
				if !ok {
					return
				}
				e.plan(e.src.Known() * len(e.phases))
				c.pre, _ = e.visit(ctx, u, browser.Visit{Phase: capture.PreConsent})
				e.prefetchPolicy(ctx, c.pre)
				if len(c.pre.Links) == 0 {
					e.src.Done(u) // failed, or a page without links
				} else {
					e.src.AddLinks(u, depth, c.pre.Links) // also marks u done
				}
			}
		})
	}
	wg.Wait()
	out := make([]crawled, len(pages))
	for i, c := range pages {
		out[i] = *c
	}
	return out
}

// consentPass is one consent phase over the pages of the pre-consent pass.
// The first page that showed a banner clicks reject or accept; the consent
// state its click stored is then set in the fresh browser context of every
// other page before navigation, so they need no click and no reload, and
// pages without a banner of their own (a privacy page that hides it) get
// the phase too. A page that shows the banner anyway clicks it there. When
// no click stores a state, pages with a banner click their own and pages
// without one are left out.
type consentPass struct {
	site    string // the site's registrable domain when the scan spans several
	phase   capture.Phase
	action  consent.Action
	targets []crawled
	results []*capture.Page
	state   *capture.ConsentState
	leader  *capture.Page
	rest    []int
	skipped []string
}

func newConsentPass(phase capture.Phase, targets []crawled) *consentPass {
	action := consent.Reject
	if phase == capture.AfterAccept {
		action = consent.Accept
	}
	return &consentPass{phase: phase, action: action, targets: targets, results: make([]*capture.Page, len(targets))}
}

// click visits the pages with a banner in crawl order, clicking, until a
// click stores a state to carry (at most maxClickTries pages). The other
// pages are queued as soon as that state is known; when no click stores
// one, pages with a banner are queued to click their own. click is a
// producer of q and closes its share when done.
func (e *engine) click(ctx context.Context, ps *consentPass, q *jobQueue) {
	defer q.producerDone()
	tried := map[int]bool{}
	queued := false
	queueRest := func() {
		if queued {
			return
		}
		queued = true
		for i := range ps.targets {
			if !tried[i] {
				ps.rest = append(ps.rest, i)
			}
		}
		for _, job := range e.carry(ctx, ps) {
			q.push(job)
		}
	}
	tries := 0
	for i, t := range ps.targets {
		if ps.state != nil || !t.banner() || tries >= maxClickTries || ctx.Err() != nil {
			continue
		}
		tries++
		tried[i] = true
		v := browser.Visit{Phase: ps.phase, ConsentAction: string(ps.action), ExpectBanner: true}
		v.OnConsentState = func(st *capture.ConsentState) {
			ps.state = st
			queueRest()
		}
		p, _ := e.visit(ctx, t.url, v)
		ps.results[i] = p
		if ps.state != nil {
			ps.leader = p
			break
		}
	}
	queueRest()
}

// carry returns the visits of the pass's other pages.
func (e *engine) carry(ctx context.Context, ps *consentPass) []func() {
	var jobs []func()
	for _, i := range ps.rest {
		t := ps.targets[i]
		if ps.state == nil && !t.banner() {
			ps.skipped = append(ps.skipped, t.url)
			continue
		}
		jobs = append(jobs, func() {
			ps.results[i], _ = e.visit(ctx, t.url, browser.Visit{Phase: ps.phase, ConsentAction: string(ps.action), Carry: ps.state, ExpectBanner: t.banner()})
		})
	}
	return jobs
}

// jobQueue feeds a pool of tabs with jobs that may queue more jobs (a
// click queues the carried visits of its pass). Workers end when the
// queue is empty and every producer is done, or when ctx ends.
type jobQueue struct {
	mu        sync.Mutex
	cond      *sync.Cond
	jobs      []func()
	producers int
}

func newJobQueue(producers int) *jobQueue {
	q := &jobQueue{producers: producers}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *jobQueue) push(job func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *jobQueue) producerDone() {
	q.mu.Lock()
	q.producers--
	q.mu.Unlock()
	q.cond.Broadcast()
}

// next hands out the oldest job; ok is false when no job will come.
func (q *jobQueue) next() (func(), bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.jobs) == 0 && q.producers > 0 {
		q.cond.Wait()
	}
	if len(q.jobs) == 0 {
		return nil, false
	}
	job := q.jobs[0]
	q.jobs = q.jobs[1:]
	return job, true
}

// run works the queue on n goroutines. Once ctx ends, jobs still queued
// are drained without running (each visit would fail at once anyway).
func (q *jobQueue) run(ctx context.Context, n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				job, ok := q.next()
				if !ok {
					return
				}
				if ctx.Err() == nil {
					job()
				}
			}
		})
	}
	wg.Wait()
}

// finishPass returns the pass's pages in crawl order and notes how the
// choice was made and carried.
func (e *engine) finishPass(ctx context.Context, ps *consentPass) []capture.Page {
	var out []capture.Page
	carried := 0
	for _, p := range ps.results {
		if p == nil {
			continue
		}
		out = append(out, *p)
		if p.Consent != nil && p.Consent.Carried {
			carried++
		}
		if p.Consent != nil && p.Consent.CarriedFrom != "" && p.Consent.Clicked {
			e.note(fmt.Sprintf("%s (%s): banner shown again despite the carried %s choice; clicked there", p.URL, ps.phase, ps.action))
		}
	}
	phase := string(ps.phase)
	if ps.site != "" {
		phase += " on " + ps.site
	}
	switch {
	case ps.leader != nil:
		c := ps.leader.Consent
		verified := "verified"
		if !c.Verified {
			verified = "not verified: the banner stayed"
		}
		e.note(fmt.Sprintf("%s: %s %s clicked on %s (%s), carried to %d other %s (%s)", phase, consent.Name(c.CMP), ps.action,
			ps.leader.URL, verified, carried, textfmt.Plural(carried, "page"), strings.Join(c.State, ", ")))
	case ctx.Err() == nil && notClicked(out) != "":
		// Every page that met the banner failed to click: the phase ran
		// without a choice, and its pages say so (consent.reason).
		e.note(fmt.Sprintf("%s: %s not possible (%s); the phase ran without a choice", phase, ps.action, notClicked(out)))
	case ctx.Err() == nil:
		e.note(fmt.Sprintf("%s: no %s click stored a choice to carry; each page with a banner clicked its own", phase, ps.action))
	}
	if len(ps.skipped) > 0 {
		e.note(fmt.Sprintf("%s: %d %s without a banner of their own left out (no choice to carry): %s", phase, len(ps.skipped),
			textfmt.Plural(len(ps.skipped), "page"), strings.Join(ps.skipped, ", ")))
		e.unplan(len(ps.skipped))
	}
	return out
}

// notClicked is the reason the pages of a pass could not make the choice
// (the first page's), or "" when some page clicked or none met a banner.
func notClicked(pages []capture.Page) string {
	reason := ""
	for _, p := range pages {
		c := p.Consent
		switch {
		case c == nil:
		case c.Clicked || c.Carried:
			return ""
		case c.BannerFound && reason == "":
			reason = cmp.Or(c.Reason, capture.ReasonNotFound)
		}
	}
	return reason
}

// visit captures one page in one phase, retrying once after an error that
// may not happen again (a crashed tab, a browser that died and is restarted,
// a network hiccup). HTTP errors, non-HTML answers and timeouts are not
// retried: they would come back, and a timeout would cost a second budget.
func (e *engine) visit(ctx context.Context, pageURL string, v browser.Visit) (*capture.Page, *capture.ConsentState) {
	v.ConsentScript, v.ConsentActScript = e.consentScript, e.consentActScript
	if v.Scope == nil && e.scope != nil {
		v.Scope = e.scope
	}
	v.FillForms = e.opts.Forms
	v.SubmitForms = e.opts.Forms && e.opts.SubmitForms
	if v.ConsentAction != "" && v.Carry == nil {
		v.ConsentHost, v.KeepState = e.stateFilters()
	}
	if e.opts.ScreenshotDir != "" {
		v.ScreenshotPath = filepath.Join(e.opts.ScreenshotDir, screenshotName(pageURL, v.Phase))
	}
	if f := e.opts.Events.VisitStarted; f != nil {
		f(v.Phase, pageURL)
	}
	p, st, err := e.browser.CaptureState(ctx, pageURL, v)
	if err != nil && ctx.Err() == nil && retryable(err) {
		if e.revive(ctx) {
			if p2, st2, err2 := e.browser.CaptureState(ctx, pageURL, v); err2 == nil || len(p2.Requests) > len(p.Requests) {
				p, st, err = p2, st2, err2
			}
		}
	}
	e.record(p, err)
	if e.opts.AfterVisit != nil {
		e.opts.AfterVisit(e.browser, p)
	}
	return p, st
}

func retryable(err error) bool {
	return !errors.Is(err, browser.ErrHTTPStatus) && !errors.Is(err, browser.ErrNotHTML) && !errors.Is(err, browser.ErrPageTimeout)
}

// revive restarts a browser that died, at most maxRestarts times per scan.
// It is false when the browser is dead for good.
func (e *engine) revive(ctx context.Context) bool {
	e.restartMu.Lock()
	defer e.restartMu.Unlock()
	if e.browser.Alive() {
		return true
	}
	if e.restarts >= maxRestarts {
		return false
	}
	e.restarts++
	if err := e.browser.Restart(ctx); err != nil {
		e.note(fmt.Sprintf("Chromium died and could not be restarted: %v", err))
		return false
	}
	e.note("Chromium died during the scan; it was restarted and the page retried")
	return true
}

// stateFilters say what a consent click's state may carry: besides the
// site's own domain, cookies of CMP hosts; never cookies or storage keys
// the knowledge base knows as tracking (carrying them would hide what the
// next page sets itself).
func (e *engine) stateFilters() (func(string) bool, func(kind, name, domain string) bool) {
	k := e.opts.KB
	host := func(h string) bool {
		m, ok := k.MatchHost(h)
		return ok && m.Category == kb.ConsentManagement
	}
	keep := func(kind, name, domain string) bool {
		var m kb.Match
		var ok bool
		if kind == "cookie" {
			m, ok = k.MatchCookie(name, domain)
		} else {
			m, ok = k.MatchStorageKey(name)
		}
		return !ok || !m.Category.NonEssential()
	}
	return host, keep
}

// record counts a finished visit and hands it to PageDone, one at a time.
func (e *engine) record(p *capture.Page, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.failed++
		if e.firstErr == "" {
			e.firstErr = fmt.Sprintf("%s: %v", p.URL, err)
		}
	}
	if f := e.opts.Events.PageDone; f != nil {
		f(p)
	}
}

// plan raises the visits planned to n (never below what is known) and
// unplan lowers it by k visits that will not happen.
func (e *engine) plan(n int) {
	e.mu.Lock()
	e.planned = n
	e.mu.Unlock()
	if f := e.opts.Events.Planned; f != nil {
		f(n)
	}
}

func (e *engine) unplan(k int) {
	e.mu.Lock()
	e.planned -= k
	n := e.planned
	e.mu.Unlock()
	if f := e.opts.Events.Planned; f != nil {
		f(n)
	}
}

func (e *engine) note(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Contains(e.notes, s) {
		e.notes = append(e.notes, s)
	}
}

// screenshotName is a file name for a page and phase that is safe on any
// file system.
func screenshotName(pageURL string, phase capture.Phase) string {
	u, _ := url.Parse(pageURL)
	name := u.Host + u.Path
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, name)
	return fmt.Sprintf("%s.%s.png", strings.Trim(name, "_"), phase)
}
