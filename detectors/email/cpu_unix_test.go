//go:build unix

package email

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time of this process, so benchmarks can
// report CPU cost per email, which stays meaningful on a busy machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
