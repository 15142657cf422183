// Command realbench measures trackscan on bench/realsite, a 7-page shop that
// runs real tracker SDKs (installed from npm by bench/realsite/install.sh)
// behind a real consent manager: wall time, page visits per minute, wall
// per consent phase, peak process-tree PSS (Chromium included) and the
// recall of the shop's ground truth, for a pre-consent scan and a
// three-phase scan, side by side with Blacklight's pre-consent scan of the
// same site in the same run.
//
//	bench/realsite/install.sh && bench/blacklight/install.sh   # once
//	go run ./bench/realbench -runs 3
//	go run ./bench/realbench -trackscan /tmp/old,/tmp/new -concurrency 2,4
//	go run ./bench/realbench -pages 100 -runs 1 -blacklight ""   # memory as pages grow
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trackscan/trackscan/bench/internal/proctree"
	"github.com/trackscan/trackscan/bench/realsite"
	"github.com/trackscan/trackscan/crawler/capture"
)

func main() {
	runs := flag.Int("runs", 3, "runs of each configuration; wall times are medians, PSS the maximum, recall the worst run")
	binaries := flag.String("trackscan", "", "comma-separated trackscan binaries to compare (default: build ./cmd/trackscan)")
	concurrency := flag.String("concurrency", "", "comma-separated --concurrency values to measure (default: trackscan's own)")
	blacklightDir := flag.String("blacklight", "bench/blacklight", `directory of run.js and its node_modules ("" skips Blacklight)`)
	modules := flag.String("modules", realsite.DefaultModules(), "node_modules of bench/realsite/install.sh")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium executable for every tool")
	interval := flag.Duration("interval", 100*time.Millisecond, "memory polling interval")
	keep := flag.Bool("keep", false, "keep the temp dir with every raw report and the site's request log")
	pages := flag.Int("pages", len(realsite.Pages), "pages of the shop: more than its seven adds product pages with the same SDKs (realsite.Grow)")
	serve := flag.Bool("serve", false, "only serve the shop: print its host-resolver-rules and wait for Ctrl-C (for bench/realsite/verify.js)")
	flag.Parse()

	realsite.Grow(*pages)
	if *serve {
		site, err := realsite.Start(*modules)
		if err != nil {
			fail(err)
		}
		fmt.Println(site.ResolveRules())
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		<-stop
		site.Close()
		return
	}

	if *runs < 1 {
		fail(errors.New("-runs must be at least 1"))
	}
	concs, err := parseConcurrency(*concurrency)
	if err != nil {
		fail(err)
	}
	if err := proctree.BecomeSubreaper(); err != nil {
		fail(fmt.Errorf("cannot become child subreaper (needs Linux): %w", err))
	}
	if _, err := os.Stat(*chromium); err != nil {
		fail(fmt.Errorf("-chromium: %w", err))
	}
	var bins []string
	if *binaries != "" {
		for b := range strings.SplitSeq(*binaries, ",") {
			abs, err := filepath.Abs(strings.TrimSpace(b))
			if err != nil {
				fail(err)
			}
			if _, err := os.Stat(abs); err != nil {
				fail(fmt.Errorf("-trackscan: %w", err))
			}
			bins = append(bins, abs)
		}
	}
	site, err := realsite.Start(*modules)
	if err != nil {
		fail(err)
	}
	tmp, err := os.MkdirTemp("", "realbench-")
	if err != nil {
		site.Close()
		fail(err)
	}
	// cleanup runs on every way out, fail's os.Exit included.
	cleanup := func() {
		site.Close()
		if !*keep {
			os.RemoveAll(tmp)
		}
	}
	defer cleanup()

	if *binaries == "" {
		bin := filepath.Join(tmp, "trackscan")
		fmt.Fprintln(os.Stderr, "building trackscan ...")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/trackscan/trackscan/cmd/trackscan").CombinedOutput(); err != nil {
			cleanup()
			fail(fmt.Errorf("go build: %v\n%s", err, out))
		}
		bins = []string{bin}
	}

	// Binaries are named by file name, or by path where two share one.
	label := func(b string) string {
		for _, o := range bins {
			if o != b && filepath.Base(o) == filepath.Base(b) {
				return b
			}
		}
		return filepath.Base(b)
	}
	var configs []config
	for _, b := range bins {
		for _, c := range concs {
			for _, ph := range []string{"pre", "pre,reject,accept"} {
				configs = append(configs, trackscanConfig{bin: b, label: label(b), consent: ph, concurrency: c, chromium: *chromium})
			}
		}
	}
	if len(bins) == 1 && *binaries == "" {
		for i := range configs {
			c := configs[i].(trackscanConfig)
			c.label = "trackscan (this tree)"
			configs[i] = c
		}
	}
	if *blacklightDir != "" {
		bl, err := newBlacklight(*blacklightDir, *chromium)
		if err != nil {
			fmt.Fprintf(os.Stderr, "blacklight skipped: %v\n", err)
		} else {
			configs = append(configs, bl)
		}
	}

	start := environment(*chromium)
	results := make([]*result, len(configs))
	for i, c := range configs {
		results[i] = &result{cfg: c}
	}
	// Runs are interleaved (every configuration once, then again) so that
	// load from other work on a shared machine falls on all of them alike.
	for r := range *runs {
		for i, c := range configs {
			dir := filepath.Join(tmp, fmt.Sprintf("run%d-cfg%d", r, i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				cleanup()
				fail(err)
			}
			m, err := measure(c, site, dir, *interval)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", c.name(), err)
				results[i].errors = append(results[i].errors, err.Error())
				continue
			}
			fmt.Fprintf(os.Stderr, "run %d %s: %.1f s, %d visits, PSS %.0f MiB, %d collector requests, left behind %v\n",
				r+1, c.name(), m.wall.Seconds(), m.visits, float64(m.pssKiB)/1024, m.collector, m.leftover)
			results[i].runs = append(results[i].runs, m)
		}
	}
	end := environment(*chromium)
	printReport(os.Stdout, results, start, end, *runs)
	if *keep {
		fmt.Fprintln(os.Stderr, "raw output kept in", tmp)
	}
}

// config is one tool with its options, measured -runs times.
type config interface {
	name() string
	phases() []capture.Phase
	// command returns the process to time; out is its own directory.
	command(rules, out string) *exec.Cmd
	// read returns what one run of the tool wrote.
	read(out string, started time.Time, arrivals []arrival) (readOut, error)
}

// readOut is what the bench reads from one run's output.
type readOut struct {
	visits     int                             // pages captured without an error
	failed     int                             // pages the report lists with an error
	phaseWalls map[capture.Phase]time.Duration // nil: one phase, the whole run
	found      realsite.Found
	settledBy  map[string]int // pages by the reason they settled, when reported
}

type measurement struct {
	readOut
	wall      time.Duration
	pssKiB    int64
	procs     int
	collector int // requests to vendor hosts during the run
	leftover  []string
}

type result struct {
	cfg    config
	runs   []measurement
	errors []string
}

func measure(c config, site *realsite.Site, dir string, interval time.Duration) (measurement, error) {
	var m measurement
	site.TakeLog()
	cmd := c.command(site.ResolveRules(), dir)
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	sampler := startSampler(os.Getpid(), interval, filepath.Join(dir, "pages.jsonl"))
	err := cmd.Wait()
	m.wall = time.Since(start)
	m.pssKiB, m.procs = sampler.Stop()
	m.leftover = proctree.CleanupOrphans()
	if err != nil && !acceptableExit(err) {
		return m, fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	log := site.TakeLog()
	for _, r := range log {
		if r.Host != realsite.ShopHost && !strings.HasSuffix(r.Host, ".googleapis.com") && !strings.HasSuffix(r.Host, ".google.com") {
			m.collector++
		}
	}
	if err := writeLog(filepath.Join(dir, "requests.jsonl"), log); err != nil {
		return m, err
	}
	m.readOut, err = c.read(dir, start, sampler.arrivals)
	if err != nil {
		return m, fmt.Errorf("reading its report: %v (stderr: %s)", err, lastLine(stderr.String()))
	}
	return m, nil
}

// acceptableExit: trackscan exits 1 for findings and 3 when a page failed;
// the report is still written and read (failed pages are not visits).
func acceptableExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && (ee.ExitCode() == 1 || ee.ExitCode() == 3)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func parseConcurrency(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return []int{0}, nil // trackscan's default
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-concurrency: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "realbench:", err)
	os.Exit(2)
}
