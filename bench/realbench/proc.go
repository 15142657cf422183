package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"

	"github.com/trackscan/trackscan/bench/internal/proctree"
	"github.com/trackscan/trackscan/crawler/capture"
)

// treeSampler keeps the peak PSS and process count of the tree below root
// (proctree.Sampler) and, beside it, when each page of the tool's --jsonl
// stream arrived.
type treeSampler struct {
	tree *proctree.Sampler
	stop chan struct{}
	done sync.WaitGroup

	// The tool's --jsonl stream, read as it grows: when each page arrived.
	jsonl    string
	offset   int64
	partial  []byte
	arrivals []arrival
}

// arrival is one page of the --jsonl stream and when the bench saw it.
type arrival struct {
	phase capture.Phase
	at    time.Time
}

func startSampler(root int, interval time.Duration, jsonl string) *treeSampler {
	t := &treeSampler{tree: proctree.StartSampler(root, interval, proctree.PSSKiB), stop: make(chan struct{}), jsonl: jsonl}
	t.done.Add(1)
	go t.watch()
	return t
}

// watch polls the --jsonl file every 20 ms for new lines; a line is a page
// the tool has finished, so its arrival time ends that page.
func (t *treeSampler) watch() {
	defer t.done.Done()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		t.readLines()
		select {
		case <-t.stop:
			t.readLines()
			return
		case <-tick.C:
		}
	}
}

func (t *treeSampler) readLines() {
	f, err := os.Open(t.jsonl)
	if err != nil {
		return
	}
	defer f.Close()
	if _, err := f.Seek(t.offset, io.SeekStart); err != nil {
		return
	}
	chunk, _ := io.ReadAll(f)
	t.offset += int64(len(chunk))
	now := time.Now()
	t.partial = append(t.partial, chunk...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			return
		}
		var line struct {
			Phase capture.Phase `json:"phase"`
		}
		if json.Unmarshal(t.partial[:i], &line) == nil && line.Phase != "" {
			t.arrivals = append(t.arrivals, arrival{line.Phase, now})
		}
		t.partial = t.partial[i+1:]
	}
}

// Stop ends sampling and returns the peak in KiB and the most processes seen.
func (t *treeSampler) Stop() (int64, int) {
	close(t.stop)
	t.done.Wait()
	return t.tree.Stop()
}
