package reports

import (
	"fmt"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/site"
	"github.com/trackscan/trackscan/rules"
)

// SiteScan is what a site report is built from: the engine's pages and
// notes, and what the site detectors made of the pages.
type SiteScan struct {
	Targets           []string
	Pages             []capture.Page
	Analysis          site.Result
	Browser           capture.BrowserInfo
	Notes             []string
	Started, Finished time.Time
}

// NewSite builds the report of a site scan, before the rules run: every
// page in its phase, one error line per failed page, and the detections.
func NewSite(s SiteScan, tool Tool) *Report {
	info := s.Browser
	rep := &Report{
		Schema: Schema, Kind: KindSite, Target: s.Targets[0], Tool: tool, Browser: &info,
		Vendors: s.Analysis.Vendors, Cookies: s.Analysis.Cookies, Storage: s.Analysis.Storage,
		Detections: s.Analysis.Detections, Started: s.Started, Finished: s.Finished, Notes: s.Notes,
	}
	if len(s.Targets) > 1 {
		rep.Targets = s.Targets
	}
	for _, p := range s.Pages {
		rep.Pages = append(rep.Pages, Page{URL: p.URL, Phase: p.Phase, FinalURL: p.FinalURL, Status: p.Status,
			Error: p.Error, Consent: p.Consent, Screenshot: p.Screenshot, Requests: len(p.Requests), Timing: p.Timing})
		rep.Pages[len(rep.Pages)-1].FormFields = p.FormFields
		rep.Pages[len(rep.Pages)-1].FormsSubmitted = p.FormsSubmitted
		if n := formsNote(p); n != "" {
			rep.Notes = append(rep.Notes, n)
		}
		if p.Error != "" {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s (%s): %s", p.URL, p.Phase, p.Error))
		}
	}
	return rep
}

// NewEmail builds the report of an email scan, before the rules run, with
// one error line per email that could not be read completely and one note
// per warning an email was read despite (they do not make it incomplete).
func NewEmail(target string, emails []detectors.Email, started, finished time.Time, tool Tool) *Report {
	rep := &Report{Schema: Schema, Kind: KindEmail, Target: target, Tool: tool, Emails: emails,
		Findings: []rules.Finding{}, Started: started, Finished: finished}
	for _, em := range emails {
		if em.Error != "" {
			rep.Errors = append(rep.Errors, em.File+": "+em.Error)
		}
		for _, w := range em.Warnings {
			rep.Notes = append(rep.Notes, em.File+": warning: "+w)
		}
	}
	return rep
}
