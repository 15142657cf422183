package proctree

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// The size readers find their line for a live process and count 0 for one
// that does not exist.
func TestSizeReaders(t *testing.T) {
	const noSuchPID = 99999999 // above Linux's pid_max
	for _, tc := range []struct {
		name string
		size func(int) int64
	}{{"RSSKiB", RSSKiB}, {"PSSKiB", PSSKiB}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.size(os.Getpid()); got <= 0 {
				t.Errorf("%s(self) = %d, want > 0", tc.name, got)
			}
			if got := tc.size(noSuchPID); got != 0 {
				t.Errorf("%s(no such pid) = %d, want 0", tc.name, got)
			}
		})
	}
}

// A sampler over this process sees the child it starts, with its memory.
func TestSamplerSeesChild(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep to start:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	s := StartSampler(os.Getpid(), 10*time.Millisecond, RSSKiB)
	time.Sleep(100 * time.Millisecond)
	kib, procs := s.Stop()
	if procs < 1 || kib <= 0 {
		t.Errorf("peak %d KiB over %d processes, want the sleep child counted", kib, procs)
	}
}
