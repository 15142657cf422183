package consent

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Action is the choice a consent phase makes on a banner.
type Action string

// The two choices a visitor can make.
const (
	Reject Action = "reject"
	Accept Action = "accept"
)

// Valid reports whether a is Reject or Accept.
func (a Action) Valid() bool { return a == Reject || a == Accept }

// Meaning is what a banner button does, read from its label.
type Meaning string

// The meanings Classify tells apart. MeaningNone is every other label.
const (
	MeaningNone     Meaning = ""
	MeaningReject   Meaning = "reject"   // reject all, necessary only, continue without accepting
	MeaningAccept   Meaning = "accept"   // accept all, agree, OK
	MeaningSettings Meaning = "settings" // opens the second layer
	MeaningSave     Meaning = "save"     // stores the choices made in the second layer
)

// wording is the generic button lists compiled the way engine.js compiles
// them (case-insensitive, Unicode), so Go and the page agree.
type wording struct {
	reject, accept, settings, save []*regexp.Regexp
}

var (
	wordingOnce sync.Once
	compiled    wording
)

// compiledWording compiles the generic patterns of rules.json once. Only
// Classify uses it, so it is kept for the same reason (see Classify).
func compiledWording() wording {
	wordingOnce.Do(func() {
		rs, _, err := loaded()
		if err != nil {
			return // Classify then knows no label; LoadRules reports the error
		}
		mk := func(list []string) []*regexp.Regexp {
			out := make([]*regexp.Regexp, 0, len(list))
			for _, p := range list {
				out = append(out, regexp.MustCompile("(?i)"+p)) // Check compiled each one
			}
			return out
		}
		g := rs.Generic
		compiled = wording{reject: mk(g.Reject), accept: mk(g.Accept), settings: mk(g.Settings), save: mk(g.Save)}
	})
	return compiled
}

// NormLabel normalises a button label as engine.js's norm() does:
// whitespace collapsed, lower case, no leading or trailing punctuation.
// Outside the tests only Classify calls it; kept with Classify.
func NormLabel(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	keep := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
	return strings.TrimFunc(s, func(r rune) bool { return !keep(r) })
}

// Classify says what a button labelled label does. It is the Go mirror of
// engine.js's classifier over the same patterns (rules.json), kept so that
// the label tables can be checked in Go and in Chromium against one
// another; the scan itself classifies in the page. Reject is tested first
// and every pattern is anchored to the whole label, so "accept only
// necessary" is a reject and "accept all" never is.
func Classify(label string) Meaning {
	s := NormLabel(label)
	if s == "" || len([]rune(s)) > maxLabelRunes {
		return MeaningNone
	}
	w := compiledWording()
	for _, c := range []struct {
		m    Meaning
		list []*regexp.Regexp
	}{{MeaningReject, w.reject}, {MeaningAccept, w.accept}, {MeaningSettings, w.settings}, {MeaningSave, w.save}} {
		for _, re := range c.list {
			if re.MatchString(s) {
				return c.m
			}
		}
	}
	return MeaningNone
}

// maxLabelRunes: a longer text is a paragraph, not a button label
// (engine.js skips the same).
const maxLabelRunes = 60
