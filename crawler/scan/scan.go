// Package scan is the site scan engine: it takes start URLs and options,
// crawls the pages (crawler/frontier) in Chromium tabs (crawler/browser)
// before consent, then replays the consent choice in the reject and accept
// passes, and returns the captured pages. It knows nothing of flags or
// report formats: the CLI turns flags into Options and the Result into a
// report, and other programs (a shard runner, tests) call Run the same way.
package scan

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/crawler/dns"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/crawler/scope"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Sentinel errors of Run. A caller maps them to its own outcomes (the CLI
// to exit codes).
var (
	// ErrInvalidOptions: the options cannot describe a scan; nothing ran.
	ErrInvalidOptions = errors.New("invalid scan options")
	// ErrBrowserStart: Chromium could not be started or reached; nothing ran.
	ErrBrowserStart = errors.New("cannot start the browser")
	// ErrIncomplete: a page failed, the crawl could not start, or the
	// context ended; the Result still holds every page captured.
	ErrIncomplete = errors.New("scan incomplete")
)

// Options describe one scan.
type Options struct {
	// Targets are the start URLs (http or https).
	Targets []string
	// Phases to capture; the pre-consent phase is always first (the
	// consent passes need the banners it finds). Empty means all three.
	Phases []capture.Phase
	// Concurrency is the number of pages captured at once (tabs of one
	// browser); 0 means 1.
	Concurrency int

	// MaxPages above 1 crawls from the targets (robots.txt, sitemaps,
	// links) up to that many pages; 0 or 1 visits only the targets.
	MaxPages int
	// Depth is the crawl depth in links from the targets.
	Depth int
	// Include and Exclude are regular expressions on URLs the crawl may or
	// may not take.
	Include, Exclude []string
	IgnoreRobots     bool
	// AllowPrivate lets pages and trackscan's own fetches reach private,
	// loopback and link-local addresses (--allow-private). Without it only
	// the addresses the targets themselves are on are allowed.
	AllowPrivate bool
	// TrapVariants bounds query and numbered variants of one path; 0 means
	// the frontier's default.
	TrapVariants int

	// Browser is how Chromium is started or reached, and the page budget.
	Browser browser.Options
	// Consent holds the site's own banner selectors, if known.
	Consent consent.Config
	// ScreenshotDir, when set, receives a PNG of every page and phase.
	ScreenshotDir string
	// Forms types a test identity into every page's visible forms so the
	// detectors can tell what leaves the page.
	Forms bool
	// SubmitForms (with Forms) also submits each filled form once, unless
	// it is a payment, password or deletion form.
	SubmitForms bool
	// KB names vendors; it decides what a consent click's state may carry
	// (never tracker cookies) and which hosts need a CNAME lookup. Nil
	// means kb.Default().
	KB *kb.KB
	// CNAMEs, when set, looks up the CNAME chains of first-party subdomains
	// and unknown hosts after the capture, to unmask cloaked trackers.
	CNAMEs *dns.Resolver
	// CNAMEServerChosen says CNAMEs asks a server the user chose: then it is
	// asked about every host, reserved names and --resolve-mapped hosts too.
	CNAMEServerChosen bool

	// PolicyURLs are policy documents to read in the scan's browser after
	// the capture (the --policy URLs); local files are the caller's.
	PolicyURLs []string
	// DiscoverPolicy, when no PolicyURLs are given, finds the privacy and
	// cookie policy the captured pages link to and reads them the same way.
	DiscoverPolicy bool

	// Events, when set, are told how the scan goes.
	Events Events
	// Clock stamps Started and Finished; nil is UTC to the second.
	Clock func() time.Time
	// AfterVisit, when set, sees every finished visit with the browser
	// (tests crash the browser from it).
	AfterVisit func(*browser.Browser, *capture.Page)
}

// Events report progress. Each may be nil. VisitStarted and Planned may be
// called from several goroutines at once; PageDone calls never overlap.
type Events struct {
	// Planned is the number of page visits the scan expects, as far as it
	// knows now; it grows as the crawl finds pages and consent passes start.
	Planned func(visits int)
	// VisitStarted is called as a page visit begins.
	VisitStarted func(phase capture.Phase, url string)
	// PageDone is called with every finished page visit, failed ones too,
	// so a stream of them loses nothing if the process dies later.
	PageDone func(p *capture.Page)
}

// Result is what a scan captured.
type Result struct {
	// Pages in phase order, and within a phase in crawl order per site.
	Pages []capture.Page
	// Notes say how the run went (consent choices carried, restarts,
	// CNAME lookups that failed): not failures, but worth a reader's eye.
	Notes []string
	// Failed counts page visits that ended in an error.
	Failed int
	// Browser is the Chromium the pages were captured with.
	Browser capture.BrowserInfo
	// Started and Finished bound the capture.
	Started, Finished time.Time
	// PolicyDocuments are the policy documents read (or tried) after the
	// capture, given or found, in the order read.
	PolicyDocuments []PolicyDocument
}

// Validate checks the options without starting anything.
func (o *Options) Validate() error {
	if len(o.Targets) == 0 {
		return fmt.Errorf("%w: no target URL", ErrInvalidOptions)
	}
	for _, t := range o.Targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: not an http(s) URL: %q", ErrInvalidOptions, t)
		}
	}
	switch {
	case o.Concurrency < 0:
		return fmt.Errorf("%w: concurrency %d is negative", ErrInvalidOptions, o.Concurrency)
	case o.MaxPages < 0:
		return fmt.Errorf("%w: max pages %d is negative", ErrInvalidOptions, o.MaxPages)
	case o.Depth < 0:
		return fmt.Errorf("%w: depth %d is negative", ErrInvalidOptions, o.Depth)
	case o.TrapVariants < 0:
		return fmt.Errorf("%w: trap variants %d is negative", ErrInvalidOptions, o.TrapVariants)
	case o.Browser.PageTimeout < 0:
		return fmt.Errorf("%w: page timeout %s is negative", ErrInvalidOptions, o.Browser.PageTimeout)
	}
	for _, p := range o.Phases {
		if p != capture.PreConsent && p != capture.AfterReject && p != capture.AfterAccept {
			return fmt.Errorf("%w: unknown phase %q", ErrInvalidOptions, p)
		}
	}
	for _, set := range [][]string{o.Include, o.Exclude} {
		for _, p := range set {
			if _, err := regexp.Compile(p); err != nil {
				return fmt.Errorf("%w: pattern %q: %v", ErrInvalidOptions, p, err)
			}
		}
	}
	if _, err := resolve.Parse(o.Browser.ResolveRules); err != nil {
		return fmt.Errorf("%w: resolve rules: %v", ErrInvalidOptions, err)
	}
	return nil
}

// phases is the phase list with pre-consent first.
func (o *Options) phases() []capture.Phase {
	if len(o.Phases) == 0 {
		return []capture.Phase{capture.PreConsent, capture.AfterReject, capture.AfterAccept}
	}
	out := append([]capture.Phase(nil), o.Phases...)
	if out[0] != capture.PreConsent {
		out = append([]capture.Phase{capture.PreConsent}, out...)
	}
	return out
}

// Run scans the targets. It returns ErrInvalidOptions or ErrBrowserStart
// (with a nil Result) when nothing could run, and ErrIncomplete with the
// Result when some page failed or ctx ended: what was captured is never
// lost. The browser is closed when Run returns.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.KB == nil {
		o.KB = kb.Default()
	}
	if o.Concurrency == 0 {
		o.Concurrency = 1
	}
	clock := o.Clock
	if clock == nil {
		clock = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	}
	sc, err := newScope(&o)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	if o.Browser.Scope == nil {
		o.Browser.Scope = sc
	}
	b, err := browser.Launch(ctx, o.Browser)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBrowserStart, err)
	}
	// Chromium goes before the caller writes a report: a reader that closes
	// the pipe early (| head) must not leave processes or a profile behind.
	defer b.Close()
	return runOn(ctx, o, b, clock, sc)
}

// runOn scans with a browser that is already running (RunSites keeps one
// per lane across sites); the options are validated and defaulted. sc is
// the run's scope (newScope): each run has its own (RunSites scans several
// sites on one browser) and every visit carries it, so a site's pages may
// go only where that site may, and what the browser learns about a host's
// address during the run stays with the run.
func runOn(ctx context.Context, o Options, b *browser.Browser, clock func() time.Time, sc *scope.Scope) (*Result, error) {
	e := &engine{opts: o, browser: b, phases: o.phases(), consentScript: consent.DetectScript(o.Consent), consentActScript: consent.Script(o.Consent), scope: sc}
	res := &Result{Started: clock()}
	src, err := newPageSource(ctx, &o, sc)
	if err != nil {
		res.Finished = clock()
		res.Browser = b.Info()
		return res, fmt.Errorf("%w: crawl: %v", ErrIncomplete, err)
	}
	e.src = src
	// The policy depends only on the pre-consent pages: it is read in a
	// tab of its own while the consent passes run.
	policies := make(chan []PolicyDocument, 1)
	e.afterCrawl = func(pre []capture.Page) {
		go func() { policies <- e.readPolicies(ctx, pre) }()
	}
	res.Pages = e.capture(ctx)
	e.resolveCNAMEs(ctx, res.Pages)
	e.noteRefusals(res.Pages)
	res.Finished = clock()
	res.PolicyDocuments = <-policies
	e.waitPolicyReads()
	res.Browser = b.Info()
	res.Notes = e.notes
	res.Failed = e.failed
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("%w: interrupted after %d page visits; the report holds what was collected", ErrIncomplete, len(res.Pages))
	case e.failed > 0:
		return res, fmt.Errorf("%w: %d of %d page visits failed; first: %s", ErrIncomplete, e.failed, len(res.Pages), e.firstErr)
	case len(res.Pages) == 0:
		return res, fmt.Errorf("%w: no page was captured", ErrIncomplete)
	}
	return res, nil
}
