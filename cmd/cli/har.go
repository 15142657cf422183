package cli

import (
	"fmt"
	"os"
	"sync"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/reports/har"
)

// harWriter writes --har files as pages finish, so an interrupted scan
// keeps the evidence of every page it captured, and remembers each path
// for the report.
type harWriter struct {
	dir   string
	mu    sync.Mutex
	paths map[string]string // url \x00 phase -> file
	err   error             // the first write error
}

// newHARWriter creates the directory at once: a bad --har is a usage error
// before Chromium starts. An empty dir gives nil (no --har).
func newHARWriter(dir string) (*harWriter, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageErr("--har: %v", err)
	}
	return &harWriter{dir: dir, paths: map[string]string{}}, nil
}

func (h *harWriter) write(p *capture.Page) {
	if h == nil {
		return
	}
	path, err := har.WriteFile(h.dir, p, Version)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		if h.err == nil {
			h.err = fmt.Errorf("--har: %s (%s): %w", p.URL, p.Phase, err)
		}
		return
	}
	h.paths[p.URL+"\x00"+string(p.Phase)] = path
}

// annotate names each page's HAR in the report; a write error becomes a
// report error line (the scan's other output is still written).
func (h *harWriter) annotate(rep *reports.Report) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range rep.Pages {
		rep.Pages[i].HAR = h.paths[rep.Pages[i].URL+"\x00"+string(rep.Pages[i].Phase)]
	}
	if h.err != nil {
		rep.Errors = append(rep.Errors, h.err.Error())
	}
}
