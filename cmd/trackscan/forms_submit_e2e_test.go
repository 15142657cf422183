package main_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/rules"
)

// newsletterSite serves newsletter.example: its form posts to the site's
// own /subscribe, whose thank-you page hands the subscriber's hashed email
// to Pinterest's pixel host. Nothing on the form page sends what is typed,
// so only a submit reveals it. Every post is logged.
type newsletterSite struct {
	mu    sync.Mutex
	posts []string
}

func (n *newsletterSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/subscribe" && r.Method == http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		n.mu.Lock()
		n.posts = append(n.posts, string(body))
		n.mu.Unlock()
		form, _ := url.ParseQuery(string(body))
		http.Redirect(w, r, "/thanks?list=monthly&email="+url.QueryEscape(form.Get("email")), http.StatusSeeOther)
	case r.URL.Path == "/thanks":
		sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(r.URL.Query().Get("email")))))
		pd := url.QueryEscape(`{"em":"` + hex.EncodeToString(sum[:]) + `"}`)
		fmt.Fprintf(w, `<!doctype html><html><body><p>Thank you.</p><img src="https://ct.pinterest.com/v3/?event=signup&tid=2612345678901&pd=%s" width="1" height="1" alt=""></body></html>`, pd)
	default:
		http.ServeFile(w, r, filepath.Join("..", "..", "testdata", "sites", "newsletter.example", "index.html"))
	}
}

func (n *newsletterSite) logged() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.posts...)
}

// TestFormsSubmit scans newsletter.example with --forms and with --forms
// submit: only the submit reaches the endpoint and finds the email
// forwarded to Pinterest; the fill alone never posts.
func TestFormsSubmit(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	news := &newsletterSite{}
	site.Handle("newsletter.example", news)

	r := scanFixture(t, site, "https://newsletter.example/", "--consent", "pre", "--no-policy", "--forms")
	if got := news.logged(); len(got) != 0 {
		t.Fatalf("--forms without submit posted the form: %q", got)
	}
	for _, f := range r.Findings {
		if f.Rule == rules.RulePIISentToThirdParty || f.Rule == rules.RuleKeyLogging {
			t.Errorf("--forms alone: %+v", f)
		}
	}
	if len(r.Pages) != 1 || len(r.Pages[0].FormFields) != 1 || len(r.Pages[0].FormsSubmitted) != 0 {
		t.Fatalf("pages %+v: want the email filled and nothing submitted", r.Pages)
	}

	r = scanFixture(t, site, "https://newsletter.example/", "--consent", "pre", "--no-policy", "--forms", "submit")
	if got := news.logged(); len(got) != 1 || got[0] != "email="+url.QueryEscape(capture.TestIdentity.Email) {
		t.Fatalf("the endpoint saw %q, want one post of the test email", got)
	}
	if len(r.Pages) != 1 || fmt.Sprint(r.Pages[0].FormsSubmitted) != fmt.Sprint([]capture.FormSubmit{
		{Form: "newsletter", Action: "https://newsletter.example/subscribe", Method: "POST", Submitted: true}}) {
		t.Fatalf("forms submitted: %+v", r.Pages)
	}
	if !slices.Contains(r.Notes, "forms on https://newsletter.example/ (pre-consent): submitted newsletter") {
		t.Errorf("notes %q: want the submitted form named", r.Notes)
	}
	var pii []rules.Finding
	for _, f := range r.Findings {
		switch f.Rule {
		case rules.RulePIISentToThirdParty:
			pii = append(pii, f)
		case rules.RuleKeyLogging:
			t.Errorf("a value sent after the submit counted as key logging: %+v", f)
		}
	}
	if len(pii) != 1 || pii[0].Vendor != "pinterest" || pii[0].Subject != "ct.pinterest.com" ||
		!strings.Contains(pii[0].Evidence, "email (sha256 of the lower-cased value)") || !strings.Contains(pii[0].Evidence, "on submit") {
		t.Errorf("pii-sent-to-third-party = %+v, want Pinterest receiving the hashed email on submit", pii)
	}
	// The post itself and the redirect that carried the email are first-party evidence.
	var firstParty []string
	for _, d := range r.Detections {
		if d.Kind == detectors.KindFormValueSent && d.FirstParty {
			if d.Sent == nil || d.Sent.Format != detectors.SentFormSubmit {
				t.Errorf("first-party detection %+v: want format %s", d, detectors.SentFormSubmit)
			}
			firstParty = append(firstParty, d.URL)
		}
	}
	if strings.Join(firstParty, " ") != "https://newsletter.example/subscribe https://newsletter.example/thanks?list=monthly&email="+url.QueryEscape(capture.TestIdentity.Email) {
		t.Errorf("first-party form-value-sent: %q", firstParty)
	}
}
