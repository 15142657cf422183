package cli

import "github.com/spf13/cobra"

// TODO(owner of this command): replace this placeholder.
func newEmailCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "email", Short: "not built yet", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usageErr("email is not built yet") }}
}
