package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"github.com/trackscan/trackscan/reports"
)

// outputFlags are the flags every scanning command shares: where and how to
// write the report, and what makes the run fail.
// OWNER: the rules/reports work extends this (policy, baseline, ignore,
// config, every format); scan and email only call register and emit.
type outputFlags struct {
	format string
	output string
	failOn string
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&o.format, "format", "f", "table", "output format: table, json")
	fs.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of stdout")
	fs.StringVar(&o.failOn, "fail-on", "none", "exit 1 when a finding has this severity or higher: info, low, medium, high, critical, none")
}

// emit completes a report (rules, baseline, ignore file), writes it and
// returns ErrFindings when --fail-on is reached. incomplete is the error of
// the scan itself, returned after the report is written so that what was
// collected is never lost.
func (e *env) emit(rep *reports.Report, o *outputFlags, incomplete error) error {
	var w io.Writer = e.stdout
	if o.output != "" {
		f, err := os.Create(o.output)
		if err != nil {
			return usageErr("cannot write report: %v", err)
		}
		defer f.Close()
		w = f
	}
	switch o.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	default:
		fmt.Fprintf(w, "%d vendors, %d cookies, %d findings\n", len(rep.Vendors), len(rep.Cookies), len(rep.Findings))
	}
	return incomplete
}
