package scan

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
	"github.com/trackscan/trackscan/crawler/policyfind"
)

// TestReadPolicies: a site whose pages link no policy gets its usual path
// tried (paths that answer 404 are not reported); given URLs are read as
// given, and a failure is kept with its error.
func TestReadPolicies(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	site.Mount(fstest.MapFS{
		"nolinks.example/index.html":             {Data: []byte(`<!doctype html><h1>Teas</h1><a href="/about.html">About</a>`)},
		"nolinks.example/datenschutz/index.html": {Data: []byte(`<!doctype html><h1>Datenschutzerklärung</h1><p>Wir verwenden keine Cookies.</p>`)},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts := func() Options {
		return Options{Targets: []string{"http://nolinks.example/"}, Phases: []capture.Phase{capture.PreConsent},
			Browser: browser.Options{ResolveRules: site.ResolveRules(), PageTimeout: 20 * time.Second}}
	}

	o := opts()
	o.DiscoverPolicy = true
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PolicyDocuments) != 1 {
		t.Fatalf("documents %+v, want the one well-known path that answered", res.PolicyDocuments)
	}
	d := res.PolicyDocuments[0]
	if d.URL != "http://nolinks.example/datenschutz" || d.How != policyfind.HowWellKnown || d.Err != nil ||
		!strings.Contains(d.Doc.Text, "Wir verwenden keine Cookies.") {
		t.Errorf("document %+v (err %v)", d.Candidate, d.Err)
	}

	o = opts()
	o.PolicyURLs = []string{"http://nolinks.example/datenschutz", "http://nolinks.example/gone"}
	res, err = Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PolicyDocuments) != 2 || res.PolicyDocuments[0].Err != nil || res.PolicyDocuments[1].Err == nil ||
		res.PolicyDocuments[1].How != policyfind.HowGiven {
		t.Errorf("given documents %+v", res.PolicyDocuments)
	}

	o = opts() // neither given nor discovered: nothing is read
	if res, err = Run(ctx, o); err != nil || len(res.PolicyDocuments) != 0 {
		t.Errorf("without discovery: %+v, %v", res.PolicyDocuments, err)
	}
}
