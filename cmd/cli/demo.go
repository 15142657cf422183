package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/rules/policy"
)

func newDemoCmd(e *stdio) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Serve the bundled demo shop on loopback and scan it (no network needed)",
		Long: `demo starts a small shop and stand-ins for real tracker hosts (Google Analytics,
Meta, YouTube, X, Hotjar, a fingerprinting CDN) on 127.0.0.1, maps their real
hostnames there with Chromium's host-resolver-rules, and runs a full scan with
the shop's own privacy policy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			site := demosite.Start()
			defer site.Close()
			f.resolve = append(f.resolve, site.ResolveRules())
			f.insecure = true
			if len(f.out.policies) == 0 {
				// The shop's own privacy policy, so the demo shows the gap,
				// read from its URL at the demo server: the report names
				// the same source on every run.
				saved := policy.HTTPClient
				policy.HTTPClient = site.Client()
				defer func() { policy.HTTPClient = saved }()
				f.out.policies = []string{demosite.PolicyURL}
			}
			if !f.quiet {
				fmt.Fprintf(e.stderr, "demo shop at %s (served from %s)\n", demosite.StartURL, site.HTTP.URL)
			}
			return e.scan(cmd.Context(), []string{demosite.StartURL}, &f)
		},
	}
	f.register(cmd)
	cmd.Flags().Lookup("max-pages").DefValue = "5"
	_ = cmd.Flags().Set("max-pages", "5")
	return cmd
}
