package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackscan/trackscan/bench/internal/proctree"
	"github.com/trackscan/trackscan/crawler/capture"
)

// pssKiB is the proportional set size of one process (smaps_rollup), so
// pages shared between Chromium processes count once over the tree;
// zombies and vanished processes count 0.
func pssKiB(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// treeSampler polls the whole tree below root every interval and keeps the
// peak of the summed PSS and the largest process count seen.
type treeSampler struct {
	root     int
	interval time.Duration
	stop     chan struct{}
	done     sync.WaitGroup

	peakKiB   int64
	peakProcs int

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
	t := &treeSampler{root: root, interval: interval, stop: make(chan struct{}), jsonl: jsonl}
	t.done.Add(2)
	go t.run()
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

func (t *treeSampler) run() {
	defer t.done.Done()
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	for {
		t.sample()
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
	}
}

func (t *treeSampler) sample() {
	pids := proctree.Descendants(t.root)
	var sum int64
	for _, p := range pids {
		sum += pssKiB(p)
	}
	t.peakKiB = max(t.peakKiB, sum)
	t.peakProcs = max(t.peakProcs, len(pids))
}

// Stop ends sampling and returns the peak in KiB and the most processes seen.
func (t *treeSampler) Stop() (int64, int) {
	close(t.stop)
	t.done.Wait()
	return t.peakKiB, t.peakProcs
}
