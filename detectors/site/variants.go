package site

import (
	"cmp"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/internal/keyshape"
)

// groupVariants lists storage keys that differ only in an id as one row:
// an SDK that takes a lock under a fresh random key before each batch
// (Mixpanel's __mplss_*) writes a hundred keys on a few pages, different in
// every run, which would bury the keys that matter and make two reports of
// one site differ. Keys group within one origin, kind, vendor and category;
// the row's key keeps what they share and shows the rest as "*".
func groupVariants(rows []detectors.Storage) []detectors.Storage {
	shapes := map[string]bool{}
	for _, s := range rows {
		if sh := keyshape.Of(s.Key); sh != s.Key {
			shapes[sh] = true
		}
	}
	type group struct {
		keys []string
		row  detectors.Storage
	}
	groups := map[string]*group{}
	var order []*group
	for _, s := range rows {
		sh := keyshape.Of(s.Key)
		if sh == s.Key {
			// A suffix with no digit ("__mplss_iwqitwdx") joins the family
			// of keys whose suffixes have one.
			if f := keyshape.FamilyOf(s.Key); f != "" && shapes[f] {
				sh = f
			}
		}
		id := strings.Join([]string{s.Origin, s.Kind, s.Vendor, string(s.Category), sh}, "\x00")
		if s.FirstParty {
			id += "\x00first"
		}
		g := groups[id]
		if g == nil {
			g = &group{row: s}
			groups[id] = g
			order = append(order, g)
		} else {
			g.row.Phases = capture.AddPhases(g.row.Phases, s.Phases...)
		}
		g.keys = append(g.keys, s.Key)
	}
	if len(order) == len(rows) {
		return rows
	}
	out := make([]detectors.Storage, 0, len(order))
	for _, g := range order {
		if len(g.keys) > 1 {
			g.row.Key, g.row.Variants = keyshape.Common(g.keys), len(g.keys)
		}
		out = append(out, g.row)
	}
	slices.SortStableFunc(out, func(a, b detectors.Storage) int {
		return cmp.Or(strings.Compare(a.Origin, b.Origin), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key))
	})
	return out
}
