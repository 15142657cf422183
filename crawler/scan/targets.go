package scan

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
)

// Site is one unit of a multi-site audit: its own crawl, consent passes and
// policy, and one line of output.
type Site struct {
	// ID names the site in the output and the merged audit: the id column
	// of a CSV list, else the URL as written.
	ID string `json:"id"`
	// URL is where the crawl starts.
	URL string `json:"url"`
	// Policy, when set, is the site's privacy policy (a file or URL, as
	// --policy takes), from the policy column of a CSV list.
	Policy string `json:"policy,omitempty"`
	// Line is where the site is in the targets file (1-based).
	Line int `json:"-"`
}

// Domain is the registrable domain of the site's URL: what a shard hashes.
func (s Site) Domain() string { return capture.SiteOfURL(s.URL) }

// ErrTargets: the targets file cannot be read or has a bad line.
var ErrTargets = errors.New("bad targets file")

// maxTargetsBytes bounds what ReadTargets accepts (a million sites fit).
const maxTargetsBytes = 256 << 20

// ReadTargets reads a targets file: one URL per line with # comments and
// blank lines, or a CSV whose first line is a header naming at least the
// id and url columns (a policy column is optional). A line that is a bare
// host ("example.com") means https://example.com/. Every error names the
// line and wraps ErrTargets.
func ReadTargets(r io.Reader, name string) ([]Site, error) {
	br := bufio.NewReader(io.LimitReader(r, maxTargetsBytes))
	first, err := firstContentLine(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTargets, name, err)
	}
	var sites []Site
	if isCSVHeader(first.text) {
		sites, err = readCSVTargets(br, first, name)
	} else {
		sites, err = readLineTargets(br, first, name)
	}
	if err != nil {
		return nil, err
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("%w: %s: no site in the file", ErrTargets, name)
	}
	seen := map[string]int{}
	for _, s := range sites {
		if prev, dup := seen[s.ID]; dup {
			return nil, fmt.Errorf("%w: %s:%d: site %q is already on line %d", ErrTargets, name, s.Line, s.ID, prev)
		}
		seen[s.ID] = s.Line
	}
	return sites, nil
}

// ReadTargetsFile is ReadTargets on a file.
func ReadTargetsFile(path string) ([]Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTargets, err)
	}
	defer f.Close()
	return ReadTargets(f, path)
}

type numberedLine struct {
	text string
	no   int
}

// firstContentLine skips blank and comment lines; text is "" at the end.
func firstContentLine(br *bufio.Reader) (numberedLine, error) {
	for no := 1; ; no++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return numberedLine{}, err
		}
		t := strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if t != "" && !strings.HasPrefix(t, "#") {
			return numberedLine{text: t, no: no}, nil
		}
		if errors.Is(err, io.EOF) {
			return numberedLine{}, nil
		}
	}
}

func isCSVHeader(line string) bool {
	cols := strings.Split(strings.ToLower(line), ",")
	has := map[string]bool{}
	for _, c := range cols {
		has[strings.TrimSpace(strings.Trim(strings.TrimSpace(c), `"`))] = true
	}
	return has["id"] && has["url"]
}

func readLineTargets(br *bufio.Reader, first numberedLine, name string) ([]Site, error) {
	var sites []Site
	add := func(text string, no int) error {
		if text == "" || strings.HasPrefix(text, "#") {
			return nil
		}
		// A trailing comment after the URL.
		if i := strings.Index(text, " #"); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		u, err := siteURL(text)
		if err != nil {
			return fmt.Errorf("%w: %s:%d: %v", ErrTargets, name, no, err)
		}
		sites = append(sites, Site{ID: text, URL: u, Line: no})
		return nil
	}
	if first.text == "" {
		return nil, nil
	}
	if err := add(first.text, first.no); err != nil {
		return nil, err
	}
	for no := first.no + 1; ; no++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrTargets, name, no, err)
		}
		if aerr := add(strings.TrimSpace(line), no); aerr != nil {
			return nil, aerr
		}
		if errors.Is(err, io.EOF) {
			return sites, nil
		}
	}
}

func readCSVTargets(br *bufio.Reader, header numberedLine, name string) ([]Site, error) {
	cols := map[string]int{}
	hr := csv.NewReader(strings.NewReader(header.text))
	names, err := hr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s:%d: header: %v", ErrTargets, name, header.no, err)
	}
	for i, n := range names {
		cols[strings.ToLower(strings.TrimSpace(n))] = i
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = len(names)
	cr.TrimLeadingSpace = true
	var sites []Site
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return sites, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%w: %s:%d: %v", ErrTargets, name, header.no+pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("%w: %s: %v", ErrTargets, name, err)
		}
		line, _ := cr.FieldPos(0)
		no := header.no + line
		id := strings.TrimSpace(rec[cols["id"]])
		raw := strings.TrimSpace(rec[cols["url"]])
		if id == "" {
			return nil, fmt.Errorf("%w: %s:%d: empty id", ErrTargets, name, no)
		}
		u, err := siteURL(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrTargets, name, no, err)
		}
		s := Site{ID: id, URL: u, Line: no}
		if i, ok := cols["policy"]; ok {
			s.Policy = strings.TrimSpace(rec[i])
		}
		sites = append(sites, s)
	}
}

// siteURL checks a target; a bare host gets https:// and a slash.
func siteURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") && !strings.ContainsAny(raw, " /\t:@") && strings.Contains(raw, ".") {
		raw = "https://" + raw + "/"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("not an http(s) URL: %q", raw)
	}
	return raw, nil
}

// Shard is this process's share of a site list: sites whose registrable
// domain hashes to Index modulo Count. Shards are numbered from 0, as
// Kubernetes numbers the pods of an Indexed Job.
type Shard struct {
	Index, Count int
}

// All is the whole list, one shard.
var All = Shard{Index: 0, Count: 1}

// ShardsEnv names the environment variable --shard auto reads the shard
// count from; the index is Kubernetes' JOB_COMPLETION_INDEX.
const ShardsEnv = "TRACKSCAN_SHARDS"

// IndexEnv is the variable Kubernetes sets in each pod of an Indexed Job.
const IndexEnv = "JOB_COMPLETION_INDEX"

// ParseShard reads "i/N" (0 <= i < N), or "auto", which takes i from
// JOB_COMPLETION_INDEX and N from TRACKSCAN_SHARDS through getenv.
func ParseShard(s string, getenv func(string) string) (Shard, error) {
	if s == "" {
		return All, nil
	}
	if s == "auto" {
		idx, count := getenv(IndexEnv), getenv(ShardsEnv)
		switch {
		case idx == "":
			return Shard{}, fmt.Errorf("--shard auto: %s is not set (it is set in the pods of a Kubernetes Indexed Job)", IndexEnv)
		case count == "":
			return Shard{}, fmt.Errorf("--shard auto: %s is not set (set it to the Job's completions)", ShardsEnv)
		}
		sh, err := parseShardPair(idx, count)
		if err != nil {
			return Shard{}, fmt.Errorf("--shard auto (%s=%q, %s=%q): %v", IndexEnv, idx, ShardsEnv, count, err)
		}
		return sh, nil
	}
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("--shard wants i/N (e.g. 0/4) or auto, got %q", s)
	}
	sh, err := parseShardPair(i, n)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %s: %v", s, err)
	}
	return sh, nil
}

func parseShardPair(i, n string) (Shard, error) {
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	switch {
	case err1 != nil || err2 != nil:
		return Shard{}, errors.New("index and count must be whole numbers")
	case count < 1:
		return Shard{}, errors.New("count must be at least 1")
	case idx < 0 || idx >= count:
		return Shard{}, fmt.Errorf("index must be from 0 to %d (shards are numbered from 0)", count-1)
	}
	return Shard{Index: idx, Count: count}, nil
}

// String is "i/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Has says whether the site falls in this shard: FNV-1a of its
// registrable domain modulo Count, so every page of one site, and every
// entry of one domain, lands in the same shard whatever the list order.
func (s Shard) Has(site Site) bool {
	if s.Count <= 1 {
		return true
	}
	return shardOf(site.Domain(), s.Count) == s.Index
}

func shardOf(domain string, count int) int {
	h := fnv.New32a()
	h.Write([]byte(domain))
	return int(h.Sum32() % uint32(count))
}

// Select is the sites of the shard, in list order.
func (s Shard) Select(sites []Site) []Site {
	var out []Site
	for _, site := range sites {
		if s.Has(site) {
			out = append(out, site)
		}
	}
	return out
}

// FileName is the deterministic name of the shard's output in a --jsonl
// directory: shard-03-of-16.jsonl.
func (s Shard) FileName() string {
	width := len(strconv.Itoa(s.Count - 1))
	return fmt.Sprintf("shard-%0*d-of-%d.jsonl", width, s.Index, s.Count)
}
