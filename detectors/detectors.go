// Package detectors turns what was captured (pages, emails) into named,
// categorised detections. Its result types are the seam to the rules and
// the reports.
package detectors

import (
	"encoding/json"
	"fmt"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Kind names what a detection or an email tracker is; the values are the
// Kind constants below.
type Kind string

// Disclosure is how the policy covers an observed vendor or practice. The
// rules decide it; it lives here because Vendor carries it into the report.
type Disclosure string

// Disclosure levels of an observed vendor or practice against the policy.
const (
	DisclosureNamed        Disclosure = "named"
	DisclosureOwnerNamed   Disclosure = "owner-named"
	DisclosureCategoryOnly Disclosure = "category-only"
	DisclosureUndisclosed  Disclosure = "undisclosed"
	DisclosureContradicted Disclosure = "contradicted"
)

// Vendor is one vendor observed in a scan.
type Vendor struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Owner      string          `json:"owner,omitempty"`
	Category   kb.Category     `json:"category"`
	Phases     []capture.Phase `json:"phases"`
	Hosts      []string        `json:"hosts"`
	Disclosure Disclosure      `json:"disclosure"` // set by the rules when a policy is given
	Source     string          `json:"source,omitempty"`
	Kinds      []Kind          `json:"kinds,omitempty"` // detection kinds seen for it
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
	// Variants, when set, is how many keys that differ only in an id this
	// row stands for; Key then shows the parts they differ in as "*".
	Variants int `json:"variants,omitempty"`
}

// Label is the key as a report shows it: with the number of keys a row of
// variants stands for.
func (s Storage) Label() string {
	if s.Variants > 1 {
		return fmt.Sprintf("%s (%d keys)", s.Key, s.Variants)
	}
	return s.Key
}

// Detection kinds for sites.
const (
	KindThirdPartyScript Kind = "third-party-script"
	KindThirdPartyFrame  Kind = "third-party-frame"
	KindThirdParty       Kind = "third-party-request"
	KindWebBeacon        Kind = "web-beacon"
	KindSocialWidget     Kind = "social-widget"
	KindSessionRecorder  Kind = "session-recorder"
	KindFingerprinting   Kind = "fingerprinting"
	KindTrackingCookie   Kind = "tracking-cookie"
	KindStorage          Kind = "storage"
	// KindConsentMode is a Google request carrying a Consent Mode state.
	KindConsentMode Kind = "consent-mode"
	// KindCNAMECloaking is a host that is a DNS alias (CNAME) of a tracker's
	// host. On the site's own domain (FirstParty) filter lists and
	// third-party cookie rules take the tracker for the site itself; on an
	// unknown third-party domain it only hides the tracker's name.
	KindCNAMECloaking Kind = "cname-cloaking"
	// KindNavigationOutOfScope is a navigation of the top frame (redirect,
	// location=, meta refresh, popup) to another site or a private address
	// that the browser refused to load; URL and Host name where it went.
	KindNavigationOutOfScope Kind = "navigation-out-of-scope"
)

// Detection is one observation: what, on which page and phase, by whom.
type Detection struct {
	Kind       Kind          `json:"kind"`
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
	// ConsentMode is the decoded state of a KindConsentMode detection. It
	// is not written to JSON (Evidence shows it); reading a report back
	// decodes it again from URL with the same decoder.
	ConsentMode *consent.ConsentMode `json:"-"`
}

// UnmarshalJSON reads a detection and restores the Consent Mode state a
// saved report leaves out, so rules judged again see what the scan saw.
func (d *Detection) UnmarshalJSON(b []byte) error {
	type plain Detection
	if err := json.Unmarshal(b, (*plain)(d)); err != nil {
		return err
	}
	if d.Kind == KindConsentMode {
		if cm, ok := consent.DecodeGCS(d.URL); ok {
			d.ConsentMode = &cm
		}
	}
	return nil
}

// Email is what one email contained.
type Email struct {
	File    string `json:"file"`
	Subject string `json:"subject,omitempty"`
	From    string `json:"from,omitempty"`
	// ESP is the platform that built the message (its tracking hosts, its
	// List-Unsubscribe and Feedback-ID, its template markers); Delivery is
	// the infrastructure that sent it, which may be another company
	// (Klaviyo over SendGrid). Ids are the ESP ids of detectors/email.
	ESP            string `json:"esp,omitempty"`
	ESPName        string `json:"esp_name,omitempty"`
	ESPSource      string `json:"esp_source,omitempty"` // which header or URL named it
	Delivery       string `json:"delivery,omitempty"`
	DeliveryName   string `json:"delivery_name,omitempty"`
	DeliverySource string `json:"delivery_source,omitempty"`
	// SenderUnknown: no From, DKIM or Return-Path domain and no --first-party,
	// so every host counts as a third party.
	SenderUnknown bool           `json:"sender_unknown,omitempty"`
	Trackers      []EmailTracker `json:"trackers"`
	Render        *EmailRender   `json:"render,omitempty"` // set by --render
	Error         string         `json:"error,omitempty"`
	// Warnings are problems the email was read despite (an unknown
	// transfer encoding read as 8bit); they do not make a scan incomplete.
	Warnings []string `json:"warnings,omitempty"`
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
	KindOpenPixel         Kind = "open-pixel"
	KindClickTracking     Kind = "click-tracking"
	KindCSSTracker        Kind = "css-tracker"
	KindThirdPartyContent Kind = "third-party-content"
	KindAddressLeak       Kind = "address-leak"
)

// EmailTracker is one tracking element of an email.
type EmailTracker struct {
	Kind              Kind        `json:"kind"`
	URL               string      `json:"url"`
	Host              string      `json:"host"`
	Vendor            string      `json:"vendor"`
	Category          kb.Category `json:"category,omitempty"`
	ThirdParty        bool        `json:"third_party"`
	RecipientSpecific bool        `json:"recipient_specific"`
	LeakEncoding      string      `json:"leak_encoding,omitempty"`
	Evidence          string      `json:"evidence,omitempty"`
	// Individual says why an open pixel, CSS tracker or tracked link
	// tells the sender which recipient opened or clicked ("differs between
	// the recipients' copies", "carries the recipient's address (md5)",
	// "per-recipient token in its URL"); empty when it only counts
	// (aggregate measurement).
	Individual string `json:"individual,omitempty"`
	// Differs, set by --compare, lists the parts of the URL that differ
	// from the other recipient's copy, with this copy's value.
	Differs []URLDifference `json:"differs,omitempty"`
	// Confidence says how sure the verdict is: "high" (an ESP's pattern, a
	// 1x1 or zero-size image, a recipient-specific URL, an analytics hit),
	// "medium" (one dimension of 1px, hidden by its own style, a tracking
	// path, a redirect pattern) or "low" (only an opaque token).
	Confidence string `json:"confidence,omitempty"`
	// Rendered says what --render saw of the URL: "confirmed" (in the HTML
	// and requested by the browser), "only" (requested, but found only by
	// rendering, e.g. in an imported style sheet) or "not-loaded" (in the
	// HTML, never requested: unchosen srcset candidates), "dark-mode" or
	// "print" (requested only once the email was shown in dark mode, or as
	// printed).
	// Whether the server answered is in Email.Render. Empty without --render.
	Rendered string `json:"rendered,omitempty"`
}

// URLDifference is one part of a tracker's URL that differs between two
// recipients' copies of a campaign.
type URLDifference struct {
	// Part is "host", "path segment N" (1-based), "path" (segments added
	// or removed), "query parameter NAME" or "fragment".
	Part  string `json:"part"`
	Value string `json:"value"` // this copy's value ("" when absent)
	// Address is how the value encodes this copy's recipient address
	// ("base64", "md5", ...), empty when it does not.
	Address string `json:"address,omitempty"`
}

// Values of EmailTracker.Rendered.
const (
	RenderedConfirmed = "confirmed"
	RenderedOnly      = "only"
	RenderedNotLoaded = "not-loaded"
	RenderedDarkMode  = "dark-mode"
	RenderedPrint     = "print"
)
