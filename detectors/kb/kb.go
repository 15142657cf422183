// Package kb is the vendor knowledge base: who is behind a host, a URL, a
// cookie, a storage key or an email tracking link. The facts live in data
// files embedded with go:embed; this file holds the API the rest of
// trackscan relies on.
package kb

// Category is the purpose trackscan assigns to a vendor, cookie or request.
type Category string

const (
	Essential         Category = "essential"
	Functional        Category = "functional"
	Analytics         Category = "analytics"
	Advertising       Category = "advertising"
	Social            Category = "social"
	SessionReplay     Category = "session-replay"
	Fingerprinting    Category = "fingerprinting"
	EmailTracking     Category = "email-tracking"
	ConsentManagement Category = "consent-management"
	Unknown           Category = "unknown"
)

// Categories lists every category in a stable order.
var Categories = []Category{Essential, Functional, Analytics, Advertising, Social, SessionReplay,
	Fingerprinting, EmailTracking, ConsentManagement, Unknown}

// NonEssential reports whether a category needs consent before it may run.
func (c Category) NonEssential() bool {
	switch c {
	case Essential, ConsentManagement, Functional, Unknown, "":
		return false
	}
	return true
}

// Vendor is one company or service and everything that identifies it.
type Vendor struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Owner      string     `json:"owner,omitempty"`
	Aliases    []string   `json:"aliases,omitempty"` // names a privacy policy may use
	Category   Category   `json:"category"`          // primary purpose
	Categories []Category `json:"categories,omitempty"`
	Domains    []string   `json:"domains,omitempty"` // registrable domains and hostnames
	Scripts    []string   `json:"scripts,omitempty"` // script URL patterns
	Cookies    []Cookie   `json:"cookies,omitempty"`
	Storage    []string   `json:"storage,omitempty"` // localStorage keys or prefixes ("prefix*")
	// SocialWidget: the vendor is a social network, so a frame of it on a
	// page is a social widget (an embed, a share or like button) whatever
	// its primary category (a video player, an advertising network).
	SocialWidget bool `json:"social_widget,omitempty"`
	// Samples are checked by Check (trackscan vendors --check).
	Samples *Samples `json:"samples,omitempty"`
}

// Samples are inputs that must (Match) or must not (NoMatch) resolve to a
// vendor. An entry is a URL ("https://..."), a host, "cookie:NAME",
// "cookie:NAME@DOMAIN" or "storage:KEY".
type Samples struct {
	Match   []string `json:"match,omitempty"`
	NoMatch []string `json:"nomatch,omitempty"`
}

// Cookie describes a cookie a vendor sets.
type Cookie struct {
	Name     string   `json:"name"`               // exact name, "prefix*", or "/regexp/"
	Category Category `json:"category"`           // may differ from the vendor's (a load balancer cookie is essential)
	Lifetime string   `json:"lifetime,omitempty"` // typical lifetime as published, e.g. "2 years"
	Days     float64  `json:"days,omitempty"`     // the same in days, -1 for session
}

// Match says which vendor something belongs to and why.
type Match struct {
	Vendor   *Vendor
	Category Category
	// Source is "trackscan" for the embedded base, else the list it came from
	// with the rule, e.g. "easyprivacy.txt:1234 ||hotjar.com^".
	Source string
}

// ListMatcher is a user-supplied list (filter list, tds.json, services.json)
// consulted after the embedded base.
type ListMatcher interface {
	Name() string
	MatchRequest(rawURL, pageURL, resourceType string) (Match, bool)
}
