package site

import (
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/email"
)

// formNeedle is one normalised form of a test-identity value: what a
// tracker may send after trimming, lower-casing, or keeping only digits.
type formNeedle struct {
	kind, form string
	finder     email.ValueFinder
}

// formNeedles are the forms of every test-identity value, by kind. First
// names alone are too common to search for; they count within the full name.
var formNeedles = func() []formNeedle {
	id := capture.TestIdentity
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, id.Phone)
	n := func(kind, form, v string) formNeedle { return formNeedle{kind, form, email.NewValueFinder(v)} }
	return []formNeedle{
		n(detectors.IDEmail, "lower-cased", id.Email),
		n(detectors.IDPhone, "digits", digits),
		n(detectors.IDPhone, "E.164", "+"+digits),
		n(detectors.IDPhone, "as typed", id.Phone),
		n(detectors.IDName, "full name", id.FirstName+" "+id.LastName),
		n(detectors.IDName, "last name", id.LastName),
		n(detectors.IDAddress, "postcode", id.Postcode),
		n(detectors.IDAddress, "postcode without space", strings.ReplaceAll(id.Postcode, " ", "")),
	}
}()

// emailStripper removes the test email, plain or URL-encoded, from a
// lower-cased text (the finders compare case-insensitively).
var emailStripper = func() *strings.Replacer {
	e := strings.ToLower(capture.TestIdentity.Email)
	return strings.NewReplacer(e, "", strings.ToLower(url.QueryEscape(e)), "")
}()

// pageFormValues reports every request of a page whose forms were filled
// that carried a typed value, with the encodings found.
func (a *analysis) pageFormValues(p *capture.Page, base detectors.Detection, pageURL string, firstParty func(string) bool) {
	if len(p.FormFields) == 0 {
		return
	}
	typed := map[string][]string{} // kind -> field names, for the evidence
	for _, f := range p.FormFields {
		if !slices.Contains(typed[f.Kind], f.Name) {
			typed[f.Kind] = append(typed[f.Kind], f.Name)
		}
	}
	for _, r := range p.Requests {
		host := capture.HostOf(r.URL)
		if host == "" || r.ResourceType == "Document" && r.URL == pageURL {
			continue
		}
		text := r.URL + "\n" + r.PostData
		// The email holds the last name: without it, a name found is a name sent.
		noEmail := emailStripper.Replace(strings.ToLower(text))
		var ids []detectors.Identifier
		seenKind := map[string]bool{}
		for _, nd := range formNeedles {
			if seenKind[nd.kind] || typed[nd.kind] == nil {
				continue
			}
			hay := text
			if nd.kind == detectors.IDName {
				hay = noEmail
			}
			if encs := nd.finder.In(hay); len(encs) > 0 {
				seenKind[nd.kind] = true
				sort.Strings(encs)
				ids = append(ids, detectors.Identifier{Field: strings.Join(typed[nd.kind], ","), Kind: nd.kind,
					Encoding: strings.Join(encs, "+") + " of the " + nd.form + " value"})
			}
		}
		if len(ids) == 0 {
			continue
		}
		w, known := a.attribute(r.URL, pageURL, r.ResourceType)
		fp := firstParty(host)
		if !known && !fp {
			w = unknownVendor(host)
		}
		d := base
		d.Kind, d.Vendor, d.Category, d.URL, d.Host, d.FirstParty, d.Source = detectors.KindFormValueSent, w.id, w.category, r.URL, host, fp, w.source
		var parts []string
		for _, id := range ids {
			parts = append(parts, id.Kind+" typed into "+id.Field+" ("+id.Encoding+")")
		}
		when, format := " before any submit: ", detectors.SentFormFill
		if r.OnSubmit {
			when, format = " on submit: "+r.Method+" ", detectors.SentFormSubmit
		}
		d.Evidence = strings.Join(parts, "; ") + " sent to " + host + when + strings.ToLower(r.ResourceType) + " " + trimURL(r.URL)
		d.Sent = &detectors.Sent{Format: format, Identifiers: ids}
		a.detect(d)
		if w.id != "" {
			a.addVendor(w, p.Phase, host, d.Kind)
		}
	}
}
