package scan

import (
	"context"
	"sync"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/policyfind"
)

// PolicyDocument is one document of the declared policy the scan read (or
// tried to) through its browser.
type PolicyDocument struct {
	policyfind.Candidate
	// Doc is what the browser rendered; nil when Err is set before loading.
	Doc *browser.Document
	Err error
}

// maxPolicyTries bounds how many candidates of one kind are tried when the
// best ones cannot be loaded.
const maxPolicyTries = 3

// readPolicies reads the given policy URLs, or, with discovery on, the
// privacy and cookie policy the captured pages link to (well-known paths
// when none does), in the scan's browser after the capture: in a context of
// their own, so nothing they do counts as the site's behaviour.
func (e *engine) readPolicies(ctx context.Context, pages []capture.Page) []PolicyDocument {
	if len(e.opts.PolicyURLs) > 0 {
		var out []PolicyDocument
		for _, u := range e.opts.PolicyURLs {
			d, err := e.readDocument(ctx, u)
			out = append(out, PolicyDocument{Candidate: policyfind.Candidate{URL: u, Kind: policyfind.Privacy, How: policyfind.HowGiven}, Doc: d, Err: err})
		}
		return out
	}
	if !e.opts.DiscoverPolicy {
		return nil
	}
	var firstPhase []capture.Page
	for _, p := range pages {
		if p.Phase == capture.PreConsent {
			firstPhase = append(firstPhase, p)
		}
	}
	picked, fallbacks := policyfind.Pick(policyfind.Find(firstPhase))
	var out []PolicyDocument
	read := map[policyfind.Kind]bool{}
	tries := map[policyfind.Kind]int{}
	try := func(c policyfind.Candidate, keepFailure bool) {
		if read[c.Kind] || tries[c.Kind] >= maxPolicyTries || ctx.Err() != nil {
			return
		}
		tries[c.Kind]++
		d, err := e.readDocument(ctx, c.URL)
		if err == nil {
			read[c.Kind] = true
		}
		if err == nil || keepFailure {
			out = append(out, PolicyDocument{Candidate: c, Doc: d, Err: err})
		}
	}
	for _, c := range append(picked, fallbacks...) {
		try(c, true)
	}
	// No page links to a privacy policy: the usual paths, last. Paths that
	// do not exist are not worth reporting.
	if !read[policyfind.Privacy] && tries[policyfind.Privacy] == 0 && len(e.opts.Targets) > 0 {
		for _, c := range policyfind.WellKnown(e.opts.Targets[0]) {
			if c.Kind == policyfind.Privacy {
				tries[c.Kind] = 0 // every well-known path may be tried
				try(c, false)
			}
		}
	}
	return out
}

// policyReads holds the policy documents read, or being read, in a scan:
// reading starts as soon as the first page that links to a policy is
// captured, beside the rest of the crawl, and the choice made over every
// page at the end takes the document from here when it is the same URL.
type policyReads struct {
	mu      sync.Mutex
	started bool
	docs    map[string]*policyRead
	wg      sync.WaitGroup
}

type policyRead struct {
	done chan struct{}
	doc  *browser.Document
	err  error
}

// readDocument reads u once per scan; a second caller waits for the first.
func (e *engine) readDocument(ctx context.Context, u string) (*browser.Document, error) {
	pr := &e.policyReads
	pr.mu.Lock()
	if pr.docs == nil {
		pr.docs = map[string]*policyRead{}
	}
	r, ok := pr.docs[u]
	if !ok {
		r = &policyRead{done: make(chan struct{})}
		pr.docs[u] = r
	}
	pr.mu.Unlock()
	if !ok {
		r.doc, r.err = e.browser.ReadDocument(ctx, u)
		close(r.done)
		return r.doc, r.err
	}
	select {
	case <-r.done:
		return r.doc, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// prefetchPolicy starts reading the policies a captured page links to, once
// per scan: most sites link them from every page, so the first page's are
// nearly always the ones chosen at the end.
func (e *engine) prefetchPolicy(ctx context.Context, p *capture.Page) {
	if !e.opts.DiscoverPolicy || len(e.opts.PolicyURLs) > 0 || p == nil || p.Error != "" {
		return
	}
	picked, _ := policyfind.Pick(policyfind.Find([]capture.Page{*p}))
	if len(picked) == 0 {
		return
	}
	pr := &e.policyReads
	pr.mu.Lock()
	if pr.started {
		pr.mu.Unlock()
		return
	}
	pr.started = true
	pr.mu.Unlock()
	for _, c := range picked {
		pr.wg.Go(func() { _, _ = e.readDocument(ctx, c.URL) })
	}
}

// waitPolicyReads waits for reads started ahead that the end did not use,
// so none outlives the browser.
func (e *engine) waitPolicyReads() { e.policyReads.wg.Wait() }
