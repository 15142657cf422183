package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad multi-site inputs fail with exit 2 and one line before any browser
// starts (--browser points nowhere) and before any output is written.
func TestTargetsBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeInput(t, dir, name, content) }
	good := write("sites.txt", "https://a.example/\nhttps://b.example/\n")
	badLine := write("bad.txt", "# sites\nhttps://a.example/\nmailto:x@example.com\n")
	badCSV := write("bad.csv", "id,url\na,https://a.example/\nb\n")
	out := filepath.Join(dir, "out.jsonl")
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("TRACKSCAN_SHARDS", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"--targets", filepath.Join(dir, "none.txt")}, "none.txt: no such file"},
		{"bad line", []string{"--targets", badLine}, `bad.txt:3: not an http(s) URL: "mailto:x@example.com"`},
		{"bad csv row", []string{"--targets", badCSV}, "bad.csv:3:"},
		{"targets and URLs", []string{"--targets", good, "https://c.example/"}, "--targets and URL arguments exclude each other"},
		{"output with targets", []string{"--targets", good, "-o", filepath.Join(dir, "r.json")}, "results go to --jsonl"},
		{"shard index too big", []string{"--targets", good, "--shard", "4/4"}, "index must be from 0 to 3"},
		{"shard auto without env", []string{"--targets", good, "--shard", "auto"}, "JOB_COMPLETION_INDEX is not set"},
		{"resume to stdout", []string{"--targets", good, "--resume"}, "--resume needs a --jsonl"},
		{"zero restart-every", []string{"--targets", good, "--restart-every", "0"}, "--restart-every must be at least 1"},
		{"bad flag with targets", []string{"--targets", good, "--max-pages", "0"}, "--max-pages must be at least 1"},
		{"several browsers without targets", []string{"https://a.example/", "--browser-url", "ws://127.0.0.1:1/a", "--browser-url", "ws://127.0.0.1:2/b"}, "several --browser-url need --targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", "--browser", filepath.Join(dir, "no-chromium"), "--jsonl", out, "-q"}, tt.args...)
			if tt.name == "resume to stdout" {
				args = []string{"scan", "-q", "--targets", good, "--resume"}
			}
			code, _, stderr := runMain(args...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != ExitUsage || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, stderr, ExitUsage, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s written before the inputs were checked", out)
				os.Remove(out)
			}
		})
	}
}

func TestMergeBadInputs(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "scan.json")
	os.WriteFile(report, []byte("{\"schema\":\"trackscan/v1\",\"kind\":\"site\"}\n"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no files", nil, "merge needs the --jsonl files"},
		{"missing file", []string{filepath.Join(dir, "x.jsonl")}, "no such file"},
		{"a report, not lines", []string{report}, "scan.json:1: not a trackscan site line"},
		{"empty directory", []string{empty}, "no .jsonl file"},
		{"bad format", []string{report, "-f", "pdf"}, `--format "pdf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runMain(append([]string{"merge"}, tt.args...)...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != ExitUsage || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, stderr, ExitUsage, tt.want)
			}
		})
	}
}

func TestMergeFormat(t *testing.T) {
	for _, tt := range []struct{ format, output, want string }{
		{"", "audit.html", "html"}, {"", "a.CSV", "csv"}, {"", "a.json", "json"}, {"", "", "markdown"},
		{"md", "", "markdown"}, {"json", "audit.html", "json"},
	} {
		if got, err := mergeFormat(tt.format, tt.output); err != nil || got != tt.want {
			t.Errorf("mergeFormat(%q, %q) = %q, %v; want %q", tt.format, tt.output, got, err, tt.want)
		}
	}
}
