package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newBaselineCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "baseline", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("baseline is not built yet") }}
}
