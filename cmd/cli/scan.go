package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors/filterlist"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/detectors/site"
	"github.com/trackscan/trackscan/reports"
)

// scanFlags are the flags of scan (and of demo, which scans the demo site).
type scanFlags struct {
	out               outputFlags
	browserPath       string
	browserURL        string
	browserFlags      []string
	resolve           []string
	insecure          bool
	thirdPartyCookies string
	timeout           time.Duration
	concurrency       int
	maxPages          int
	depth             int
	include, exclude  []string
	ignoreRobots      bool
	consentPhases     string
	gpc               bool
	screenshots       string
	jsonl             string
	quiet             bool
	filterLists       []string
	trackerDBs        []string
	trapVariants      int
	dnsServer         string
	noDNS             bool
}

func (f *scanFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	f.out.register(fs)
	fs.StringVar(&f.browserPath, "browser", "", "Chromium executable (default: chromium on PATH)")
	fs.StringVar(&f.browserURL, "browser-url", "", "drive an already running Chrome at this ws:// URL instead of starting one")
	fs.StringArrayVar(&f.browserFlags, "browser-flag", nil, "extra Chromium flag NAME=VALUE (repeatable)")
	fs.StringArrayVar(&f.resolve, "resolve", nil, `host resolver rules, e.g. "MAP *:443 127.0.0.1:8443, MAP * 127.0.0.1:8080" (repeatable)`)
	fs.BoolVar(&f.insecure, "insecure", false, "ignore TLS certificate errors (self-signed staging sites)")
	fs.StringVar(&f.thirdPartyCookies, "third-party-cookies", "allow", "browser policy for third-party cookies: allow or block")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "time budget of one page visit")
	fs.IntVar(&f.concurrency, "concurrency", max(1, runtime.NumCPU()), "pages captured in parallel (tabs of one browser)")
	fs.IntVar(&f.maxPages, "max-pages", 1, "crawl up to this many pages from the start URLs (1: only the URLs given)")
	fs.IntVar(&f.depth, "depth", 3, "crawl depth in links from the start URLs")
	fs.StringArrayVar(&f.include, "include", nil, "also crawl URLs matching this regexp (repeatable)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "never crawl URLs matching this regexp (repeatable)")
	fs.BoolVar(&f.ignoreRobots, "ignore-robots", false, "crawl pages robots.txt disallows")
	fs.IntVar(&f.trapVariants, "trap-variants", 20, "crawler-trap guard: crawl at most this many query variants of one path and numbered variants of one path shape (/2026/11/, /page/7); a few pages per template show its tracking")
	fs.StringVar(&f.consentPhases, "consent", "pre,reject,accept", "consent phases to capture: pre, reject, accept")
	fs.BoolVar(&f.gpc, "gpc", false, "send Global Privacy Control (Sec-GPC: 1, navigator.globalPrivacyControl)")
	fs.StringVar(&f.screenshots, "screenshots", "", "save a screenshot of every page and phase in this directory")
	fs.StringVar(&f.jsonl, "jsonl", "", "stream each captured page as a JSON line to this file as it finishes")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fs.StringArrayVar(&f.filterLists, "filter-list", nil, "Adblock Plus filter list (e.g. easyprivacy.txt) to classify requests (repeatable)")
	fs.StringArrayVar(&f.trackerDBs, "tracker-db", nil, "DuckDuckGo tds.json or Disconnect services.json (repeatable)")
	fs.StringVar(&f.dnsServer, "dns", "", "DNS server HOST[:PORT] for the CNAME lookups that find trackers behind first-party subdomains (default: the system resolver, which is not asked about reserved names such as .example and .test nor about hosts --resolve maps)")
	fs.BoolVar(&f.noDNS, "no-dns", false, "no CNAME lookups (no CNAME cloaking detection)")
}

func newScanCmd(e *env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan URL...",
		Short: "Visit pages in headless Chromium before consent, after reject and after accept, and report the tracking",
		Example: `  trackscan scan https://staging.example.com/
  trackscan scan https://staging.example.com/ --max-pages 50 --policy privacy.html --fail-on high
  trackscan scan URL1 URL2 --format json -o scan.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Read the config first: a bad file must fail before a long scan.
			cfg, err := f.out.Config()
			if err != nil {
				return err
			}
			if len(args) == 0 && cfg != nil {
				args = cfg.Targets
			}
			if len(args) == 0 {
				return usageErr("scan needs at least one URL (or targets in .trackscan.yml; try `trackscan demo` for a bundled demo site)")
			}
			return e.scan(cmd.Context(), args, &f)
		},
	}
	f.register(cmd)
	f.out.scanDefaults = true
	return cmd
}

// phasesFrom parses --consent.
func phasesFrom(s string) ([]capture.Phase, error) {
	var out []capture.Phase
	for _, p := range strings.Split(s, ",") {
		switch strings.TrimSpace(p) {
		case "pre", "pre-consent":
			out = append(out, capture.PreConsent)
		case "reject", "after-reject":
			out = append(out, capture.AfterReject)
		case "accept", "after-accept":
			out = append(out, capture.AfterAccept)
		case "":
		default:
			return nil, usageErr("--consent takes pre, reject and accept, not %q", p)
		}
	}
	if len(out) == 0 || out[0] != capture.PreConsent {
		// Reject and accept need the banner the pre-consent visit finds.
		out = append([]capture.Phase{capture.PreConsent}, out...)
	}
	return out, nil
}

func (e *env) scan(ctx context.Context, targets []string, f *scanFlags) error {
	return e.runScan(ctx, targets, f, nil)
}

// runScan is scan with a hook that sees every finished page visit.
func (e *env) runScan(ctx context.Context, targets []string, f *scanFlags, onVisit func(*browser.Browser, *capture.Page)) error {
	if ctx == nil {
		ctx = context.Background()
	}
	for _, t := range targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErr("not an http(s) URL: %q", t)
		}
	}
	phases, err := phasesFrom(f.consentPhases)
	if err != nil {
		return err
	}
	if f.concurrency < 1 {
		return usageErr("--concurrency must be at least 1")
	}
	if f.trapVariants < 1 {
		return usageErr("--trap-variants must be at least 1")
	}
	flags := map[string]string{}
	for _, bf := range f.browserFlags {
		name, value, _ := strings.Cut(bf, "=")
		if strings.TrimLeft(name, "-") == "" {
			return usageErr("--browser-flag wants NAME=VALUE, got %q", bf)
		}
		flags[name] = value
	}
	if f.screenshots != "" {
		if err := os.MkdirAll(f.screenshots, 0o755); err != nil {
			return usageErr("screenshots directory: %v", err)
		}
	}
	if err := checkPatterns(f); err != nil {
		return err
	}
	k, err := e.knowledge(f)
	if err != nil {
		return err
	}
	cnames, err := cnameResolver(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	b, err := browser.Launch(ctx, browser.Options{
		ExecPath: f.browserPath, RemoteURL: f.browserURL, Flags: flags,
		ResolveRules: strings.Join(f.resolve, ", "), Insecure: f.insecure,
		ThirdPartyCookies: f.thirdPartyCookies, GPC: f.gpc, PageTimeout: f.timeout,
	})
	if err != nil {
		return usageErr("%v", err)
	}
	defer b.Close()

	src, err := e.pageSource(ctx, targets, f)
	if err != nil {
		return err
	}
	script, err := consentScript(f)
	if err != nil {
		return err
	}
	run := &scanRun{env: e, flags: f, browser: b, phases: phases, src: src, consentScript: script, kb: k,
		progress: newProgress(e.stderr, f.quiet), onVisit: onVisit}
	if f.jsonl != "" {
		jf, err := os.Create(f.jsonl)
		if err != nil {
			return usageErr("--jsonl: %v", err)
		}
		defer jf.Close()
		run.stream = newJSONLWriter(jf)
	}
	started := now()
	pages := run.capture(ctx)
	run.resolveCNAMEs(ctx, pages, cnames)
	finished := now()
	run.progress.clear()

	res := site.Analyze(pages, k)
	info := b.Info()
	rep := &reports.Report{
		Schema: reports.Schema, Kind: "site", Target: targets[0],
		Tool:    reports.Tool{Name: "trackscan", Version: Version},
		Browser: &info, Vendors: res.Vendors, Cookies: res.Cookies, Storage: res.Storage,
		Detections: res.Detections, Findings: nil, Started: started, Finished: finished,
	}
	if len(targets) > 1 {
		rep.Targets = targets
	}
	for _, p := range pages {
		rep.Pages = append(rep.Pages, reports.Page{URL: p.URL, Phase: p.Phase, FinalURL: p.FinalURL, Status: p.Status,
			Error: p.Error, Consent: p.Consent, Screenshot: p.Screenshot, Requests: len(p.Requests)})
		if p.Error != "" {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s (%s): %s", p.URL, p.Phase, p.Error))
		}
	}
	rep.Notes = run.notes
	var incomplete error
	switch {
	case ctx.Err() != nil:
		incomplete = fmt.Errorf("%w: interrupted after %d page visits; the report holds what was collected", ErrIncomplete, len(pages))
	case run.failed > 0:
		incomplete = fmt.Errorf("%w: %d of %d page visits failed; first: %s", ErrIncomplete, run.failed, len(pages), run.firstErr)
	case len(pages) == 0:
		incomplete = fmt.Errorf("%w: no page was captured", ErrIncomplete)
	}
	// Chromium goes before the report is written: a reader that closes
	// the pipe early (| head) must not leave processes or a profile behind.
	b.Close()
	return e.emit(rep, &f.out, incomplete)
}

// knowledge loads the embedded knowledge base plus the user's lists
// (EasyPrivacy-style filter lists, tds.json, services.json), which are read
// at run time and never embedded: their licences forbid it.
func (e *env) knowledge(f *scanFlags) (*kb.KB, error) {
	k := kb.Default()
	for i, path := range append(append([]string(nil), f.filterLists...), f.trackerDBs...) {
		load := filterlist.Load
		if i >= len(f.filterLists) {
			load = filterlist.LoadTrackerDB // JSON only: a text file would read as filter rules
		}
		l, warnings, err := load(path)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		for _, w := range warnings {
			fmt.Fprintf(e.stderr, "trackscan: %s: %s\n", path, w)
		}
		k = k.WithLists(l)
	}
	return k, nil
}

// scanRun captures pages with a pool of tabs.
type scanRun struct {
	env           *env
	flags         *scanFlags
	browser       *browser.Browser
	phases        []capture.Phase
	src           pageSource
	consentScript string
	kb            *kb.KB
	stream        *jsonlWriter
	progress      *progress
	// onVisit, when set, sees every finished visit (tests kill the browser
	// from it).
	onVisit func(*browser.Browser, *capture.Page)

	mu       sync.Mutex
	failed   int
	firstErr string
	notes    []string

	restartMu sync.Mutex
	restarts  int
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
func (r *scanRun) capture(ctx context.Context) []capture.Page {
	pages := r.crawl(ctx)
	var out []capture.Page
	var targets []crawled
	for _, c := range pages {
		out = append(out, *c.pre)
		if c.pre.Error == "" {
			targets = append(targets, c)
		}
	}
	if len(r.phases) == 1 || ctx.Err() != nil {
		return out
	}
	if r.consentScript == "" {
		r.note("consent engine unavailable; scanned before consent only")
		return out
	}
	if !slices.ContainsFunc(targets, crawled.banner) {
		r.note("no consent banner found on any page; scanned before consent only")
		r.progress.setTotal(len(pages))
		return out
	}
	// A consent choice belongs to one site: each site (registrable domain)
	// of the scan gets its own passes, whose first banner page clicks.
	sites := bySite(targets)
	total := len(pages)
	var passes []*consentPass
	for _, group := range sites {
		if !slices.ContainsFunc(group.pages, crawled.banner) {
			r.note(fmt.Sprintf("%s: no consent banner found on any page; scanned before consent only", group.site))
			continue
		}
		total += len(group.pages) * (len(r.phases) - 1)
		for _, phase := range r.phases[1:] {
			ps := newConsentPass(phase, group.pages)
			if len(sites) > 1 {
				ps.site = group.site
			}
			passes = append(passes, ps)
		}
	}
	r.progress.setTotal(total)
	// The passes are independent of each other (every visit has a fresh
	// browser context), so their first clicks run side by side, and then
	// all their carried visits share the pool of tabs.
	r.parallel(ctx, len(passes), func(k int) { r.click(ctx, passes[k]) })
	var jobs []func()
	for _, ps := range passes {
		jobs = append(jobs, r.carry(ctx, ps)...)
	}
	r.parallel(ctx, len(jobs), func(j int) { jobs[j]() })
	// Pages in phase order, and within a phase in crawl order per site.
	for _, phase := range r.phases[1:] {
		for _, ps := range passes {
			if ps.phase == phase {
				out = append(out, r.finishPass(ctx, ps)...)
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
		key := siteOf(c.url)
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

// siteOf is the registrable domain of a URL's host.
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return capture.Site(u.Hostname())
}

// parallel runs fn(0..n-1) on at most --concurrency goroutines and stops
// handing out work when ctx ends.
func (r *scanRun) parallel(ctx context.Context, n int, fn func(int)) {
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range min(r.flags.concurrency, n) {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// crawl is the pre-consent pass: workers take pages from the source until
// it is exhausted, and hand each page's links back.
func (r *scanRun) crawl(ctx context.Context) []crawled {
	// order is held from NextWait to the append, so pages are listed in
	// the order the source handed them out and the page that clicks in
	// each consent phase does not depend on timing. Each worker fills in
	// only its own page; wg.Wait publishes them.
	var order sync.Mutex
	var pages []*crawled
	var wg sync.WaitGroup
	for range r.flags.concurrency {
		wg.Go(func() {
			for {
				order.Lock()
				u, depth, ok := r.src.NextWait(ctx)
				c := &crawled{url: u}
				if ok {
					pages = append(pages, c)
				}
				order.Unlock()
				if !ok {
					return
				}
				r.progress.setTotal(r.src.Known() * len(r.phases))
				c.pre, _ = r.visit(ctx, u, browser.Visit{Phase: capture.PreConsent})
				if len(c.pre.Links) == 0 {
					r.src.Done(u) // failed, or a page without links
				} else {
					r.src.AddLinks(u, depth, c.pre.Links) // also marks u done
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
	action  string
	targets []crawled
	results []*capture.Page
	state   *capture.ConsentState
	leader  *capture.Page
	rest    []int
	skipped []string
}

func newConsentPass(phase capture.Phase, targets []crawled) *consentPass {
	action := "reject"
	if phase == capture.AfterAccept {
		action = "accept"
	}
	return &consentPass{phase: phase, action: action, targets: targets, results: make([]*capture.Page, len(targets))}
}

// click visits the pages with a banner in crawl order, clicking, until a
// click stores a state to carry (at most maxClickTries pages).
func (r *scanRun) click(ctx context.Context, ps *consentPass) {
	tries := 0
	for i, t := range ps.targets {
		if ps.state != nil || !t.banner() || tries >= maxClickTries || ctx.Err() != nil {
			ps.rest = append(ps.rest, i)
			continue
		}
		tries++
		p, st := r.visit(ctx, t.url, browser.Visit{Phase: ps.phase, ConsentAction: ps.action, ExpectBanner: true})
		ps.results[i] = p
		if p.Error == "" && p.Consent != nil && p.Consent.Clicked && st != nil && len(st.Cookies)+len(st.LocalStorage) > 0 {
			ps.state, ps.leader = st, p
		}
	}
}

// carry returns the visits of the pass's other pages.
func (r *scanRun) carry(ctx context.Context, ps *consentPass) []func() {
	var jobs []func()
	for _, i := range ps.rest {
		t := ps.targets[i]
		if ps.state == nil && !t.banner() {
			ps.skipped = append(ps.skipped, t.url)
			continue
		}
		jobs = append(jobs, func() {
			ps.results[i], _ = r.visit(ctx, t.url, browser.Visit{Phase: ps.phase, ConsentAction: ps.action, Carry: ps.state, ExpectBanner: t.banner()})
		})
	}
	return jobs
}

// finishPass returns the pass's pages in crawl order and notes how the
// choice was made and carried.
func (r *scanRun) finishPass(ctx context.Context, ps *consentPass) []capture.Page {
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
			r.note(fmt.Sprintf("%s (%s): banner shown again despite the carried %s choice; clicked there", p.URL, ps.phase, ps.action))
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
		r.note(fmt.Sprintf("%s: %s %s clicked on %s (%s), carried to %d other %s (%s)", phase, consent.Name(c.CMP), ps.action,
			ps.leader.URL, verified, carried, plural(carried, "page"), strings.Join(c.State, ", ")))
	case ctx.Err() == nil:
		r.note(fmt.Sprintf("%s: no %s click stored a choice to carry; each page with a banner clicked its own", phase, ps.action))
	}
	if len(ps.skipped) > 0 {
		r.note(fmt.Sprintf("%s: %d %s without a banner of their own left out (no choice to carry): %s", phase, len(ps.skipped),
			plural(len(ps.skipped), "page"), strings.Join(ps.skipped, ", ")))
		r.progress.setTotal(r.progress.total() - len(ps.skipped))
	}
	return out
}

// visit captures one page in one phase, retrying once after an error that
// may not happen again (a crashed tab, a browser that died and is restarted,
// a network hiccup). HTTP errors, non-HTML answers and timeouts are not
// retried: they would come back, and a timeout would cost a second budget.
func (r *scanRun) visit(ctx context.Context, pageURL string, v browser.Visit) (*capture.Page, *capture.ConsentState) {
	v.ConsentScript = r.consentScript
	if v.ConsentAction != "" && v.Carry == nil {
		v.ConsentHost, v.KeepState = r.stateFilters()
	}
	if r.flags.screenshots != "" {
		v.ScreenshotPath = filepath.Join(r.flags.screenshots, screenshotName(pageURL, v.Phase))
	}
	r.progress.start(v.Phase, pageURL)
	p, st, err := r.browser.CaptureState(ctx, pageURL, v)
	if err != nil && ctx.Err() == nil && retryable(err) {
		if r.revive(ctx) {
			if p2, st2, err2 := r.browser.CaptureState(ctx, pageURL, v); err2 == nil || len(p2.Requests) > len(p.Requests) {
				p, st, err = p2, st2, err2
			}
		}
	}
	r.record(p, err)
	if r.onVisit != nil {
		r.onVisit(r.browser, p)
	}
	return p, st
}

func retryable(err error) bool {
	return !errors.Is(err, browser.ErrHTTPStatus) && !errors.Is(err, browser.ErrNotHTML) && !errors.Is(err, browser.ErrPageTimeout)
}

// revive restarts a browser that died, at most maxRestarts times per scan.
// It is false when the browser is dead for good.
func (r *scanRun) revive(ctx context.Context) bool {
	r.restartMu.Lock()
	defer r.restartMu.Unlock()
	if r.browser.Alive() {
		return true
	}
	if r.restarts >= maxRestarts {
		return false
	}
	r.restarts++
	if err := r.browser.Restart(ctx); err != nil {
		r.note(fmt.Sprintf("Chromium died and could not be restarted: %v", err))
		return false
	}
	r.note("Chromium died during the scan; it was restarted and the page retried")
	return true
}

// stateFilters say what a consent click's state may carry: besides the
// site's own domain, cookies of CMP hosts; never cookies or storage keys
// the knowledge base knows as tracking (carrying them would hide what the
// next page sets itself).
func (r *scanRun) stateFilters() (func(string) bool, func(kind, name, domain string) bool) {
	k := r.kb
	if k == nil {
		return nil, nil
	}
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

func (r *scanRun) record(p *capture.Page, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failed++
		if r.firstErr == "" {
			r.firstErr = fmt.Sprintf("%s: %v", p.URL, err)
		}
	}
	if r.stream != nil {
		r.stream.write(p)
	}
	r.progress.finish(p)
}

func (r *scanRun) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.notes, s) {
		r.notes = append(r.notes, s)
	}
}

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
