package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/reports"
)

const policyFixtures = "../../testdata/policy/"

func runPolicy(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(append([]string{"policy"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestPolicyCommandTable(t *testing.T) {
	out, errOut, code := runPolicy(t, policyFixtures+"denials.md")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"PRACTICE", "sale-of-data", "denied", "We do not sell or rent your personal information to anyone.",
		"affirmed (exception)", "affirmed (with-consent)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestPolicyCommandJSON(t *testing.T) {
	out, errOut, code := runPolicy(t, policyFixtures+"consent.html", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Schema   string       `json:"schema"`
		Kind     reports.Kind `json:"kind"`
		Target   string       `json:"target"`
		Findings []any        `json:"findings"`
		Policy   struct {
			Source       string `json:"source"`
			Declarations []struct {
				Practice, Polarity, Vendor, Role, Quote string
			} `json:"declarations"`
		} `json:"policy"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc.Schema != "trackscan/v1" || doc.Kind != reports.KindPolicy || doc.Policy.Source != policyFixtures+"consent.html" || doc.Findings == nil {
		t.Errorf("header = %+v", doc)
	}
	found := false
	for _, d := range doc.Policy.Declarations {
		if d.Practice == "vendor" && d.Vendor == "stripe" && d.Role == "payment" && d.Quote == "Payments are processed by Stripe." {
			found = true
		}
		if d.Quote == "" || d.Polarity == "" {
			t.Errorf("incomplete declaration %+v", d)
		}
	}
	if !found {
		t.Errorf("no payment-role declaration for stripe in %s", out)
	}
}

func TestPolicyCommandURLAndOutputFile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<main><p>We never use device fingerprinting.</p></main>"))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "out.json")
	_, errOut, code := runPolicy(t, srv.URL+"/privacy", "-f", "json", "-o", file)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"practice": "fingerprinting"`)) || !bytes.Contains(b, []byte(`"polarity": "denied"`)) {
		t.Errorf("report file = %s", b)
	}
}

func TestPolicyCommandErrors(t *testing.T) {
	dir := t.TempDir()
	emptyConfig := filepath.Join(dir, "empty.yml")
	if err := os.WriteFile(emptyConfig, []byte("fail_on: high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("vendors:\n  - not-a-vendor-id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{nil, "needs at least one SOURCE"},
		{[]string{filepath.Join(dir, "missing.html")}, "unreadable policy"},
		{[]string{bad}, `bad.yml:2:5: unknown vendor id "not-a-vendor-id"`},
		{[]string{policyFixtures + "denials.md", "--format", "pdf"}, "--format"},
		{[]string{policyFixtures + "denials.md", "--fail-on", "bogus"}, "--fail-on: unknown severity"},
		{[]string{policyFixtures + "denials.md", "--config", filepath.Join(dir, "missing.yml")}, "missing.yml"},
		{[]string{"--config", emptyConfig}, "policy: in the config file"},
	}
	for _, tt := range tests {
		out, errOut, code := runPolicy(t, tt.args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, ExitUsage)
		}
		if !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: stderr = %q, want one line with %q", tt.args, errOut, tt.want)
		}
		if out != "" {
			t.Errorf("%v: stdout = %q, want nothing", tt.args, out)
		}
	}
}

func TestPolicyCommandNothingDeclared(t *testing.T) {
	out, _, code := runPolicy(t, policyFixtures+"nothing.txt")
	if code != ExitOK || !strings.Contains(out, "No declarations about tracking found.") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

// TestPolicyCommandFormats: the policy report goes through the same output
// path as scan and email, so every report format renders it.
func TestPolicyCommandFormats(t *testing.T) {
	tests := []struct{ format, want string }{
		{"table", "affirmed (exception)"},
		{"json", `"kind": "policy"`},
		{"markdown", "We do not sell or rent your personal information to anyone."},
		{"html", "<html"},
		{"sarif", `"kind": "policy"`},
		{"junit", "<testsuite"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, errOut, code := runPolicy(t, policyFixtures+"denials.md", "--format", tt.format)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("%s output lacks %q:\n%.600s", tt.format, tt.want, out)
			}
		})
	}
}

// TestPolicyCommandConfig: the config file's policy list and fail_on apply
// to the policy command; its format and output describe the scan's report
// and do not, so that policy never overwrites the scan's file. Flags win.
func TestPolicyCommandConfig(t *testing.T) {
	dir := t.TempDir()
	src, err := filepath.Abs(policyFixtures + "denials.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "trackscan.yml")
	scanReport := filepath.Join(dir, "scan.json")
	body := "policy: " + src + "\nformat: json\noutput: " + scanReport + "\nfail_on: info\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}

	// No SOURCE: the config's policy is read and shown as a table on stdout.
	out, errOut, code := runPolicy(t, "--config", cfg)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "We do not track whether you opened our emails.") || json.Valid([]byte(out)) {
		t.Errorf("stdout = %q, want the table of %s", out, src)
	}
	if _, err := os.Stat(scanReport); err == nil {
		t.Errorf("policy wrote the scan's output file %s", scanReport)
	}

	// Flags win over the file; -f json is honoured.
	out, errOut, code = runPolicy(t, "--config", cfg, "-f", "json")
	var doc struct {
		Kind     reports.Kind `json:"kind"`
		Target   string       `json:"target"`
		Findings []any        `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, stderr %q, not JSON: %v\n%s", code, errOut, err, out)
	}
	// fail_on: info is in force, but a policy alone has no finding: exit 0.
	if code != ExitOK || doc.Kind != reports.KindPolicy || doc.Target != src || doc.Findings == nil || len(doc.Findings) != 0 {
		t.Errorf("exit %d, report = %+v", code, doc)
	}
	out, errOut, code = runPolicy(t, "--config", cfg, policyFixtures+"nothing.txt", "-f", "table", "-o", "-")
	if code != ExitOK || !strings.Contains(out, "No declarations about tracking found.") {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
}

// TestPolicyCommandFailOnBadSource: an unreadable source exits 2 and writes
// nothing, whatever --fail-on says.
func TestPolicyCommandFailOnBadSource(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte("\x89PNG"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, tt := range []struct{ path, want string }{
		{"/missing", "HTTP 404"},
		{"/image", `content type "image/png" is not HTML or text`},
	} {
		out, errOut, code := runPolicy(t, srv.URL+tt.path, "--fail-on", "low", "-f", "json")
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tt.path, code, out, errOut, tt.want)
		}
	}
}
