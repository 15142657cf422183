package detectors

import (
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
)

// LoadedBy is the chain of loads that brought a vendor into a page in one
// phase, from what the site itself serves down to the script that asked
// for the vendor's first resource.
type LoadedBy struct {
	Phase capture.Phase `json:"phase"`
	Page  string        `json:"page"`
	// Chain is root first: the page or the first-party script the site
	// serves, then any tag manager or other vendor's script in between.
	Chain []LoadStep `json:"chain"`
}

// Kinds of LoadStep.
const (
	// LoadPage is the page's own HTML: an inline snippet or a tag, at Line.
	LoadPage = "page"
	// LoadFirstParty is a script the site serves itself.
	LoadFirstParty = "first-party-script"
	// LoadTagManager is a tag manager's container script; Container names it.
	LoadTagManager = "tag-manager"
	// LoadVendor is another vendor's script (or frame).
	LoadVendor = "vendor-script"
)

// LoadStep is one link of a LoadedBy chain.
type LoadStep struct {
	Kind      string `json:"kind"`
	URL       string `json:"url"`
	Line      int    `json:"line,omitempty"`      // 1-based, when Chromium gave it
	Container string `json:"container,omitempty"` // tag-manager container id, e.g. GTM-XXXX
	Vendor    string `json:"vendor,omitempty"`    // vendor id of a tag manager or vendor script
}

// Actionable is the step a site owner changes to remove the vendor: the
// last step the site controls (its page, its script or its tag-manager
// container), else the chain's root.
func (l LoadedBy) Actionable() (LoadStep, bool) {
	for i := len(l.Chain) - 1; i >= 0; i-- {
		if l.Chain[i].Kind != LoadVendor {
			return l.Chain[i], true
		}
	}
	if len(l.Chain) > 0 {
		return l.Chain[0], true
	}
	return LoadStep{}, false
}

// Short names a step in a few characters for a table cell: the container,
// the script's file name and line, or "inline:LINE" for the page.
func (s LoadStep) Short() string {
	switch s.Kind {
	case LoadTagManager:
		if s.Container != "" {
			return s.Container
		}
	case LoadPage:
		if s.Line > 0 {
			return "inline:" + strconv.Itoa(s.Line)
		}
		return "inline"
	case LoadVendor:
		if s.Vendor != "" {
			return "via " + s.Vendor
		}
	}
	name := s.URL
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	name = name[strings.LastIndex(name, "/")+1:]
	if name == "" {
		name = capture.HostOf(s.URL)
	}
	if s.Line > 0 {
		name += ":" + strconv.Itoa(s.Line)
	}
	return name
}

// String is the whole chain, root first, as one line.
func (l LoadedBy) String() string {
	parts := make([]string, len(l.Chain))
	for i, s := range l.Chain {
		parts[i] = s.Short()
	}
	return strings.Join(parts, " > ")
}

// KindBeaconPayload is a tracker's request whose payload was decoded: the
// events it reported and the identifiers it carried (see Sent).
const KindBeaconPayload = "beacon-payload"

// Sent is what one beacon carried, decoded from its URL query or body.
type Sent struct {
	Format      string       `json:"format"` // decoder: "meta-pixel", "ga4", "tiktok", ...
	Events      []string     `json:"events,omitempty"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
}

// Identifier kinds: the first group is personal data a visitor typed or an
// account holds (what advanced matching sends), the second the tracker's
// own visitor and account ids.
const (
	IDEmail    = "email"
	IDPhone    = "phone"
	IDName     = "name"
	IDAddress  = "address" // city, state, postcode, country
	IDBirth    = "birth"   // date of birth, gender
	IDUser     = "user-id" // the site's account id (external_id, uid, userId)
	IDClient   = "client-id"
	IDClickRef = "click-id" // an ad click's id (fbclid, msclkid, ttclid ...)
)

// Personal reports whether an identifier kind is personal data the visitor
// gave the site rather than a tracker's own random id.
func Personal(kind string) bool {
	switch kind {
	case IDEmail, IDPhone, IDName, IDAddress, IDBirth:
		return true
	}
	return false
}

// Identifier is one identifier a beacon carried. Its value is never kept
// beyond Prefix (a few characters, enough to match two reports).
type Identifier struct {
	Field    string `json:"field"`    // as sent: "ud[em]", "cid", "context.user.email"
	Kind     string `json:"kind"`     // IDEmail ...
	Encoding string `json:"encoding"` // "plain", "sha256", "sha1", "md5"
	Prefix   string `json:"prefix,omitempty"`
}

// KindFormValueSent is a request that carried a value --forms typed into
// the page (plain, encoded or hashed): while the form was being filled
// (Sent.Format SentFormFill), or after --forms submit submitted it
// (SentFormSubmit).
const KindFormValueSent = "form-value-sent"

// The Sent.Format of a KindFormValueSent detection.
const (
	SentFormFill   = "form-fill"
	SentFormSubmit = "form-submit"
)
