package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	source "github.com/trackscan/trackscan/crawler/email"
	"github.com/trackscan/trackscan/detectors"
	emailscan "github.com/trackscan/trackscan/detectors/email"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// newEmailCmd scans emails statically. Rendering in Chromium (--render:
// JavaScript off, remote images on, every request recorded, --resolve to
// loopback) is not here yet: it needs crawler/browser, which the lead owns.
func newEmailCmd(e *env) *cobra.Command {
	var (
		out        outputFlags
		recipients []string
		firstParty []string
		compare    bool
		maxSizeMB  int
	)
	cmd := &cobra.Command{
		Use:   "email [flags] FILE|DIR|- ...",
		Short: "Find open pixels, click tracking, CSS trackers and leaks of the recipient's address in emails",
		Long: `Scan .eml, .html/.htm and .mbox files (directories recursively, - for stdin)
for open pixels, click tracking, CSS trackers, third-party content and leaks
of the recipient's address, and name the email service provider.

Without --recipient, the address in the To: header is searched for.
With --compare, the two files are copies of one campaign sent to two
recipients: URLs that differ between them are recipient-specific.`,
		Example: `  trackscan email newsletter.eml
  trackscan email templates/ --recipient jane@example.com --format json
  trackscan email --compare copy-for-alice.eml copy-for-bob.eml
  cat template.html | trackscan email -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("give at least one email file, a directory, or - for stdin")
			}
			if _, err := out.Config(); err != nil { // bad flags fail before the scan
				return err
			}
			if compare && len(args) != 2 {
				return usageErr("--compare needs exactly two files, got %d", len(args))
			}
			if n := countDash(args); n > 1 {
				return usageErr("- (stdin) may be given only once")
			}
			for _, r := range recipients {
				if !strings.Contains(r, "@") {
					return usageErr("--recipient %q is not an email address", r)
				}
			}
			if maxSizeMB <= 0 {
				return usageErr("--max-size must be positive")
			}
			opt := emailscan.ScanOptions{
				Options: emailscan.Options{Recipients: recipients, FirstParty: firstParty},
				Load:    source.Options{MaxSize: int64(maxSizeMB) << 20},
			}
			files, err := source.Files(args)
			if err != nil {
				return usageErr("%v", err)
			}
			if len(files) == 0 {
				return usageErr("no .eml, .html, .htm or .mbox file under %s", strings.Join(args, ", "))
			}
			var emails []detectors.Email
			if compare {
				emails, err = e.compareEmails(files, opt)
				if err != nil {
					return err
				}
			} else {
				emails = emailscan.ScanFiles(files, e.stdin, opt)
			}
			rep := &reports.Report{Schema: reports.Schema, Kind: "email", Target: strings.Join(args, " "),
				Tool: reports.Tool{Name: "trackscan", Version: Version}, Emails: emails,
				Findings: []rules.Finding{}}
			var incomplete error
			for _, em := range emails {
				if em.Error != "" {
					rep.Errors = append(rep.Errors, em.File+": "+em.Error)
				}
			}
			if n := len(rep.Errors); n > 0 {
				incomplete = fmt.Errorf("%w: %d of %d emails could not be read completely (first: %s)",
					ErrIncomplete, n, len(emails), rep.Errors[0])
			}
			return e.emit(rep, &out, incomplete)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&recipients, "recipient", nil, "recipient address to search for in URLs (repeatable; default: the To: address)")
	fs.StringArrayVar(&firstParty, "first-party", nil, "sender domain to treat as first party (repeatable; default: From, DKIM d=, Return-Path)")
	fs.BoolVar(&compare, "compare", false, "compare two copies of one campaign sent to two recipients")
	fs.IntVar(&maxSizeMB, "max-size", source.DefaultMaxSize>>20, "largest input file to read, in MB")
	out.register(fs)
	return cmd
}

// compareEmails loads exactly one message from each of two files and
// marks what differs between them.
func (e *env) compareEmails(files []string, opt emailscan.ScanOptions) ([]detectors.Email, error) {
	if len(files) != 2 {
		return nil, usageErr("--compare needs two files, not directories")
	}
	var msgs [2]*source.Message
	var errs [2]error
	for i, f := range files {
		rs := source.ReadFile(f, e.stdin, opt.Load)
		if len(rs) != 1 {
			return nil, usageErr("--compare needs single messages; %s holds %d", f, len(rs))
		}
		if rs[0].Msg == nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrIncomplete, f, rs[0].Err)
		}
		msgs[i], errs[i] = rs[0].Msg, rs[0].Err
	}
	out := make([]detectors.Email, 2)
	out[0], out[1] = emailscan.Compare(msgs[0], msgs[1], opt.Options)
	for i, err := range errs {
		if err != nil {
			out[i].Error = err.Error()
		}
	}
	return out, nil
}

func countDash(args []string) int {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	return n
}
