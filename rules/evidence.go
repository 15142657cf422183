package rules

import (
	"github.com/trackscan/trackscan/detectors"
)

// loadedBy is the step a finding's vendor was loaded by, for the finding's
// phase and page (else the phase's first page, else any phase): the file,
// line or tag-manager container a developer changes. Nil when unknown.
func (ev *evaluation) loadedBy(f Finding) *detectors.LoadStep {
	v := ev.vendors[f.Vendor]
	if v == nil || f.Vendor == "" {
		return nil
	}
	var best *detectors.LoadedBy
	for i := range v.LoadedBy {
		l := &v.LoadedBy[i]
		if f.Phase != "" && string(l.Phase) != f.Phase {
			continue
		}
		if l.Page == f.Target {
			best = l
			break
		}
		if best == nil {
			best = l
		}
	}
	if best == nil {
		return nil
	}
	s, ok := best.Actionable()
	if !ok {
		return nil
	}
	return &s
}
