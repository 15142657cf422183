package browser_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/crawler/demosite"
)

// TestCarriedState clicks reject on the demo shop, takes the state the
// click stored, and starts another page with it: the page's first script
// must already see the choice, and no banner may be clicked there.
func TestCarriedState(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	var mu sync.Mutex
	var seen []url.Values
	site.Handle("carry.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/seen" {
			mu.Lock()
			seen = append(seen, r.URL.Query())
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><html><head><script>
new Image().src = '/seen?c=' + encodeURIComponent(document.cookie) + '&l=' + encodeURIComponent(localStorage.getItem('cmp_choice') || '');
</script></head><body><p>A page without a banner.</p><img src="http://sub.carry.example/x.gif"></body></html>`))
	}))
	subCookie := "unset"
	site.Handle("sub.carry.example", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		subCookie = r.Header.Get("Cookie")
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	ctx := context.Background()
	b, err := browser.Launch(ctx, browser.Options{ResolveRules: site.ResolveRules(), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	script := consent.Script(consent.Config{})

	p, st, err := b.CaptureState(ctx, demosite.StartURL, browser.Visit{Phase: capture.AfterReject, ConsentScript: script,
		ConsentAction: "reject", KeepState: func(kind, name, domain string) bool { return name != "_ga" && name != "_fbp" }})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Consent.Clicked || !p.Consent.Verified || st == nil {
		t.Fatalf("click did not take: %+v, state %+v", p.Consent, st)
	}
	if len(st.Cookies) != 1 || st.Cookies[0].Name != "demo_consent" || st.Cookies[0].Value != "reject" || st.FromURL != demosite.StartURL {
		t.Fatalf("state %+v, want the demo_consent cookie only", st)
	}
	if !slices.Equal(p.Consent.State, []string{"cookie demo_consent@shop.example"}) {
		t.Errorf("consent.state %q", p.Consent.State)
	}

	// The same state, with a localStorage key, on a page of another site
	// (both are set whatever the origin the test page is on).
	st.Cookies[0].Domain = "carry.example"
	st.Origin = "http://carry.example"
	st.LocalStorage = []capture.StateItem{{Key: "cmp_choice", Value: "reject-all"}}
	p, _, err = b.CaptureState(ctx, "http://carry.example/", browser.Visit{Phase: capture.AfterReject, ConsentScript: script,
		ConsentAction: "reject", Carry: st})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Consent
	if !c.Carried || c.Clicked || c.CarriedFrom != demosite.StartURL || c.CMP != "onetrust" || c.Verified {
		t.Errorf("consent %+v: want carried from the home page, no click, nothing to verify", c)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0].Get("c") != "demo_consent=reject" || seen[0].Get("l") != "reject-all" {
		t.Fatalf("the page's first script saw %v, want the carried cookie and localStorage key", seen)
	}
	// A host-only cookie stays host-only: a subdomain does not get it.
	if subCookie != "" {
		t.Errorf("sub.carry.example got cookie %q (unset: never requested)", subCookie)
	}
	// The seeding is not the page's own storage write.
	for _, w := range p.CookieWrites {
		if w.Name == "demo_consent" {
			t.Errorf("carried cookie recorded as written by the page: %+v", w)
		}
	}
}
