package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
)

type trackscanTool struct{ bin, chromium string }

func (trackscanTool) name() string { return "trackscan" }

func (t trackscanTool) command(u string, pages int, rules, dir string) *exec.Cmd {
	return exec.Command(t.bin, "scan", u,
		"--browser", t.chromium,
		"--resolve", rules, "--insecure",
		"--max-pages", strconv.Itoa(pages), "--consent", "pre",
		"--quiet", "-f", "json", "-o", filepath.Join(dir, "report.json"))
}

// trackscanReport holds the parts of a trackscan/v1 report the comparison needs.
type trackscanReport struct {
	Pages []struct {
		URL   string `json:"url"`
		Error string `json:"error"`
	} `json:"pages"`
	Vendors []struct {
		ID       string `json:"id"`
		Category string `json:"category"`
	} `json:"vendors"`
	Cookies []struct {
		Name       string `json:"name"`
		Domain     string `json:"domain"`
		FirstParty bool   `json:"first_party"`
	} `json:"cookies"`
	Detections []struct {
		Kind       string `json:"kind"`
		Host       string `json:"host"`
		URL        string `json:"url"`
		FirstParty bool   `json:"first_party"`
	} `json:"detections"`
}

func (trackscanTool) summary(dir string) (detections, error) {
	var d detections
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return d, err
	}
	var rep trackscanReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return d, err
	}
	for _, p := range rep.Pages {
		if p.Error == "" {
			d.Pages++
		}
	}
	hosts, beacons := set{}, set{}
	for _, det := range rep.Detections {
		// Cookie and storage detections carry a cookie domain or origin,
		// not a host the page contacted.
		if det.Kind == "tracking-cookie" || det.Kind == "storage" {
			continue
		}
		host := det.Host
		if host == "" {
			if u, err := url.Parse(det.URL); err == nil {
				host = u.Hostname()
			}
		}
		if host == "" || det.FirstParty {
			continue
		}
		hosts.add(host)
		if det.Kind == "web-beacon" {
			beacons.add(host)
		}
	}
	cookies, third := set{}, set{}
	for _, c := range rep.Cookies {
		cookies.add(c.Name + "@" + c.Domain)
		if !c.FirstParty {
			third.add(c.Name + "@" + c.Domain)
		}
	}
	recorders, fingerprinters := set{}, set{}
	for _, v := range rep.Vendors {
		switch v.Category {
		case "session-replay":
			recorders.add(v.ID)
		case "fingerprinting":
			fingerprinters.add(v.ID)
		}
	}
	d.ThirdPartyHosts, d.Beacons = hosts.sorted(), beacons.sorted()
	d.Cookies, d.ThirdPartyCookies = cookies.sorted(), third.sorted()
	d.SessionRecorders, d.Fingerprinters = recorders.sorted(), fingerprinters.sorted()
	return d, nil
}

type blacklightTool struct{ dir, chromium string }

func newBlacklight(dir, chromium string) (blacklightTool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return blacklightTool{}, err
	}
	if _, err := os.Stat(filepath.Join(abs, "node_modules", "@themarkup", "blacklight-collector")); err != nil {
		return blacklightTool{}, fmt.Errorf("not installed (run %s): %v", filepath.Join(dir, "install.sh"), err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return blacklightTool{}, err
	}
	return blacklightTool{dir: abs, chromium: chromium}, nil
}

func (blacklightTool) name() string { return "Blacklight" }

func (b blacklightTool) command(u string, pages int, rules, dir string) *exec.Cmd {
	cmd := exec.Command("node", filepath.Join(b.dir, "run.js"), u, strconv.Itoa(pages), rules, b.chromium,
		filepath.Join(dir, "out"), filepath.Join(dir, "summary.json"))
	cmd.Dir = b.dir
	return cmd
}

func (blacklightTool) summary(dir string) (detections, error) {
	var d detections
	raw, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(raw, &d)
}

type set map[string]struct{}

func (s set) add(v string) { s[v] = struct{}{} }

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for v := range s {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}
