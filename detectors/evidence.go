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
