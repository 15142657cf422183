package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
	source "github.com/trackscan/trackscan/crawler/email"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/detectors"
	emailscan "github.com/trackscan/trackscan/detectors/email"
	"github.com/trackscan/trackscan/reports"
)

// emailRenderFlags drive --render: one Chromium for all emails, a fresh
// browser context per email.
type emailRenderFlags struct {
	render      bool
	browserPath string
	resolve     []string
	insecure    bool
	timeout     time.Duration
}

// newEmailCmd scans emails statically and, with --render, in Chromium.
func newEmailCmd(e *stdio) *cobra.Command {
	var (
		out        outputFlags
		recipients []string
		firstParty []string
		compare    bool
		maxSizeMB  int
		rf         emailRenderFlags
	)
	cmd := &cobra.Command{
		Use:   "email [flags] FILE|DIR|- ...",
		Short: "Find open pixels, click tracking, CSS trackers and leaks of the recipient's address in emails",
		Long: `Scan .eml, .html/.htm and .mbox files (directories recursively, - for stdin)
for open pixels, click tracking, CSS trackers, third-party content and leaks
of the recipient's address, and name the email service provider.

Without --recipient, the address in the To: header is searched for.
With --compare, the two files are copies of one campaign sent to two
recipients: URLs that differ between them are recipient-specific.
With --render, each email is also shown in Chromium as a mail client that
loads remote images shows it (JavaScript off): every request and cookie is
recorded, trackers the HTML holds are confirmed or not, and what only
loads when rendered (imported style sheets, redirects) is added.`,
		Example: `  trackscan email newsletter.eml
  trackscan email --render newsletter.eml
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
			if !rf.render && (rf.browserPath != "" || len(rf.resolve) > 0 || rf.insecure) {
				return usageErr("--browser, --resolve and --insecure only apply with --render")
			}
			if _, err := resolve.Parse(strings.Join(rf.resolve, ", ")); err != nil {
				return usageErr("--resolve: %v", err)
			}
			if rf.timeout <= 0 {
				return usageErr("--timeout must be positive")
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
			if rf.render {
				ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
				defer stop()
				b, err := browser.Launch(ctx, browser.Options{ExecPath: rf.browserPath,
					ResolveRules: strings.Join(rf.resolve, ", "), Insecure: rf.insecure, PageTimeout: rf.timeout})
				if err != nil {
					return usageErr("--render: %v", err)
				}
				defer b.Close()
				opt.Render = func(m *source.Message) (*capture.Page, error) { return b.Render(ctx, m.File, m.HTML) }
			}
			started := now()
			var emails []detectors.Email
			if compare {
				emails, err = e.compareEmails(files, opt)
				if err != nil {
					return err
				}
			} else {
				emails = emailscan.ScanFiles(files, e.stdin, opt)
			}
			rep := reports.NewEmail(strings.Join(args, " "), emails, started, now(), reports.Tool{Name: "trackscan", Version: Version})
			var incomplete error
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
	fs.BoolVar(&rf.render, "render", false, "also show each email in Chromium (JavaScript off, remote images on) and record what it loads")
	fs.StringVar(&rf.browserPath, "browser", "", "Chromium executable for --render (default: chromium on PATH)")
	fs.StringArrayVar(&rf.resolve, "resolve", nil, `host resolver rules for --render, e.g. "MAP *:443 127.0.0.1:8443, MAP * 127.0.0.1:8080" (repeatable)`)
	fs.BoolVar(&rf.insecure, "insecure", false, "ignore TLS certificate errors when rendering")
	fs.DurationVar(&rf.timeout, "timeout", 30*time.Second, "time budget to render one email")
	out.register(fs)
	return cmd
}

// compareEmails loads exactly one message from each of two files and
// marks what differs between them.
func (e *stdio) compareEmails(files []string, opt emailscan.ScanOptions) ([]detectors.Email, error) {
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
	var pages [2]*capture.Page
	var renderErrs [2]error
	if opt.Render != nil {
		for i, m := range msgs {
			if strings.TrimSpace(m.HTML) != "" {
				pages[i], renderErrs[i] = opt.Render(m)
			}
		}
	}
	out := make([]detectors.Email, 2)
	out[0], out[1] = emailscan.CompareRendered(msgs[0], msgs[1], pages[0], pages[1], opt.Options)
	for i := range out {
		var parts []string
		if errs[i] != nil {
			parts = append(parts, errs[i].Error())
		}
		if renderErrs[i] != nil {
			parts = append(parts, "render: "+renderErrs[i].Error())
		}
		out[i].Error = strings.Join(parts, "; ")
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
