package email

import (
	_ "embed"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/trackscan/trackscan/detectors/kb"
)

//go:embed esps.yaml
var espsYAML []byte

// ESP is one email service provider's tracking signature (esps.yaml): a
// platform that builds messages, or a sending infrastructure, or both.
type ESP struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Infrastructure marks a sending service (SendGrid, Amazon SES, ...):
	// named as the delivery, and as the platform only when nothing else
	// built the message.
	Infrastructure  bool         `yaml:"infrastructure"`
	Names           []string     `yaml:"names"`
	Domains         []string     `yaml:"domains"`
	Open            []URLPattern `yaml:"open"`
	Click           []URLPattern `yaml:"click"`
	Track           []URLPattern `yaml:"track"`
	Params          []string     `yaml:"params"`
	Headers         []string     `yaml:"headers"`
	DeliveryHeaders []string     `yaml:"delivery_headers"`
	Samples         Samples      `yaml:"samples"`
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
	Headers []string `yaml:"headers"`
	Hosts   []string `yaml:"hosts"` // hosts whose domain this ESP owns
	// Not: a URL must match no ESP pattern; a bare host must not be owned
	// by this ESP.
	Not []string `yaml:"not"`
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
	names           []espName
}

// espName is an ESP's name or id squeezed to lower-case letters and digits.
type espName struct {
	esp  *ESP
	name string
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
		for _, n := range append([]string{squeeze(e.Name), squeeze(e.ID)}, squeezeAll(e.Names)...) {
			if len(n) >= 5 && !slices.ContainsFunc(s.names, func(x espName) bool { return x.esp == e && x.name == n }) {
				s.names = append(s.names, espName{e, n})
			}
		}
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

// MatchHeader names the platform a header identifies: "Name" patterns need
// the header present, "Name: text" need text in its value.
func (s *ESPSet) MatchHeader(name, value string) *ESP {
	return s.matchHeader(name, value, func(e *ESP) []string { return e.Headers })
}

// MatchDeliveryHeader names the sending infrastructure a header identifies.
func (s *ESPSet) MatchDeliveryHeader(name, value string) *ESP {
	return s.matchHeader(name, value, func(e *ESP) []string { return e.DeliveryHeaders })
}

func (s *ESPSet) matchHeader(name, value string, patterns func(*ESP) []string) *ESP {
	for _, e := range s.ESPs {
		for _, h := range patterns(e) {
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

// ByName finds the ESP whose name or id a header value such as X-Mailer
// ("MailChimp Mailer", "Roving Constant Contact") or the sender id of a
// Feedback-ID contains, ignoring case, spaces and punctuation.
func (s *ESPSet) ByName(value string) *ESP {
	return s.byName(value, func(*ESP) bool { return true })
}

func (s *ESPSet) byName(value string, keep func(*ESP) bool) *ESP {
	v := squeeze(value)
	if v == "" {
		return nil
	}
	for _, n := range s.names {
		if keep(n.esp) && strings.Contains(v, n.name) {
			return n.esp
		}
	}
	return nil
}

func squeezeAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = squeeze(n)
	}
	return out
}

func squeeze(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// globMatcher is a host glob compiled to plain string tests ("*" is any run
// of characters; a leading "*." also matches the bare domain). Hosts are
// matched once per URL against every pattern, so path.Match was a third of
// a scan's CPU.
type globMatcher func(host string) bool

func compileGlob(glob string) globMatcher {
	glob = strings.ToLower(glob)
	m := starMatcher(glob)
	if bare, ok := strings.CutPrefix(glob, "*."); ok {
		mb := starMatcher(bare)
		return func(h string) bool { return m(h) || mb(h) }
	}
	return m
}

func starMatcher(glob string) globMatcher {
	parts := strings.Split(glob, "*")
	if len(parts) == 1 {
		return func(h string) bool { return h == glob }
	}
	first, last, mid := parts[0], parts[len(parts)-1], parts[1:len(parts)-1]
	return func(h string) bool {
		if len(h) < len(first)+len(last) || !strings.HasPrefix(h, first) || !strings.HasSuffix(h, last) {
			return false
		}
		rest := h[len(first) : len(h)-len(last)]
		for _, p := range mid {
			i := strings.Index(rest, p)
			if i < 0 {
				return false
			}
			rest = rest[i+len(p):]
		}
		return true
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
