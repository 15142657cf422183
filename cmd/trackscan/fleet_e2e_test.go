package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/crawler/demosite/sitegen"
	"github.com/trackscan/trackscan/crawler/scan"
	"github.com/trackscan/trackscan/reports/audit"
)

// fleetSites are the generated sites of the multi-site tests.
const fleetSites = 40

// fleetFixture serves the generated sites and writes their targets file.
func fleetFixture(t *testing.T) (*demosite.Server, []sitegen.Site, string) {
	t.Helper()
	site := demosite.Start()
	t.Cleanup(site.Close)
	sites := sitegen.Generate(fleetSites)
	sitegen.Mount(site, sites)
	targets, err := sitegen.WriteTargets(t.TempDir(), sites)
	if err != nil {
		t.Fatal(err)
	}
	return site, sites, targets
}

// fleetCmd is a scan --targets process with its own TMPDIR (so its
// Chromium can be told apart from other runs on the machine).
func fleetCmd(t *testing.T, site *demosite.Server, targets, tmp string, args ...string) *exec.Cmd {
	full := append([]string{"scan", "--targets", targets, "--resolve", site.ResolveRules(), "--consent", "pre",
		"--timeout", "60s", "-q"}, args...)
	cmd := exec.Command(binary, full...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	return cmd
}

// siteLines reads the site lines of every .jsonl file in dir.
func siteLines(t *testing.T, dir string) []audit.Line {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var out []audit.Line
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ls, _, truncated, err := audit.ReadLines(bytes.NewReader(raw), f)
		if err != nil || truncated {
			t.Fatalf("%s: truncated %v, err %v", f, truncated, err)
		}
		out = append(out, ls...)
	}
	return out
}

// checkOnce fails unless the lines hold each wanted site exactly once.
func checkOnce(t *testing.T, lines []audit.Line, want []string) {
	t.Helper()
	var got []string
	for _, l := range lines {
		got = append(got, l.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("sites in the output:\n%v\nwant each of\n%v\nexactly once", got, want)
	}
}

// TestFleetShards: four `--shard i/4` processes side by side and one
// unsharded run over the same 40 generated sites; each site is in exactly
// one shard file, and the merged audits of both are byte-identical.
func TestFleetShards(t *testing.T) {
	browsertest.Chromium(t)
	site, sites, targets := fleetFixture(t)
	var ids []string
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	sharded, whole := t.TempDir(), t.TempDir()
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for i := range 4 {
		tmp, _ := os.MkdirTemp("", "ts-fleet-")
		t.Cleanup(func() { os.RemoveAll(tmp) })
		cmd := fleetCmd(t, site, targets, tmp, "--shard", fmt.Sprintf("%d/4", i), "--jsonl", sharded+"/", "--concurrency", "1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, cmd), append(errs, &stderr)
	}
	for i, cmd := range cmds {
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 0 && code != 3 {
			t.Fatalf("shard %d/4: %v, exit %d: %s", i, err, code, errs[i])
		}
	}
	files, _ := filepath.Glob(filepath.Join(sharded, "*.jsonl"))
	if want := []string{"shard-0-of-4.jsonl", "shard-1-of-4.jsonl", "shard-2-of-4.jsonl", "shard-3-of-4.jsonl"}; len(files) != 4 || filepath.Base(files[0]) != want[0] || filepath.Base(files[3]) != want[3] {
		t.Errorf("shard files %v, want %v", files, want)
	}
	checkOnce(t, siteLines(t, sharded), ids)

	res := run(t, "scan", "--targets", targets, "--resolve", site.ResolveRules(), "--consent", "pre", "--timeout", "60s", "-q",
		"--jsonl", whole+"/", "--concurrency", "2")
	if res.code != 3 || !strings.Contains(res.stderr, "1 of 40 sites incomplete or failed") {
		t.Errorf("unsharded run: exit %d, stderr %q; want 3 for the broken site", res.code, res.stderr)
	}
	wholeLines := siteLines(t, whole)
	checkOnce(t, wholeLines, ids)

	for _, format := range []string{"json", "html", "csv", "markdown"} {
		a, b := filepath.Join(t.TempDir(), "sharded."+format), filepath.Join(t.TempDir(), "whole."+format)
		if r := run(t, "merge", sharded, "-f", format, "-o", a); r.code != 0 {
			t.Fatalf("merge shards: exit %d: %s", r.code, r.stderr)
		}
		if r := run(t, "merge", whole, "-f", format, "-o", b); r.code != 0 {
			t.Fatalf("merge unsharded: exit %d: %s", r.code, r.stderr)
		}
		ra, _ := os.ReadFile(a)
		rb, _ := os.ReadFile(b)
		if !bytes.Equal(ra, rb) {
			t.Errorf("%s audit of the shards differs from the unsharded run's; first differing line:\n%s", format, firstDiff(ra, rb))
		}
	}

	// The HTML audit's script runs in a browser, offline: it counts the
	// rows its filters show.
	html := filepath.Join(t.TempDir(), "audit.html")
	if r := run(t, "merge", sharded, "-o", html); r.code != 0 {
		t.Fatalf("merge: exit %d: %s", r.code, r.stderr)
	}
	if dom := dumpDOM(t, html); !strings.Contains(dom, "40 of 40 sites shown") {
		t.Errorf("the audit's script did not run: no row count in the rendered page")
	}

	// The audit says what the generated sites do.
	out := filepath.Join(t.TempDir(), "audit.json")
	if r := run(t, "merge", sharded, "-o", out, "--site-reports", filepath.Join(filepath.Dir(out), "sites")); r.code != 0 {
		t.Fatalf("merge: exit %d: %s", r.code, r.stderr)
	}
	a := readAudit(t, out)
	if a.Totals.Sites != fleetSites || a.Totals.Failed != 1 || len(a.Failed) != 1 || a.Failed[0].ID != "site-39" {
		t.Errorf("totals %+v, failed %+v: want 40 sites, site-39 failed", a.Totals, a.Failed)
	}
	for i, row := range a.Sites {
		s := sites[i]
		if row.ID != s.ID {
			t.Fatalf("row %d is %s, want %s", i, row.ID, s.ID)
		}
		if s.Broken {
			continue
		}
		if row.PolicyFound != (s.Policy != "") {
			t.Errorf("%s: policy found %v, generated policy %q", s.ID, row.PolicyFound, s.Policy)
		}
		if (row.CMP != "") != (s.Banner != "") {
			t.Errorf("%s: CMP %q, generated banner %q", s.ID, row.CMP, s.Banner)
		}
		for _, tr := range s.Trackers {
			if !slices.Contains(row.VendorsBeforeConsent, tr) {
				t.Errorf("%s: loads %s before consent, row says %v", s.ID, tr, row.VendorsBeforeConsent)
			}
		}
		if row.Report == "" {
			t.Errorf("%s: no link to its own report", s.ID)
		} else if _, err := os.Stat(filepath.Join(filepath.Dir(out), row.Report)); err != nil {
			t.Errorf("%s: report link %s: %v", s.ID, row.Report, err)
		}
	}
}

func readAudit(t *testing.T, path string) *audit.Audit {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var a audit.Audit
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

// shardRun is a fleet scan of one shard of two, running in the background.
type shardRun struct {
	site    *demosite.Server
	targets string
	want    []string // ids of the shard's sites
	out     string   // its --jsonl file
	tmp     string   // its TMPDIR
	cmd     *exec.Cmd
	stderr  *bytes.Buffer
}

// startShard starts the scan of shard index/2 of the fleet with
// --concurrency concurrency and returns once it has written at least
// lines sites, so that a test can stop it midway.
func startShard(t *testing.T, index, concurrency, lines int) *shardRun {
	t.Helper()
	site, sites, targets := fleetFixture(t)
	shard := scan.Shard{Index: index, Count: 2}
	r := &shardRun{site: site, targets: targets, stderr: &bytes.Buffer{},
		out: filepath.Join(t.TempDir(), fmt.Sprintf("shard%d.jsonl", index))}
	for _, s := range sites {
		if shard.Has(scan.Site{ID: s.ID, URL: s.URL()}) {
			r.want = append(r.want, s.ID)
		}
	}
	r.tmp, _ = os.MkdirTemp("", "ts-fleet-")
	t.Cleanup(func() { os.RemoveAll(r.tmp) })
	r.cmd = fleetCmd(t, site, targets, r.tmp, "--shard", fmt.Sprintf("%d/2", index), "--jsonl", r.out,
		"--concurrency", fmt.Sprint(concurrency))
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		raw, _ := os.ReadFile(r.out)
		if bytes.Count(raw, []byte("\n")) >= lines {
			return r
		}
		if time.Now().After(deadline) {
			r.cmd.Process.Kill()
			r.cmd.Wait()
			t.Fatalf("fewer than %d sites written in 90s: %s", lines, r.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFleetResume kills a shard with SIGKILL midway, leaves a line cut
// short as a kill during a write would, and reruns it with --resume: the
// output then holds every site of the shard exactly once.
func TestFleetResume(t *testing.T) {
	browsertest.Chromium(t)
	sh := startShard(t, 0, 1, 3)
	sh.cmd.Process.Signal(syscall.SIGKILL)
	sh.cmd.Wait()
	before, _ := os.ReadFile(sh.out)
	n := bytes.Count(before, []byte("\n"))
	if n >= len(sh.want) {
		t.Fatalf("the shard finished (%d lines) before the kill", n)
	}
	// A write cut short: the first half of a copy of the first line.
	first := before[:bytes.IndexByte(before, '\n')+1]
	f, err := os.OpenFile(sh.out, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(first[:len(first)/2])
	f.Close()

	res := run(t, "scan", "--targets", sh.targets, "--resolve", sh.site.ResolveRules(), "--consent", "pre", "--timeout", "60s",
		"--shard", "0/2", "--jsonl", sh.out, "--resume", "--concurrency", "2", "-q")
	if res.code != 0 && res.code != 3 {
		t.Fatalf("resume: exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "dropped 1 lines cut short or repeated") {
		t.Errorf("resume did not say it dropped the cut line: %q", res.stderr)
	}
	raw, _ := os.ReadFile(sh.out)
	lines, _, truncated, err := audit.ReadLines(bytes.NewReader(raw), sh.out)
	if err != nil || truncated {
		t.Fatalf("after resume: truncated %v, err %v", truncated, err)
	}
	checkOnce(t, lines, sh.want)
	if !bytes.HasPrefix(raw, before[:bytes.LastIndexByte(before, '\n')+1]) {
		t.Error("resume rewrote the lines the killed run had finished")
	}
	// A second resume has nothing left to do and changes nothing.
	res = run(t, "scan", "--targets", sh.targets, "--resolve", sh.site.ResolveRules(), "--shard", "0/2", "--jsonl", sh.out, "--resume")
	again, _ := os.ReadFile(sh.out)
	if (res.code != 0 && res.code != 3) || !bytes.Equal(again, raw) || !strings.Contains(res.stderr, "0 to scan") {
		t.Errorf("second resume: exit %d, changed %v, stderr %q", res.code, !bytes.Equal(again, raw), res.stderr)
	}
}

// TestFleetSIGTERM stops a run as Kubernetes evicts a pod: the lines
// written are whole, the run exits 3 and leaves no Chromium, and --resume
// then scans what is left, each site once.
func TestFleetSIGTERM(t *testing.T) {
	browsertest.Chromium(t)
	sh := startShard(t, 1, 2, 2)
	sh.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { sh.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(45 * time.Second):
		sh.cmd.Process.Kill()
		t.Fatal("the run did not stop within 45s of SIGTERM")
	}
	if code := sh.cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(sh.stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q; want 3 and interrupted", code, sh.stderr.String())
	}
	assertNothingLeftIn(t, sh.tmp)
	raw, _ := os.ReadFile(sh.out)
	lines, _, truncated, err := audit.ReadLines(bytes.NewReader(raw), sh.out)
	if err != nil || truncated || len(lines) >= len(sh.want) {
		t.Fatalf("after SIGTERM: %d lines (of %d sites), truncated %v, err %v", len(lines), len(sh.want), truncated, err)
	}
	res := run(t, "scan", "--targets", sh.targets, "--resolve", sh.site.ResolveRules(), "--consent", "pre", "--timeout", "60s",
		"--shard", "1/2", "--jsonl", sh.out, "--resume", "--concurrency", "2", "-q")
	if res.code != 0 && res.code != 3 {
		t.Fatalf("resume: exit %d: %s", res.code, res.stderr)
	}
	raw, _ = os.ReadFile(sh.out)
	lines, _, _, err = audit.ReadLines(bytes.NewReader(raw), sh.out)
	if err != nil {
		t.Fatal(err)
	}
	checkOnce(t, lines, sh.want)
	for _, l := range lines {
		if l.Status == audit.Interrupted {
			t.Errorf("%s still interrupted after the resume", l.ID)
		}
	}
}

// dumpDOM renders a local HTML file in headless Chromium with the network
// off and returns the DOM after its scripts ran.
func dumpDOM(t *testing.T, path string) string {
	t.Helper()
	chromium := browsertest.Chromium(t)
	profile, err := os.MkdirTemp("", "ts-dom-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	abs, _ := filepath.Abs(path)
	out, err := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir="+profile,
		"--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", "file://"+abs).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	return string(out)
}

// firstDiff is the first line where a and b differ, from each.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  shards:     %s\n  unsharded:  %s", i+1, x, y)
		}
	}
	return "(none)"
}
