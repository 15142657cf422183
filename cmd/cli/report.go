package cli

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// newReportCmd is `trackscan report SCAN.json`: render a saved JSON report
// in another format, and re-judge it against a newer policy, baseline or
// ignore file without scanning again.
func newReportCmd(e *stdio) *cobra.Command {
	var o outputFlags
	cmd := &cobra.Command{
		Use:   "report SCAN.json",
		Short: "Render a saved JSON report as table, SARIF, JUnit, Markdown or HTML, optionally re-judged",
		Long: `Reads a report written with --format json (or - for standard input) and
writes it in another format. Nothing is scanned again.

Without a policy the findings are those saved in the file. With --policy (or
a config file that names one) the rules run again over the saved
observations against that policy, so an auditor can judge an old scan
against a newer policy; findings a baseline suppressed at scan time come
back unless --baseline is given again. --baseline and the ignore file then
drop known findings, and --fail-on sets the exit code as for scan.
Screenshots named in the report are looked up from the working directory,
then beside SCAN.json.`,
		Example: `  trackscan report scan.json --format html -o report.html
  trackscan report scan.json --format sarif -o trackscan.sarif
  trackscan report scan.json --policy privacy-2026.html --baseline trackscan-baseline.json --fail-on high
  trackscan report scan.json --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("report needs exactly one SCAN.json (or - for standard input)")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if _, err := o.Config(); err != nil {
				return err
			}
			reporter, err := reports.ByName(o.format)
			if err != nil {
				return usageErr("%v", err)
			}
			if sameFile(args[0], o.output) {
				return usageErr("--output %s is the report being read; write elsewhere", o.output)
			}
			rep, err := e.readReport(args[0])
			if err != nil {
				return err
			}
			if err := e.rejudge(rep, &o); err != nil {
				return err
			}
			if h, ok := reporter.(reports.HTML); ok {
				if args[0] != "-" {
					h.BaseDir = filepath.Dir(args[0])
				}
				h.Warn = e.stderr
				reporter = h
			}
			if err := e.renderReport(reporter, rep, o.output); err != nil {
				return err
			}
			if !o.noFail {
				for _, f := range rep.Findings {
					if f.Severity.Rank() >= o.failSev.Rank() {
						return fmt.Errorf("%w: %s", ErrFindings, f.Rule)
					}
				}
			}
			return nil
		},
	}
	o.register(cmd.Flags())
	return cmd
}

// rejudge runs the rules again over a saved report when a policy is given,
// then applies the baseline and the ignore file.
func (e *stdio) rejudge(rep *reports.Report, o *outputFlags) error {
	if len(o.policies) > 0 {
		if err := o.loadPolicyInto(rep); err != nil {
			return err
		}
		res := rules.Evaluate(inputOf(rep))
		rep.Vendors, rep.Findings, rep.Suppressed, rep.SuppressedFingerprints = res.Vendors, res.Findings, 0, nil
		if rep.Findings == nil {
			rep.Findings = []rules.Finding{}
		}
	}
	return e.suppress(rep, o)
}

// renderReport writes into a temporary file beside output and renames it
// into place once the render succeeded: a failed render never leaves a
// truncated file behind, and a large report is never held a second time in
// memory as its rendering.
func (e *stdio) renderReport(r reports.Reporter, rep *reports.Report, output string) error {
	if output == "" {
		return r.Report(e.stdout, rep)
	}
	if st, err := os.Stat(output); err == nil {
		if !st.Mode().IsRegular() {
			return e.renderInPlace(r, rep, output) // /dev/null, a pipe: never replaced
		}
		if real, err := filepath.EvalSymlinks(output); err == nil {
			output = real // write through a symlink, as before
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".tmp-*")
	if err != nil {
		return usageErr("cannot write report: %v", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := r.Report(bw, rep); err != nil {
		tmp.Close()
		return fmt.Errorf("render report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return usageErr("cannot write report: %v", err)
	}
	if err := tmp.Close(); err != nil {
		return usageErr("cannot write report: %v", err)
	}
	// CreateTemp makes the file 0600; a report is as readable as before.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return usageErr("cannot write report: %v", err)
	}
	if err := os.Rename(tmp.Name(), output); err != nil {
		return usageErr("cannot write report: %v", err)
	}
	return nil
}

// renderInPlace writes to output directly, for outputs a rename cannot
// replace.
func (e *stdio) renderInPlace(r reports.Reporter, rep *reports.Report, output string) error {
	f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return usageErr("cannot write report: %v", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := r.Report(bw, rep); err != nil {
		f.Close()
		return fmt.Errorf("render report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return usageErr("cannot write report: %v", err)
	}
	if err := f.Close(); err != nil {
		return usageErr("cannot write report: %v", err)
	}
	return nil
}

// sameFile says whether two paths name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" || a == "-" || b == "-" {
		return false
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
