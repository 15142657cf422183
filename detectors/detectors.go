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
	// LoadedBy is, per phase, what brought the vendor in (see LoadedBy).
	LoadedBy []LoadedBy `json:"loaded_by,omitempty"`
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
	// KindCNAMECloaking is a host that is a DNS alias (CNAME) of a tracker's
	// host. On the site's own domain (FirstParty) filter lists and
	// third-party cookie rules take the tracker for the site itself; on an
	// unknown third-party domain it only hides the tracker's name.
	KindCNAMECloaking = "cname-cloaking"
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
	// Confidence is "low" for a guess (a CNAME to an unknown host whose
	// traffic looks like tracking); empty when the knowledge base matched.
	Confidence string `json:"confidence,omitempty"`
	// Sent is the decoded payload of a KindBeaconPayload detection.
	Sent *Sent `json:"sent,omitempty"`
}

// Email is what one email contained.
type Email struct {
	File      string `json:"file"`
	Subject   string `json:"subject,omitempty"`
	From      string `json:"from,omitempty"`
	ESP       string `json:"esp,omitempty"`        // vendor id of the sending ESP
	ESPSource string `json:"esp_source,omitempty"` // which header or URL named it
	// SenderUnknown: no From, DKIM or Return-Path domain and no --first-party,
	// so every host counts as a third party.
	SenderUnknown bool           `json:"sender_unknown,omitempty"`
	Trackers      []EmailTracker `json:"trackers"`
	Render        *EmailRender   `json:"render,omitempty"` // set by --render
	Error         string         `json:"error,omitempty"`
}

// EmailRender is what an email did when shown in Chromium as a mail client
// that loads remote images shows it (JavaScript off).
type EmailRender struct {
	Requests []EmailRequest `json:"requests"`
	Cookies  []EmailCookie  `json:"cookies"`
}

// EmailRequest is one request made while the email was shown.
type EmailRequest struct {
	URL       string `json:"url"`
	Type      string `json:"type"` // Chromium's resource type: Image, Stylesheet, Font, ...
	Status    int    `json:"status,omitempty"`
	Initiator string `json:"initiator,omitempty"` // the style sheet that asked for it; empty for the email itself
	Condition string `json:"condition,omitempty"` // "dark-mode" or "print" when only that asked for it
	Failed    string `json:"failed,omitempty"`
}

// EmailCookie is a cookie a response tried to set while the email was shown.
type EmailCookie struct {
	Name        string   `json:"name"`
	Host        string   `json:"host"`             // host of the response that set it
	Domain      string   `json:"domain,omitempty"` // Domain attribute; empty for a host-only cookie
	SetBy       string   `json:"set_by"`
	ExpiresDays float64  `json:"expires_days"` // -1 for a session cookie
	ThirdParty  bool     `json:"third_party"`  // not the sender's domain
	Stored      bool     `json:"stored"`
	Blocked     []string `json:"blocked,omitempty"` // the browser's reasons for refusing it
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
	// Rendered says what --render saw of the URL: "confirmed" (in the HTML
	// and requested by the browser), "only" (requested, but found only by
	// rendering, e.g. in an imported style sheet) or "not-loaded" (in the
	// HTML, never requested: unchosen srcset candidates), "dark-mode" or
	// "print" (requested only once the email was shown in dark mode, or as
	// printed).
	// Whether the server answered is in Email.Render. Empty without --render.
	Rendered string `json:"rendered,omitempty"`
}

// Values of EmailTracker.Rendered.
const (
	RenderedConfirmed = "confirmed"
	RenderedOnly      = "only"
	RenderedNotLoaded = "not-loaded"
	RenderedDarkMode  = "dark-mode"
	RenderedPrint     = "print"
)
