// Package capture holds the plain record of what a browser saw on one page
// in one consent phase. It is the seam between the crawler (which fills it)
// and the detectors (which read it); it has no behaviour and no chromedp.
package capture

import "time"

// Phase is the consent state a page was captured in.
type Phase string

const (
	PreConsent  Phase = "pre-consent"
	AfterReject Phase = "after-reject"
	AfterAccept Phase = "after-accept"
)

// Phases lists the phases in the order they are run and reported.
var Phases = []Phase{PreConsent, AfterReject, AfterAccept}

// Page is everything captured for one URL in one phase.
type Page struct {
	URL      string `json:"url"`       // as requested
	FinalURL string `json:"final_url"` // after redirects
	Phase    Phase  `json:"phase"`
	Status   int    `json:"status,omitempty"`
	// Error is set when the page could not be captured completely; what was
	// captured before the error is kept.
	Error string `json:"error,omitempty"`

	Requests     []Request     `json:"requests,omitempty"`
	CookieWrites []CookieWrite `json:"cookie_writes,omitempty"` // every attempt to set a cookie
	Cookies      []Cookie      `json:"cookies,omitempty"`       // what the browser stored
	Storage      []StorageItem `json:"storage,omitempty"`
	Scripts      []Element     `json:"scripts,omitempty"`
	Iframes      []Element     `json:"iframes,omitempty"`
	Images       []Element     `json:"images,omitempty"`
	APICalls     []APICall     `json:"api_calls,omitempty"` // canvas, sendBeacon, ... (hooked before page scripts)
	Links        []string      `json:"links,omitempty"`     // absolute hrefs from the rendered DOM, for the frontier
	// Anchors are the links of the top document that may lead to a privacy
	// or cookie policy (in the footer, or naming one), and its
	// <link rel="privacy-policy">, for policy discovery.
	Anchors    []Anchor `json:"anchors,omitempty"`
	Consent    *Consent `json:"consent,omitempty"`
	Screenshot string   `json:"screenshot,omitempty"` // file path, when screenshots were asked for
	Timing     *Timing  `json:"timing,omitempty"`
	// CNAMEs maps each host of this page's requests that is a DNS alias to
	// its CNAME chain, first alias first. crawler/dns fills it after all
	// pages are captured (so --jsonl lines never carry it); it stays empty
	// with --no-dns.
	CNAMEs map[string][]string `json:"cnames,omitempty"`

	// NavigationsBlocked are document navigations of the top frame (a
	// redirect, location=, a meta refresh, a popup) that left the scan's
	// scope or went to a private address: they were never loaded, and the
	// page above is the one they tried to leave. Frames and subresources
	// the page wanted from a private address are here too (kind "frame",
	// "subresource").
	NavigationsBlocked []BlockedNavigation `json:"navigations_blocked,omitempty"`
	// Dialogs are the alert, confirm, prompt and beforeunload dialogs the
	// page opened; each was dismissed at once.
	Dialogs []Dialog `json:"dialogs,omitempty"`
	// EventsDropped counts, per kind of in-page event (cookie, storage,
	// canvas-read, beacon ...), the events beyond that kind's budget: the
	// first and the last of each kind are kept, the middle only counted.
	EventsDropped map[string]int `json:"events_dropped,omitempty"`
	// FormFields are the fields --forms filled with TestIdentity.
	FormFields []FormField `json:"form_fields,omitempty"`
	// FormsSubmitted are the filled forms --forms submit submitted or
	// skipped, in page order.
	FormsSubmitted []FormSubmit `json:"forms_submitted,omitempty"`
}

// BlockedNavigation is a navigation the browser refused to load.
type BlockedNavigation struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`           // "out-of-scope", "private-address", "scheme"
	Detail string `json:"detail,omitempty"` // e.g. "169.254.169.254 is link-local"
	From   string `json:"from,omitempty"`   // the document it left
	Kind   string `json:"kind,omitempty"`   // "redirect", "navigation", "frame", "popup", "subresource" or "form-submit"
}

// Dialog is a JavaScript dialog the page opened.
type Dialog struct {
	Type    string `json:"type"`              // alert, confirm, prompt, beforeunload
	Message string `json:"message,omitempty"` // cut to 200 bytes
	URL     string `json:"url,omitempty"`     // the frame that opened it
}

// Timing says when a page visit started, when its document last fired its
// load event, and when the visit's last wait for the page to settle ended
// and why: "idle" (it stopped starting new work), "cap" (it never did,
// within the browser's MaxIdleWait) or "timeout" (the page budget ran out).
type Timing struct {
	Started   time.Time `json:"started"`
	Loaded    time.Time `json:"loaded,omitzero"`
	Settled   time.Time `json:"settled,omitzero"`
	SettledBy string    `json:"settled_by,omitempty"`
}

// Request is one network request the page (or one of its frames) made.
type Request struct {
	URL          string `json:"url"`
	Method       string `json:"method,omitempty"`
	ResourceType string `json:"resource_type,omitempty"` // Document, Script, Image, Ping, XHR, Fetch, ...
	Initiator    string `json:"initiator,omitempty"`     // URL of the script or document that caused it
	FrameURL     string `json:"frame_url,omitempty"`
	Status       int    `json:"status,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	Failed       string `json:"failed,omitempty"` // network error text, when it failed
	PostData     string `json:"post_data,omitempty"`
	// Condition names what made a rendered email ask for this URL when it
	// did not at first: "dark-mode" or "print" (emulated after the load).
	Condition string `json:"condition,omitempty"`
	// InitiatorLine is the 1-based line in Initiator that caused it (the
	// script's call or the document's tag), 0 when Chromium gave none.
	InitiatorLine int `json:"initiator_line,omitempty"`
	// OnSubmit says the request was sent after --forms submit submitted a
	// form of the page (the submit itself, its redirects and what the
	// next document loaded), not while the form was being filled.
	OnSubmit bool `json:"on_submit,omitempty"`
	// ServiceWorker is the script URL of the service worker that made the
	// request (its own fetch, not the page's).
	ServiceWorker string `json:"service_worker,omitempty"`
}

// CookieWrite is one attempt to set a cookie: a Set-Cookie response header
// or a document.cookie assignment.
type CookieWrite struct {
	Name        string   `json:"name"`
	Domain      string   `json:"domain,omitempty"` // empty for host-only cookies: see Host
	Host        string   `json:"host"`             // host of the response or the document
	Path        string   `json:"path,omitempty"`
	ExpiresDays float64  `json:"expires_days"` // -1 for a session cookie
	Secure      bool     `json:"secure,omitempty"`
	HTTPOnly    bool     `json:"http_only,omitempty"`
	SameSite    string   `json:"same_site,omitempty"`
	Partitioned bool     `json:"partitioned,omitempty"`
	Source      string   `json:"source"` // "header" or "script"
	SetBy       string   `json:"set_by"` // response URL, or the URL of the script that wrote document.cookie
	FrameURL    string   `json:"frame_url,omitempty"`
	Blocked     []string `json:"blocked,omitempty"` // the browser's reasons for refusing it
	// Deleted says the write removes the cookie (Max-Age <= 0 or an expiry
	// in the past): a CMP clearing trackers on reject is not setting them.
	Deleted bool `json:"deleted,omitempty"`
	// ServiceWorker is the script URL of the service worker whose fetch
	// got the response that set the cookie.
	ServiceWorker string `json:"service_worker,omitempty"`
}

// Cookie is a cookie the browser stored.
type Cookie struct {
	Name        string  `json:"name"`
	Domain      string  `json:"domain"`
	Path        string  `json:"path,omitempty"`
	ExpiresDays float64 `json:"expires_days"` // -1 for a session cookie
	Secure      bool    `json:"secure,omitempty"`
	HTTPOnly    bool    `json:"http_only,omitempty"`
	SameSite    string  `json:"same_site,omitempty"`
	Partitioned bool    `json:"partitioned,omitempty"`
	ValueLength int     `json:"value_length,omitempty"` // values are never kept: they may identify the visitor
}

// StorageItem is one Web Storage key.
type StorageItem struct {
	Origin      string `json:"origin"`
	Kind        string `json:"kind"` // "localStorage" or "sessionStorage"
	Key         string `json:"key"`
	ValueLength int    `json:"value_length,omitempty"`
	SetBy       string `json:"set_by,omitempty"` // script that wrote it, when seen
}

// Element is a script, iframe or image of the rendered DOM.
type Element struct {
	Src      string  `json:"src"`
	FrameURL string  `json:"frame_url,omitempty"`
	Width    float64 `json:"width,omitempty"` // rendered size in CSS pixels
	Height   float64 `json:"height,omitempty"`
	Visible  bool    `json:"visible"`
}

// Anchor is one link with the words that say where it leads.
type Anchor struct {
	Href   string `json:"href"`
	Text   string `json:"text,omitempty"`
	Label  string `json:"label,omitempty"` // aria-label
	Title  string `json:"title,omitempty"`
	Rel    string `json:"rel,omitempty"`
	Footer bool   `json:"footer,omitempty"` // inside the page's footer
	Tag    string `json:"tag,omitempty"`    // "a" or "link"
}

// APICall is a call to a hooked browser API (fingerprinting, beacons).
type APICall struct {
	API      string `json:"api"`              // e.g. "HTMLCanvasElement.toDataURL", "navigator.sendBeacon"
	Script   string `json:"script,omitempty"` // URL of the calling script, from the stack
	FrameURL string `json:"frame_url,omitempty"`
	Detail   string `json:"detail,omitempty"` // e.g. the beacon URL or the measured text
}

// Consent records the banner seen and what was done with it.
type Consent struct {
	CMP         string `json:"cmp,omitempty"` // CMP rule id, "generic", "config" or "" when none was found
	BannerFound bool   `json:"banner_found"`
	Action      string `json:"action,omitempty"` // "reject" or "accept"
	Clicked     bool   `json:"clicked,omitempty"`
	Verified    bool   `json:"verified,omitempty"` // banner gone or consent state changed after the click
	Selector    string `json:"selector,omitempty"` // what was clicked
	Note        string `json:"note,omitempty"`
	// Carried is true when the choice was not clicked on this page but set
	// before navigation from the state a click on CarriedFrom stored.
	Carried     bool   `json:"carried,omitempty"`
	CarriedFrom string `json:"carried_from,omitempty"`
	// State names what the click stored (cookies and first-party
	// localStorage keys, "cookie NAME@DOMAIN" / "localStorage KEY"): on the
	// clicked page, what was exported; on a carried page, what was set.
	State []string `json:"state,omitempty"`
	TCF   *TCF     `json:"tcf,omitempty"`
	GPP   string   `json:"gpp,omitempty"`
	GPC   bool     `json:"gpc,omitempty"`
	// Offered lists what the banner's first layer let the visitor do
	// ("reject", "accept", "settings", "save"), as trackscan read it.
	Offered []string `json:"offered,omitempty"`
	// Steps are the clicks made, in order ("settings \"Customize\"",
	// "switched off 3 toggles", "save \"Save preferences\"").
	Steps []string `json:"steps,omitempty"`
	// Layer is 1 when the choice was made on the first layer, 2 when it
	// took the settings layer.
	Layer int `json:"layer,omitempty"`
	// Reason says why a banner was found but not clicked: ReasonNotOffered,
	// ReasonNotFound or ReasonClickFailed.
	Reason string `json:"reason,omitempty"`
	// Design is what the banner looked like, for the banner design rules.
	Design *BannerDesign `json:"design,omitempty"`
}

// Why a consent phase found a banner but could not make its choice.
const (
	// ReasonNotOffered: the banner offers accept but no reject, on its
	// first layer or through its settings.
	ReasonNotOffered = "reject-not-offered"
	// ReasonNotFound: trackscan could not tell how to reject on this banner.
	ReasonNotFound = "reject-not-found"
	// ReasonClickFailed: the click itself failed (the page went away).
	ReasonClickFailed = "click-failed"
)

// BannerDesign is how a banner presents the choice.
type BannerDesign struct {
	// Accept and Reject measure the first layer's buttons; nil when absent.
	Accept *ButtonLook `json:"accept,omitempty"`
	Reject *ButtonLook `json:"reject,omitempty"`
	// PreTicked names the non-essential toggles of the settings layer that
	// were on before trackscan touched them.
	PreTicked []string `json:"pre_ticked,omitempty"`
	// LegitimateInterestOn names toggles claiming legitimate interest that
	// were on when the settings layer opened.
	LegitimateInterestOn []string `json:"legitimate_interest_on,omitempty"`
	// Screenshot is a PNG of the page with the banner showing, when
	// screenshots were asked for.
	Screenshot string `json:"screenshot,omitempty"`
}

// ButtonLook is a button as a visitor sees it.
type ButtonLook struct {
	Area int `json:"area"` // CSS pixels
	// Fill is the contrast ratio of the button's background against the
	// banner behind it (1 = no fill of its own), Text that of its label.
	Fill float64 `json:"fill"`
	Text float64 `json:"text"`
}

// TCF is what the IAB TCF v2 API reported.
type TCF struct {
	CMPID           int             `json:"cmp_id"`
	EventStatus     string          `json:"event_status,omitempty"`
	GDPRApplies     bool            `json:"gdpr_applies"`
	PurposeConsents map[string]bool `json:"purpose_consents,omitempty"`
	VendorConsents  map[string]bool `json:"vendor_consents,omitempty"`
	TCString        string          `json:"tc_string,omitempty"`
}

// BrowserInfo says which browser identity and cookie policy a scan ran under.
type BrowserInfo struct {
	Version           string `json:"version,omitempty"`
	UserAgent         string `json:"user_agent,omitempty"`
	Viewport          string `json:"viewport,omitempty"`
	Language          string `json:"language,omitempty"`
	ThirdPartyCookies string `json:"third_party_cookies"` // "allow" or "block"
	GPC               bool   `json:"gpc,omitempty"`
}

// ConsentState is the consent choice a click stored, exported from the page
// it was clicked on so that the other pages of a phase can start with it
// instead of clicking their own banner. It holds values (which the report
// never does), so it is kept in memory only.
type ConsentState struct {
	Action  string // "reject" or "accept"
	CMP     string // CMP rule id of the banner that was clicked
	FromURL string // the page the click happened on
	Origin  string // scheme://host of that page: LocalStorage belongs to it
	Cookies []StateCookie
	// LocalStorage holds the keys the click wrote or changed on Origin.
	LocalStorage []StateItem
	// SessionStorage and IndexedDB hold what it wrote or changed there on
	// Origin: some CMPs keep their record only in the tab's session or in
	// a database.
	SessionStorage []StateItem
	IndexedDB      []StateRecord
}

// StateRecord is one IndexedDB record of a ConsentState, with what it
// takes to create its store in a fresh browser context.
type StateRecord struct {
	Database string
	Version  int
	Store    string
	// Schema is the store's {keyPath, autoIncrement, indexes} as JSON.
	Schema string
	// Key and Value are the record's, as JSON.
	Key, Value string
}

// StateCookie is a cookie of a ConsentState, with its value.
type StateCookie struct {
	Name, Value, Domain, Path string
	Expires                   float64 // seconds since the epoch; 0 for a session cookie
	Secure, HTTPOnly          bool
	SameSite                  string
}

// StateItem is one localStorage key of a ConsentState.
type StateItem struct{ Key, Value string }
