package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackscan/trackscan/bench/internal/proctree"
)

// rssKiB is the VmRSS of one process; zombies and vanished processes count 0.
func rssKiB(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
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
// peak of the summed VmRSS and the largest process count seen.
type treeSampler struct {
	root     int
	interval time.Duration
	stop     chan struct{}
	done     sync.WaitGroup

	peakKiB   int64
	peakProcs int
}

func startSampler(root int, interval time.Duration) *treeSampler {
	t := &treeSampler{root: root, interval: interval, stop: make(chan struct{})}
	t.done.Add(1)
	go t.run()
	return t
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
		sum += rssKiB(p)
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
