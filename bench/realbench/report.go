package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackscan/trackscan/bench/realsite"
	"github.com/trackscan/trackscan/crawler/capture"
)

// env is the machine's state when the bench starts or ends.
type env struct {
	at       time.Time
	loadavg  string
	chromium string
}

func environment(chromium string) env {
	e := env{at: time.Now().UTC()}
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(raw))
		if len(f) >= 3 {
			e.loadavg = strings.Join(f[:3], " ")
		}
	}
	if out, err := exec.Command(chromium, "--version").Output(); err == nil {
		e.chromium = strings.TrimSpace(string(out))
	}
	return e
}

var shortPhase = map[capture.Phase]string{capture.PreConsent: "pre", capture.AfterReject: "reject", capture.AfterAccept: "accept"}

func printReport(w io.Writer, results []*result, start, end env, runs int) {
	fmt.Fprintf(w, "Measured %s to %s UTC; %s; load average (1, 5, 15 min) %s at the start, %s at the end; %d runs per row, interleaved.\n\n",
		start.at.Format("2006-01-02 15:04"), end.at.Format("15:04"), start.chromium, start.loadavg, end.loadavg, runs)
	fmt.Fprintln(w, "| run | wall s | page visits | visits/min | wall per phase s (pre / reject / accept) | process-tree PSS MiB | vendors recall | cookies recall | storage keys recall | leaks |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---:|---|---|---|---|")
	for _, r := range results {
		if len(r.runs) == 0 {
			fmt.Fprintf(w, "| %s | failed: %s |\n", r.cfg.name(), strings.Join(r.errors, "; "))
			continue
		}
		wall := median(r.runs, func(m measurement) time.Duration { return m.wall })
		visits, failed := r.runs[0].visits, 0
		var pss int64
		for _, m := range r.runs {
			pss = max(pss, m.pssKiB)
			visits = min(visits, m.visits)
			failed = max(failed, m.failed)
		}
		visitCell := strconv.Itoa(visits)
		if failed > 0 {
			visitCell += fmt.Sprintf(" (%d failed)", failed)
		}
		var walls []string
		for _, ph := range r.cfg.phases() {
			d := median(r.runs, func(m measurement) time.Duration {
				if m.phaseWalls == nil { // one phase, no page timings: the whole run
					return m.wall
				}
				return m.phaseWalls[ph]
			})
			walls = append(walls, fmt.Sprintf("%.1f", d.Seconds()))
		}
		sc := worst(r)
		fmt.Fprintf(w, "| %s | %.1f | %s | %.1f | %s | %.0f | %s | %s | %s | %s |\n",
			r.cfg.name(), wall.Seconds(), visitCell, float64(visits)/wall.Seconds()*60, strings.Join(walls, " / "), float64(pss)/1024,
			sc.recall(realsite.KindVendor), sc.recall(realsite.KindCookie), sc.recall(realsite.KindStorage), sc.leaks())
		if len(r.errors) > 0 {
			fmt.Fprintf(w, "|  | %d of %d runs failed: %s |\n", len(r.errors), len(r.errors)+len(r.runs), strings.Join(r.errors, "; "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Recall is found/expected per phase (pre, reject, accept) in the worst run; leaks are ground-truth items seen in a phase where they must be absent.")
	missed := false
	for _, r := range results {
		if miss := worst(r).missing(); miss != "" {
			fmt.Fprintf(w, "- missed by %s: %s\n", r.cfg.name(), miss)
			missed = true
		}
	}
	if !missed {
		fmt.Fprintln(w, "- nothing of the ground truth was missed in any run")
	}
	for _, r := range results {
		var per []string
		for _, m := range r.runs {
			s := fmt.Sprintf("%.1f s / %d collector requests", m.wall.Seconds(), m.collector)
			if len(m.settledBy) > 0 {
				var reasons []string
				for _, k := range slices.Sorted(maps.Keys(m.settledBy)) {
					reasons = append(reasons, fmt.Sprintf("%s %d", k, m.settledBy[k]))
				}
				s += " / settled by " + strings.Join(reasons, ", ")
			}
			per = append(per, s)
		}
		d, _ := json.Marshal(per)
		fmt.Fprintf(w, "- runs of %s: %s\n", r.cfg.name(), d)
	}
}

func median(ms []measurement, f func(measurement) time.Duration) time.Duration {
	ds := make([]time.Duration, len(ms))
	for i, m := range ms {
		ds[i] = f(m)
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// scoreSet is the worst run's score for each kind and phase: the lowest
// found count, with the union of what any run missed or leaked.
type scoreSet struct {
	phases []capture.Phase
	s      map[string]map[capture.Phase]*realsite.PhaseScore
}

func worst(r *result) scoreSet {
	out := scoreSet{phases: r.cfg.phases(), s: map[string]map[capture.Phase]*realsite.PhaseScore{}}
	for _, m := range r.runs {
		for kind, byPhase := range realsite.Score(m.found, r.cfg.phases()) {
			if out.s[kind] == nil {
				out.s[kind] = map[capture.Phase]*realsite.PhaseScore{}
			}
			for ph, s := range byPhase {
				cur := out.s[kind][ph]
				if cur == nil {
					c := *s
					out.s[kind][ph] = &c
					continue
				}
				cur.Found = min(cur.Found, s.Found)
				cur.Missing = union(cur.Missing, s.Missing)
				cur.Leaked = union(cur.Leaked, s.Leaked)
			}
		}
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (s scoreSet) recall(kind string) string {
	var parts []string
	for _, ph := range s.phases {
		parts = append(parts, s.s[kind][ph].Recall())
	}
	return strings.Join(parts, ", ")
}

func (s scoreSet) leaks() string {
	var parts []string
	for _, kind := range []string{realsite.KindVendor, realsite.KindCookie, realsite.KindStorage} {
		for _, ph := range s.phases {
			for _, l := range s.s[kind][ph].Leaked {
				parts = append(parts, fmt.Sprintf("%s %s in %s", kind, l, shortPhase[ph]))
			}
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func (s scoreSet) missing() string {
	var parts []string
	for _, kind := range []string{realsite.KindVendor, realsite.KindCookie, realsite.KindStorage} {
		for _, ph := range s.phases {
			for _, l := range s.s[kind][ph].Missing {
				parts = append(parts, fmt.Sprintf("%s %s in %s", kind, l, shortPhase[ph]))
			}
		}
	}
	return strings.Join(parts, "; ")
}

// writeLog keeps the site's request log of one run (-keep).
func writeLog(path string, log []realsite.Request) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, r := range log {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
