package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runVendors(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"vendors"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestVendorsCheckPasses(t *testing.T) {
	out, errOut, code := runVendors(t, "--check")
	if code != ExitOK || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want ok", code, out, errOut)
	}
	if !strings.Contains(out, "email platforms") {
		t.Errorf("the check does not cover the email platforms: %q", out)
	}
}

func TestVendorsLookupJSON(t *testing.T) {
	out, _, code := runVendors(t, "--lookup", "static.hotjar.com", "--lookup", "_hjSessionUser_123",
		"--lookup", "https://connect.facebook.net/en_US/fbevents.js", "--lookup", "__cf_bm",
		"--lookup", "unknown.invalid", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var got []lookupResult
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	want := []lookupResult{
		{"static.hotjar.com", "hotjar", "Hotjar", "Contentsquare", "session-replay", "trackscan"},
		{"_hjSessionUser_123", "hotjar", "Hotjar", "Contentsquare", "session-replay", "trackscan"},
		{"https://connect.facebook.net/en_US/fbevents.js", "facebook", "Facebook", "Meta", "advertising", "trackscan"},
		{"__cf_bm", "cloudflare", "Cloudflare", "Cloudflare", "essential", "trackscan"},
		{"unknown.invalid", "", "", "", "unknown", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, field := range []string{`"input"`, `"vendor"`, `"name"`, `"owner"`, `"category"`, `"source"`} {
		if !strings.Contains(out, field) {
			t.Errorf("JSON lacks field %s", field)
		}
	}
}

func TestVendorsLookupWithFilterList(t *testing.T) {
	list := filepath.Join(t.TempDir(), "easyprivacy.txt")
	if err := os.WriteFile(list, []byte("||pixel.unknown-tracker.example^\n||x.example^$popup\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tds := filepath.Join(t.TempDir(), "tds.json")
	if err := os.WriteFile(tds, []byte(`{"trackers":{"db-tracker.example":{"owner":{"name":"DB Corp","displayName":"DB"},"categories":["Advertising"],"default":"block"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVendors(t, "--filter-list", list, "--tracker-db", tds, "--lookup", "pixel.unknown-tracker.example",
		"--lookup", "static.hotjar.com", "--lookup", "https://x.db-tracker.example/a.js")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "easyprivacy.txt:1 ||pixel.unknown-tracker.example^") {
		t.Errorf("list match not shown with its rule:\n%s", out)
	}
	if !strings.Contains(errOut, "skipped 1 rules") {
		t.Errorf("stderr lacks the unsupported-option warning: %q", errOut)
	}
	if !strings.Contains(out, "tds.json db-tracker.example") || !strings.Contains(out, "DB Corp") {
		t.Errorf("tracker-db match not shown:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "hotjar") || !strings.HasSuffix(strings.TrimSpace(lines[2]), "trackscan") {
		t.Errorf("base should still answer for hotjar:\n%s", out)
	}
}

func TestVendorsShow(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains []string
	}{
		{[]string{"hotjar"}, ExitOK, []string{"id:", "hotjar", "owner:", "Contentsquare", "_hjSessionUser_*", "session-replay", "hotjar.com"}},
		{[]string{"Meta Pixel"}, ExitOK, []string{"facebook", "Meta", "_fbp", "datr", "essential"}},
		{[]string{"ga4"}, ExitOK, []string{"google-analytics", "_ga"}},
		{[]string{"google"}, ExitOK, []string{"google"}},
		{[]string{"cloud"}, ExitOK, []string{"vendors match", "cloudflare", "amazon-cloudfront"}},
		{[]string{"no-such-vendor-anywhere"}, ExitUsage, nil},
		{[]string{"--format", "xml"}, ExitUsage, nil},
		{[]string{"--check", "hotjar"}, ExitUsage, nil},
	}
	for _, tt := range tests {
		out, _, code := runVendors(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.args, code, tt.code)
		}
		for _, c := range tt.contains {
			if !strings.Contains(out, c) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, c, out)
			}
		}
	}
}

func TestVendorsList(t *testing.T) {
	out, _, code := runVendors(t, "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var vs []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 400 {
		t.Fatalf("%d vendors listed, want at least 400", len(vs))
	}
	for i := 1; i < len(vs); i++ {
		if vs[i-1].ID >= vs[i].ID {
			t.Fatalf("vendors not sorted by id at %d: %s, %s", i, vs[i-1].ID, vs[i].ID)
		}
	}
}
