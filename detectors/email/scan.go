package email

import (
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/mailbox"
	"github.com/trackscan/trackscan/detectors"
)

// ScanOptions tune a scan of many inputs.
type ScanOptions struct {
	Options
	Load    mailbox.Options
	Workers int // 0: GOMAXPROCS
	// Render, when set, shows each message with HTML in a browser
	// (crawler/browser.Render) and the analysis merges what loaded. Its
	// error is reported on the email; the static result is kept.
	Render func(*mailbox.Message) (*capture.Page, error)
}

// ScanFiles loads and analyses every input (paths as expanded by
// mailbox.Files, "-" for stdin). A file that cannot be read fully gives an
// Email with Error set (and whatever was found); the others are still
// scanned. The result is sorted by file (mbox messages in order).
func ScanFiles(files []string, stdin io.Reader, opt ScanOptions) []detectors.Email {
	opt.Options = opt.Options.prepared()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([][]detectors.Email, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = scanOne(files[i], stdin, opt)
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var out []detectors.Email
	for _, r := range results {
		out = append(out, r...)
	}
	SortEmails(out)
	return out
}

func scanOne(file string, stdin io.Reader, opt ScanOptions) []detectors.Email {
	var out []detectors.Email
	for _, r := range mailbox.ReadFile(file, stdin, opt.Load) {
		var e detectors.Email
		var errs []string
		if r.Err != nil {
			errs = append(errs, r.Err.Error())
		}
		switch {
		case r.Msg != nil && opt.Render != nil && strings.TrimSpace(r.Msg.HTML) != "":
			page, err := opt.Render(r.Msg)
			if err != nil {
				errs = append(errs, "render: "+err.Error())
			}
			e = AnalyzeRendered(r.Msg, page, opt.Options)
		case r.Msg != nil:
			e = Analyze(r.Msg, opt.Options)
		default:
			e = detectors.Email{File: r.File, Trackers: []detectors.EmailTracker{}}
		}
		e.Error = strings.Join(errs, "; ")
		out = append(out, e)
	}
	return out
}

// SortEmails orders emails by file, with mbox messages ("box.mbox#10")
// in numeric order.
func SortEmails(es []detectors.Email) {
	sort.SliceStable(es, func(i, j int) bool {
		fi, ni := splitMboxIndex(es[i].File)
		fj, nj := splitMboxIndex(es[j].File)
		if fi != fj {
			return fi < fj
		}
		return ni < nj
	})
}

func splitMboxIndex(f string) (string, int) {
	if i := strings.LastIndexByte(f, '#'); i >= 0 {
		if n, err := strconv.Atoi(f[i+1:]); err == nil {
			return f[:i], n
		}
	}
	return f, 0
}
