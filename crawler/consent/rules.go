// Package consent finds cookie banners and consent management platforms
// (CMPs) in a page, clicks "reject all" or "accept all", and reads the
// consent signals a page exposes (IAB TCF, GPP, GPC, Google Consent Mode).
//
// The banner engine runs inside the page as JavaScript (Script), so it sees
// open shadow roots and same-origin iframes. What it looks for is data:
// rules.json lists the CMPs with their selectors, and the generic fallback's
// anchored button texts in six languages.
package consent

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

//go:embed rules.json
var rulesJSON []byte

// Target is an element to click: a CSS selector, optionally narrowed to
// elements whose normalised text (or aria-label) matches Text, a
// case-insensitive regular expression in JavaScript syntax. In JSON a bare
// string is a Target with only CSS.
type Target struct {
	CSS  string `json:"css"`
	Text string `json:"text,omitempty"`
}

// UnmarshalJSON accepts "selector" as well as {"css": ..., "text": ...}.
func (t *Target) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.CSS)
	}
	type plain Target
	return json.Unmarshal(b, (*plain)(t))
}

// Rule describes one CMP.
type Rule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Detect: any match means the CMP is on the page.
	Detect []string `json:"detect"`
	// Banner: a visible match means its first layer is showing; Detect when empty.
	Banner []string `json:"banner,omitempty"`
	// ShadowHost, when set, is the element whose open shadow root holds the
	// CMP's UI; Banner and the buttons are looked up inside it.
	ShadowHost string `json:"shadowHost,omitempty"`
	// Reject and Accept are the first-layer buttons, tried in order.
	Reject []Target `json:"reject"`
	Accept []Target `json:"accept"`
	// RejectSteps are clicked one after the other (each waited for) when no
	// Reject button is visible: typically "settings", then "reject all" or
	// "save" in the second layer.
	RejectSteps []Target `json:"rejectSteps,omitempty"`
	AcceptSteps []Target `json:"acceptSteps,omitempty"`
}

// Generic is the fallback for banners no rule knows.
type Generic struct {
	// Words: a banner's text must match this (case-insensitive) to count.
	Words string `json:"words"`
	// Reject and Accept are anchored patterns for a button's whole text,
	// most specific first: the first pattern that matches any button wins.
	Reject []string `json:"reject"`
	Accept []string `json:"accept"`
	// Settings open a second layer; Save stores the choices made there.
	Settings []string `json:"settings"`
	Save     []string `json:"save"`
	// Necessary matches the label of a second-layer toggle that a visitor
	// cannot or need not turn off; every other toggle is non-essential.
	Necessary string `json:"necessary"`
	// LegitimateInterest matches a toggle that claims legitimate interest
	// rather than consent, which "reject all" must still turn off.
	LegitimateInterest string `json:"legitimateInterest"`
}

// RuleSet is the whole data file.
type RuleSet struct {
	Rules   []Rule  `json:"rules"`
	Generic Generic `json:"generic"`
}

// Config holds the user's own selectors for their banner (config file keys
// consent.reject and consent.accept). They are tried before every rule.
type Config struct {
	Reject []string `json:"reject,omitempty"`
	Accept []string `json:"accept,omitempty"`
}

// LoadRules returns the built-in rules, checked.
func LoadRules() (RuleSet, error) {
	var rs RuleSet
	dec := json.NewDecoder(bytes.NewReader(rulesJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return rs, fmt.Errorf("consent rules: %w", err)
	}
	return rs, rs.Check()
}

// Check reports the first problem in a rule set: missing fields, duplicate
// ids, patterns that are not anchored or do not compile.
func (rs RuleSet) Check() error {
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		switch {
		case r.ID == "" || r.Name == "":
			return fmt.Errorf("consent rule %d: id and name are required", i)
		case seen[r.ID] || r.ID == "generic" || r.ID == "config":
			return fmt.Errorf("consent rule %s: duplicate or reserved id", r.ID)
		case len(r.Detect) == 0:
			return fmt.Errorf("consent rule %s: no detect selector", r.ID)
		case len(r.Reject) == 0 && len(r.RejectSteps) == 0:
			return fmt.Errorf("consent rule %s: no way to reject", r.ID)
		case len(r.Accept) == 0 && len(r.AcceptSteps) == 0:
			return fmt.Errorf("consent rule %s: no way to accept", r.ID)
		}
		seen[r.ID] = true
		for _, t := range append(append(append(append([]Target{}, r.Reject...), r.Accept...), r.RejectSteps...), r.AcceptSteps...) {
			if strings.TrimSpace(t.CSS) == "" {
				return fmt.Errorf("consent rule %s: empty selector", r.ID)
			}
			if t.Text != "" {
				if _, err := regexp.Compile("(?i)" + t.Text); err != nil {
					return fmt.Errorf("consent rule %s: text %q: %v", r.ID, t.Text, err)
				}
			}
		}
	}
	for _, f := range []struct{ name, p string }{{"words", rs.Generic.Words}, {"necessary", rs.Generic.Necessary}, {"legitimateInterest", rs.Generic.LegitimateInterest}} {
		if _, err := regexp.Compile("(?i)" + f.p); err != nil || f.p == "" {
			return fmt.Errorf("consent generic %s: %q does not compile", f.name, f.p)
		}
	}
	for _, p := range slices.Concat(rs.Generic.Reject, rs.Generic.Accept, rs.Generic.Settings, rs.Generic.Save) {
		if !strings.HasPrefix(p, "^") || !strings.HasSuffix(p, "$") {
			return fmt.Errorf("consent generic pattern %q is not anchored", p)
		}
		if _, err := regexp.Compile("(?i)" + p); err != nil {
			return fmt.Errorf("consent generic pattern %q: %v", p, err)
		}
	}
	return nil
}

// Name returns the display name of a CMP id as detect() reports it
// ("onetrust" -> "OneTrust"); "generic" and "config" have their own names.
// An unknown id is returned as it is.
func Name(id string) string {
	switch id {
	case "generic":
		return "generic cookie banner"
	case "config":
		return "banner matched by the configured selectors"
	case "":
		return ""
	}
	rs, _, err := loaded()
	if err != nil {
		return id
	}
	for _, r := range rs.Rules {
		if r.ID == id {
			return r.Name
		}
	}
	return id
}
