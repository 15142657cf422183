// Package proctree is what the benchmarks share to measure a tool's whole
// process tree (Chromium's children included) and to leave nothing behind:
// becoming a child subreaper, walking /proc, reaping and killing orphans.
package proctree

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// prSetChildSubreaper makes orphaned descendants (Chromium's crashpad
// handler double-forks) reparent to this process instead of init, so they
// stay in the measured tree and can be cleaned up afterwards.
const prSetChildSubreaper = 36

func BecomeSubreaper() error {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// Descendants returns every live process below root, from /proc.
func Descendants(root int) []int {
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

// CleanupOrphans kills and reaps whatever the measured tool left below us
// (processes it started and did not stop) so one run cannot inflate the next.
func CleanupOrphans() []string {
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
	for _, p := range Descendants(os.Getpid()) {
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if i := bytes.LastIndexByte(raw, ')'); err == nil && i >= 0 && !bytes.HasPrefix(raw[i+1:], []byte(" Z")) {
			live = append(live, p)
		}
	}
	return live
}
