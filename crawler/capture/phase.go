package capture

import "slices"

// Rank is the phase's place in Phases; an unknown phase ranks last.
func (p Phase) Rank() int {
	if i := slices.Index(Phases, p); i >= 0 {
		return i
	}
	return len(Phases)
}

// AddPhases adds phases to a set, keeping it free of repeats and in the
// order of Phases.
func AddPhases(set []Phase, ps ...Phase) []Phase {
	for _, p := range ps {
		if !slices.Contains(set, p) {
			set = append(set, p)
		}
	}
	slices.SortStableFunc(set, func(a, b Phase) int { return a.Rank() - b.Rank() })
	return set
}
