package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newVendorsCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "vendors", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("vendors is not built yet") }}
}
