package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeInput writes an input file for a test and returns its path.
func writeInput(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Bad scan inputs fail with exit 2 and one line before any browser starts:
// --browser points nowhere, so an error that came later would name the
// browser instead.
func TestScanBadInputsBeforeBrowser(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeInput(t, dir, name, content) }
	text := write("hostname", "buildhost\n")
	tds := write("tds.json", `{"trackers": {"t.example": {"owner": "Tracker Corp", "rules": [{"rule": "t"}]}}}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"text as tracker db", []string{"--tracker-db", text}, "hostname: not a tds.json or services.json"},
		{"malformed tds.json", []string{"--tracker-db", tds}, `tds.json: not a tds.json: line 1: "trackers.owner" is a string, want an object`},
		{"bad include, one page", []string{"--include", "["}, `--include "["`},
		{"bad exclude, one page", []string{"--exclude", "a(b"}, `--exclude "a(b"`},
		{"bad include, crawl", []string{"--include", "[", "--max-pages", "5"}, `--include "["`},
		{"negative max pages", []string{"--max-pages", "-1"}, "--max-pages must be at least 1, got -1"},
		{"zero max pages", []string{"--max-pages", "0"}, "--max-pages must be at least 1, got 0"},
		{"zero timeout", []string{"--timeout", "0"}, "--timeout must be positive, got 0s"},
		{"negative timeout", []string{"--timeout", "-5s"}, "--timeout must be positive, got -5s"},
		{"negative depth", []string{"--depth", "-1"}, "--depth must not be negative, got -1"},
		{"zero concurrency", []string{"--concurrency", "0"}, "--concurrency must be at least 1"},
		{"bad resolve rules", []string{"--resolve", "FROB x"}, "--resolve:"},
		{"bad forms value", []string{"--forms=post"}, `--forms takes fill or submit, not "post"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", "http://shop.example/", "--browser", filepath.Join(dir, "no-chromium"), "-q"}, tt.args...)
			code, _, stderr := runMain(args...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != ExitUsage || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, stderr, ExitUsage, tt.want)
			}
			if len(lines[0]) > 200 {
				t.Errorf("error line too long (%d): %q", len(lines[0]), lines[0])
			}
		})
	}
}

// --forms stands alone (fill) or takes a value, with = or, for submit, a
// space (the word is taken back from the targets).
func TestFormsValue(t *testing.T) {
	tests := []struct {
		flag     string
		args     []string
		want     string
		wantArgs string
	}{
		{"", []string{"https://a.example/"}, "", "https://a.example/"},
		{"fill", []string{"https://a.example/"}, "fill", "https://a.example/"},
		{"fill", []string{"https://a.example/", "submit"}, "submit", "https://a.example/"},
		{"fill", []string{"submit", "https://a.example/"}, "submit", "https://a.example/"},
		{"submit", []string{"https://a.example/"}, "submit", "https://a.example/"},
		{"", []string{"submit"}, "", "submit"}, // without --forms the word is a target (and fails as one)
	}
	for _, tt := range tests {
		f := scanFlags{forms: tt.flag}
		args := f.formsValue(tt.args)
		if f.forms != tt.want || strings.Join(args, " ") != tt.wantArgs {
			t.Errorf("--forms %q %v: got %q %v, want %q %s", tt.flag, tt.args, f.forms, args, tt.want, tt.wantArgs)
		}
	}
}
