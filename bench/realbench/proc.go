package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

// prSetChildSubreaper makes orphaned descendants (Chromium's crashpad
// handler double-forks) reparent to this process instead of init, so they
// stay in the measured tree and can be cleaned up afterwards.
const prSetChildSubreaper = 36

func becomeSubreaper() error {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// descendants returns every live process below root, from /proc.
func descendants(root int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// parentOf reads the ppid from /proc/PID/stat; the command name may hold
// spaces and parentheses, so fields are counted after its last ')'.
func parentOf(pid int) (int, bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(raw[i+1:]))
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}

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
	pids := descendants(t.root)
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

// cleanupOrphans kills and reaps whatever the measured tool left below us
// (processes it started and did not stop) so one run cannot inflate the next.
func cleanupOrphans() []string {
	// Give processes that are already shutting down two seconds to exit.
	var left []string
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		reapExited()
		if len(liveDescendants()) == 0 {
			return nil
		}
	}
	for _, p := range liveDescendants() {
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/comm")
		left = append(left, strings.TrimSpace(string(comm)))
		syscall.Kill(p, syscall.SIGKILL)
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && len(liveDescendants()) > 0; time.Sleep(20 * time.Millisecond) {
		reapExited()
	}
	reapExited()
	slices.Sort(left)
	return left
}

// reapExited collects the exit status of every child that has ended.
func reapExited() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}

// liveDescendants are the descendants of this process that are not zombies.
func liveDescendants() []int {
	var live []int
	for _, p := range descendants(os.Getpid()) {
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if i := bytes.LastIndexByte(raw, ')'); err == nil && i >= 0 && !bytes.HasPrefix(raw[i+1:], []byte(" Z")) {
			live = append(live, p)
		}
	}
	return live
}
