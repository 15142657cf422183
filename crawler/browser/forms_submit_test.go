package browser_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/crawler/scope"
)

// formsPage holds one form of each kind --forms submit must tell apart:
// a newsletter (submitted), a payment, a password change and an account
// deletion form (skipped), and a form whose action leaves the scope (its
// submit is refused by the guard). %s is other.test's origin.
const formsPage = `<html><body>
<form id="newsletter" method="post" action="/subscribe"><input type="email" name="email"><button>Subscribe</button></form>
<form id="pay" method="post" action="/pay"><input name="fullname" placeholder="Name"><input name="card" autocomplete="cc-number"><button>Pay</button></form>
<form id="pw" method="post" action="/account"><input type="email" name="email"><input type="password" name="new" autocomplete="new-password"><button>Change password</button></form>
<form id="erase" method="post" action="/account"><input type="email" name="email"><button>Delete my account</button></form>
<form id="outside" method="post" action="%s/collect"><input type="email" name="email"><button>Join</button></form>
</body></html>`

type formsSite struct {
	srv   *httptest.Server
	rules string
	mu    sync.Mutex
	hits  []string // "host path body" of every form post and of other.test
}

func startFormsSite(t *testing.T) *formsSite {
	t.Helper()
	s := &formsSite{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		port := s.srv.Listener.Addr().(*net.TCPAddr).Port
		body, _ := io.ReadAll(r.Body)
		switch {
		case host == "other.test":
			s.hit(host + " " + r.URL.Path + " " + string(body))
			fmt.Fprint(w, `<html><body>foreign</body></html>`)
		case host != "shop.test":
			http.NotFound(w, r)
		case r.URL.Path == "/forms":
			fmt.Fprintf(w, formsPage, fmt.Sprintf("http://other.test:%d", port))
		case r.Method == http.MethodPost:
			s.hit(host + " " + r.URL.Path + " " + string(body))
			form, _ := url.ParseQuery(string(body))
			http.Redirect(w, r, "/thanks?e="+url.QueryEscape(form.Get("email")), http.StatusSeeOther)
		default:
			fmt.Fprint(w, `<html><body>thanks</body></html>`)
		}
	}))
	t.Cleanup(s.srv.Close)
	s.rules = "MAP * " + s.srv.Listener.Addr().String()
	return s
}

func (s *formsSite) hit(h string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits = append(s.hits, h)
}

func (s *formsSite) posts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

func (s *formsSite) url(path string) string {
	return fmt.Sprintf("http://shop.test:%d%s", s.srv.Listener.Addr().(*net.TCPAddr).Port, path)
}

func TestFormsSubmit(t *testing.T) {
	browsertest.Chromium(t)
	s := startFormsSite(t)
	rules, err := resolve.Parse(s.rules)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scope.New(scope.Config{Targets: []string{s.url("/")}, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	b, err := browser.Launch(context.Background(), browser.Options{ResolveRules: s.rules, Scope: sc, PageTimeout: 30 * time.Second, MaxIdleWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)

	t.Run("fill only", func(t *testing.T) {
		p, err := b.Capture(context.Background(), s.url("/forms"), browser.Visit{Phase: capture.PreConsent, FillForms: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.FormFields) == 0 || len(p.FormsSubmitted) != 0 {
			t.Errorf("filled %d fields, submitted %+v: want a fill and no submit", len(p.FormFields), p.FormsSubmitted)
		}
		if got := s.posts(); len(got) != 0 {
			t.Errorf("a fill without submit reached the server: %q", got)
		}
	})

	t.Run("submit", func(t *testing.T) {
		p, err := b.Capture(context.Background(), s.url("/forms"), browser.Visit{Phase: capture.PreConsent, FillForms: true, SubmitForms: true})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range p.FormsSubmitted {
			got[f.Form] = f.Skipped
			if f.Submitted != (f.Skipped == "") {
				t.Errorf("%+v: submitted and skipped disagree", f)
			}
		}
		want := map[string]string{"newsletter": "", "pay": "payment", "pw": "password", "erase": "deletion", "outside": ""}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("forms: %v, want %v (%+v)", got, want, p.FormsSubmitted)
		}
		email := strings.ToLower(url.QueryEscape(capture.TestIdentity.Email))
		if hits := s.posts(); len(hits) != 1 || hits[0] != "shop.test /subscribe email="+url.QueryEscape(capture.TestIdentity.Email) {
			t.Errorf("server saw %q, want only the newsletter's post with the email", hits)
		}
		var post, thanks *capture.Request
		for i, r := range p.Requests {
			switch {
			case r.Method == "POST" && strings.HasSuffix(r.URL, "/subscribe"):
				post = &p.Requests[i]
			case strings.Contains(strings.ToLower(r.URL), "/thanks?e="+email):
				thanks = &p.Requests[i]
			}
		}
		if post == nil || !post.OnSubmit || !strings.Contains(post.PostData, "email=") {
			t.Errorf("the submit's request %+v: want it marked on_submit with its body", post)
		}
		if thanks == nil || !thanks.OnSubmit {
			t.Errorf("the redirect after the submit %+v: want it recorded, on_submit", thanks)
		}
		var refused *capture.BlockedNavigation
		for i, nb := range p.NavigationsBlocked {
			if strings.Contains(nb.URL, "other.test") {
				refused = &p.NavigationsBlocked[i]
			}
		}
		if refused == nil || refused.Kind != "form-submit" || refused.Reason != scope.ReasonOutOfScope {
			t.Errorf("the out-of-scope submit: %+v (all %+v), want a refused form-submit", refused, p.NavigationsBlocked)
		}
	})
}
