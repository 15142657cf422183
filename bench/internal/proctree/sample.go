package proctree

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RSSKiB is the VmRSS of one process; zombies and vanished processes count 0.
func RSSKiB(pid int) int64 { return procKiB(pid, "status", "VmRSS:") }

// PSSKiB is the proportional set size of one process (smaps_rollup), so
// pages shared between Chromium processes count once over the tree;
// zombies and vanished processes count 0.
func PSSKiB(pid int) int64 { return procKiB(pid, "smaps_rollup", "Pss:") }

// procKiB reads the "Field:  N kB" line of /proc/PID/file, 0 when absent.
func procKiB(pid int, file, field string) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + file)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// Sampler polls the whole tree below root every interval and keeps the
// peak of the summed per-process size and the largest process count seen.
type Sampler struct {
	root     int
	interval time.Duration
	size     func(pid int) int64
	stop     chan struct{}
	done     sync.WaitGroup

	peakKiB   int64
	peakProcs int
}

// StartSampler starts sampling the tree below root with size (RSSKiB or
// PSSKiB) until Stop.
func StartSampler(root int, interval time.Duration, size func(pid int) int64) *Sampler {
	s := &Sampler{root: root, interval: interval, size: size, stop: make(chan struct{})}
	s.done.Add(1)
	go s.run()
	return s
}

func (s *Sampler) run() {
	defer s.done.Done()
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		s.sample()
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}

func (s *Sampler) sample() {
	pids := Descendants(s.root)
	var sum int64
	for _, p := range pids {
		sum += s.size(p)
	}
	s.peakKiB = max(s.peakKiB, sum)
	s.peakProcs = max(s.peakProcs, len(pids))
}

// Stop ends sampling and returns the peak in KiB and the most processes seen.
func (s *Sampler) Stop() (int64, int) {
	close(s.stop)
	s.done.Wait()
	return s.peakKiB, s.peakProcs
}
