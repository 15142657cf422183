package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/trackscan/trackscan/rules"
)

// Default file names looked up in the working directory.
const (
	defaultConfigFile = ".trackscan.yml"
	defaultIgnoreFile = ".trackscanignore.yml"
)

// Config is the project file .trackscan.yml. Command-line flags win over it.
type Config struct {
	Targets  []string         `yaml:"targets"`
	Policy   stringList       `yaml:"policy"` // files or URLs; one string or a list
	Consent  ConsentSelectors `yaml:"consent"`
	FailOn   string           `yaml:"fail_on"`
	Ignore   string           `yaml:"ignore"`
	Baseline string           `yaml:"baseline"`
	Format   string           `yaml:"format"`
	Output   string           `yaml:"output"`
	// path is the file it was read from; relative paths in it are relative to its directory.
	path string
}

// ConsentSelectors are a site's own banner buttons (CSS selectors), for
// sites whose banner no built-in rule recognises.
type ConsentSelectors struct {
	Reject string `yaml:"reject"`
	Accept string `yaml:"accept"`
}

// stringList accepts "a" as well as [a, b].
type stringList []string

func (s *stringList) UnmarshalYAML(unmarshal func(any) error) error {
	var list []string
	if err := unmarshal(&list); err == nil {
		*s = list
		return nil
	}
	var one string
	if err := unmarshal(&one); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*s = stringList{one}
	return nil
}

// loadConfig reads a config file; errors carry file:line:col.
func loadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr("config: %v", err)
	}
	c := &Config{path: path}
	if err := yaml.UnmarshalWithOptions(b, c, yaml.Strict()); err != nil {
		return nil, yamlErr(path, err)
	}
	if c.FailOn != "" {
		if _, ok := rules.ParseSeverity(c.FailOn); !ok {
			return nil, usageErr("%s: fail_on: unknown severity %q (want info, low, medium, high, critical or none)", path, c.FailOn)
		}
	}
	return c, nil
}

// yamlErr turns a YAML error into a one-line "file:line:col: message".
func yamlErr(path string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return usageErr("%s:%d:%d: %s", path, tk.Position.Line, tk.Position.Column, ye.GetMessage())
		}
		return usageErr("%s: %s", path, ye.GetMessage())
	}
	return usageErr("%s: %s", path, oneLine(err))
}

// rel resolves a path written in the config file against its directory;
// URLs and absolute paths are kept.
func (c *Config) rel(p string) string {
	if p == "" || c == nil || c.path == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(filepath.Dir(c.path), p)
}

// fileExists reports whether a regular file exists at path.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// IgnoreEntry suppresses findings by fingerprint, or by rule (and vendor).
type IgnoreEntry struct {
	Fingerprint rawString `yaml:"fingerprint"`
	Rule        string    `yaml:"rule"`
	Vendor      string    `yaml:"vendor"`
	Reason      string    `yaml:"reason"`
	Expires     string    `yaml:"expires"` // YYYY-MM-DD, the last day it applies

	expires time.Time
	used    int
}

// rawString keeps a scalar as written: an all-digit fingerprint such as
// 0012345678901234 must not become the number 12345678901234.
type rawString string

func (s *rawString) UnmarshalYAML(n ast.Node) error {
	switch n.Type() {
	case ast.MappingType, ast.SequenceType:
		return errors.New("want a single value")
	case ast.NullType:
		*s = ""
		return nil
	}
	if tk := n.GetToken(); tk != nil {
		*s = rawString(tk.Value)
	}
	return nil
}

// ignoreFile is the ignore file: a list of entries, or {ignore: [...]}.
type ignoreFile struct {
	path    string
	entries []*IgnoreEntry
}

// timeNow is the clock ignore-file expiry is judged by; tests replace it.
var timeNow = time.Now

func loadIgnore(path string) (*ignoreFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr("ignore file: %v", err)
	}
	var entries []*IgnoreEntry
	if err := yaml.UnmarshalWithOptions(b, &entries, yaml.Strict()); err != nil {
		var wrapped struct {
			Ignore []*IgnoreEntry `yaml:"ignore"`
		}
		if err2 := yaml.UnmarshalWithOptions(b, &wrapped, yaml.Strict()); err2 != nil {
			return nil, yamlErr(path, err)
		}
		entries = wrapped.Ignore
	}
	for i, e := range entries {
		if e == nil {
			return nil, usageErr("%s: entry %d is empty", path, i+1)
		}
		switch {
		case e.Fingerprint == "" && e.Rule == "":
			return nil, usageErr("%s: entry %d needs a fingerprint or a rule", path, i+1)
		case strings.TrimSpace(e.Reason) == "":
			return nil, usageErr("%s: entry %d needs a reason", path, i+1)
		}
		if e.Rule != "" {
			if _, ok := rules.Lookup(e.Rule); !ok {
				return nil, usageErr("%s: entry %d: unknown rule %q (see trackscan rules)", path, i+1, e.Rule)
			}
		}
		if e.Expires != "" {
			t, err := time.Parse(time.DateOnly, e.Expires)
			if err != nil {
				return nil, usageErr("%s: entry %d: expires %q is not a YYYY-MM-DD date", path, i+1, e.Expires)
			}
			e.expires = t
		}
	}
	return &ignoreFile{path: path, entries: entries}, nil
}

func (e *IgnoreEntry) matches(f rules.Finding) bool {
	if e.Fingerprint != "" {
		return string(e.Fingerprint) == f.Fingerprint
	}
	return e.Rule == f.Rule && (e.Vendor == "" || e.Vendor == f.Vendor)
}

func (e *IgnoreEntry) expired(now time.Time) bool {
	if e.expires.IsZero() {
		return false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return today.After(e.expires)
}

func (e *IgnoreEntry) String() string {
	if e.Fingerprint != "" {
		return "fingerprint " + string(e.Fingerprint)
	}
	if e.Vendor != "" {
		return "rule " + e.Rule + " vendor " + e.Vendor
	}
	return "rule " + e.Rule
}

// apply drops the findings a live entry matches and returns the rest, the
// number dropped, and warnings for expired and unused entries.
func (ig *ignoreFile) apply(fs []rules.Finding) (kept []rules.Finding, dropped int, warnings []string) {
	now := timeNow()
	for _, f := range fs {
		hit := false
		for _, e := range ig.entries {
			if e.matches(f) && !e.expired(now) {
				e.used++
				hit = true
			}
		}
		if hit {
			dropped++
			continue
		}
		kept = append(kept, f)
	}
	for i, e := range ig.entries {
		switch {
		case e.expired(now):
			warnings = append(warnings, fmt.Sprintf("%s: entry %d (%s) expired on %s; its findings are reported again", ig.path, i+1, e, e.Expires))
		case e.used == 0:
			warnings = append(warnings, fmt.Sprintf("%s: entry %d (%s) matched no finding; remove it if the problem is fixed", ig.path, i+1, e))
		}
	}
	return kept, dropped, warnings
}

// Baseline is the file trackscan baseline writes: the fingerprints of the
// findings accepted so far, with rule, vendor and target for humans.
type Baseline struct {
	Schema   string          `json:"schema"`
	Target   string          `json:"target,omitempty"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Vendor      string `json:"vendor,omitempty"`
	Subject     string `json:"subject,omitempty"`
	Target      string `json:"target"`
}

// BaselineSchema identifies a baseline file.
const BaselineSchema = "trackscan-baseline/v1"

// newBaseline lists the findings of a report, sorted by fingerprint.
func newBaseline(target string, fs []rules.Finding) *Baseline {
	b := &Baseline{Schema: BaselineSchema, Target: target, Findings: []BaselineEntry{}}
	for _, f := range fs {
		b.Findings = append(b.Findings, BaselineEntry{Fingerprint: f.Fingerprint, Rule: f.Rule, Vendor: f.Vendor, Subject: f.Subject, Target: f.Target})
	}
	slices.SortFunc(b.Findings, func(a, b BaselineEntry) int { return strings.Compare(a.Fingerprint, b.Fingerprint) })
	b.Findings = slices.CompactFunc(b.Findings, func(a, b BaselineEntry) bool { return a.Fingerprint == b.Fingerprint })
	return b
}
