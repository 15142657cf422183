package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newDiffCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "diff", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("diff is not built yet") }}
}
