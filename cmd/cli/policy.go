package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newPolicyCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "policy", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("policy is not built yet") }}
}
