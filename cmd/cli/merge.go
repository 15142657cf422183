package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/reports/audit"
)

func newMergeCmd(e *stdio) *cobra.Command {
	var format, output, siteReports string
	cmd := &cobra.Command{
		Use:   "merge FILE|DIR...",
		Short: "Fold the site lines of scan --targets runs (shards) into one audit: a row per site, vendors across sites, rule counts",
		Example: `  trackscan merge out/*.jsonl -o audit.html
  trackscan merge out/ -f csv -o audit.csv
  trackscan merge out/ -o audit.html --site-reports sites/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("merge needs the --jsonl files (or directories) of scan --targets runs")
			}
			f, err := mergeFormat(format, output)
			if err != nil {
				return err
			}
			if err := checkWritable(output); err != nil {
				return err
			}
			files, err := lineFiles(args)
			if err != nil {
				return err
			}
			var lines []audit.Line
			for _, name := range files {
				raw, err := os.ReadFile(name)
				if err != nil {
					return usageErr("%v", err)
				}
				ls, _, truncated, err := audit.ReadLines(bytes.NewReader(raw), name)
				if err != nil {
					return usageErr("%v", err)
				}
				if truncated {
					fmt.Fprintf(e.stderr, "trackscan: warning: %s: last line cut short (a killed run); left out, rerun that shard with --resume\n", name)
				}
				lines = append(lines, ls...)
			}
			a, err := audit.Merge(lines)
			if err != nil {
				return usageErr("%v", err)
			}
			for _, w := range a.Warnings {
				fmt.Fprintln(e.stderr, "trackscan: warning:", w)
			}
			if siteReports != "" {
				if err := writeSiteReports(a, siteReports, output); err != nil {
					return err
				}
			}
			w := e.stdout
			if output != "" && output != "-" {
				file, err := os.Create(output)
				if err != nil {
					return usageErr("cannot write the audit: %v", err)
				}
				defer file.Close()
				w = file
			}
			if err := audit.Render(w, a, f); err != nil {
				return fmt.Errorf("writing the audit: %w", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&format, "format", "f", "", "audit format: "+strings.Join(audit.Formats, ", ")+" (default: from the -o extension, else markdown)")
	fs.StringVarP(&output, "output", "o", "", "write the audit to this file instead of stdout")
	fs.StringVar(&siteReports, "site-reports", "", "also write each site's own HTML report into this directory; the audit links to them")
	return cmd
}

// mergeFormat is -f, else the format the -o extension names, else markdown.
func mergeFormat(format, output string) (string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(output)) {
		case ".html", ".htm":
			format = "html"
		case ".csv":
			format = "csv"
		case ".json":
			format = "json"
		default:
			format = "markdown"
		}
	}
	if format == "md" {
		format = "markdown"
	}
	if !slices.Contains(audit.Formats, format) {
		return "", usageErr("--format %q: want %s", format, strings.Join(audit.Formats, ", "))
	}
	return format, nil
}

// lineFiles expands directories into their *.jsonl files, sorted.
func lineFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(filepath.Join(a, "*.jsonl"))
		if err != nil {
			return nil, usageErr("%v", err)
		}
		if len(m) == 0 {
			return nil, usageErr("%s: no .jsonl file in the directory", a)
		}
		slices.Sort(m)
		out = append(out, m...)
	}
	return out, nil
}

// writeSiteReports renders each site's report as HTML into dir and links
// the audit's rows to them, relative to where the audit is written.
func writeSiteReports(a *audit.Audit, dir, output string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErr("--site-reports: %v", err)
	}
	base := "."
	if output != "" && output != "-" {
		base = filepath.Dir(output)
	}
	html, err := reports.ByName("html")
	if err != nil {
		return err
	}
	links := map[string]string{}
	for id, rep := range a.SiteReports() {
		name := filepath.Join(dir, audit.ReportFileName(id, "html"))
		var buf bytes.Buffer
		if err := html.Report(&buf, rep); err != nil {
			return fmt.Errorf("site %s: %w", id, err)
		}
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			return usageErr("--site-reports: %v", err)
		}
		rel, err := filepath.Rel(base, name)
		if err != nil {
			rel = name
		}
		links[id] = filepath.ToSlash(rel)
	}
	a.SetReportLinks(links)
	return nil
}
