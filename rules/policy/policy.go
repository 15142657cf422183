// Package policy reads a declared policy: a natural-language privacy policy
// or a structured policy file, into declarations the rules compare with.
package policy

// Practice is what a declaration is about: a kind of processing
// ("cookies", "analytics") or a vendor.
type Practice string

// Polarity is whether a declaration affirms or denies its practice.
type Polarity string

// Practices a declaration can be about.
const (
	Cookies                   Practice = "cookies"
	WebBeacons                Practice = "web-beacons"
	LocalStorage              Practice = "local-storage"
	Analytics                 Practice = "analytics"
	Advertising               Practice = "advertising"
	SocialWidgets             Practice = "social-widgets"
	SessionRecording          Practice = "session-recording"
	Fingerprinting            Practice = "fingerprinting"
	EmailOpenTracking         Practice = "email-open-tracking"
	EmailClickTracking        Practice = "email-click-tracking"
	ThirdPartySharing         Practice = "third-party-sharing"
	SaleOfData                Practice = "sale-of-data"
	ConsentBeforeNonEssential Practice = "consent-before-non-essential"
	BrowserOptOut             Practice = "browser-opt-out"
	DoNotTrack                Practice = "do-not-track"
	VendorPractice            Practice = "vendor"
)

// Polarity of a declaration.
const (
	Affirmed Polarity = "affirmed"
	Denied   Polarity = "denied"
)

// Policy is everything a policy declares.
type Policy struct {
	Source string `json:"source"`
	// SHA256 is the hex SHA-256 of the source text as read (after charset
	// conversion of a fetched page), so an auditor can tell which version
	// was compared; several sources give their hashes comma-separated.
	SHA256       string        `json:"sha256,omitempty"`
	Declarations []Declaration `json:"declarations"`
	// Cookies the policy lists with a lifetime ("_ga, 2 years").
	Cookies []DeclaredCookie `json:"cookies,omitempty"`
	// Structured is set when a structured policy file was given.
	Structured *File `json:"structured,omitempty"`
	// Sources are the documents the policy was read from, and how each
	// was found, when a scan read or looked for them.
	Sources []Source `json:"sources,omitempty"`
}

// Source is one document of the declared policy.
type Source struct {
	URL string `json:"url"`
	// Kind is "privacy" or "cookies" (a cookie policy or a consent
	// banner's cookie declaration).
	Kind string `json:"kind,omitempty"`
	// How it was found: "given" (--policy), "rel" (<link
	// rel="privacy-policy">), "footer", "link", "well-known" or "cmp".
	How string `json:"how"`
	// Page is where the link to it was seen.
	Page string `json:"page,omitempty"`
	// Status is "read" or "failed"; Error says why it failed.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Source statuses.
const (
	SourceRead   = "read"
	SourceFailed = "failed"
)

// Declaration is one thing the policy affirms or denies, with its quote.
type Declaration struct {
	Practice Practice `json:"practice"`
	Polarity Polarity `json:"polarity"`
	Vendor   string   `json:"vendor,omitempty"` // knowledge-base id when a vendor is named
	Role     string   `json:"role,omitempty"`   // e.g. "payment", "hosting" when the vendor is named only in that role
	Quote    string   `json:"quote"`            // the exact sentence
	Line     int      `json:"line,omitempty"`
	Section  string   `json:"section,omitempty"`
	// Owner is set instead of Vendor when only a parent company is named
	// ("Google"), so the rules can grade the disclosure as owner-named.
	Owner string `json:"owner,omitempty"`
	// Term is the words of the quote the declaration was read from.
	Term string `json:"term,omitempty"`
	// Scope is "exception" when the declaration comes from the exception of
	// a denial ("except strictly necessary cookies"), "with-consent" when
	// the practice is conditioned on consent ("not ... without your consent"),
	// "advertising" when sharing is declared for that purpose only ("we don't
	// share it for cross-context behavioral advertising").
	Scope string `json:"scope,omitempty"`
	// Source is the file or URL the declaration was read from when several
	// sources were merged.
	Source string `json:"source,omitempty"`
	// Subject is who the statement is about when it is not the site itself:
	// a knowledge-base vendor id ("Stripe does not use cookies" is about
	// stripe) or the words of a provider no vendor is named for ("payment
	// provider"). A denial with a subject never contradicts another vendor.
	Subject string `json:"subject,omitempty"`
}

// SiteWide reports a statement about the site itself, not scoped to a
// vendor or provider.
func (d Declaration) SiteWide() bool { return d.Subject == "" }

// Declaration scopes.
const (
	ScopeException   = "exception"
	ScopeWithConsent = "with-consent"
	ScopeAdvertising = "advertising"
)

// Vendor roles that are not tracker disclosures.
const (
	RolePayment    = "payment"
	RoleHosting    = "hosting"
	RoleFirstParty = "first-party" // the policy's own company, named as itself
)

// DeclaredCookie is a cookie the policy names, with its declared lifetime.
type DeclaredCookie struct {
	Name     string  `json:"name"` // exact, or "prefix*"
	Category string  `json:"category,omitempty"`
	Days     float64 `json:"days,omitempty"` // -1 session, 0 unknown
	Quote    string  `json:"quote,omitempty"`
	// Lifetime is the lifetime as written ("13 months", "session").
	Lifetime string `json:"lifetime,omitempty"`
	// Provider is who sets it, when the declaration says ("Google").
	Provider string `json:"provider,omitempty"`
	// Source is the document it was declared in, when several were read.
	Source string `json:"source,omitempty"`
}

// File is a structured policy file (YAML), what a CI job keeps in its repo.
type File struct {
	Version int      `json:"version,omitempty" yaml:"version"`
	Vendors []string `json:"vendors,omitempty" yaml:"vendors"` // knowledge-base ids
	// Allowed lists the categories allowed per phase, e.g. pre-consent: [essential].
	Allowed       map[string][]string `json:"allowed,omitempty" yaml:"allowed"`
	Cookies       []DeclaredCookie    `json:"cookies,omitempty" yaml:"cookies"`
	EmailTracking *EmailTracking      `json:"email_tracking,omitempty" yaml:"email_tracking"`
}

// EmailTracking is what a structured policy declares about email tracking.
type EmailTracking struct {
	OpenTracking  bool     `json:"open_tracking" yaml:"open_tracking"`
	ClickTracking bool     `json:"click_tracking" yaml:"click_tracking"`
	ESPs          []string `json:"esps,omitempty" yaml:"esps"`
}
