package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newReportCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "report", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("report is not built yet") }}
}
