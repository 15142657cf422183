package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/trackscan/trackscan/crawler/capture"
)

// progress shows one status line on stderr while a scan runs: visits done
// of the visits planned, the page being visited and an ETA from the mean
// visit time so far. It only writes to a terminal, and never with --quiet:
// a log file or CI output must not fill with carriage returns.
type progress struct {
	w     io.Writer
	width int
	now   func() time.Time
	began time.Time

	mu      sync.Mutex
	done    int
	planned int
	phase   capture.Phase
	url     string
	shown   bool
}

// newProgress returns nil (which shows nothing) unless w is a terminal and
// quiet is off.
func newProgress(w io.Writer, quiet bool) *progress {
	f, ok := w.(*os.File)
	if quiet || !ok || !isatty.IsTerminal(f.Fd()) {
		return nil
	}
	return &progress{w: w, width: 100, now: time.Now, began: time.Now()}
}

// setTotal sets the number of visits planned; it never drops below the
// visits done.
func (p *progress) setTotal(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.planned = max(n, p.done)
}

// start shows the visit that begins now.
func (p *progress) start(phase capture.Phase, url string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.url = phase, url
	p.drawLocked()
}

// finish counts a finished visit.
func (p *progress) finish(pg *capture.Page) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.planned = max(p.planned, p.done)
	if p.url == "" {
		p.phase, p.url = pg.Phase, pg.URL
	}
	p.drawLocked()
}

func (p *progress) drawLocked() {
	fmt.Fprint(p.w, "\r\033[K"+formatProgress(p.done, p.planned, p.phase, p.url, p.now().Sub(p.began), p.width))
	p.shown = true
}

// clear removes the status line before the report is printed.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// formatProgress is the status line, at most width characters: the URL is
// shortened in the middle, where it says least.
func formatProgress(done, total int, phase capture.Phase, url string, elapsed time.Duration, width int) string {
	eta := "ETA --"
	if done > 0 && total > done {
		mean := elapsed / time.Duration(done)
		eta = "ETA " + shortDuration(mean*time.Duration(total-done))
	} else if done > 0 && total <= done {
		eta = "done in " + shortDuration(elapsed)
	}
	head := fmt.Sprintf("[%d/%d] %s ", done, total, phase)
	tail := "  " + eta
	room := width - len(head) - len(tail)
	return head + shortenMiddle(url, room) + tail
}

func shortenMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 5 {
		return string(r[:max(n, 0)])
	}
	keep := n - 1
	return string(r[:keep/2]) + "…" + string(r[len(r)-(keep-keep/2):])
}

// shortDuration rounds to seconds: "8s", "1m05s", "1h02m".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
