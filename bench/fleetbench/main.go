// Command fleetbench measures multi-site audits (scan --targets) on this
// machine: sites per hour with 1, 2 and 4 shard processes side by side
// over generated loopback sites, and the memory of each process tree
// (trackscan plus its Chromium) as the sites go by, to show it stays flat.
//
//	go run ./bench/fleetbench -sites 200 -shards 1,2,4
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/crawler/demosite/sitegen"
	"github.com/trackscan/trackscan/crawler/scan"
)

func main() {
	sites := flag.Int("sites", 200, "generated sites per run")
	shardList := flag.String("shards", "1,2,4", "shard process counts to measure")
	concurrency := flag.Int("concurrency", 1, "--concurrency of each shard process (sites side by side in it)")
	consent := flag.String("consent", "pre", "--consent of the scans")
	restart := flag.Int("restart-every", scan.DefaultRestartEvery, "--restart-every of the scans")
	flag.Parse()

	tmp, err := os.MkdirTemp("", "fleetbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "trackscan")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/trackscan").CombinedOutput(); err != nil {
		log.Fatalf("build: %v: %s", err, out)
	}
	srv := demosite.Start()
	defer srv.Close()
	gen := sitegen.Generate(*sites + 1)
	gen = gen[:*sites] // the last generated site is the broken one
	sitegen.Mount(srv, gen)
	targets, err := sitegen.WriteTargets(tmp, gen)
	if err != nil {
		log.Fatal(err)
	}
	cpu, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(cpu), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	fmt.Printf("# fleetbench %s: %d sites, --consent %s, --concurrency %d per process, --restart-every %d; CPU %s\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), *sites, *consent, *concurrency, *restart, model)
	for _, f := range strings.Split(*shardList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			log.Fatalf("bad shard count %q", f)
		}
		runShards(bin, srv, targets, tmp, n, *sites, *concurrency, *consent, *restart)
	}
}

// sample is the memory of one process tree when its output reached lines.
type sample struct {
	lines int
	rss   int64
	at    time.Duration
}

func runShards(bin string, srv *demosite.Server, targets, tmp string, n, sites, concurrency int, consent string, restart int) {
	out := filepath.Join(tmp, fmt.Sprintf("out-%d", n)) + "/"
	load0 := loadavg()
	start := time.Now()
	var wg sync.WaitGroup
	samples := make([][]sample, n)
	peaks := make([]int64, n)
	for i := range n {
		wg.Go(func() {
			ptmp, _ := os.MkdirTemp(tmp, "p")
			cmd := exec.Command(bin, "scan", "--targets", targets, "--shard", fmt.Sprintf("%d/%d", i, n), "--jsonl", out,
				"--resolve", srv.ResolveRules(), "--consent", consent, "--concurrency", strconv.Itoa(concurrency),
				"--restart-every", strconv.Itoa(restart), "--timeout", "30s", "-q", "--no-dns")
			cmd.Env = append(os.Environ(), "TMPDIR="+ptmp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				log.Fatal(err)
			}
			file := filepath.Join(out, scan.Shard{Index: i, Count: n}.FileName())
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			next := 50
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					if c := cmd.ProcessState.ExitCode(); c != 0 && c != 3 {
						log.Printf("shard %d/%d: exit %d: %s", i, n, c, stderr.String())
					}
					return
				case <-tick.C:
					rss := scan.ProcessTreeRSS(cmd.Process.Pid)
					peaks[i] = max(peaks[i], rss)
					raw, _ := os.ReadFile(file)
					lines := bytes.Count(raw, []byte("\n"))
					for lines >= next {
						samples[i] = append(samples[i], sample{lines: next, rss: rss, at: time.Since(start)})
						next += 50
					}
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	load1 := loadavg()
	total := 0
	files, _ := filepath.Glob(filepath.Join(out, "*.jsonl"))
	complete := 0
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		total += bytes.Count(raw, []byte("\n"))
		complete += bytes.Count(raw, []byte(`"status":"complete"`))
	}
	fmt.Printf("\n## %d shard process(es)\n\n%d sites written (%d complete) in %s: %.0f sites/hour, %.2f s/site; load average %s -> %s\n",
		n, total, complete, wall.Round(time.Second), float64(total)/wall.Hours(), wall.Seconds()/float64(max(total, 1)), load0, load1)
	for i := range n {
		fmt.Printf("- process %d/%d: peak tree RSS %d MiB; by sites written:", i, n, peaks[i]>>20)
		prev := time.Duration(0)
		prevLines := 0
		for _, s := range samples[i] {
			per := (s.at - prev).Seconds() / float64(s.lines-prevLines)
			fmt.Printf(" %d: %d MiB (%.2f s/site)", s.lines, s.rss>>20, per)
			prev, prevLines = s.at, s.lines
		}
		fmt.Println()
	}
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
