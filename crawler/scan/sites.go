package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/detectors/kb"
)

// SitesOptions describe an audit of many sites, each scanned as its own
// unit (crawl budget, consent passes) with the settings of Scan.
type SitesOptions struct {
	// Scan is the template of every site's scan; its Targets are replaced
	// by the site's URL. Its Events see the pages of every site.
	Scan Options
	// Sites are scanned in order, Parallel at a time.
	Sites []Site
	// Parallel is the number of sites scanned side by side (lanes); 0
	// means 1. Each lane has its own browser, so a crash stays in its lane.
	Parallel int
	// BrowserURLs are running Chromes (ws:// URLs) to use instead of
	// starting one per lane: site k goes to BrowserURLs[k mod len], so a
	// pool of browsers shares the work whatever the number of lanes.
	BrowserURLs []string
	// RestartEvery restarts a lane's local browser after that many sites,
	// so a long run does not grow with what Chromium keeps; 0 means
	// DefaultRestartEvery.
	RestartEvery int
	// MemoryLimit restarts a lane's local browser between sites once its
	// processes hold more than this many bytes (resident); 0 means no limit.
	MemoryLimit int64

	// SiteStarted and SiteDone, when set, see every site begin and end;
	// SiteDone calls never overlap, and they follow the order sites finish
	// in, not the list order.
	SiteStarted func(Site)
	SiteDone    func(SiteResult)
}

// DefaultRestartEvery is how many sites a local browser scans before it is
// restarted when SitesOptions.RestartEvery is 0.
const DefaultRestartEvery = 20

// SiteResult is one site's scan.
type SiteResult struct {
	Site Site
	// Result is what was captured; nil when nothing could run (the browser
	// did not start), then Err says why.
	Result *Result
	// Err is nil, or wraps ErrIncomplete, ErrBrowserStart or
	// ErrInvalidOptions as Run's error would.
	Err error
	// BrowserURL is the remote browser the site was scanned with, if any.
	BrowserURL string
	// Duration is the wall time of the site's scan.
	Duration time.Duration
}

// Interrupted says the site's scan was cut short by the context, so it
// should be scanned again rather than recorded as the site's result.
func (r SiteResult) Interrupted(ctx context.Context) bool {
	return ctx.Err() != nil && r.Err != nil
}

// SitesStats say how a RunSites went.
type SitesStats struct {
	Scanned  int // sites handed to SiteDone
	Restarts int // planned browser restarts (every K sites, memory limit)
}

// RunSites scans the sites, Parallel at a time, and hands each result to
// SiteDone as it finishes. A site that fails is a result with its error,
// never a reason to stop the others. When ctx ends, the sites in flight
// end with what they captured and no further site starts.
func RunSites(ctx context.Context, o SitesOptions) (SitesStats, error) {
	var stats SitesStats
	tmpl := o.Scan
	tmpl.Targets = []string{"https://placeholder.invalid/"}
	for _, u := range o.BrowserURLs {
		if !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "wss://") {
			return stats, fmt.Errorf("%w: browser URL %q is not ws:// or wss://", ErrInvalidOptions, u)
		}
	}
	if err := tmpl.Validate(); err != nil {
		return stats, err
	}
	if o.Parallel <= 0 {
		o.Parallel = 1
	}
	if o.RestartEvery <= 0 {
		o.RestartEvery = DefaultRestartEvery
	}
	if o.Scan.KB == nil {
		o.Scan.KB = kb.Default()
	}
	if o.Scan.Concurrency == 0 {
		o.Scan.Concurrency = 1
	}
	if len(o.BrowserURLs) == 0 && o.Scan.Browser.RemoteURL != "" {
		o.BrowserURLs = []string{o.Scan.Browser.RemoteURL}
	}

	var (
		mu   sync.Mutex // guards next, stats and the SiteDone calls
		next int
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(o.Sites) || ctx.Err() != nil {
			return 0, false
		}
		k := next
		next++
		return k, true
	}
	done := func(r SiteResult) {
		mu.Lock()
		defer mu.Unlock()
		stats.Scanned++
		if o.SiteDone != nil {
			o.SiteDone(r)
		}
	}
	var wg sync.WaitGroup
	for range min(o.Parallel, len(o.Sites)) {
		wg.Go(func() {
			l := &lane{opts: &o}
			defer l.close()
			for {
				k, ok := take()
				if !ok {
					return
				}
				r := l.scan(ctx, k)
				done(r)
				if l.maintain(ctx) {
					mu.Lock()
					stats.Restarts++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return stats, nil
}

// lane scans one site at a time with its own local browser (started on
// first use, restarted every RestartEvery sites or above MemoryLimit) or
// with the remote browser each site is assigned.
type lane struct {
	opts  *SitesOptions
	local *browser.Browser
	sites int // sites scanned by the current local browser
}

func (l *lane) scan(ctx context.Context, k int) SiteResult {
	site := l.opts.Sites[k]
	o := l.opts.Scan
	o.Targets = []string{site.URL}
	clock := o.Clock
	if clock == nil {
		clock = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	}
	if l.opts.SiteStarted != nil {
		l.opts.SiteStarted(site)
	}
	start := time.Now()
	r := SiteResult{Site: site}
	if err := o.Validate(); err != nil {
		r.Err = err
		r.Duration = time.Since(start)
		return r
	}
	sc, err := newScope(&o)
	if err != nil {
		r.Err = fmt.Errorf("%w: %v", ErrInvalidOptions, err)
		r.Duration = time.Since(start)
		return r
	}
	if n := len(l.opts.BrowserURLs); n > 0 {
		// A remote browser per site, round-robin: connecting is cheap and
		// the pool behind a Service balances itself.
		r.BrowserURL = l.opts.BrowserURLs[k%n]
		o.Browser.RemoteURL = r.BrowserURL
		b, err := browser.Launch(ctx, o.Browser)
		if err != nil {
			r.Err = fmt.Errorf("%w: %s: %v", ErrBrowserStart, r.BrowserURL, err)
			r.Duration = time.Since(start)
			return r
		}
		r.Result, r.Err = runOn(ctx, o, b, clock, sc)
		b.Close()
		r.Duration = time.Since(start)
		return r
	}
	if l.local == nil {
		b, err := browser.Launch(ctx, o.Browser)
		if err != nil {
			r.Err = fmt.Errorf("%w: %v", ErrBrowserStart, err)
			r.Duration = time.Since(start)
			return r
		}
		l.local, l.sites = b, 0
	}
	r.Result, r.Err = runOn(ctx, o, l.local, clock, sc)
	l.sites++
	r.Duration = time.Since(start)
	return r
}

// maintain restarts the lane's local browser when it has scanned
// RestartEvery sites or holds more than MemoryLimit; true when it did.
// A browser that died for good is dropped: the next site starts a new one.
func (l *lane) maintain(ctx context.Context) bool {
	if l.local == nil || ctx.Err() != nil {
		return false
	}
	if !l.local.Alive() {
		l.close()
		return false
	}
	due := l.sites >= l.opts.RestartEvery
	if !due && l.opts.MemoryLimit > 0 {
		due = ProcessTreeRSS(l.local.PID()) > l.opts.MemoryLimit
	}
	if !due {
		return false
	}
	l.close()
	return true
}

func (l *lane) close() {
	if l.local != nil {
		l.local.Close()
		l.local, l.sites = nil, 0
	}
}

// ProcessTreeRSS is the resident memory, in bytes, of a process and all
// its descendants (Chromium's renderers and helpers), read from /proc; 0
// where /proc is not available or pid is 0.
func ProcessTreeRSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := parentOf(p); ok {
			children[pp] = append(children[pp], p)
		}
	}
	page := int64(os.Getpagesize())
	var total int64
	stack := []int{pid}
	seen := map[int]bool{}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		total += residentPages(p) * page
		stack = append(stack, children[p]...)
	}
	return total
}

// parentOf reads the parent pid from /proc/PID/stat, whose second field
// (the command name, in parentheses) may itself hold spaces.
func parentOf(pid int) (int, bool) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, false
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(fields[1])
	return pp, err == nil
}

func residentPages(pid int) int64 {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "statm"))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 2 {
		return 0
	}
	n, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return n
}
