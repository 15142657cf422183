package main_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// `email --compare` on two copies of one campaign shows, in the table,
// which part of each tracker's URL differs and the differing token, with
// the encoding of the address when the token carries it.
func TestEmailCompareShowsTheDifferingTokenE2E(t *testing.T) {
	res := run(t, "email", "--compare", "../../testdata/email/compare/ann.eml", "../../testdata/email/compare/ben.eml")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{
		"DIFFERS PER RECIPIENT",
		"pixel path/2=YW5uQGV4YW1wbGUu… (address, base64)", // Ann's token: base64 of ann@example.org
		"pixel path/2=YmVuQGV4YW1wbGUu… (address, base64)", // Ben's
		"link ?u=8b5a6a28fc840441… (address, md5)",
		"pixel ?r=3f9c1a7e", // differs, but carries no address
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, res.stdout)
		}
	}
	md := filepath.Join(t.TempDir(), "compare.md")
	res = run(t, "email", "--compare", "../../testdata/email/compare/ann.eml", "../../testdata/email/compare/ben.eml",
		"--format", "markdown", "-o", md)
	if res.code != 0 {
		t.Fatalf("markdown: exit %d: %s", res.code, res.stderr)
	}
	r := readFile(t, md)
	if !strings.Contains(r, "What differs per recipient") || !strings.Contains(r, "| path segment 2 ") {
		t.Errorf("markdown lacks the differences:\n%s", r)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A template with an individual open pixel fails CI with --fail-on medium
// and no policy; the same template with a pixel that only counts opens
// gives an info finding and passes.
func TestEmailVerdictWithoutPolicyE2E(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "individual.json")
	res := run(t, "email", "../../testdata/email/verdict/individual-pixel.html", "--fail-on", "medium", "--format", "json", "-o", out)
	if res.code != 1 {
		t.Fatalf("individual pixel: exit %d, want 1: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if len(r.Findings) != 1 || r.Findings[0].Rule != "email-individual-open-tracking" || r.Findings[0].Severity != "medium" ||
		!strings.Contains(r.Findings[0].Evidence, "per-recipient token") {
		t.Errorf("findings %+v", r.Findings)
	}

	out = filepath.Join(dir, "aggregate.json")
	res = run(t, "email", "../../testdata/email/verdict/aggregate-pixel.html", "--fail-on", "medium", "--format", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("aggregate pixel: exit %d, want 0: %s", res.code, res.stderr)
	}
	r = readReport(t, out)
	if len(r.Findings) != 1 || r.Findings[0].Rule != "email-individual-open-tracking" || r.Findings[0].Severity != "info" ||
		!strings.Contains(r.Findings[0].Evidence, "aggregate") {
		t.Errorf("findings %+v, want one info finding", r.Findings)
	}
	for _, e := range r.Emails {
		for _, tr := range e.Trackers {
			if tr.Kind == "open-pixel" && tr.Individual != "" {
				t.Errorf("aggregate pixel marked individual: %+v", tr)
			}
		}
	}
}

// The 250 real spam emails of the project's corpus: the one with
// "Content-Transfer-Encoding: 8bit+" is scanned with a warning and the
// batch is complete (exit 0).
func TestEmailCorpusUnknownEncodingE2E(t *testing.T) {
	dir := "../../../shared/corpora/phishing-pot-sample"
	if _, err := os.Stat(filepath.Join(dir, "sample-6472.eml")); err != nil {
		t.Skip("corpus not present")
	}
	out := filepath.Join(t.TempDir(), "corpus.json")
	res := run(t, "email", dir, "--format", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d, want 0: %s", res.code, res.stderr)
	}
	r := readReport(t, out)
	if len(r.Emails) != 250 || len(r.Errors) != 0 {
		t.Errorf("%d emails, errors %q", len(r.Emails), r.Errors)
	}
	want := filepath.Join(dir, "sample-6472.eml") + `: warning: unknown Content-Transfer-Encoding "8bit+" read as 8bit`
	if !slices.Contains(r.Notes, want) {
		t.Errorf("notes %q lack %q", r.Notes, want)
	}
	for _, e := range r.Emails {
		if strings.HasSuffix(e.File, "sample-6472.eml") && (e.Error != "" || len(e.Warnings) != 1) {
			t.Errorf("8bit+ email: error %q, warnings %q", e.Error, e.Warnings)
		}
	}
}

// A Klaviyo newsletter delivered by SendGrid is Klaviyo's, via SendGrid.
func TestEmailPlatformOverInfrastructureE2E(t *testing.T) {
	out := filepath.Join(t.TempDir(), "klaviyo.json")
	res := run(t, "email", "../../testdata/email/klaviyo-over-sendgrid.eml", "--format", "json", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	e := readReport(t, out).Emails[0]
	if e.ESP != "klaviyo" || e.ESPSource != "header X-Kmail-Account" || e.Delivery != "sendgrid" || e.DeliverySource != "header X-Sg-Eid" {
		t.Errorf("esp %q (%s), delivery %q (%s); want klaviyo via sendgrid", e.ESP, e.ESPSource, e.Delivery, e.DeliverySource)
	}
	res = run(t, "email", "../../testdata/email/klaviyo-over-sendgrid.eml")
	if !strings.Contains(res.stdout, "Klaviyo") || !strings.Contains(res.stdout, "via SendGrid") {
		t.Errorf("table does not name Klaviyo via SendGrid:\n%s", res.stdout)
	}
}
