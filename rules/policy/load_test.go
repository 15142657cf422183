package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "policy", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStructuredFile(t *testing.T) {
	p := testParser(t)
	pol, err := p.Parse("structured.yml", readTestdata(t, "structured.yml"), "")
	if err != nil {
		t.Fatal(err)
	}
	f := pol.Structured
	if f == nil {
		t.Fatal("Structured not set")
	}
	if got := strings.Join(f.Vendors, ","); got != "google-analytics,hotjar" {
		t.Errorf("vendors = %s", got)
	}
	if got := strings.Join(f.Allowed["pre-consent"], ","); got != "essential,consent-management" {
		t.Errorf("pre-consent = %s", got)
	}
	wantCookies := []DeclaredCookie{
		{Name: "session_id", Category: "essential", Days: -1, Lifetime: "session"},
		{Name: "_ga", Category: "analytics", Days: 395.4167, Lifetime: "13 months"},
		{Name: "_hj*", Category: "session-replay", Days: 365},
	}
	if len(f.Cookies) != len(wantCookies) {
		t.Fatalf("cookies = %+v", f.Cookies)
	}
	for i, c := range wantCookies {
		if f.Cookies[i] != c {
			t.Errorf("cookie %d = %+v, want %+v", i, f.Cookies[i], c)
		}
	}
	if f.EmailTracking == nil || !f.EmailTracking.OpenTracking || f.EmailTracking.ClickTracking {
		t.Errorf("email tracking = %+v", f.EmailTracking)
	}
	want := map[Practice]Polarity{Analytics: Affirmed, Advertising: Denied, SocialWidgets: Denied, SessionRecording: Affirmed,
		Fingerprinting: Denied, ConsentBeforeNonEssential: Affirmed, Cookies: Affirmed, EmailOpenTracking: Affirmed,
		EmailClickTracking: Denied}
	got := pol.Summary()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("summary[%s] = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("summary = %v", got)
	}
	for _, d := range pol.Declarations {
		if d.Line == 0 || d.Quote == "" {
			t.Errorf("declaration without line or quote: %+v", d)
		}
	}
	if v := pol.Vendors(); strings.Join(v, ",") != "google-analytics,hotjar" {
		t.Errorf("Vendors() = %v", v)
	}
}

func TestStructuredPreConsentWithAnalyticsDeniesConsentClaim(t *testing.T) {
	p := testParser(t)
	pol, err := p.Parse("p.yml", []byte("allowed:\n  pre-consent: [essential, analytics]\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := pol.Summary()[ConsentBeforeNonEssential]; got != Denied {
		t.Errorf("consent-before-non-essential = %q, want denied", got)
	}
}

func TestStructuredErrors(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		name, text, want string
	}{
		{"unknown vendor", "vendors:\n  - hotjar\n  - hotjr\n", `p.yml:3:5: unknown vendor id "hotjr"`},
		{"unknown category", "allowed:\n  pre-consent: [essential, tracking]\n", `p.yml:2:28: unknown category "tracking"`},
		{"unknown phase", "allowed:\n  before-consent: [essential]\n", `p.yml:2:3: unknown phase "before-consent"`},
		{"unknown key", "version: 1\nvendor: [hotjar]\n", `p.yml:2:1:`},
		{"bad lifetime", "cookies:\n  - name: _ga\n    lifetime: forever\n", `p.yml:3:15: unreadable lifetime "forever"`},
		{"lifetime and days", "cookies:\n  - name: _ga\n    lifetime: 2 years\n    days: 730\n", `p.yml:2:5: give lifetime or days, not both`},
		{"cookie without name", "cookies:\n  - category: analytics\n", `p.yml:2:5: cookie without a name`},
		{"syntax", "vendors: [hotjar\n", `p.yml:1:`},
		{"wrong type", "email_tracking:\n  open_tracking: maybe\n", `p.yml:2:18:`},
		{"unknown esp", "email_tracking:\n  esps: [nobody]\n", `p.yml:2:10: unknown vendor id "nobody"`},
		{"version", "version: 2\n", `p.yml:1:10: version 2 is not supported`},
		{"tag without a value (go-yaml panicked on it; found by fuzzing)", "cookies:\n  ! #x\n", `p.yml:2:3: YAML tags (!...) are not used`},
		{"tag", "vendors: !!seq [hotjar]\n", `p.yml:1:10: YAML tags`},
		{"scalar for a list", "vendors: hotjar\n", `p.yml:1:10: string was used where sequence is expected`},
		{"tab indentation", "cookies:\n\t- name: x\n", `p.yml:2:1:`},
		{"empty", "# nothing\n", `empty structured policy file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Parse("p.yml", []byte(tt.text), "")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("error %v does not wrap ErrUnreadable", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDocsExample checks that the example in docs/policy.md is the test
// file, that the loader accepts it with the embedded knowledge base, and
// that both agree with docs/policy.schema.json.
func TestDocsExample(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(md)
	if m == nil {
		t.Fatal("docs/policy.md has no yaml example")
	}
	example := readTestdata(t, "structured.yml")
	if !bytes.Equal(m[1], example) {
		t.Errorf("the example in docs/policy.md differs from testdata/policy/structured.yml")
	}
	if _, err := Parse("docs/policy.md example", m[1], FormatYAML); err != nil {
		t.Errorf("the embedded knowledge base rejects the docs example: %v", err)
	}

	schemaFile := filepath.Join("..", "..", "docs", "policy.schema.json")
	sf, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	doc, err := jsonschema.UnmarshalJSON(sf)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("policy.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	validate := func(y string) error {
		j, err := yaml.YAMLToJSON([]byte(y))
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return sch.Validate(inst)
	}
	if err := validate(string(example)); err != nil {
		t.Errorf("example does not validate against the schema: %v", err)
	}
	// The schema rejects what the loader rejects.
	for _, bad := range []string{
		"vendor: [hotjar]\n",
		"allowed:\n  before-consent: [essential]\n",
		"allowed:\n  pre-consent: [tracking]\n",
		"cookies:\n  - category: analytics\n",
		"cookies:\n  - name: _ga\n    lifetime: forever\n",
		"cookies:\n  - name: _ga\n    lifetime: 2 years\n    days: 730\n",
		"version: 2\n",
	} {
		if validate(bad) == nil {
			t.Errorf("schema accepts %q", bad)
		}
		if _, err := testParser(t).Parse("bad.yml", []byte(bad), FormatYAML); err == nil {
			t.Errorf("loader accepts %q", bad)
		}
	}
}

func TestMergeStructuredWins(t *testing.T) {
	p := testParser(t)
	text := "We never use analytics. We use Hotjar and Segment. Payments are processed by Stripe. The _ga cookie lasts 2 years, and _gid, 24 hours.\n"
	dir := t.TempDir()
	txt := filepath.Join(dir, "privacy.txt")
	yml := filepath.Join(dir, "policy.yml")
	if err := os.WriteFile(txt, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(yml, []byte("vendors: [google-analytics]\nallowed:\n  after-accept: [analytics]\ncookies:\n  - name: _ga\n    days: 390\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pol, err := p.Load(context.Background(), txt, yml)
	if err != nil {
		t.Fatal(err)
	}
	if pol.Source != txt+", "+yml {
		t.Errorf("source = %q", pol.Source)
	}
	if got := pol.Summary()[Analytics]; got != Affirmed {
		t.Errorf("analytics = %q: the structured file must win over the text's denial", got)
	}
	if got := strings.Join(pol.Vendors(), ","); got != "google-analytics" {
		t.Errorf("vendors = %s, want the structured list only", got)
	}
	stripeKept := false
	for _, d := range pol.Declarations {
		if d.Source == "" {
			t.Errorf("merged declaration without source: %+v", d)
		}
		if d.Vendor == "stripe" && d.Role == RolePayment {
			stripeKept = true
		}
	}
	if !stripeKept {
		t.Error("the payment-role mention from the text was dropped")
	}
	days := map[string]float64{}
	for _, c := range pol.Cookies {
		days[c.Name] = c.Days
	}
	if days["_ga"] != 390 || days["_gid"] != 1 {
		t.Errorf("cookies = %v, want _ga from the file and _gid from the text", days)
	}
}

func TestLoadFiles(t *testing.T) {
	p := testParser(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a"), MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ src, want string }{
		{filepath.Join(dir, "missing.txt"), "no such file"},
		{dir, "is a directory"},
		{big, "larger than 5 MB"},
	} {
		_, err := p.Load(context.Background(), tt.src)
		if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s) = %v, want %q", tt.src, err, tt.want)
		}
	}
	if _, err := p.Load(context.Background()); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Load() without sources = %v", err)
	}
}

func TestLoadURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/privacy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><body><nav>We sell data</nav><main><h1>Privacy</h1><p>We do not sell your personal data.</p></main></body></html>"))
	})
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		w.Write([]byte("<p>We use cookies \xe0 la carte.</p>"))
	})
	mux.HandleFunc("/policy.yml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("vendors: [hotjar]\n"))
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG"))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		chunk := bytes.Repeat([]byte("cookies "), 1024)
		for n := 0; n <= MaxSize; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p := testParser(t)

	pol, err := p.Load(context.Background(), srv.URL+"/privacy")
	if err != nil {
		t.Fatal(err)
	}
	if got := pol.Summary(); got[SaleOfData] != Denied || len(got) != 1 {
		t.Errorf("summary = %v, want only sale-of-data denied (nav dropped)", got)
	}
	pol, err = p.Load(context.Background(), srv.URL+"/latin1")
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Declarations) == 0 || !strings.Contains(pol.Declarations[0].Quote, "à la carte") {
		t.Errorf("charset not converted: %+v", pol.Declarations)
	}
	pol, err = p.Load(context.Background(), srv.URL+"/policy.yml")
	if err != nil {
		t.Fatal(err)
	}
	if pol.Structured == nil {
		t.Error("a .yml URL served as text/plain was not read as a structured file")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for _, tt := range []struct {
		ctx       context.Context
		path, err string
	}{
		{context.Background(), "/missing", "HTTP 404"},
		{context.Background(), "/image", `content type "image/png" is not HTML or text`},
		{context.Background(), "/huge", "larger than 5 MB"},
		{ctx, "/slow", "fetch failed"},
	} {
		_, err := p.Load(tt.ctx, srv.URL+tt.path)
		if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Load(%s) = %v, want one-line error with %q", tt.path, err, tt.err)
		}
	}
}

// The policy records the SHA-256 of each source's text, so an auditor can
// tell which version of the policy a report was judged against.
func TestLoadHashesSources(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "policy")
	sum := func(name string) string {
		s := sha256.Sum256(readTestdata(t, name))
		return hex.EncodeToString(s[:])
	}
	tests := []struct {
		name    string
		sources []string
		want    string
	}{
		{"one file", []string{"modern.md"}, sum("modern.md")},
		{"text and structured, in order", []string{"denials.md", "structured.yml"}, sum("denials.md") + ", " + sum("structured.yml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, s := range tt.sources {
				paths = append(paths, filepath.Join(dir, s))
			}
			p, err := Load(context.Background(), paths...)
			if err != nil {
				t.Fatal(err)
			}
			if p.SHA256 != tt.want {
				t.Errorf("sha256 = %q, want %q", p.SHA256, tt.want)
			}
		})
	}
}
