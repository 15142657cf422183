package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/rules"
)

func newRulesCmd(e *stdio) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the compliance rules: id, severity, whether a policy is needed, title",
		Example: `  trackscan rules
  trackscan rules --format json
  trackscan rules --format markdown > docs/rules.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table":
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tPOLICY\tTITLE")
				for _, r := range rules.Rules() {
					needs := "-"
					if r.NeedsPolicy {
						needs = "needed"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, needs, r.Title)
				}
				return tw.Flush()
			case "json":
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rules.Rules())
			case "markdown":
				return rules.WriteMarkdown(e.stdout)
			}
			return usageErr("--format: want table, json or markdown, not %q", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table, json or markdown")
	return cmd
}
