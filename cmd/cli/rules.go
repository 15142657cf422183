package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newRulesCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "rules", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("rules is not built yet") }}
}
