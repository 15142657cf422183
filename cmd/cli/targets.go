package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/scan"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/detectors/site"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/reports/audit"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// fleetFlags are the scan flags of an audit of many sites (--targets).
type fleetFlags struct {
	targets       string
	shard         string
	resume        bool
	restartEvery  int
	browserMemory int
}

func (f *fleetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.targets, "targets", "", "scan every site of this file (one URL per line, # comments; or CSV with an id,url[,policy] header), each as its own unit; results go to --jsonl, one line per site")
	fs.StringVar(&f.shard, "shard", "", "with --targets, scan only share i/N of the sites (0 <= i < N, by hash of the registrable domain), or auto: i from JOB_COMPLETION_INDEX, N from "+scan.ShardsEnv)
	fs.BoolVar(&f.resume, "resume", false, "with --targets, skip the sites already in the --jsonl output (a line cut short is rewritten)")
	fs.IntVar(&f.restartEvery, "restart-every", scan.DefaultRestartEvery, "with --targets, restart each local browser after this many sites")
	fs.IntVar(&f.browserMemory, "browser-memory", 0, "with --targets, restart a local browser between sites once its processes hold more than this many MiB (0: no limit)")
}

// scanTargets scans the sites of --targets as units and writes one line
// per site as each finishes.
func (e *stdio) scanTargets(ctx context.Context, args []string, f *scanFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ff := &f.fleet
	switch {
	case len(args) > 0:
		return usageErr("--targets and URL arguments exclude each other")
	case f.out.changed("output") || f.out.changed("format"):
		return usageErr("with --targets, results go to --jsonl (one line per site); render an audit with trackscan merge")
	case ff.restartEvery < 1:
		return usageErr("--restart-every must be at least 1")
	case ff.browserMemory < 0:
		return usageErr("--browser-memory must not be negative")
	}
	sites, err := scan.ReadTargetsFile(ff.targets)
	if err != nil {
		return usageErr("%v", err)
	}
	shard, err := scan.ParseShard(ff.shard, os.Getenv)
	if err != nil {
		return usageErr("%v", err)
	}
	mine := shard.Select(sites)
	opts, err := e.scanOptions([]string{sites[0].URL}, f)
	if err != nil {
		return err
	}
	// --policy files are read now; each site reads its own policy (a
	// --policy URL, or the one it links) in its scan's browser.
	sp, err := e.preparePolicy(f)
	if err != nil {
		return err
	}
	opts.PolicyURLs, opts.DiscoverPolicy = sp.urls, sp.discover
	urls := f.browserURLs
	// A browser that cannot start would fail every site: say so once, now.
	switch {
	case len(urls) > 0:
	case f.browserPath != "":
		if _, err := os.Stat(f.browserPath); err != nil {
			return usageErr("--browser: %v", err)
		}
	default:
		if _, err := browser.FindChromium(); err != nil {
			return usageErr("%v", err)
		}
	}
	out, err := jsonlPath(f.jsonl, shard)
	if err != nil {
		return err
	}
	var done map[string]bool
	if ff.resume {
		if out == "" {
			return usageErr("--resume needs a --jsonl file or directory to resume from")
		}
		if done, err = e.resumeFile(out); err != nil {
			return err
		}
	}
	var todo []scan.Site
	for _, s := range mine {
		if !done[s.ID] {
			todo = append(todo, s)
		}
	}

	var w io.Writer = e.stdout
	if out != "" {
		flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if ff.resume {
			flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		file, err := os.OpenFile(out, flags, 0o644)
		if err != nil {
			return usageErr("--jsonl: %v", err)
		}
		defer file.Close()
		w = file
	}
	if !f.quiet {
		fmt.Fprintf(e.stderr, "trackscan: shard %s: %d of %d sites, %d already done, %d to scan\n", shard, len(mine), len(sites), len(mine)-len(todo), len(todo))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	parallel := max(1, min(f.concurrency, len(todo)))
	opts.Concurrency = max(1, f.concurrency/parallel)
	opts.Events = scan.Events{}
	policies := &policyCache{}
	var (
		written, unfinished, interrupted int
		findingsHit                      string
		writeErr                         error
	)
	_, err = scan.RunSites(ctx, scan.SitesOptions{
		Scan: opts, Sites: todo, Parallel: parallel, BrowserURLs: urls,
		RestartEvery: ff.restartEvery, MemoryLimit: int64(ff.browserMemory) << 20,
		SiteDone: func(r scan.SiteResult) {
			line, findings := e.siteLine(ctx, r, shard, f, opts.KB, policies, sp)
			switch line.Status {
			case audit.Interrupted:
				interrupted++
			case audit.Incomplete, audit.Failed:
				unfinished++
			}
			if hit := failingRule(findings, &f.out); hit != "" && findingsHit == "" {
				findingsHit = hit
			}
			raw, err := line.Marshal()
			if err == nil {
				// One write per line: a kill can cut the last line short
				// (--resume rewrites it), never interleave two.
				_, err = w.Write(raw)
			}
			if err != nil && writeErr == nil {
				writeErr = err
			}
			written++
			if !f.quiet {
				fmt.Fprintf(e.stderr, "trackscan: [%d/%d] %s: %s (%s)\n", written, len(todo), line.ID, line.Status, r.Duration.Round(100e6))
			}
		},
	})
	switch {
	case err != nil:
		return usageErr("%v", err)
	case writeErr != nil:
		return fmt.Errorf("%w: writing --jsonl: %v", ErrIncomplete, writeErr)
	case ctx.Err() != nil:
		return fmt.Errorf("%w: interrupted: %d of %d sites written (%d cut short); run again with --resume", ErrIncomplete, written-interrupted, len(todo), interrupted)
	case unfinished > 0:
		return fmt.Errorf("%w: %d of %d sites incomplete or failed; their lines say why", ErrIncomplete, unfinished, len(todo))
	case findingsHit != "":
		return fmt.Errorf("%w: %s", ErrFindings, findingsHit)
	}
	return nil
}

// jsonlPath is where the site lines go: "" for stdout, the file given, or
// in a directory (one that exists, or a path ending in /) the shard's own
// file, named after the shard so that pods never share one.
func jsonlPath(p string, shard scan.Shard) (string, error) {
	if p == "" || p == "-" {
		return "", nil
	}
	st, err := os.Stat(p)
	isDir := err == nil && st.IsDir()
	if !isDir && strings.HasSuffix(p, string(os.PathSeparator)) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return "", usageErr("--jsonl: %v", err)
		}
		isDir = true
	}
	if isDir {
		return filepath.Join(p, shard.FileName()), nil
	}
	if err := checkWritable(p); err != nil {
		return "", usageErr("--jsonl: %s", strings.TrimPrefix(err.Error(), ErrUsage.Error()+": --output: "))
	}
	return p, nil
}

// resumeFile reads what an earlier run wrote to path and returns the ids
// of the sites it finished. Lines of sites that run cut short, a last line
// cut by a kill and repeated sites are dropped by rewriting the file, so
// the appended run leaves each site exactly once.
func (e *stdio) resumeFile(path string) (map[string]bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, usageErr("--resume: %v", err)
	}
	lines, _, truncated, err := audit.ReadLines(bytes.NewReader(raw), path)
	if err != nil {
		return nil, usageErr("--resume: %v", err)
	}
	done := map[string]bool{}
	var keep bytes.Buffer
	dropped := 0
	for _, l := range lines {
		if !l.Done() || done[l.ID] {
			dropped++
			continue
		}
		done[l.ID] = true
		b, err := l.Marshal()
		if err != nil {
			return nil, err
		}
		keep.Write(b)
	}
	if truncated || dropped > 0 {
		tmp := path + ".resume-tmp"
		if err := os.WriteFile(tmp, keep.Bytes(), 0o644); err != nil {
			return nil, usageErr("--resume: %v", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return nil, usageErr("--resume: %v", err)
		}
		fmt.Fprintf(e.stderr, "trackscan: --resume: %s: kept %d finished sites, dropped %d lines cut short or repeated\n", path, len(done), dropped+boolInt(truncated))
	}
	return done, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// siteLine turns one site's scan into its line: the full report as the
// json format writes it (rules run, the site's policy read), compacted.
func (e *stdio) siteLine(ctx context.Context, r scan.SiteResult, shard scan.Shard, f *scanFlags, k *kb.KB, policies *policyCache, sp scanPolicy) (audit.Line, []rules.Finding) {
	line := audit.Line{ID: r.Site.ID, URL: r.Site.URL, Shard: shard.String(), Status: audit.Complete, BrowserURL: r.BrowserURL}
	if r.Err != nil {
		line.Error = oneLine(r.Err)
	}
	res := r.Result
	switch {
	case r.Interrupted(ctx):
		line.Status = audit.Interrupted
	case res == nil:
		line.Status = audit.Failed
		return line, nil
	case r.Err != nil && res.Failed >= len(res.Pages):
		line.Status = audit.Failed
	case r.Err != nil:
		line.Status = audit.Incomplete
	}
	if res == nil {
		return line, nil
	}
	rep := reports.NewSite(reports.SiteScan{
		Targets: []string{r.Site.URL}, Pages: res.Pages, Analysis: site.Analyze(res.Pages, k), Browser: res.Browser,
		Notes: res.Notes, Started: res.Started, Finished: res.Finished,
	}, reports.Tool{Name: "trackscan", Version: Version})
	if r.Site.Policy != "" {
		// The targets file names this site's own policy.
		p, err := policies.load(ctx, []string{r.Site.Policy})
		if err != nil {
			rep.Errors = append(rep.Errors, "policy: "+oneLine(err))
			if line.Status == audit.Complete {
				line.Status, line.Error = audit.Incomplete, "policy: "+oneLine(err)
			}
		} else {
			rep.Policy = p
		}
	} else if err := applyPolicy(rep, f, sp, res.PolicyDocuments, nil); err != nil && line.Status == audit.Complete {
		line.Status, line.Error = audit.Incomplete, oneLine(err)
	}
	ev := rules.Evaluate(inputOf(rep))
	rep.Vendors, rep.Findings = ev.Vendors, ev.Findings
	if rep.Findings == nil {
		rep.Findings = []rules.Finding{}
	}
	if err := e.suppress(rep, &f.out); err != nil {
		line.Error = oneLine(err)
	}
	var buf, compact bytes.Buffer
	if err := (reports.JSON{}).Report(&buf, rep); err != nil {
		line.Error = oneLine(err)
		return line, rep.Findings
	}
	if err := json.Compact(&compact, buf.Bytes()); err != nil {
		line.Error = oneLine(err)
		return line, rep.Findings
	}
	line.Report = compact.Bytes()
	return line, rep.Findings
}

// policyCache reads each policy source set once per run: many sites of a
// group often share one policy. Used from SiteDone, whose calls never overlap.
type policyCache struct {
	byKey map[string]policyOrErr
}

type policyOrErr struct {
	p   *policy.Policy
	err error
}

func (c *policyCache) load(ctx context.Context, sources []string) (*policy.Policy, error) {
	key := strings.Join(sources, "\x00")
	if got, ok := c.byKey[key]; ok {
		return got.p, got.err
	}
	// The policy of a site that finished is read even when the run is
	// being stopped: its line is written whole.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), policyTimeout)
	defer cancel()
	p, err := loadPolicy(pctx, sources...)
	if c.byKey == nil {
		c.byKey = map[string]policyOrErr{}
	}
	c.byKey[key] = policyOrErr{p, err}
	return p, err
}

// failingRule is the rule of the first finding at or above --fail-on, "".
func failingRule(fs []rules.Finding, o *outputFlags) string {
	if o.noFail {
		return ""
	}
	for _, f := range fs {
		if f.Severity.Rank() >= o.failSev.Rank() {
			return f.Rule
		}
	}
	return ""
}
