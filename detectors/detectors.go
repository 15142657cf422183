// Package detectors turns what was captured (pages, emails) into named,
// categorised detections. Its result types are the seam to the rules and
// the reports.
package detectors

import (
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Vendor is one vendor observed in a scan.
type Vendor struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Owner      string          `json:"owner,omitempty"`
	Category   kb.Category     `json:"category"`
	Phases     []capture.Phase `json:"phases"`
	Hosts      []string        `json:"hosts"`
	Disclosure string          `json:"disclosure"` // set by the rules when a policy is given
	Source     string          `json:"source,omitempty"`
	Kinds      []string        `json:"kinds,omitempty"` // detection kinds seen for it
}

// Cookie is one cookie (by name and domain) over all pages and phases.
type Cookie struct {
	Name        string          `json:"name"`
	Domain      string          `json:"domain"`
	FirstParty  bool            `json:"first_party"`
	Vendor      string          `json:"vendor"` // vendor id, "" when unknown
	Category    kb.Category     `json:"category"`
	Phases      []capture.Phase `json:"phases"`
	ExpiresDays float64         `json:"expires_days"` // the longest seen; -1 session
	SetBy       string          `json:"set_by"`
	Source      string          `json:"source,omitempty"` // "header" or "script"
	Stored      bool            `json:"stored"`
	Blocked     []string        `json:"blocked,omitempty"`
	Pages       []string        `json:"pages,omitempty"`
}

// Storage is one Web Storage key over all pages and phases.
type Storage struct {
	Origin     string          `json:"origin"`
	Kind       string          `json:"kind"`
	Key        string          `json:"key"`
	Vendor     string          `json:"vendor"`
	Category   kb.Category     `json:"category"`
	FirstParty bool            `json:"first_party"`
	Phases     []capture.Phase `json:"phases"`
}

// Detection kinds for sites.
const (
	KindThirdPartyScript = "third-party-script"
	KindThirdPartyFrame  = "third-party-frame"
	KindThirdParty       = "third-party-request"
	KindWebBeacon        = "web-beacon"
	KindSocialWidget     = "social-widget"
	KindSessionRecorder  = "session-recorder"
	KindFingerprinting   = "fingerprinting"
	KindTrackingCookie   = "tracking-cookie"
	KindStorage          = "storage"
	// KindConsentMode is a Google request carrying a Consent Mode state.
	KindConsentMode = "consent-mode"
)

// Detection is one observation: what, on which page and phase, by whom.
type Detection struct {
	Kind       string        `json:"kind"`
	Vendor     string        `json:"vendor"` // vendor id, "" when unknown
	Category   kb.Category   `json:"category"`
	Phase      capture.Phase `json:"phase"`
	Page       string        `json:"page"`
	URL        string        `json:"url,omitempty"`
	Host       string        `json:"host,omitempty"`
	FirstParty bool          `json:"first_party"`
	Evidence   string        `json:"evidence"`
	Source     string        `json:"source,omitempty"` // which knowledge matched: "trackscan" or a list rule
}

// Email is what one email contained.
type Email struct {
	File      string         `json:"file"`
	Subject   string         `json:"subject,omitempty"`
	From      string         `json:"from,omitempty"`
	ESP       string         `json:"esp,omitempty"`        // vendor id of the sending ESP
	ESPSource string         `json:"esp_source,omitempty"` // which header or URL named it
	Trackers  []EmailTracker `json:"trackers"`
	Error     string         `json:"error,omitempty"`
}

// Email tracker kinds.
const (
	KindOpenPixel         = "open-pixel"
	KindClickTracking     = "click-tracking"
	KindCSSTracker        = "css-tracker"
	KindThirdPartyContent = "third-party-content"
	KindAddressLeak       = "address-leak"
)

// EmailTracker is one tracking element of an email.
type EmailTracker struct {
	Kind              string      `json:"kind"`
	URL               string      `json:"url"`
	Host              string      `json:"host"`
	Vendor            string      `json:"vendor"`
	Category          kb.Category `json:"category,omitempty"`
	ThirdParty        bool        `json:"third_party"`
	RecipientSpecific bool        `json:"recipient_specific"`
	LeakEncoding      string      `json:"leak_encoding,omitempty"`
	Evidence          string      `json:"evidence,omitempty"`
}
