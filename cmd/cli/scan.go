package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/crawler/scan"
	"github.com/trackscan/trackscan/detectors/filterlist"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/detectors/site"
	"github.com/trackscan/trackscan/reports"
)

// scanFlags are the flags of scan (and of demo, which scans the demo site).
type scanFlags struct {
	out               outputFlags
	browserPath       string
	browserURLs       []string
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
	allowPrivate      bool
	consentPhases     string
	gpc               bool
	screenshots       string
	har               string
	forms             string
	jsonl             string
	quiet             bool
	filterLists       []string
	trackerDBs        []string
	trapVariants      int
	dnsServer         string
	noDNS             bool
	noPolicy          bool
	fleet             fleetFlags
}

func (f *scanFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	f.out.register(fs)
	fs.StringVar(&f.browserPath, "browser", "", "Chromium executable (default: chromium on PATH)")
	fs.StringArrayVar(&f.browserURLs, "browser-url", nil, "drive an already running Chrome at this ws:// URL instead of starting one (repeatable with --targets: sites go round-robin over the browsers)")
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
	fs.BoolVar(&f.allowPrivate, "allow-private", false, "let pages and the crawl reach private, loopback and link-local addresses (refused unless a target is on one)")
	fs.IntVar(&f.trapVariants, "trap-variants", 20, "crawler-trap guard: crawl at most this many query variants of one path and numbered variants of one path shape (/2026/11/, /page/7); a few pages per template show its tracking")
	fs.StringVar(&f.consentPhases, "consent", "pre,reject,accept", "consent phases to capture: pre, reject, accept")
	fs.BoolVar(&f.gpc, "gpc", false, "send Global Privacy Control (Sec-GPC: 1, navigator.globalPrivacyControl)")
	fs.StringVar(&f.screenshots, "screenshots", "", "save a screenshot of every page and phase in this directory")
	fs.StringVar(&f.forms, "forms", "", "type a test identity into every visible form and report where its values are sent; --forms submit also submits each filled form once (never payment, password or deletion forms)")
	fs.Lookup("forms").NoOptDefVal = formsFill
	fs.StringVar(&f.har, "har", "", "write a HAR 1.2 file of every page and phase in this directory (the HTML report links them)")
	fs.StringVar(&f.jsonl, "jsonl", "", "stream each captured page as a JSON line to this file as it finishes")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fs.StringArrayVar(&f.filterLists, "filter-list", nil, "Adblock Plus filter list (e.g. easyprivacy.txt) to classify requests (repeatable)")
	fs.StringArrayVar(&f.trackerDBs, "tracker-db", nil, "DuckDuckGo tds.json or Disconnect services.json (repeatable)")
	fs.StringVar(&f.dnsServer, "dns", "", "DNS server HOST[:PORT] for the CNAME lookups that find trackers behind first-party subdomains (default: the system resolver, which is not asked about reserved names such as .example and .test nor about hosts --resolve maps)")
	fs.BoolVar(&f.noDNS, "no-dns", false, "no CNAME lookups (no CNAME cloaking detection)")
	fs.BoolVar(&f.noPolicy, "no-policy", false, "do not look for the site's privacy and cookie policy (without --policy, only rules that need no policy run)")
	f.fleet.register(fs)
}

func newScanCmd(e *stdio) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan URL...",
		Short: "Visit pages in headless Chromium before consent, after reject and after accept, and report the tracking",
		Example: `  trackscan scan https://staging.example.com/
  trackscan scan https://staging.example.com/ --max-pages 50 --policy privacy.html --fail-on high
  trackscan scan URL1 URL2 --format json -o scan.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			args = f.formsValue(args)
			// Read the config first: a bad file must fail before a long scan.
			cfg, err := f.out.Config()
			if err != nil {
				return err
			}
			if f.fleet.targets != "" {
				return e.scanTargets(cmd.Context(), args, &f)
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

// The values of --forms: a bare --forms fills, --forms submit also submits.
const (
	formsFill   = "fill"
	formsSubmit = "submit"
)

// formsValue takes the value of "--forms submit" written with a space:
// --forms may stand alone (a bare flag fills), so the parser leaves the
// word among the targets, where it can never be a URL.
func (f *scanFlags) formsValue(args []string) []string {
	if f.forms != formsFill {
		return args
	}
	i := slices.Index(args, formsSubmit)
	if i < 0 {
		return args
	}
	f.forms = formsSubmit
	return slices.Delete(slices.Clone(args), i, i+1)
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

func (e *stdio) scan(ctx context.Context, targets []string, f *scanFlags) error {
	return e.runScan(ctx, targets, f, nil)
}

// runScan is scan with a hook that sees every finished page visit (tests
// crash the browser from it).
func (e *stdio) runScan(ctx context.Context, targets []string, f *scanFlags, afterVisit func(*browser.Browser, *capture.Page)) error {
	if ctx == nil {
		ctx = context.Background()
	}
	opts, err := e.scanOptions(targets, f)
	if err != nil {
		return err
	}
	opts.AfterVisit = afterVisit
	// The policy is read before the browser starts: a missing file fails now.
	sp, err := e.preparePolicy(f)
	if err != nil {
		return err
	}
	opts.PolicyURLs, opts.DiscoverPolicy = sp.urls, sp.discover
	hars, err := newHARWriter(f.har)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	prog := newProgress(e.stderr, f.quiet)
	opts.Events = scan.Events{Planned: prog.setTotal, VisitStarted: prog.start}
	var stream *jsonlWriter
	if f.jsonl != "" {
		jf, err := os.Create(f.jsonl)
		if err != nil {
			return usageErr("--jsonl: %v", err)
		}
		defer jf.Close()
		stream = newJSONLWriter(jf)
	}
	opts.Events.PageDone = func(p *capture.Page) {
		if stream != nil {
			stream.write(p)
		}
		hars.write(p)
		prog.finish(p)
	}
	res, err := scan.Run(ctx, opts)
	prog.clear()
	switch {
	case errors.Is(err, scan.ErrInvalidOptions), errors.Is(err, scan.ErrBrowserStart):
		return usageErr("%v", err)
	case res == nil:
		return err
	}
	rep := reports.NewSite(reports.SiteScan{
		Targets: targets, Pages: res.Pages, Analysis: site.Analyze(res.Pages, opts.KB), Browser: res.Browser,
		Notes: res.Notes, Started: res.Started, Finished: res.Finished,
	}, reports.Tool{Name: "trackscan", Version: Version})
	err = applyPolicy(rep, f, sp, res.PolicyDocuments, err)
	hars.annotate(rep)
	return e.emit(rep, &f.out, err)
}

// scanOptions turns the flags into the engine's options, checking each
// flag so that a bad one fails at once, before Chromium starts.
func (e *stdio) scanOptions(targets []string, f *scanFlags) (scan.Options, error) {
	for _, t := range targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return scan.Options{}, usageErr("not an http(s) URL: %q", t)
		}
	}
	phases, err := phasesFrom(f.consentPhases)
	if err != nil {
		return scan.Options{}, err
	}
	switch {
	case f.concurrency < 1:
		return scan.Options{}, usageErr("--concurrency must be at least 1")
	case f.trapVariants < 1:
		return scan.Options{}, usageErr("--trap-variants must be at least 1")
	case f.maxPages < 1:
		return scan.Options{}, usageErr("--max-pages must be at least 1, got %d", f.maxPages)
	case f.depth < 0:
		return scan.Options{}, usageErr("--depth must not be negative, got %d", f.depth)
	case f.timeout <= 0:
		return scan.Options{}, usageErr("--timeout must be positive, got %s", f.timeout)
	}
	remote := ""
	switch {
	case len(f.browserURLs) == 1:
		remote = f.browserURLs[0]
	case len(f.browserURLs) > 1 && f.fleet.targets == "":
		return scan.Options{}, usageErr("several --browser-url need --targets (sites go round-robin over the browsers)")
	}
	flags := map[string]string{}
	for _, bf := range f.browserFlags {
		name, value, _ := strings.Cut(bf, "=")
		if strings.TrimLeft(name, "-") == "" {
			return scan.Options{}, usageErr("--browser-flag wants NAME=VALUE, got %q", bf)
		}
		flags[name] = value
	}
	if f.screenshots != "" {
		if err := os.MkdirAll(f.screenshots, 0o755); err != nil {
			return scan.Options{}, usageErr("screenshots directory: %v", err)
		}
	}
	if err := checkPatterns(f); err != nil {
		return scan.Options{}, err
	}
	if _, err := resolve.Parse(strings.Join(f.resolve, ", ")); err != nil {
		return scan.Options{}, usageErr("--resolve: %v", err)
	}
	k, err := e.knowledge(f)
	if err != nil {
		return scan.Options{}, err
	}
	cnames, err := cnameResolver(f)
	if err != nil {
		return scan.Options{}, err
	}
	banner, err := consentConfig(f)
	if err != nil {
		return scan.Options{}, err
	}
	switch f.forms {
	case "", formsFill, formsSubmit:
	default:
		return scan.Options{}, usageErr("--forms takes fill or submit, not %q", f.forms)
	}
	return scan.Options{
		Targets: targets, Phases: phases, Concurrency: f.concurrency,
		MaxPages: f.maxPages, Depth: f.depth, Include: f.include, Exclude: f.exclude,
		IgnoreRobots: f.ignoreRobots, TrapVariants: f.trapVariants, AllowPrivate: f.allowPrivate,
		Browser: browser.Options{
			ExecPath: f.browserPath, RemoteURL: remote, Flags: flags,
			ResolveRules: strings.Join(f.resolve, ", "), Insecure: f.insecure,
			ThirdPartyCookies: f.thirdPartyCookies, GPC: f.gpc, PageTimeout: f.timeout,
		},
		Consent: banner, ScreenshotDir: f.screenshots, Forms: f.forms != "", SubmitForms: f.forms == formsSubmit, KB: k,
		CNAMEs: cnames, CNAMEServerChosen: f.dnsServer != "", Clock: now,
	}, nil
}

// knowledge loads the embedded knowledge base plus the user's lists
// (EasyPrivacy-style filter lists, tds.json, services.json), which are read
// at run time and never embedded: their licences forbid it.
func (e *stdio) knowledge(f *scanFlags) (*kb.KB, error) {
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
