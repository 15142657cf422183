package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newScanCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "scan", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("scan is not built yet") }}
}
