// Command sitebench measures trackscan's site scan against The Markup's
// Blacklight collector on the same generated N-page site served on loopback:
// wall time, pages per minute, peak memory of the whole process tree
// (Chromium included) and what each tool detected.
//
//	go run ./bench/sitebench -pages 1,20,50
//
// Blacklight runs when bench/blacklight/install.sh has installed it;
// -blacklight "" skips it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/trackscan/trackscan/bench/internal/proctree"
	"github.com/trackscan/trackscan/crawler/demosite"
)

func main() {
	pagesFlag := flag.String("pages", "1,20", "comma-separated site sizes to measure")
	runs := flag.Int("runs", 1, "runs per tool and size; wall time is the median, memory the maximum")
	blacklightDir := flag.String("blacklight", "bench/blacklight", `directory of run.js and its node_modules ("" skips Blacklight)`)
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium executable for both tools")
	interval := flag.Duration("interval", 50*time.Millisecond, "memory polling interval")
	keep := flag.Bool("keep", false, "keep the temp dir with each tool's raw output")
	flag.Parse()

	sizes, err := parseSizes(*pagesFlag)
	if err != nil {
		fail(err)
	}
	if *runs < 1 {
		fail(errors.New("-runs must be at least 1"))
	}
	if err := proctree.BecomeSubreaper(); err != nil {
		fail(fmt.Errorf("cannot become child subreaper (needs Linux): %w", err))
	}
	tmp, err := os.MkdirTemp("", "sitebench-")
	if err != nil {
		fail(err)
	}
	if !*keep {
		defer os.RemoveAll(tmp)
	}

	bin := filepath.Join(tmp, "trackscan")
	fmt.Fprintln(os.Stderr, "building trackscan ...")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/trackscan/trackscan/cmd/trackscan").CombinedOutput(); err != nil {
		fail(fmt.Errorf("go build: %v\n%s", err, out))
	}

	tools := []tool{trackscanTool{bin: bin, chromium: *chromium}}
	if *blacklightDir != "" {
		bl, err := newBlacklight(*blacklightDir, *chromium)
		if err != nil {
			fmt.Fprintf(os.Stderr, "blacklight skipped: %v\n", err)
		} else {
			tools = append(tools, bl)
		}
	}

	srv := demosite.Start()
	defer srv.Close()
	h := &switchable{}
	srv.Handle(benchHost, h)
	rules := srv.ResolveRules()

	var results []result
	for _, n := range sizes {
		h.set(site{pages: n})
		for _, t := range tools {
			res, err := measure(t, n, *runs, rules, tmp, *interval)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s, %d pages: %v\n", t.name(), n, err)
				continue
			}
			fmt.Fprintf(os.Stderr, "%s, %d pages: %.2f s, peak %.0f MiB, left behind: %v\n", t.name(), n, res.wall.Seconds(), res.peakMiB(), res.leftover)
			results = append(results, res)
		}
	}
	printMarkdown(os.Stdout, results)
	if *keep {
		fmt.Fprintln(os.Stderr, "raw output kept in", tmp)
	}
}

// tool is one scanner under test.
type tool interface {
	name() string
	// command returns the process to time; it must write its detections
	// somewhere summary can read them.
	command(url string, pages int, rules, dir string) *exec.Cmd
	summary(dir string) (detections, error)
}

// detections are comparable counts from both tools' reports.
type detections struct {
	Pages             int      `json:"pages"`
	ThirdPartyHosts   []string `json:"third_party_hosts"`
	Cookies           []string `json:"cookies"`
	ThirdPartyCookies []string `json:"third_party_cookies"`
	Beacons           []string `json:"beacons"`
	SessionRecorders  []string `json:"session_recorders"`
	Fingerprinters    []string `json:"fingerprinters"`
}

type result struct {
	tool      string
	pages     int
	wall      time.Duration
	peakKiB   int64
	peakProcs int
	leftover  []string // processes still running when the tool exited
	det       detections
}

func (r result) peakMiB() float64 { return float64(r.peakKiB) / 1024 }

func measure(t tool, pages, runs int, rules, tmp string, interval time.Duration) (result, error) {
	res := result{tool: t.name(), pages: pages}
	var walls []time.Duration
	for i := range runs {
		dir := filepath.Join(tmp, fmt.Sprintf("%s-%d-%d", strings.ToLower(t.name()), pages, i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return res, err
		}
		cmd := t.command("http://"+benchHost+"/", pages, rules, dir)
		var stderr bytes.Buffer
		cmd.Stdout = io.Discard
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return res, err
		}
		sampler := proctree.StartSampler(os.Getpid(), interval, proctree.RSSKiB)
		err := cmd.Wait()
		wall := time.Since(start)
		peak, procs := sampler.Stop()
		res.leftover = proctree.CleanupOrphans()
		if err != nil && !acceptableExit(err) {
			return res, fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
		}
		det, err := t.summary(dir)
		if err != nil {
			return res, fmt.Errorf("reading its report: %v (stderr: %s)", err, lastLine(stderr.String()))
		}
		walls = append(walls, wall)
		res.peakKiB = max(res.peakKiB, peak)
		res.peakProcs = max(res.peakProcs, procs)
		res.det = det
	}
	slices.Sort(walls)
	res.wall = walls[len(walls)/2]
	return res, nil
}

// acceptableExit: trackscan exits 1 when findings reach --fail-on; we
// never set it, so only 0 is clean, but a report is still read on 1.
func acceptableExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == 1
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// switchable lets one demo server host sites of different sizes in turn.
type switchable struct{ s atomic.Pointer[site] }

func (h *switchable) set(s site) { h.s.Store(&s) }

func (h *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.s.Load().ServeHTTP(w, r) }

func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-pages: %q is not a positive page count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func printMarkdown(w io.Writer, results []result) {
	fmt.Fprintln(w, "| tool | pages | wall s | s/page | pages/min | peak RSS MiB | max procs | 3p hosts | cookies (3p) | beacon hosts | session recorders | fingerprinters |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		secs := r.wall.Seconds()
		n := max(r.det.Pages, 1)
		fmt.Fprintf(w, "| %s | %d | %.2f | %.2f | %.1f | %.0f | %d | %d | %d (%d) | %d | %d | %d |\n",
			r.tool, r.det.Pages, secs, secs/float64(n), float64(n)/secs*60, r.peakMiB(), r.peakProcs,
			len(r.det.ThirdPartyHosts), len(r.det.Cookies), len(r.det.ThirdPartyCookies),
			len(r.det.Beacons), len(r.det.SessionRecorders), len(r.det.Fingerprinters))
	}
	byKey := map[string]result{}
	for _, r := range results {
		byKey[r.tool+"/"+strconv.Itoa(r.pages)] = r
	}
	fmt.Fprintln(w)
	for _, r := range results {
		b, ok := byKey["Blacklight/"+strconv.Itoa(r.pages)]
		if r.tool != "trackscan" || !ok {
			continue
		}
		ours := float64(max(r.det.Pages, 1)) / r.wall.Seconds()
		theirs := float64(max(b.det.Pages, 1)) / b.wall.Seconds()
		fmt.Fprintf(w, "- %d pages: trackscan %.2fx Blacklight's pages/min, %.2fx its peak RSS\n",
			r.pages, ours/theirs, r.peakMiB()/b.peakMiB())
	}
	fmt.Fprintln(w)
	for _, r := range results {
		d, _ := json.Marshal(r.det)
		fmt.Fprintf(w, "- %s %d: `%s`\n", r.tool, r.pages, d)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sitebench:", err)
	os.Exit(2)
}
