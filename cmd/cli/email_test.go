package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

const emailFixtures = "../../testdata/email"

func runEmail(t *testing.T, stdin string, args ...string) (int, *reports.Report, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"email"}, args...), strings.NewReader(stdin), &out, &errb)
	var rep *reports.Report
	if strings.Contains(strings.Join(args, " "), "json") && out.Len() > 0 {
		rep = &reports.Report{}
		if err := json.Unmarshal(out.Bytes(), rep); err != nil {
			t.Fatalf("bad JSON (%v): %s", err, out.String())
		}
	}
	return code, rep, errb.String()
}

func TestEmailCommandJSON(t *testing.T) {
	code, rep, stderr := runEmail(t, "", filepath.Join(emailFixtures, "mailchimp.eml"), "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if rep.Kind != reports.KindEmail || rep.Schema != reports.Schema || len(rep.Emails) != 1 {
		t.Fatalf("report %+v", rep)
	}
	e := rep.Emails[0]
	if e.ESP != "mailchimp" || len(e.Trackers) == 0 {
		t.Errorf("email %+v", e)
	}
}

func TestEmailCommandStdin(t *testing.T) {
	html := `<img src="https://links.brand.example/wf/open?upn=Yq7xL2mQ9w" width="1" height="1">`
	code, rep, stderr := runEmail(t, html, "-", "--format", "json")
	if code != ExitOK || rep.Emails[0].File != "-" || rep.Emails[0].ESP != "sendgrid" {
		t.Fatalf("exit %d (%s): %+v", code, stderr, rep)
	}
}

func TestEmailCommandRecipient(t *testing.T) {
	code, rep, _ := runEmail(t, "", filepath.Join(emailFixtures, "leaks.html"),
		"--recipient", "jane.doe@example.com", "--first-party", "shop.example", "-f", "json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	encodings := map[string]bool{}
	for _, tr := range rep.Emails[0].Trackers {
		if tr.Kind == "address-leak" {
			encodings[tr.LeakEncoding] = true
		}
	}
	for _, want := range []string{"plain", "urlencoded", "base64", "hex", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"} {
		if !encodings[want] {
			t.Errorf("no %s leak in %v", want, encodings)
		}
	}
}

func TestEmailCommandCompare(t *testing.T) {
	code, rep, stderr := runEmail(t, "", "--compare", filepath.Join(emailFixtures, "compare-alice.eml"),
		filepath.Join(emailFixtures, "compare-bob.eml"), "-f", "json")
	if code != ExitOK || len(rep.Emails) != 2 {
		t.Fatalf("exit %d (%s): %+v", code, stderr, rep)
	}
	for _, e := range rep.Emails {
		specific := 0
		for _, tr := range e.Trackers {
			if tr.Kind == "open-pixel" && tr.RecipientSpecific {
				specific++
			}
		}
		if specific != 1 {
			t.Errorf("%s: %d recipient-specific open pixels, want 1", e.File, specific)
		}
	}
}

// A directory with broken files: the others are scanned, each broken file
// is named in errors, and the exit code is 3.
func TestEmailCommandIncomplete(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"empty.eml":  "",
		"binary.eml": "\x00\x01\x02\x03",
		"ok.html":    `<img src="https://t.example/open/9f8e7d6c5b4a39281706" >`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, rep, stderr := runEmail(t, "", dir, filepath.Join(emailFixtures, "bad"), "-f", "json")
	if code != ExitIncomplete {
		t.Fatalf("exit %d, want %d (%s)", code, ExitIncomplete, stderr)
	}
	if len(rep.Emails) != 5 || len(rep.Errors) != 4 {
		t.Fatalf("%d emails, %d errors: %v", len(rep.Emails), len(rep.Errors), rep.Errors)
	}
	for _, e := range rep.Emails {
		if strings.HasSuffix(e.File, "ok.html") && (e.Error != "" || len(e.Trackers) == 0) {
			t.Errorf("good file not scanned: %+v", e)
		}
	}
	if !strings.Contains(stderr, "scan incomplete") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q", stderr)
	}
}

func TestEmailCommandUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"no args":                {},
		"compare one file":       {"--compare", filepath.Join(emailFixtures, "mailchimp.eml")},
		"bad recipient":          {filepath.Join(emailFixtures, "mailchimp.eml"), "--recipient", "nobody"},
		"missing file":           {"/nonexistent/file.eml"},
		"two stdins":             {"-", "-"},
		"bad format":             {filepath.Join(emailFixtures, "mailchimp.eml"), "--format", "nope"},
		"empty dir":              {t.TempDir()},
		"resolve without render": {filepath.Join(emailFixtures, "mailchimp.eml"), "--resolve", "MAP * 127.0.0.1:1"},
		"bad resolve":            {filepath.Join(emailFixtures, "mailchimp.eml"), "--render", "--resolve", "SEND * somewhere"},
		"no such browser":        {filepath.Join(emailFixtures, "mailchimp.eml"), "--render", "--browser", "/nonexistent/chromium"},
		"zero timeout":           {filepath.Join(emailFixtures, "mailchimp.eml"), "--render", "--timeout", "0s"},
	} {
		if code, _, stderr := runEmail(t, "", args...); code != ExitUsage || stderr == "" {
			t.Errorf("%s: exit %d, stderr %q; want %d", name, code, stderr, ExitUsage)
		}
	}
}

// The table format gives the one-screen answer per email: ESP, open
// pixels, click tracking, CSS trackers, leaks, then the findings.
func TestEmailCommandTableFormat(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main([]string{"email", filepath.Join(emailFixtures, "leaks.html"), filepath.Join(emailFixtures, "mailjet.eml"),
		"--recipient", "jane.doe@example.com", "--first-party", "shop.example"}, strings.NewReader(""), &out, &errb)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	for _, want := range []string{"ESP", "OPEN PIXELS", "CLICK TRACKING", "CSS TRACKERS", "ADDRESS LEAKS",
		"Mailjet", "base64 to shop.example", "(3rd party)", "Findings", "recipient-address-leak"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// A message over --max-size (as a 50 MB attachment is over the default) is
// refused with a clear error before it is read; the others are scanned and
// the exit code is 3.
func TestEmailCommandOversized(t *testing.T) {
	dir := t.TempDir()
	big := "From: a@shop.example\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("attachment data\r\n", 150000)
	if err := os.WriteFile(filepath.Join(dir, "big.eml"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	code, rep, stderr := runEmail(t, "", dir, filepath.Join(emailFixtures, "mailjet.eml"), "--max-size", "1", "-f", "json")
	if code != ExitIncomplete || len(rep.Emails) != 2 {
		t.Fatalf("exit %d (%s), %d emails", code, stderr, len(rep.Emails))
	}
	for _, e := range rep.Emails {
		switch {
		case strings.HasSuffix(e.File, "big.eml") && e.Error != "larger than the 1 MB limit (--max-size)":
			t.Errorf("big file: %q", e.Error)
		case strings.HasSuffix(e.File, "mailjet.eml") && (e.Error != "" || e.ESP != "mailjet"):
			t.Errorf("good file: %+v", e)
		}
	}
}

// An email that names no sender (plain HTML, stdin) cannot have "the
// sender's own domain": its leaks are a third party's (high), the evidence
// says the sender is unknown, and --first-party names the sender.
func TestEmailCommandSenderUnknown(t *testing.T) {
	leaks, err := os.ReadFile(filepath.Join(emailFixtures, "leaks.html"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantLow   []string // hosts whose leak finding is low
		wantNotes bool     // evidence says "sender unknown"
	}{
		{"file", "", []string{filepath.Join(emailFixtures, "leaks.html")}, nil, true},
		{"stdin", string(leaks), []string{"-"}, nil, true},
		{"--first-party", "", []string{filepath.Join(emailFixtures, "leaks.html"), "--first-party", "shop.example"}, []string{"shop.example"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, rep, stderr := runEmail(t, tt.stdin, append(tt.args, "--recipient", "jane.doe@example.com", "-f", "json", "--fail-on", "none")...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var low []string
			n := 0
			for _, f := range rep.Findings {
				if f.Rule != rules.RuleRecipientAddressLeak {
					continue
				}
				n++
				if f.Severity == rules.Low {
					low = append(low, f.Subject)
				}
				if strings.Contains(f.Evidence, "sender unknown") != tt.wantNotes {
					t.Errorf("evidence %q: sender unknown said = %v, want %v", f.Evidence, !tt.wantNotes, tt.wantNotes)
				}
			}
			if n == 0 || !slices.Equal(low, tt.wantLow) {
				t.Errorf("%d leak findings, low on %v, want low on %v", n, low, tt.wantLow)
			}
			thirdParty := 0
			for _, tr := range rep.Emails[0].Trackers {
				if tr.Kind == "third-party-content" {
					thirdParty++
				}
			}
			if tt.wantNotes && thirdParty != 4 {
				t.Errorf("%d third-party hosts, want all 4 the email loads from", thirdParty)
			}
		})
	}
}
