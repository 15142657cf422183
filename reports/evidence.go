package reports

import (
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/rules"
)

// loadedByCell is the table's short LOADED BY cell: per distinct route, the
// step the site owner changes (container, script:line or inline:line).
func loadedByCell(v detectors.Vendor) string {
	var lines []string
	for _, l := range v.LoadedBy {
		if s, ok := l.Actionable(); ok && !slices.Contains(lines, s.Short()) {
			lines = append(lines, s.Short())
		}
	}
	return textfmt.OrDash(strings.Join(lines, "\n"))
}

func anyLoadedBy(vs []detectors.Vendor) bool {
	for _, v := range vs {
		if len(v.LoadedBy) > 0 {
			return true
		}
	}
	return false
}

type sarifLogicalLocation struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// sarifLoadedBy makes what loaded the finding's vendor its location (the
// script and line, the page's inline snippet, the tag-manager container
// as a logical location), so a CI failure points at what to change; the
// page stays as a related location.
func sarifLoadedBy(res *sarifResult, f rules.Finding) {
	s := f.LoadedBy
	if s == nil || s.URL == "" {
		return
	}
	page := res.Locations[0]
	page.ID, page.Message = 1, &sarifText{Text: "the page the finding was observed on"}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: s.URL},
		Region:           sarifRegion{StartLine: max(s.Line, 1)},
	}}
	msg := "loaded by " + s.Kind
	if s.Container != "" {
		loc.LogicalLocations = []sarifLogicalLocation{{Name: s.Container, Kind: "module"}}
		msg += " " + s.Container
	}
	loc.Message = &sarifText{Text: msg}
	res.Locations = []sarifLocation{loc}
	res.RelatedLocations = []sarifLocation{page}
}

// harIndex finds the HAR of a finding's page in its phase (any phase when
// the finding has none): the first page, in report order, whose URL or
// final URL is the finding's target. It is built once per render, so a
// report with many findings does not scan its pages once per finding.
type harIndex struct {
	byPhase map[harKey]string
	any     map[string]string
}

type harKey struct {
	page  string
	phase capture.Phase
}

func newHARIndex(pages []Page) harIndex {
	var x harIndex
	for _, p := range pages {
		if p.HAR == "" {
			continue
		}
		if x.byPhase == nil {
			x.byPhase, x.any = map[harKey]string{}, map[string]string{}
		}
		for _, u := range []string{p.URL, p.FinalURL} {
			if _, ok := x.byPhase[harKey{u, p.Phase}]; !ok {
				x.byPhase[harKey{u, p.Phase}] = p.HAR
			}
			if _, ok := x.any[u]; !ok {
				x.any[u] = p.HAR
			}
		}
	}
	return x
}

// of is the HAR file of page in phase, "" when no HAR was written.
func (x harIndex) of(page string, phase capture.Phase) string {
	if phase == "" {
		return x.any[page]
	}
	return x.byPhase[harKey{page, phase}]
}
