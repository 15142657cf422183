package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newDemoCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "demo", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("demo is not built yet") }}
}
