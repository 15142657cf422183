// Package cli is the trackscan command line: one cobra command per file,
// listed explicitly in commands below.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/trackscan/trackscan/crawler/scan"
)

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

// Sentinel errors, mapped to exit codes by exitCode.
var (
	// ErrUsage: bad flags, arguments or configuration (exit 2).
	ErrUsage = errors.New("usage error")
	// ErrIncomplete: a page or file could not be scanned; what was
	// collected was still written (exit 3).
	ErrIncomplete = scan.ErrIncomplete
	// ErrFindings: findings at or above --fail-on (exit 1).
	ErrFindings = errors.New("findings at or above the --fail-on severity")
)

// Exit codes.
const (
	ExitOK         = 0
	ExitFindings   = 1
	ExitUsage      = 2
	ExitIncomplete = 3
)

func exitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrUsage):
		return ExitUsage
	case errors.Is(err, ErrIncomplete):
		return ExitIncomplete
	case errors.Is(err, ErrFindings):
		return ExitFindings
	}
	return ExitUsage
}

// usageErr wraps a message as a usage error.
func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// stdio is the standard streams every command uses instead of the process
// globals, so the tests can drive the CLI in-process.
type stdio struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commands is the registry of subcommands.
var commands = []func(*stdio) *cobra.Command{
	newScanCmd,
	newDemoCmd,
	newEmailCmd,
	newPolicyCmd,
	newVendorsCmd,
	newRulesCmd,
	newReportCmd,
	newDiffCmd,
	newBaselineCmd,
	newMergeCmd,
}

// Main runs the CLI and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// A reader that goes away (trackscan ... | head -1) makes writes to
	// stdout fail with EPIPE, handled like any write error; without a
	// Notify, Go would die of the signal and skip every cleanup.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	e := &stdio{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "trackscan",
		Short:         "Find the gap between what a site or email does and what its privacy policy says",
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr("%v", err) })
	for _, mk := range commands {
		root.AddCommand(mk(e))
	}
	root.SetArgs(args)
	err := root.Execute()
	if err != nil && !errors.Is(err, ErrFindings) {
		fmt.Fprintln(stderr, "trackscan:", oneLine(err))
	}
	if err != nil && !isKnown(err) {
		// cobra's own errors (unknown command, bad args) are usage errors.
		return ExitUsage
	}
	return exitCode(err)
}

func isKnown(err error) bool {
	return errors.Is(err, ErrUsage) || errors.Is(err, ErrIncomplete) || errors.Is(err, ErrFindings)
}

// oneLine keeps error output to one line whatever an error wraps.
func oneLine(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// now is when a capture starts or ends, in UTC to the second: evidence an
// auditor dates. A variable so that tests can fix it.
var now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
