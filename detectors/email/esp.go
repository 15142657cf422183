package email

import (
	_ "embed"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/trackscan/trackscan/detectors/kb"
)

//go:embed esps.yaml
var espsYAML []byte

// ESP is one email service provider's tracking signature (esps.yaml).
type ESP struct {
	ID      string       `yaml:"id"`
	Name    string       `yaml:"name"`
	Domains []string     `yaml:"domains"`
	Open    []URLPattern `yaml:"open"`
	Click   []URLPattern `yaml:"click"`
	Track   []URLPattern `yaml:"track"`
	Params  []string     `yaml:"params"`
	Headers []string     `yaml:"headers"`
	Samples Samples      `yaml:"samples"`
}

// URLPattern matches a URL by host glob and path?query regexp.
type URLPattern struct {
	Host string `yaml:"host"`
	Path string `yaml:"path"`
	re   *regexp.Regexp
	host globMatcher
}

// Samples are the URLs and headers the data test checks.
type Samples struct {
	Open    []string `yaml:"open"`
	Click   []string `yaml:"click"`
	Not     []string `yaml:"not"`
	Headers []string `yaml:"headers"`
}

// Kinds of ESP URL match.
const (
	matchOpen  = "open"
	matchClick = "click"
	matchTrack = "track" // tracking host: the element decides
)

// DisplayName is the knowledge-base name of the ESP, else its own.
func (e *ESP) DisplayName() string {
	if v := kb.Default().Vendor(e.ID); v != nil && v.Name != "" {
		return v.Name
	}
	if e.Name != "" {
		return e.Name
	}
	return e.ID
}

type espRule struct {
	esp  *ESP
	kind string
	p    *URLPattern
}

// ESPSet is a compiled list of ESPs.
type ESPSet struct {
	ESPs []*ESP
	// hosted rules are tried before host-less ones, so that a provider's own
	// tracking host wins over a generic path that another provider shares.
	hosted, anyHost []espRule
	domains         []domainRule
}

type domainRule struct {
	esp   *ESP
	match globMatcher
}

var defaultESPs = mustLoadESPs(espsYAML)

// DefaultESPs returns the embedded ESP data.
func DefaultESPs() *ESPSet { return defaultESPs }

func mustLoadESPs(data []byte) *ESPSet {
	s, err := LoadESPs(data)
	if err != nil {
		panic("embedded esps.yaml: " + err.Error())
	}
	return s
}

// LoadESPs parses and compiles ESP data.
func LoadESPs(data []byte) (*ESPSet, error) {
	var list []*ESP
	if err := yaml.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	s := &ESPSet{ESPs: list}
	seen := map[string]bool{}
	for _, e := range list {
		if e.ID == "" || seen[e.ID] {
			return nil, fmt.Errorf("ESP id %q empty or repeated", e.ID)
		}
		seen[e.ID] = true
		for _, d := range e.Domains {
			s.domains = append(s.domains, domainRule{e, compileGlob("*." + d)})
		}
		for _, g := range []struct {
			kind string
			ps   []URLPattern
		}{{matchOpen, e.Open}, {matchClick, e.Click}, {matchTrack, e.Track}} {
			for i := range g.ps {
				p := &g.ps[i]
				if p.Host == "" && p.Path == "" {
					return nil, fmt.Errorf("ESP %s: empty %s pattern", e.ID, g.kind)
				}
				if p.Path != "" {
					re, err := regexp.Compile(p.Path)
					if err != nil {
						return nil, fmt.Errorf("ESP %s: %v", e.ID, err)
					}
					p.re = re
				}
				if p.Host != "" {
					p.host = compileGlob(p.Host)
				}
				r := espRule{esp: e, kind: g.kind, p: p}
				if p.Host != "" {
					s.hosted = append(s.hosted, r)
				} else {
					s.anyHost = append(s.anyHost, r)
				}
			}
		}
	}
	return s, nil
}

// ByID returns the ESP with this id, or nil.
func (s *ESPSet) ByID(id string) *ESP {
	for _, e := range s.ESPs {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// MatchURL names the ESP and the kind (open, click, track) of a URL.
func (s *ESPSet) MatchURL(u *url.URL) (*ESP, string) {
	host := strings.ToLower(u.Hostname())
	pq := u.EscapedPath()
	if u.RawQuery != "" {
		pq += "?" + u.RawQuery
	}
	for _, r := range s.hosted {
		if r.p.host(host) && (r.p.re == nil || r.p.re.MatchString(pq)) {
			return r.esp, r.kind
		}
	}
	for _, r := range s.anyHost {
		if r.p.re.MatchString(pq) {
			return r.esp, r.kind
		}
	}
	return nil, ""
}

// Owner returns the ESP that owns a host's domain, or nil.
func (s *ESPSet) Owner(host string) *ESP {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range s.domains {
		if d.match(host) {
			return d.esp
		}
	}
	return nil
}

// MatchHeader names the ESP a header identifies: "Name" patterns need the
// header present, "Name: text" need text in its value.
func (s *ESPSet) MatchHeader(name, value string) *ESP {
	for _, e := range s.ESPs {
		for _, h := range e.Headers {
			hn, hv, hasValue := strings.Cut(h, ":")
			if !strings.EqualFold(strings.TrimSpace(hn), name) {
				continue
			}
			if !hasValue || containsFold(value, strings.TrimSpace(hv)) {
				return e
			}
		}
	}
	return nil
}

// globMatcher is a host glob compiled to the cheapest test.
type globMatcher func(host string) bool

func compileGlob(glob string) globMatcher {
	glob = strings.ToLower(glob)
	star := strings.Count(glob, "*")
	switch {
	case star == 0:
		return func(h string) bool { return h == glob }
	case star == 1 && strings.HasPrefix(glob, "*."):
		suffix := glob[1:]
		return func(h string) bool { return strings.HasSuffix(h, suffix) || h == suffix[1:] }
	case star == 1 && strings.HasSuffix(glob, "*"):
		prefix := glob[:len(glob)-1]
		return func(h string) bool { return strings.HasPrefix(h, prefix) }
	}
	return func(h string) bool { return hostGlob(glob, h) }
}

// hostGlob matches a host against a glob where "*" is any run of
// characters and a leading "*." also matches the bare domain.
func hostGlob(glob, host string) bool {
	if ok, _ := path.Match(glob, host); ok {
		return true
	}
	if rest, ok := strings.CutPrefix(glob, "*."); ok {
		ok, _ := path.Match(rest, host)
		return ok
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
