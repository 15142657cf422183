// Package reports renders a scan result: table, JSON, SARIF, JUnit,
// Markdown and HTML. Every format reads the same Report document.
package reports

import (
	"io"
	"strings"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// Schema is the JSON schema id written into every report.
const Schema = "trackscan/v1"

// Kind says what a report is about. It is the rules' input kind, so a
// site or email report goes to the rules as it is; the values are spelled
// once, in rules.
type Kind = rules.InputKind

// Report kinds.
const (
	KindSite   Kind = rules.SiteInput
	KindEmail  Kind = rules.EmailInput
	KindPolicy Kind = "policy" // a policy reading; the rules never judge one alone
)

// Report is the whole result of one trackscan run: the JSON document of
// docs/json.md, and the input of every other format.
type Report struct {
	Schema string `json:"schema"`
	Kind   Kind   `json:"kind"`
	Target string `json:"target"`
	// Targets lists every start URL of a scan of several; Target is the first.
	Targets []string             `json:"targets,omitempty"`
	Tool    Tool                 `json:"tool"`
	Browser *capture.BrowserInfo `json:"browser,omitempty"`
	// Started and Finished bound the capture (RFC 3339, UTC): an auditor's
	// "when". Zero, and left out, when unknown (golden files, old reports).
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`

	Pages      []Page                `json:"pages,omitempty"`
	Vendors    []detectors.Vendor    `json:"vendors,omitempty"`
	Cookies    []detectors.Cookie    `json:"cookies,omitempty"`
	Storage    []detectors.Storage   `json:"storage,omitempty"`
	Detections []detectors.Detection `json:"detections,omitempty"`
	Emails     []detectors.Email     `json:"emails,omitempty"`
	Policy     *policy.Policy        `json:"policy,omitempty"`
	Findings   []rules.Finding       `json:"findings"`
	Errors     []string              `json:"errors,omitempty"` // one line per page or file that failed
	Notes      []string              `json:"notes,omitempty"`  // how the run went, when worth saying (not failures)
	// Suppressed counts findings left out by a baseline or the ignore file.
	Suppressed int `json:"suppressed,omitempty"`
	// SuppressedFingerprints are the fingerprints a baseline suppressed,
	// sorted, so that diff sees those findings as still present.
	SuppressedFingerprints []string `json:"suppressed_fingerprints,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Page is one captured page in one phase.
type Page struct {
	URL        string           `json:"url"`
	Phase      capture.Phase    `json:"phase"`
	FinalURL   string           `json:"final_url,omitempty"`
	Status     int              `json:"status,omitempty"`
	Error      string           `json:"error,omitempty"`
	Consent    *capture.Consent `json:"consent,omitempty"`
	Screenshot string           `json:"screenshot,omitempty"`
	Requests   int              `json:"requests"`
	Timing     *capture.Timing  `json:"timing,omitempty"`
	HAR        string           `json:"har,omitempty"` // the page's HAR file, with --har
	// FormFields are the fields --forms filled with the test identity.
	FormFields []capture.FormField `json:"form_fields,omitempty"`
	// FormsSubmitted are the filled forms --forms submit submitted or
	// skipped (with the reason).
	FormsSubmitted []capture.FormSubmit `json:"forms_submitted,omitempty"`
}

// Reporter writes a report in one format.
type Reporter interface {
	Report(w io.Writer, r *Report) error
}

// TargetLine names what was scanned: every start URL of a scan of several
// sites, else the target.
func (r *Report) TargetLine() string {
	if len(r.Targets) > 1 {
		return strings.Join(r.Targets, ", ")
	}
	return r.Target
}
