package filterlist

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"

	"github.com/trackscan/trackscan/detectors/kb"
)

// Disconnect is a Disconnect services.json: categories of entities, each
// entity with its home page and the domains it uses.
type Disconnect struct {
	name  string
	hosts map[string]*kb.Vendor
}

// disconnectCategories maps Disconnect's categories to trackscan's; a
// domain listed twice keeps the first category in this order.
var disconnectCategories = []struct {
	name string
	cat  kb.Category
}{
	{"FingerprintingInvasive", kb.Fingerprinting}, {"FingerprintingGeneral", kb.Fingerprinting},
	{"Cryptomining", kb.Unknown},
	{"EmailAggressive", kb.EmailTracking}, {"Email", kb.EmailTracking},
	{"Advertising", kb.Advertising}, {"Analytics", kb.Analytics}, {"Social", kb.Social},
	{"Disconnect", kb.Advertising}, {"ConsentManagers", kb.ConsentManagement},
	{"Anti-fraud", kb.Essential}, {"Content", kb.Functional},
}

// ParseDisconnect parses a services.json.
func ParseDisconnect(name string, b []byte) (*Disconnect, error) {
	var f struct {
		Categories map[string][]map[string]map[string]json.RawMessage `json:"categories"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: not a Disconnect services.json: %s", name, jsonProblem(b, err))
	}
	d := &Disconnect{name: name, hosts: map[string]*kb.Vendor{}}
	// Known categories in priority order, then any others by name.
	order := make([]string, 0, len(f.Categories))
	known := map[string]kb.Category{}
	for _, c := range disconnectCategories {
		known[c.name] = c.cat
		if _, ok := f.Categories[c.name]; ok {
			order = append(order, c.name)
		}
	}
	var others []string
	for c := range f.Categories {
		if _, ok := known[c]; !ok {
			others = append(others, c)
		}
	}
	sort.Strings(others)
	order = append(order, others...)
	for _, cname := range order {
		cat, ok := known[cname]
		if !ok {
			cat = kb.Unknown
		}
		for _, ent := range f.Categories[cname] {
			names := slices.Sorted(maps.Keys(ent))
			for _, entity := range names {
				v := &kb.Vendor{ID: slug(entity), Name: entity, Owner: entity, Category: cat}
				sites := ent[entity]
				keys := slices.Sorted(maps.Keys(sites))
				for _, home := range keys {
					var domains []string
					if json.Unmarshal(sites[home], &domains) != nil {
						continue // flags such as "performance": "true"
					}
					for _, dom := range domains {
						dom = strings.ToLower(strings.TrimSpace(dom))
						if dom == "" {
							continue
						}
						v.Domains = append(v.Domains, dom)
						if _, taken := d.hosts[dom]; !taken {
							d.hosts[dom] = v
						}
					}
				}
			}
		}
	}
	if len(d.hosts) == 0 {
		return nil, fmt.Errorf("%s: services.json lists no domains", name)
	}
	return d, nil
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Name is the file name the list was loaded from.
func (d *Disconnect) Name() string { return d.name }

// MatchRequest attributes a third-party request whose host is under a
// listed domain to the entity that lists it.
func (d *Disconnect) MatchRequest(rawURL, pageURL, resourceType string) (kb.Match, bool) {
	host := hostOf(rawURL)
	if page := hostOf(pageURL); page != "" && capture.Site(page) == capture.Site(host) {
		return kb.Match{}, false
	}
	for h := host; h != ""; {
		if v := d.hosts[h]; v != nil {
			return kb.Match{Vendor: v, Category: v.Category, Source: d.name + " " + h}, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return kb.Match{}, false
}
