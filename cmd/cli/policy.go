package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// newPolicyCmd is `trackscan policy SOURCE...`: what a privacy policy (or a
// structured policy file) declares, with the quotes it was read from.
func newPolicyCmd(e *stdio) *cobra.Command {
	var (
		o       outputFlags
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "policy [SOURCE...]",
		Short: "Show what a privacy policy or a structured policy file declares, with quotes",
		Long: `Reads privacy policies (plain text, Markdown, HTML, or an http(s) URL) and
structured policy files (.yml/.yaml, see docs/policy.md), and lists what they
declare: each practice affirmed or denied, each vendor named, with the exact
sentence it was read from. Several sources are merged; a structured file wins
where both speak. Without SOURCE, the policy files of the config file are read.

The report goes through the same output path as scan and email: --format, -o,
--config, --baseline, --ignore and --fail-on apply. A policy alone observes
nothing, so no rule has a finding and --fail-on never trips; an unreadable
source exits 2.`,
		Example: `  trackscan policy privacy.html
  trackscan policy https://staging.example.com/privacy --format json
  trackscan policy trackscan-policy.yml privacy.md -f markdown -o policy.md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := o.Config(); err != nil {
				return err
			}
			sources := args
			if len(sources) == 0 {
				sources = o.policies // from the config file
			}
			if len(sources) == 0 {
				return usageErr("policy needs at least one SOURCE (file or URL), or policy: in the config file")
			}
			o.policies = nil // read here; emit must not read them again
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, timeout)
				defer cancel()
			}
			p, err := policy.Load(ctx, sources...)
			if err != nil {
				if errors.Is(err, policy.ErrUnreadable) {
					return usageErr("%s", oneLine(err))
				}
				return err
			}
			rep := &reports.Report{
				Schema:   reports.Schema,
				Kind:     reports.KindPolicy,
				Target:   strings.Join(sources, ", "),
				Tool:     reports.Tool{Name: "trackscan", Version: Version},
				Policy:   p,
				Findings: []rules.Finding{},
			}
			o.table = func(w io.Writer, rep *reports.Report) error { return writePolicyTable(w, rep.Policy) }
			return e.emit(rep, &o, nil)
		},
	}
	fs := cmd.Flags()
	o.register(fs)
	// The sources are the arguments; --policy is kept for the config file's
	// policy: list but not advertised.
	_ = fs.MarkHidden("policy")
	fs.DurationVar(&timeout, "timeout", policy.FetchTimeout, "time limit for fetching URL sources")
	return cmd
}

// quoteWidth keeps table rows readable; JSON has the whole quote.
const quoteWidth = 110

func writePolicyTable(w io.Writer, p *policy.Policy) error {
	fmt.Fprintf(w, "Policy: %s\n\n", p.Source)
	if len(p.Declarations) == 0 {
		fmt.Fprintln(w, "No declarations about tracking found.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PRACTICE\tPOLARITY\tVENDOR\tLINE\tQUOTE")
		for _, d := range p.Declarations {
			vendor := d.Vendor
			if vendor == "" {
				vendor = d.Owner
			}
			if d.Role != "" {
				vendor += " (" + d.Role + ")"
			}
			pol := string(d.Polarity)
			if d.Scope != "" {
				pol += " (" + d.Scope + ")"
			}
			line := ""
			if d.Line > 0 {
				line = fmt.Sprint(d.Line)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Practice, pol, dash(vendor), dash(line), shorten(d.Quote, quoteWidth))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(p.Cookies) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "COOKIE\tCATEGORY\tLIFETIME\tDAYS")
		for _, c := range p.Cookies {
			days := "unknown"
			switch {
			case c.Days < 0:
				days = "session"
			case c.Days > 0:
				days = fmt.Sprintf("%g", c.Days)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, dash(c.Category), dash(c.Lifetime), days)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	s := p.Summary()
	fmt.Fprintf(w, "\n%d declarations, %d practices, %d vendors named, %d cookies declared\n",
		len(p.Declarations), len(s), len(p.Vendors()), len(p.Cookies))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shorten cuts s to at most n runes on a word boundary, marking the cut.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
