package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/reports"
)

func newBaselineCmd(e *stdio) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "baseline SCAN.json",
		Short: "Write the fingerprints of a saved scan's findings, to pass later as --baseline",
		Long: `Write the fingerprints of a saved scan's findings. A later scan run with
--baseline FILE reports only findings whose fingerprint is not in FILE.`,
		Example: `  trackscan scan https://staging.example.com/ --format json -o scan.json
  trackscan baseline scan.json -o trackscan-baseline.json
  trackscan scan https://staging.example.com/ --baseline trackscan-baseline.json --fail-on high`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("baseline needs one saved JSON report (trackscan scan --format json -o scan.json)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := e.readReport(args[0])
			if err != nil {
				return err
			}
			b := newBaseline(rep.Target, rep.Findings)
			var w io.Writer = e.stdout
			if output != "" && output != "-" {
				f, err := os.Create(output)
				if err != nil {
					return usageErr("cannot write baseline: %v", err)
				}
				defer f.Close()
				w = f
			}
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			if err := enc.Encode(b); err != nil {
				return err
			}
			if output != "" && output != "-" {
				fmt.Fprintf(e.stderr, "trackscan: %d findings written to %s\n", len(b.Findings), output)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the baseline to this file instead of stdout")
	return cmd
}

// readReport reads a report saved with --format json; "-" is stdin.
func (e *stdio) readReport(path string) (*reports.Report, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		defer f.Close()
		r = f
	}
	rep, err := reports.ReadJSON(r)
	if err != nil {
		return nil, usageErr("%s: %v", path, err)
	}
	return rep, nil
}
