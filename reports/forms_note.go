package reports

import (
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
)

// formsNote says, for a page --forms submit acted on, which forms it
// submitted and which it left alone and why; "" when it considered none.
func formsNote(p capture.Page) string {
	if len(p.FormsSubmitted) == 0 {
		return ""
	}
	var submitted, skipped []string
	for _, f := range p.FormsSubmitted {
		name := f.Form
		if name == "" {
			name = "(unnamed form)"
		}
		if f.Submitted {
			submitted = append(submitted, name)
			continue
		}
		why := f.Skipped
		if f.Detail != "" {
			why += ": " + f.Detail
		}
		skipped = append(skipped, name+" ("+why+")")
	}
	var parts []string
	if len(submitted) > 0 {
		parts = append(parts, "submitted "+strings.Join(submitted, ", "))
	}
	if len(skipped) > 0 {
		parts = append(parts, "not submitted "+strings.Join(skipped, ", "))
	}
	return "forms on " + p.URL + " (" + string(p.Phase) + "): " + strings.Join(parts, "; ")
}
