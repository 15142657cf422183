package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// newReportCmd is `trackscan report SCAN.json`: render a saved JSON report
// in another format. It reads what the scan found; it does not scan again
// or re-run the rules.
func newReportCmd(e *env) *cobra.Command {
	var format, output, failOn string
	cmd := &cobra.Command{
		Use:   "report SCAN.json",
		Short: "Render a saved JSON report as table, SARIF, JUnit, Markdown or HTML",
		Long: `Reads a report written with --format json (or - for standard input) and
writes it in another format. The findings are those saved in the file: the
scan and the rules are not run again. Screenshots named in the report are
looked up from the working directory, then beside SCAN.json.`,
		Example: `  trackscan report scan.json --format html -o report.html
  trackscan report scan.json --format sarif -o trackscan.sarif
  trackscan report scan.json --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("report needs exactly one SCAN.json (or - for standard input)")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			reporter, err := reports.ByName(format)
			if err != nil {
				return usageErr("%v", err)
			}
			failSev, ok := rules.ParseSeverity(failOn)
			if !ok {
				return usageErr("unknown --fail-on %q (want info, low, medium, high, critical or none)", failOn)
			}
			rep, err := e.readReport(args[0])
			if err != nil {
				return err
			}
			if h, ok := reporter.(reports.HTML); ok && args[0] != "-" {
				h.BaseDir = filepath.Dir(args[0])
				reporter = h
			}
			if err := e.renderReport(reporter, rep, output); err != nil {
				return err
			}
			if failSev != "" {
				for _, f := range rep.Findings {
					if f.Severity.Rank() >= failSev.Rank() {
						return ErrFindings
					}
				}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&format, "format", "f", "table", "output format: "+strings.Join(reports.Formats(), ", "))
	fs.StringVarP(&output, "output", "o", "", "write the report to this file instead of stdout")
	fs.StringVar(&failOn, "fail-on", "none", "exit 1 when a saved finding has this severity or higher: info, low, medium, high, critical, none")
	return cmd
}

// renderReport renders into memory first so that a failed render never
// leaves a truncated file behind.
func (e *env) renderReport(r reports.Reporter, rep *reports.Report, output string) error {
	if output == "" {
		return r.Report(e.stdout, rep)
	}
	var buf bytes.Buffer
	if err := r.Report(&buf, rep); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	if err := os.WriteFile(output, buf.Bytes(), 0o644); err != nil {
		return usageErr("cannot write report: %v", err)
	}
	return nil
}
