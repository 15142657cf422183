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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
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
	fs.StringVar(&f.consentPhases, "consent", "pre,reject,accept", "consent phases to capture: pre, reject, accept")
	fs.BoolVar(&f.gpc, "gpc", false, "send Global Privacy Control (Sec-GPC: 1, navigator.globalPrivacyControl)")
	fs.StringVar(&f.screenshots, "screenshots", "", "save a screenshot of every page and phase in this directory")
	fs.StringVar(&f.jsonl, "jsonl", "", "stream each captured page as a JSON line to this file as it finishes")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fs.StringArrayVar(&f.filterLists, "filter-list", nil, "Adblock Plus filter list (e.g. easyprivacy.txt) to classify requests (repeatable)")
	fs.StringArrayVar(&f.trackerDBs, "tracker-db", nil, "DuckDuckGo tds.json or Disconnect services.json (repeatable)")
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
	k, err := e.knowledge(f)
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
	run := &scanRun{env: e, flags: f, browser: b, phases: phases, src: src, consentScript: script}
	if f.jsonl != "" {
		jf, err := os.Create(f.jsonl)
		if err != nil {
			return usageErr("--jsonl: %v", err)
		}
		defer jf.Close()
		run.stream = newJSONLWriter(jf)
	}
	pages := run.capture(ctx)

	res := site.Analyze(pages, k)
	info := b.Info()
	rep := &reports.Report{
		Schema: reports.Schema, Kind: "site", Target: targets[0],
		Tool:    reports.Tool{Name: "trackscan", Version: Version},
		Browser: &info, Vendors: res.Vendors, Cookies: res.Cookies, Storage: res.Storage,
		Detections: res.Detections, Findings: nil,
	}
	for _, p := range pages {
		rep.Pages = append(rep.Pages, reports.Page{URL: p.URL, Phase: p.Phase, FinalURL: p.FinalURL, Status: p.Status,
			Error: p.Error, Consent: p.Consent, Screenshot: p.Screenshot, Requests: len(p.Requests)})
		if p.Error != "" {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s (%s): %s", p.URL, p.Phase, p.Error))
		}
	}
	rep.Errors = append(rep.Errors, run.notes...)
	var incomplete error
	switch {
	case ctx.Err() != nil:
		incomplete = fmt.Errorf("%w: interrupted after %d page visits; the report holds what was collected", ErrIncomplete, len(pages))
	case run.failed > 0:
		incomplete = fmt.Errorf("%w: %d of %d page visits failed; first: %s", ErrIncomplete, run.failed, len(pages), run.firstErr)
	case len(pages) == 0:
		incomplete = fmt.Errorf("%w: no page was captured", ErrIncomplete)
	}
	return e.emit(rep, &f.out, incomplete)
}

// knowledge loads the embedded knowledge base plus the user's lists
// (EasyPrivacy-style filter lists, tds.json, services.json), which are read
// at run time and never embedded: their licences forbid it.
func (e *env) knowledge(f *scanFlags) (*kb.KB, error) {
	k := kb.Default()
	for _, path := range append(append([]string(nil), f.filterLists...), f.trackerDBs...) {
		l, warnings, err := filterlist.Load(path)
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
	stream        *jsonlWriter

	mu       sync.Mutex
	pages    []capture.Page
	failed   int
	firstErr string
	notes    []string
	done     int
}

func (r *scanRun) capture(ctx context.Context) []capture.Page {
	type job struct {
		url   string
		depth int
		index int
	}
	jobs := make(chan job)
	results := make([][]capture.Page, 0)
	var wg sync.WaitGroup
	var resMu sync.Mutex
	inFlight := 0
	cond := sync.NewCond(&resMu)
	for w := 0; w < r.flags.concurrency; w++ {
		wg.Go(func() {
			for j := range jobs {
				got := r.visit(ctx, j.url, j.depth)
				resMu.Lock()
				results[j.index] = got
				inFlight--
				cond.Broadcast()
				resMu.Unlock()
			}
		})
	}
	// Dispatch: the frontier may grow as pages finish, so wait for the
	// visits in flight before deciding the crawl is over.
	for ctx.Err() == nil {
		u, depth, ok := r.src.Next()
		if !ok {
			resMu.Lock()
			for inFlight > 0 {
				cond.Wait()
			}
			resMu.Unlock()
			if u, depth, ok = r.src.Next(); !ok {
				break
			}
		}
		resMu.Lock()
		results = append(results, nil)
		idx := len(results) - 1
		inFlight++
		resMu.Unlock()
		select {
		case jobs <- job{url: u, depth: depth, index: idx}:
		case <-ctx.Done():
			resMu.Lock()
			inFlight--
			resMu.Unlock()
		}
	}
	close(jobs)
	wg.Wait()
	var out []capture.Page
	for _, ps := range results {
		out = append(out, ps...)
	}
	return out
}

// visit captures one URL in every phase: pre-consent first, then reject and
// accept when the pre-consent visit found a banner.
func (r *scanRun) visit(ctx context.Context, pageURL string, depth int) []capture.Page {
	var out []capture.Page
	var banner bool
	for _, phase := range r.phases {
		if ctx.Err() != nil {
			break
		}
		if phase != capture.PreConsent && !banner {
			continue
		}
		v := browser.Visit{Phase: phase, ConsentScript: r.consentScript}
		switch phase {
		case capture.AfterReject:
			v.ConsentAction = "reject"
		case capture.AfterAccept:
			v.ConsentAction = "accept"
		}
		if r.flags.screenshots != "" {
			v.ScreenshotPath = filepath.Join(r.flags.screenshots, screenshotName(pageURL, phase))
		}
		p, err := r.browser.Capture(ctx, pageURL, v)
		if err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil && !isHTTPError(err) {
			// One retry: a crashed tab or a hiccup must not lose the page.
			if p2, err2 := r.browser.Capture(ctx, pageURL, v); err2 == nil || len(p2.Requests) > len(p.Requests) {
				p, err = p2, err2
			}
		}
		r.record(p, err)
		out = append(out, *p)
		if phase == capture.PreConsent {
			banner = p.Consent != nil && p.Consent.BannerFound
			if p.Consent != nil && !banner && len(r.phases) > 1 {
				r.note(fmt.Sprintf("%s: no consent banner found; scanned before consent only", pageURL))
			}
			if r.consentScript == "" && len(r.phases) > 1 {
				r.note("consent engine unavailable; scanned before consent only")
			}
			r.src.AddLinks(pageURL, depth, p.Links)
		}
		if err != nil {
			break
		}
	}
	return out
}

func isHTTPError(err error) bool { return strings.Contains(err.Error(), ": HTTP ") }

func (r *scanRun) record(p *capture.Page, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if err != nil {
		r.failed++
		if r.firstErr == "" {
			r.firstErr = fmt.Sprintf("%s: %v", p.URL, err)
		}
	}
	if r.stream != nil {
		r.stream.write(p)
	}
	r.env.progress(r.flags.quiet, r.done, p)
}

func (r *scanRun) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.notes {
		if n == s {
			return
		}
	}
	r.notes = append(r.notes, s)
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
