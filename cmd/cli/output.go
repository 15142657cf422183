package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// outputFlags are the flags every scanning command shares: where and how to
// write the report, the policy to compare with, and what makes the run fail.
// scan and email only call register, Config (for targets and consent
// selectors) and emit.
type outputFlags struct {
	format   string
	output   string
	failOn   string
	policies []string
	baseline string
	ignore   string
	config   string

	fs       *pflag.FlagSet
	resolved *Config // set by Config
	failSev  rules.Severity
	noFail   bool

	// scanDefaults says the config file's format and output apply: they
	// describe the scan's report, so only scan takes them; report, email and
	// policy writing into the scan's file would overwrite it.
	scanDefaults bool

	// table, when set, renders the table format in place of reports' table
	// (the policy command's shows vendor roles and declaration scopes).
	table func(io.Writer, *reports.Report) error
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	o.fs = fs
	fs.StringVarP(&o.format, "format", "f", "table", "output format: "+strings.Join(reports.Formats(), ", "))
	fs.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of stdout")
	fs.StringVar(&o.failOn, "fail-on", "none", "exit 1 when a finding has this severity or higher: info, low, medium, high, critical, none")
	fs.StringArrayVar(&o.policies, "policy", nil, "privacy policy to compare with: file, URL or structured YAML (repeatable)")
	fs.StringVar(&o.baseline, "baseline", "", "report only findings whose fingerprint is not in this baseline (from trackscan baseline)")
	fs.StringVar(&o.ignore, "ignore", "", "ignore file with reasons and expiry dates (default "+defaultIgnoreFile+" when present)")
	fs.StringVar(&o.config, "config", "", "project config file (default "+defaultConfigFile+" when present)")
}

// changed reports whether the user set a flag on the command line.
func (o *outputFlags) changed(name string) bool {
	return o.fs != nil && o.fs.Changed(name)
}

// Config reads the config file (if any), fills in every flag the user did
// not set from it, checks the values and returns it. Commands call it
// before their work so that a bad flag or file fails before a long scan;
// emit calls it too. It returns an empty Config when there is no file.
func (o *outputFlags) Config() (*Config, error) {
	if o.resolved != nil {
		return o.resolved, nil
	}
	cfg := &Config{}
	path := o.config
	if path == "" && fileExists(defaultConfigFile) {
		path = defaultConfigFile
	}
	if path != "" {
		c, err := loadConfig(path)
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	if o.scanDefaults && !o.changed("format") && cfg.Format != "" {
		o.format = cfg.Format
	}
	if o.scanDefaults && !o.changed("output") && cfg.Output != "" {
		o.output = cfg.rel(cfg.Output)
	}
	if !o.changed("fail-on") && cfg.FailOn != "" {
		o.failOn = cfg.FailOn
	}
	if !o.changed("policy") && len(cfg.Policy) > 0 {
		o.policies = o.policies[:0]
		for _, p := range cfg.Policy {
			o.policies = append(o.policies, cfg.rel(p))
		}
	}
	if !o.changed("baseline") && cfg.Baseline != "" {
		o.baseline = cfg.rel(cfg.Baseline)
	}
	if !o.changed("ignore") {
		switch {
		case cfg.Ignore != "":
			o.ignore = cfg.rel(cfg.Ignore)
		case fileExists(defaultIgnoreFile):
			o.ignore = defaultIgnoreFile
		}
	}
	sev, ok := rules.ParseSeverity(o.failOn)
	if !ok {
		return nil, usageErr("--fail-on: unknown severity %q (want info, low, medium, high, critical or none)", o.failOn)
	}
	o.failSev, o.noFail = sev, sev == ""
	if _, err := reports.ByName(o.format); err != nil {
		return nil, usageErr("--format: %v", err)
	}
	if err := checkWritable(o.output); err != nil {
		return nil, err
	}
	o.resolved = cfg
	return cfg, nil
}

// checkWritable fails early when the report could not be written, so that
// a long scan is not lost to a typo in -o.
func checkWritable(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErr("--output %s is a directory", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".trackscan-write-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usageErr("--output: cannot write in %s: %s", dir, oneLine(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// loadPolicy reads and merges the policies given: rules/policy.Load behind
// a variable so tests can stand in for files and a network.
var loadPolicy = policy.Load

// policyTimeout bounds fetching and parsing the policies.
const policyTimeout = 2 * time.Minute

// vendorInfo gives the rules the knowledge-base entry of a vendor, for the
// aliases a policy may use.
func vendorInfo(id string) *kb.Vendor { return kb.Default().Vendor(id) }

// loadPolicyInto reads the --policy sources, if any, into rep.
func (o *outputFlags) loadPolicyInto(rep *reports.Report) error {
	if len(o.policies) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), policyTimeout)
	defer cancel()
	p, err := loadPolicy(ctx, o.policies...)
	if err != nil {
		return usageErr("policy: %s", oneLine(err))
	}
	rep.Policy = p
	return nil
}

// emit completes a report (rules, baseline, ignore file), writes it and
// returns ErrFindings when --fail-on is reached. incomplete is the error of
// the scan itself, returned after the report is written so that what was
// collected is never lost.
func (e *stdio) emit(rep *reports.Report, o *outputFlags, incomplete error) error {
	if _, err := o.Config(); err != nil {
		return err
	}
	if err := o.loadPolicyInto(rep); err != nil {
		return err
	}
	res := rules.Evaluate(inputOf(rep))
	rep.Vendors = res.Vendors
	rep.Findings = res.Findings
	if rep.Findings == nil {
		rep.Findings = []rules.Finding{}
	}
	if err := e.suppress(rep, o); err != nil {
		return err
	}
	if err := e.render(rep, o); err != nil {
		return err
	}
	if incomplete != nil {
		return incomplete
	}
	if !o.noFail {
		for _, f := range rep.Findings {
			if f.Severity.Rank() >= o.failSev.Rank() {
				return fmt.Errorf("%w: %s", ErrFindings, f.Rule)
			}
		}
	}
	return nil
}

// inputOf turns a report into what the rules read.
func inputOf(rep *reports.Report) rules.Input {
	in := rules.Input{Kind: rep.Kind, Target: rep.Target, Vendors: rep.Vendors, Cookies: rep.Cookies, Storage: rep.Storage,
		Detections: rep.Detections, Emails: rep.Emails, Policy: rep.Policy, VendorInfo: vendorInfo}
	for _, p := range rep.Pages {
		in.Pages = append(in.Pages, rules.PageInfo{URL: p.URL, Phase: p.Phase, Consent: p.Consent})
	}
	return in
}

// suppress drops findings the baseline already holds and those the ignore
// file covers, counting them in rep.Suppressed and warning about stale
// ignore entries on stderr.
func (e *stdio) suppress(rep *reports.Report, o *outputFlags) error {
	if o.baseline != "" {
		known, err := readBaselineFingerprints(o.baseline)
		if err != nil {
			return err
		}
		kept := rep.Findings[:0]
		for _, f := range rep.Findings {
			if known[f.Fingerprint] {
				rep.Suppressed++
				rep.SuppressedFingerprints = append(rep.SuppressedFingerprints, f.Fingerprint)
				continue
			}
			kept = append(kept, f)
		}
		rep.Findings = kept
		slices.Sort(rep.SuppressedFingerprints)
		rep.SuppressedFingerprints = slices.Compact(rep.SuppressedFingerprints)
	}
	if o.ignore != "" {
		ig, err := loadIgnore(o.ignore)
		if err != nil {
			return err
		}
		kept, dropped, warnings := ig.apply(rep.Findings)
		if kept == nil {
			kept = []rules.Finding{}
		}
		rep.Findings, rep.Suppressed = kept, rep.Suppressed+dropped
		for _, w := range warnings {
			fmt.Fprintln(e.stderr, "trackscan: warning:", w)
		}
	}
	return nil
}

// readBaselineFingerprints reads a baseline file, or a saved JSON report
// whose findings then serve as the baseline.
func readBaselineFingerprints(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr("baseline: %v", err)
	}
	var doc struct {
		Schema   string `json:"schema"`
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, usageErr("baseline %s: not JSON: %v", path, err)
	}
	if doc.Schema != BaselineSchema && doc.Schema != reports.Schema {
		return nil, usageErr("baseline %s: schema %q is neither %q nor a %q report", path, doc.Schema, BaselineSchema, reports.Schema)
	}
	known := map[string]bool{}
	for _, f := range doc.Findings {
		if f.Fingerprint != "" {
			known[f.Fingerprint] = true
		}
	}
	return known, nil
}

// render writes the report in the chosen format to -o or stdout.
func (e *stdio) render(rep *reports.Report, o *outputFlags) (err error) {
	r, err := reports.ByName(o.format)
	if err != nil {
		return usageErr("--format: %v", err)
	}
	var w io.Writer = e.stdout
	if o.output != "" && o.output != "-" {
		f, err := os.Create(o.output)
		if err != nil {
			return usageErr("cannot write report: %v", err)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("writing %s: %w", o.output, cerr)
			}
		}()
		w = f
	}
	if o.format == "table" && o.table != nil {
		return o.table(w, rep)
	}
	if err := r.Report(w, rep); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}
