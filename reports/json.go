package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/trackscan/trackscan/rules"
)

// JSON writes the report as the indented document described in
// docs/json.md; it is what `trackscan report` and `trackscan diff` read back.
type JSON struct{}

// Report implements Reporter.
func (JSON) Report(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Evidence holds URLs; escaping & and < would only make them harder to read.
	enc.SetEscapeHTML(false)
	return enc.Encode(normalized(r))
}

// maxReportBytes bounds what ReadJSON accepts, so a wrong file argument
// fails quickly instead of filling memory.
const maxReportBytes = 256 << 20

// ReadJSON reads a report written by the json format and checks its schema
// id and kind.
func ReadJSON(r io.Reader) (*Report, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxReportBytes))
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("not a trackscan report: empty input")
		}
		return nil, fmt.Errorf("not a trackscan report: %v", err)
	}
	switch {
	case rep.Schema == "":
		return nil, fmt.Errorf("not a trackscan report: no schema field (want %q)", Schema)
	case rep.Schema != Schema:
		return nil, fmt.Errorf("unsupported report schema %q (this trackscan reads %q)", rep.Schema, Schema)
	}
	switch rep.Kind {
	case KindSite, KindEmail, KindPolicy:
	default:
		return nil, fmt.Errorf("report kind %q is not one of site, email, policy", rep.Kind)
	}
	if rep.Findings == nil {
		rep.Findings = []rules.Finding{}
	}
	return &rep, nil
}
