package browser

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweepStaleProfiles(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	tmp := t.TempDir()
	// A pid far above pid_max on Linux: no such process.
	const deadPID = 99999999
	profiles := []struct {
		name, lock string // lock "" means no SingletonLock
		kept       bool
	}{
		{"trackscan-profile-dead", host + "-" + strconv.Itoa(deadPID), false},
		{"trackscan-profile-live", host + "-" + strconv.Itoa(os.Getpid()), true},
		{"trackscan-profile-other-host", "elsewhere-" + strconv.Itoa(deadPID), true},
		{"trackscan-profile-starting", "", true},
		{"not-ours", host + "-" + strconv.Itoa(deadPID), true},
	}
	for _, p := range profiles {
		dir := filepath.Join(tmp, p.name)
		if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
			t.Fatal(err)
		}
		if p.lock != "" {
			if err := os.Symlink(p.lock, filepath.Join(dir, "SingletonLock")); err != nil {
				t.Fatal(err)
			}
		}
	}
	sweepStaleProfiles(tmp)
	for _, p := range profiles {
		_, err := os.Stat(filepath.Join(tmp, p.name))
		if kept := err == nil; kept != p.kept {
			t.Errorf("%s: kept %v, want %v", p.name, kept, p.kept)
		}
	}
}
