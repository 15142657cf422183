package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/trackscan/trackscan/bench/realsite"
	"github.com/trackscan/trackscan/crawler/capture"
)

type trackscanConfig struct {
	bin, label  string
	consent     string // the --consent value
	concurrency int    // 0: trackscan's default
	chromium    string
}

func (t trackscanConfig) name() string {
	n := t.label + ", --consent " + t.consent
	if t.concurrency > 0 {
		n += ", --concurrency " + strconv.Itoa(t.concurrency)
	}
	return n
}

func (t trackscanConfig) phases() []capture.Phase {
	if t.consent == "pre" {
		return []capture.Phase{capture.PreConsent}
	}
	return capture.Phases
}

func (t trackscanConfig) command(rules, out string) *exec.Cmd {
	args := []string{"scan", realsite.StartURL,
		"--browser", t.chromium, "--resolve", rules, "--insecure",
		"--max-pages", strconv.Itoa(len(realsite.Pages)), "--consent", t.consent,
		"--no-dns", "--quiet", "-f", "json", "-o", filepath.Join(out, "report.json"),
		"--jsonl", filepath.Join(out, "pages.jsonl")}
	if t.concurrency > 0 {
		args = append(args, "--concurrency", strconv.Itoa(t.concurrency))
	}
	return exec.Command(t.bin, args...)
}

// trackscanReport holds the parts of a trackscan/v1 report the bench reads.
// Pages carry a timing with the reason each settled in reports that have
// it (docs/json.md); older reports have none.
type trackscanReport struct {
	Pages []struct {
		Phase  capture.Phase `json:"phase"`
		Error  string        `json:"error"`
		Timing *struct {
			SettledBy string `json:"settled_by"`
		} `json:"timing"`
	} `json:"pages"`
	Vendors []struct {
		ID     string          `json:"id"`
		Phases []capture.Phase `json:"phases"`
	} `json:"vendors"`
	Cookies []struct {
		Name   string          `json:"name"`
		Phases []capture.Phase `json:"phases"`
	} `json:"cookies"`
	Storage []struct {
		Key    string          `json:"key"`
		Phases []capture.Phase `json:"phases"`
	} `json:"storage"`
}

// read takes the wall per phase from the --jsonl stream for every binary
// alike (page timings exist only in newer reports), and counts why pages
// settled where the report says.
func (t trackscanConfig) read(out string, started time.Time, arrivals []arrival) (readOut, error) {
	var ro readOut
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		return ro, err
	}
	var rep trackscanReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return ro, err
	}
	ro.settledBy = map[string]int{}
	for _, p := range rep.Pages {
		if p.Error == "" {
			ro.visits++
		} else {
			ro.failed++
		}
		if p.Timing != nil && p.Timing.SettledBy != "" {
			ro.settledBy[p.Timing.SettledBy]++
		}
	}
	ro.phaseWalls = phaseWallsFromArrivals(started, arrivals)
	ro.found = realsite.Found{}
	for _, v := range rep.Vendors {
		ro.found.Add(realsite.KindVendor, v.ID, v.Phases)
	}
	for _, c := range rep.Cookies {
		ro.found.Add(realsite.KindCookie, c.Name, c.Phases)
	}
	for _, s := range rep.Storage {
		ro.found.Add(realsite.KindStorage, s.Key, s.Phases)
	}
	return ro, nil
}

// phaseWallsFromArrivals: phases run one after the other, so a phase lasts
// from the last page of the phase before it (the tool's start for the
// first) to its own last page, as the --jsonl stream delivered them.
func phaseWallsFromArrivals(started time.Time, arrivals []arrival) map[capture.Phase]time.Duration {
	walls := map[capture.Phase]time.Duration{}
	prev := started
	for _, ph := range capture.Phases {
		var last time.Time
		for _, a := range arrivals {
			if a.phase == ph && a.at.After(last) {
				last = a.at
			}
		}
		if last.IsZero() {
			continue
		}
		walls[ph] = last.Sub(prev)
		prev = last
	}
	return walls
}

type blacklightConfig struct{ dir, chromium string }

func newBlacklight(dir, chromium string) (blacklightConfig, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return blacklightConfig{}, err
	}
	if _, err := os.Stat(filepath.Join(abs, "node_modules", "@themarkup", "blacklight-collector")); err != nil {
		return blacklightConfig{}, fmt.Errorf("not installed (run %s): %v", filepath.Join(dir, "install.sh"), err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return blacklightConfig{}, err
	}
	return blacklightConfig{dir: abs, chromium: chromium}, nil
}

func (blacklightConfig) name() string            { return "Blacklight 3.11.0, pre-consent" }
func (blacklightConfig) phases() []capture.Phase { return []capture.Phase{capture.PreConsent} }

func (b blacklightConfig) command(rules, out string) *exec.Cmd {
	cmd := exec.Command("node", filepath.Join(b.dir, "run.js"), realsite.StartURL, strconv.Itoa(len(realsite.Pages)), rules, b.chromium,
		filepath.Join(out, "out"), filepath.Join(out, "summary.json"))
	cmd.Dir = b.dir
	return cmd
}

// vendorDomains name the truth's vendors by the hosts Blacklight lists.
var vendorDomains = map[string]string{
	"snowplowanalytics.com": "snowplow",
	"posthog.com":           "posthog",
	"mixpanel.com":          "mixpanel",
	"mxpnl.com":             "mixpanel",
	"amplitude.com":         "amplitude",
}

func (blacklightConfig) read(out string, _ time.Time, _ []arrival) (readOut, error) {
	var ro readOut
	raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		return ro, err
	}
	var sum struct {
		Pages           int      `json:"pages"`
		ThirdPartyHosts []string `json:"third_party_hosts"`
		Cookies         []string `json:"cookies"`
	}
	if err := json.Unmarshal(raw, &sum); err != nil {
		return ro, err
	}
	pre := []capture.Phase{capture.PreConsent}
	found := realsite.Found{}
	for _, h := range sum.ThirdPartyHosts {
		for d, id := range vendorDomains {
			if h == d || strings.HasSuffix(h, "."+d) {
				found.Add(realsite.KindVendor, id, pre)
			}
		}
	}
	for _, c := range sum.Cookies {
		name, _, _ := strings.Cut(c, "@")
		found.Add(realsite.KindCookie, name, pre)
	}
	// Blacklight's summary has no Web Storage, and its wall is all one phase.
	return readOut{visits: sum.Pages, found: found}, nil
}
