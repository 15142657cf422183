//go:build !unix

package email

import "time"

func processCPU() time.Duration { return 0 }
