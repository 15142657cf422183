// Package rules compares detections with the declared policy and turns the
// gaps into findings.
package rules

import (
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Severity orders findings; CI gates on it with --fail-on.
type Severity string

const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Rank gives severities an order; unknown ones rank lowest.
func (s Severity) Rank() int {
	switch s {
	case Info:
		return 1
	case Low:
		return 2
	case Medium:
		return 3
	case High:
		return 4
	case Critical:
		return 5
	}
	return 0
}

// Finding is one compliance gap with its evidence.
type Finding struct {
	Rule        string               `json:"rule"`
	Title       string               `json:"title"`
	Severity    Severity             `json:"severity"`
	Category    kb.Category          `json:"category,omitempty"`
	Vendor      string               `json:"vendor,omitempty"`
	Phase       capture.Phase        `json:"phase,omitempty"`
	Disclosure  detectors.Disclosure `json:"disclosure,omitempty"`
	Target      string               `json:"target"` // page URL or email file
	Evidence    string               `json:"evidence"`
	PolicyQuote string               `json:"policy_quote,omitempty"`
	Fingerprint string               `json:"fingerprint"`
	// Subject is what the fingerprint keys on besides rule, page path and
	// vendor: a cookie name or a host. Never a value or a query string.
	Subject string `json:"subject,omitempty"`
	// URLs are up to maxURLs request URLs behind the finding, sorted, as
	// observed (query included): what an auditor replays or looks up.
	// Never part of the fingerprint, since they carry changing values.
	URLs []string `json:"urls,omitempty"`
	// LoadedBy is what brought the finding's vendor into the page (a
	// first-party script and line, the page's inline snippet, a tag-manager
	// container): SARIF's location, so CI points at what to change.
	LoadedBy *detectors.LoadStep `json:"loaded_by,omitempty"`
}

// maxURLs keeps a finding short; the JSON detections have the rest.
const maxURLs = 3

// capURLs is the sorted, distinct http(s) URLs, at most maxURLs of them.
func capURLs(urls []string) []string {
	var out []string
	for _, u := range sortedSet(urls) {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			out = append(out, u)
		}
	}
	if len(out) > maxURLs {
		out = out[:maxURLs]
	}
	return out
}
