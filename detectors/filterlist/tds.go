package filterlist

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"

	"github.com/trackscan/trackscan/detectors/kb"
)

// TDS is a DuckDuckGo Tracker Radar tds.json: trackers keyed by domain,
// each with an owner, categories, a default action and URL rules.
type TDS struct {
	name     string
	trackers map[string]*tdsTracker
}

type tdsTracker struct {
	domain  string
	vendor  *kb.Vendor
	block   bool // default action
	rules   []tdsRule
	entity  string
	display string
}

type tdsRule struct {
	text       string
	re         *regexp.Regexp
	ignore     bool
	onlyOn     []string // rule applies only on these page sites
	exceptOn   []string // ... and not on these
	exceptType uint16
}

type tdsFile struct {
	Trackers map[string]struct {
		Domain string `json:"domain"`
		Owner  struct {
			Name        string `json:"name"`
			DisplayName string `json:"displayName"`
		} `json:"owner"`
		Categories []string `json:"categories"`
		Default    string   `json:"default"`
		Rules      []struct {
			Rule    string `json:"rule"`
			Action  string `json:"action"`
			Options *struct {
				Domains []string `json:"domains"`
			} `json:"options"`
			Exceptions *struct {
				Domains []string `json:"domains"`
				Types   []string `json:"types"`
			} `json:"exceptions"`
		} `json:"rules"`
	} `json:"trackers"`
	Entities map[string]struct {
		DisplayName string `json:"displayName"`
	} `json:"entities"`
}

// tdsCategories maps Tracker Radar categories to trackscan's, most
// specific purpose first.
var tdsCategories = []struct {
	name string
	cat  kb.Category
}{
	{"Session Replay", kb.SessionReplay},
	{"Advertising", kb.Advertising}, {"Ad Motivated Tracking", kb.Advertising}, {"Action Pixels", kb.Advertising},
	{"Ad Fraud", kb.Advertising},
	{"Audience Measurement", kb.Analytics}, {"Analytics", kb.Analytics}, {"Third-Party Analytics Marketing", kb.Analytics},
	{"Social - Share", kb.Social}, {"Social - Comment", kb.Social}, {"Social Network", kb.Social},
	{"Consent Management Platform", kb.ConsentManagement},
	{"Fraud Prevention", kb.Essential}, {"CDN", kb.Essential}, {"Online Payment", kb.Essential},
	{"Embedded Content", kb.Functional}, {"Support Chat Widget", kb.Functional}, {"Tag Manager", kb.Analytics},
	{"Badge", kb.Functional}, {"Federated Login", kb.Functional}, {"SSO", kb.Functional},
}

func tdsCategory(cats []string) kb.Category {
	has := map[string]bool{}
	for _, c := range cats {
		has[c] = true
	}
	for _, c := range tdsCategories {
		if has[c.name] {
			return c.cat
		}
	}
	return kb.Unknown
}

// ParseTDS parses a tds.json. Rules whose regular expression Go cannot
// compile are skipped with one warning.
func ParseTDS(name string, b []byte) (*TDS, []string, error) {
	var f tdsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, nil, fmt.Errorf("%s: not a tds.json: %s", name, jsonProblem(b, err))
	}
	t := &TDS{name: name, trackers: make(map[string]*tdsTracker, len(f.Trackers))}
	var badRules []string
	keys := slices.Sorted(maps.Keys(f.Trackers))
	for _, key := range keys {
		tr := f.Trackers[key]
		domain := strings.ToLower(strings.TrimSpace(key))
		if domain == "" {
			continue
		}
		display := tr.Owner.DisplayName
		if e, ok := f.Entities[tr.Owner.Name]; ok && e.DisplayName != "" && display == "" {
			display = e.DisplayName
		}
		if display == "" {
			display = domain
		}
		cat := tdsCategory(tr.Categories)
		cats := []kb.Category{cat}
		x := &tdsTracker{
			domain:  domain,
			block:   tr.Default != "ignore",
			entity:  tr.Owner.Name,
			display: display,
			vendor: &kb.Vendor{ID: domain, Name: display, Owner: tr.Owner.Name, Category: cat, Categories: cats,
				Domains: []string{domain}},
		}
		for _, r := range tr.Rules {
			re, err := regexp.Compile(r.Rule)
			if err != nil {
				badRules = append(badRules, r.Rule)
				continue
			}
			tr := tdsRule{text: r.Rule, re: re, ignore: r.Action == "ignore"}
			if r.Options != nil {
				tr.onlyOn = lowerAll(r.Options.Domains)
			}
			if r.Exceptions != nil {
				tr.exceptOn = lowerAll(r.Exceptions.Domains)
				for _, ty := range r.Exceptions.Types {
					tr.exceptType |= requestType(ty)
				}
			}
			x.rules = append(x.rules, tr)
		}
		t.trackers[domain] = x
	}
	if len(t.trackers) == 0 {
		return nil, nil, fmt.Errorf("%s: tds.json has no trackers", name)
	}
	var warns []string
	if len(badRules) > 0 {
		warns = append(warns, fmt.Sprintf("%s: skipped %d tracker rules whose regular expression Go cannot compile (first: %q)", name, len(badRules), badRules[0]))
	}
	return t, warns, nil
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// Name is the file name the list was loaded from.
func (t *TDS) Name() string { return t.name }

// MatchRequest finds the tracker whose domain the request host is under,
// then applies its rules in order (the first matching rule decides) and
// falls back to the tracker's default action.
func (t *TDS) MatchRequest(rawURL, pageURL, resourceType string) (kb.Match, bool) {
	host := hostOf(rawURL)
	var x *tdsTracker
	var under string
	for h := host; h != "" && x == nil; {
		x, under = t.trackers[h], h
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	if x == nil {
		return kb.Match{}, false
	}
	page := hostOf(pageURL)
	// A tracker's own site is first party to it.
	if page != "" && capture.Site(page) == capture.Site(host) {
		return kb.Match{}, false
	}
	typ := requestType(resourceType)
	for _, r := range x.rules {
		if !r.re.MatchString(rawURL) {
			continue
		}
		if len(r.onlyOn) > 0 && !pageIn(page, r.onlyOn) {
			continue
		}
		if pageIn(page, r.exceptOn) || (typ != 0 && r.exceptType&typ != 0) || r.ignore {
			return kb.Match{}, false
		}
		return kb.Match{Vendor: x.vendor, Category: x.vendor.Category, Source: t.name + " " + under + " rule " + r.text}, true
	}
	if !x.block {
		return kb.Match{}, false
	}
	return kb.Match{Vendor: x.vendor, Category: x.vendor.Category, Source: t.name + " " + under}, true
}

func pageIn(page string, sites []string) bool {
	if page == "" {
		return false
	}
	for _, s := range sites {
		if capture.HostUnder(page, s) {
			return true
		}
	}
	return false
}
