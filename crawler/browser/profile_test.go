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

func TestSweepStaleRuns(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	tmp := t.TempDir()
	const deadPID = 99999999
	runs := []struct {
		name, owner string // owner "" means no owner file yet
		kept        bool
	}{
		{"trackscan-run-dead-1", host + "-" + strconv.Itoa(deadPID), false},
		{"trackscan-run-live-1", host + "-" + strconv.Itoa(os.Getpid()), true},
		{"trackscan-run-other-host", "elsewhere-" + strconv.Itoa(deadPID), true},
		{"trackscan-run-starting", "", true},
		{"not-ours", host + "-" + strconv.Itoa(deadPID), true},
	}
	for _, r := range runs {
		dir := filepath.Join(tmp, r.name)
		// What a killed run leaves: a profile and Chromium's own temporary files.
		if err := os.MkdirAll(filepath.Join(dir, "tmp", "org.chromium.Chromium.abc123"), 0o700); err != nil {
			t.Fatal(err)
		}
		if r.owner != "" {
			if err := os.WriteFile(filepath.Join(dir, runOwnerFile), []byte(r.owner+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	sweepStaleRuns(tmp)
	for _, r := range runs {
		_, err := os.Stat(filepath.Join(tmp, r.name))
		if kept := err == nil; kept != r.kept {
			t.Errorf("%s: kept %v, want %v", r.name, kept, r.kept)
		}
	}
}
