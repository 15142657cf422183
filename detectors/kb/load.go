package kb

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:generate go run ./internal/gen-ocd -csv ../../../shared/reference/open-cookie-database/open-cookie-database.csv -out data/ocd.json

// data holds the hand-written vendor files (data/vendors/*.yaml) and the
// facts imported from the Open Cookie Database (data/ocd.json, generated).
//
//go:embed data/vendors/*.yaml data/ocd.json
var data embed.FS

// SourceBase is the Source of every match made by the embedded base.
const SourceBase = "trackscan"

// KB is a loaded knowledge base. It is safe for concurrent use.
type KB struct {
	vendors []*Vendor
	byID    map[string]*Vendor
	hosts   map[string][]hostEntry // host or registrable domain -> claims
	anyHost pathIndex              // script patterns valid on any host
	cookies nameIndex
	storage nameIndex
	lists   []ListMatcher
	// origin records which file each vendor came from, for Check messages.
	origin map[string]string
}

// hostEntry is one vendor's claim on a host: the whole host when path is
// empty, else only the URLs whose path (and query) match the glob.
type hostEntry struct {
	v    *Vendor
	path string
}

// pathIndex holds host-less script patterns ("/mtc.js", "*/piwik.php").
// Patterns whose last segment is literal are keyed by it so a URL only meets
// the few patterns that can match its file name.
type pathIndex struct {
	byLast map[string][]hostEntry
	rest   []hostEntry
}

// nameEntry is a cookie or storage name claim.
type nameEntry struct {
	v   *Vendor
	cat Category
}

// nameIndex finds a cookie or storage key: exact names, then the longest
// matching prefix, then regular expressions.
type nameIndex struct {
	exact      map[string][]nameEntry
	prefix     map[string][]nameEntry
	prefixLens []int // distinct prefix lengths, longest first
	regexps    []regexpEntry
}

type regexpEntry struct {
	re *regexp.Regexp
	e  nameEntry
}

var (
	defaultOnce sync.Once
	defaultKB   *KB
	defaultErr  error
)

// Default returns the embedded knowledge base, loaded once. The embedded
// data is validated by the tests, so a failure here is a build defect.
func Default() *KB {
	defaultOnce.Do(func() { defaultKB, defaultErr = Load() })
	if defaultErr != nil {
		panic("trackscan: embedded vendor knowledge base is invalid: " + defaultErr.Error())
	}
	return defaultKB
}

// Load parses the embedded data files and builds the lookup indexes.
func Load() (*KB, error) {
	return loadFS(data)
}

func loadFS(fsys fs.FS) (*KB, error) {
	files, err := fs.Glob(fsys, "data/vendors/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var vendors []*Vendor
	origin := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		vs, err := decodeYAML(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, v := range vs {
			if _, dup := origin[v.ID]; dup {
				return nil, fmt.Errorf("%s: vendor id %q is defined twice (also in %s)", f, v.ID, origin[v.ID])
			}
			origin[v.ID] = path.Base(f)
		}
		vendors = append(vendors, vs...)
	}
	if b, err := fs.ReadFile(fsys, "data/ocd.json"); err == nil {
		var ocd []*Vendor
		if err := decodeJSON(b, &ocd); err != nil {
			return nil, fmt.Errorf("data/ocd.json: %w", err)
		}
		vendors = mergeOCD(vendors, ocd, origin)
	}
	return New(vendors, origin)
}

func decodeYAML(b []byte) ([]*Vendor, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, err
	}
	var vs []*Vendor
	if err := decodeJSON(j, &vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// decodeJSON rejects unknown fields so a typo in a data file is an error,
// not a silently missing fact.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// mergeOCD adds the imported cookies to the vendor they belong to, and the
// vendors the hand-written files do not have. Hand-written facts win: a
// cookie already described keeps its description.
func mergeOCD(vendors, ocd []*Vendor, origin map[string]string) []*Vendor {
	byID := make(map[string]*Vendor, len(vendors))
	for _, v := range vendors {
		byID[v.ID] = v
	}
	for _, o := range ocd {
		v := byID[o.ID]
		if v == nil {
			origin[o.ID] = "ocd.json"
			vendors = append(vendors, o)
			byID[o.ID] = o
			continue
		}
		have := map[string]bool{}
		for _, c := range v.Cookies {
			have[c.Name] = true
		}
		for _, c := range o.Cookies {
			if !have[c.Name] {
				have[c.Name] = true
				v.Cookies = append(v.Cookies, c)
			}
		}
		seen := map[string]bool{}
		for _, s := range v.Storage {
			seen[s] = true
		}
		for _, s := range o.Storage {
			if !seen[s] {
				seen[s] = true
				v.Storage = append(v.Storage, s)
			}
		}
		if v.Owner == "" {
			v.Owner = o.Owner
		}
	}
	return vendors
}

// New builds a knowledge base from vendors (used by Load and by tests that
// need a small base). origin may be nil.
func New(vendors []*Vendor, origin map[string]string) (*KB, error) {
	vs := append([]*Vendor(nil), vendors...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
	k := &KB{
		vendors: vs,
		byID:    make(map[string]*Vendor, len(vs)),
		hosts:   map[string][]hostEntry{},
		anyHost: pathIndex{byLast: map[string][]hostEntry{}},
		cookies: newNameIndex(),
		storage: newNameIndex(),
		origin:  origin,
	}
	for _, v := range vs {
		if v.ID == "" {
			return nil, fmt.Errorf("a vendor named %q has no id", v.Name)
		}
		if k.byID[v.ID] != nil {
			return nil, fmt.Errorf("vendor id %q is defined twice", v.ID)
		}
		k.byID[v.ID] = v
		if v.Category == "" && len(v.Categories) > 0 {
			v.Category = v.Categories[0]
		}
		for _, d := range v.Domains {
			h := normHost(d)
			k.hosts[h] = append(k.hosts[h], hostEntry{v: v})
		}
		for _, s := range v.Scripts {
			host, p := splitPattern(s)
			e := hostEntry{v: v, path: p}
			if host != "" {
				k.hosts[host] = append(k.hosts[host], e)
				continue
			}
			// Without a host the pattern names the end of the path: a
			// self-hosted script may live under any directory.
			if !strings.HasPrefix(p, "*") {
				e.path = "*" + p
			}
			if last := p[strings.LastIndexByte(p, '/')+1:]; last != "" && !strings.Contains(last, "*") {
				k.anyHost.byLast[last] = append(k.anyHost.byLast[last], e)
			} else {
				k.anyHost.rest = append(k.anyHost.rest, e)
			}
		}
		for _, c := range v.Cookies {
			cat := c.Category
			if cat == "" {
				cat = v.Category
			}
			if err := k.cookies.add(c.Name, nameEntry{v: v, cat: cat}); err != nil {
				return nil, fmt.Errorf("vendor %s: cookie %w", v.ID, err)
			}
		}
		for _, s := range v.Storage {
			if err := k.storage.add(s, nameEntry{v: v, cat: v.Category}); err != nil {
				return nil, fmt.Errorf("vendor %s: storage key %w", v.ID, err)
			}
		}
	}
	// Within one host, path-specific claims are tried before whole-host ones.
	for h, es := range k.hosts {
		sort.SliceStable(es, func(i, j int) bool { return es[i].path != "" && es[j].path == "" })
		k.hosts[h] = es
	}
	k.cookies.finish()
	k.storage.finish()
	return k, nil
}

// splitPattern splits a script pattern "host/path-glob" or "/path-glob".
func splitPattern(s string) (host, pathGlob string) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return normHost(s), ""
	}
	return normHost(s[:i]), s[i:]
}

func normHost(h string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), ".")), "*.")
}

func newNameIndex() nameIndex {
	return nameIndex{exact: map[string][]nameEntry{}, prefix: map[string][]nameEntry{}}
}

// add registers a name: exact, "prefix*" or "/regexp/".
func (n *nameIndex) add(name string, e nameEntry) error {
	switch {
	case len(name) > 2 && name[0] == '/' && name[len(name)-1] == '/':
		re, err := regexp.Compile(name[1 : len(name)-1])
		if err != nil {
			return fmt.Errorf("%q: %v", name, err)
		}
		n.regexps = append(n.regexps, regexpEntry{re: re, e: e})
	case strings.HasSuffix(name, "*"):
		p := strings.TrimSuffix(name, "*")
		if p == "" || strings.Contains(p, "*") {
			return fmt.Errorf("%q: only one trailing '*' is allowed, after at least one character", name)
		}
		n.prefix[p] = append(n.prefix[p], e)
	case name == "":
		return fmt.Errorf("with an empty name")
	default:
		n.exact[name] = append(n.exact[name], e)
	}
	return nil
}

func (n *nameIndex) finish() {
	lens := map[int]bool{}
	for p := range n.prefix {
		lens[len(p)] = true
	}
	n.prefixLens = n.prefixLens[:0]
	for l := range lens {
		n.prefixLens = append(n.prefixLens, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(n.prefixLens)))
}

// candidates returns the claims of the most specific level that matches
// name: exact beats the longest prefix, which beats a regexp.
func (n *nameIndex) candidates(name string) []nameEntry {
	if es := n.exact[name]; es != nil {
		return es
	}
	for _, l := range n.prefixLens {
		if l <= len(name) {
			if es := n.prefix[name[:l]]; es != nil {
				return es
			}
		}
	}
	var out []nameEntry
	for _, r := range n.regexps {
		if r.re.MatchString(name) {
			out = append(out, r.e)
		}
	}
	return out
}
