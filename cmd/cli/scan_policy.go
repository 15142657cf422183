package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/trackscan/trackscan/crawler/policyfind"
	"github.com/trackscan/trackscan/crawler/scan"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules/policy"
)

// scanPolicy is the declared policy as far as it is known before the scan:
// the local files, already read; the URLs the browser will read; or
// whether to look for the policy on the site.
type scanPolicy struct {
	files    *policy.Policy
	fileSrcs []string
	urls     []string
	discover bool
}

// preparePolicy reads the --policy files (and the config file's) before
// Chromium starts, so that a missing or invalid file fails at once (exit
// 2); URLs are left for the scan's browser.
func (e *stdio) preparePolicy(f *scanFlags) (scanPolicy, error) {
	if _, err := f.out.Config(); err != nil {
		return scanPolicy{}, err
	}
	var sp scanPolicy
	if f.noPolicy && len(f.out.policies) > 0 {
		return sp, usageErr("--no-policy and --policy together: choose one")
	}
	for _, src := range f.out.policies {
		if policy.IsURL(src) {
			sp.urls = append(sp.urls, src)
		} else {
			sp.fileSrcs = append(sp.fileSrcs, src)
		}
	}
	if len(sp.fileSrcs) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), policyTimeout)
		defer cancel()
		p, err := loadPolicy(ctx, sp.fileSrcs...)
		if err != nil {
			return sp, usageErr("policy: %s", oneLine(err))
		}
		sp.files = p
	}
	sp.discover = len(f.out.policies) == 0 && !f.noPolicy
	// emit must not read the sources a second time.
	f.out.policies = nil
	return sp, nil
}

// applyPolicy turns the local files and the documents the scan's browser
// read into the report's policy, with policy.sources saying where each
// came from and how it was found. A given policy URL that could not be
// read makes the run incomplete (exit 3) but keeps the report, judged by
// the rules that need no policy; finding no policy at all is a note.
func applyPolicy(rep *reports.Report, f *scanFlags, sp scanPolicy, docs []scan.PolicyDocument, scanErr error) error {
	var pols []*policy.Policy
	var failed []policy.Source
	if sp.files != nil {
		for _, src := range sp.fileSrcs {
			sp.files.Sources = append(sp.files.Sources, policy.Source{URL: src, Kind: string(policyfind.Privacy), How: string(policyfind.HowGiven), Status: policy.SourceRead})
		}
		pols = append(pols, sp.files)
	}
	var unreadGiven []string
	for _, d := range docs {
		src := policy.Source{URL: d.URL, Kind: string(d.Kind), How: string(d.How), Page: d.Page, Status: policy.SourceRead}
		var p *policy.Policy
		err := d.Err
		if err == nil {
			p, err = parseDocument(d)
		}
		if err != nil {
			src.Status, src.Error = policy.SourceFailed, oneLine(err)
			failed = append(failed, src)
			if d.How == policyfind.HowGiven {
				unreadGiven = append(unreadGiven, fmt.Sprintf("%s (%s)", d.URL, oneLine(err)))
			}
			continue
		}
		p.Sources = append([]policy.Source{src}, p.Sources...)
		pols = append(pols, p)
		// The consent banner's own cookie list, from its data on the page.
		if cp := cmpDeclaration(d); cp != nil {
			pols = append(pols, cp)
		}
		// A consent banner's cookie declaration shown in a frame of the page.
		for _, fr := range d.Doc.Frames {
			fp, err := policy.Parse(fr.URL, []byte(fr.HTML), policy.FormatHTML)
			if err != nil || len(fp.Cookies) == 0 {
				continue
			}
			fp.Sources = []policy.Source{{URL: fr.URL, Kind: string(policyfind.Cookies), How: string(policyfind.HowCMP), Page: d.URL, Status: policy.SourceRead}}
			pols = append(pols, fp)
		}
	}
	switch {
	case len(unreadGiven) > 0:
		rep.Notes = append(rep.Notes, "policy not read: "+strings.Join(unreadGiven, "; ")+
			"; only the rules that need no policy were run")
		if scanErr == nil {
			scanErr = fmt.Errorf("%w: the policy could not be read: %s", ErrIncomplete, strings.Join(unreadGiven, "; "))
		}
		if sp.files == nil {
			return scanErr
		}
	case sp.discover && len(pols) == 0:
		rep.Notes = append(rep.Notes, "no privacy policy found: no page visited links to one and no usual path (/privacy, /datenschutz, ...) answered; "+
			"only the rules that need no policy were run (give it with --policy)")
		return scanErr
	case len(pols) == 0:
		return scanErr
	}
	p := policy.Merge(pols...)
	p.Sources = append(p.Sources, failed...)
	rep.Policy = p
	return scanErr
}

// parseDocument reads a rendered policy document.
func parseDocument(d scan.PolicyDocument) (*policy.Policy, error) {
	name := d.URL
	mime := strings.ToLower(d.Doc.MimeType)
	if strings.HasPrefix(mime, "text/plain") || strings.Contains(mime, "markdown") {
		return policy.Parse(name, []byte(d.Doc.Text), policy.FormatText)
	}
	return policy.Parse(name, []byte(d.Doc.HTML), policy.FormatHTML)
}

// cmpDeclaration turns the cookies a consent banner's data declares into a
// policy of declared cookies, one quote per declared line.
func cmpDeclaration(d scan.PolicyDocument) *policy.Policy {
	if d.Doc == nil || len(d.Doc.CMPCookies) == 0 {
		return nil
	}
	src := d.URL + " (" + d.Doc.CMPCookies[0].CMP + " cookie declaration)"
	p := &policy.Policy{Source: src, Declarations: []policy.Declaration{},
		Sources: []policy.Source{{URL: d.URL, Kind: string(policyfind.Cookies), How: string(policyfind.HowCMP), Page: d.URL, Status: policy.SourceRead}}}
	for _, c := range d.Doc.CMPCookies {
		life := "session"
		if c.Days > 0 {
			life = fmt.Sprintf("%g days", c.Days)
		} else if c.Days == 0 {
			life = "not given"
		}
		p.Cookies = append(p.Cookies, policy.DeclaredCookie{
			Name: c.Name, Days: c.Days, Lifetime: life, Provider: c.Provider, Category: policy.CookieCategory(c.Category),
			Quote: fmt.Sprintf("%s | %s | %s | %s (%s cookie declaration)", c.Name, c.Provider, c.Category, life, c.CMP),
		})
	}
	return p
}
