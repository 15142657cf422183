package rules

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/rules/policy"
)

// Phase shorthands used by the phase rules.
const (
	PhasePre    = capture.PreConsent
	PhaseReject = capture.AfterReject
)

// InputKind says what the rules judge: a site scan or a set of emails.
// Reports carry it as their kind (reports.KindSite, reports.KindEmail).
type InputKind string

// Input kinds.
const (
	SiteInput  InputKind = "site"
	EmailInput InputKind = "email"
)

// PageInfo is one captured page in one phase, as far as the rules need it.
type PageInfo struct {
	URL     string           `json:"url"`
	Phase   capture.Phase    `json:"phase"`
	Consent *capture.Consent `json:"consent,omitempty"`
}

// Input is everything one scan observed, plus the declared policy.
type Input struct {
	Kind       InputKind
	Target     string
	Pages      []PageInfo
	Vendors    []detectors.Vendor
	Cookies    []detectors.Cookie
	Storage    []detectors.Storage
	Detections []detectors.Detection
	Emails     []detectors.Email
	Policy     *policy.Policy // nil when no policy was given
	// VendorInfo, when set, gives the knowledge-base entry of a vendor id so
	// that aliases a policy may use are recognised. Nil uses names only.
	VendorInfo func(id string) *kb.Vendor
}

// Result is the findings and the observed vendors with their disclosure.
type Result struct {
	Findings []Finding
	Vendors  []detectors.Vendor
}

// evaluation is the state shared by the rule checks of one Evaluate call.
type evaluation struct {
	in      Input
	vendors map[string]*detectors.Vendor
	disc    map[string]disclosure // by vendor id; empty without a policy
	naming  map[string]disclosure // by vendor id: how the policy names it, consent claim aside
	groups  map[capture.Phase][]*phaseGroup
	// Per vendor id, computed once: pages seen on, and whether it wrote cookies or storage.
	pages      map[string][]string
	urls       map[string][]string // request URLs, any phase
	hasCookies map[string]bool
	hasStorage map[string]bool
}

// evaluate runs the catalogue over one site's (or email set's) input;
// first is the scan's first target, for fingerprints.
func evaluate(in Input, first string) Result {
	ev, vendors := newEvaluation(in)
	res := Result{Vendors: vendors}
	seen := map[string]int{}
	for i := range catalogue {
		r := &catalogue[i]
		if r.NeedsPolicy && in.Policy == nil {
			continue
		}
		for _, f := range r.check(ev, r) {
			f.Rule, f.Title = r.ID, r.Title
			if f.Severity == "" {
				f.Severity = r.Severity
			}
			if r.NeedsPolicy && f.PolicyQuote == "" {
				f.Evidence = textfmt.JoinNonEmpty("; ", f.Evidence, "no policy sentence matched")
			}
			f.Fingerprint = Fingerprint(f.Rule, pagePath(in.Kind, f.Target, first), f.Vendor, f.Subject)
			if j, dup := seen[f.Fingerprint]; dup {
				// Two observations with one identity: keep one finding, the worse severity.
				if f.Severity.Rank() > res.Findings[j].Severity.Rank() {
					res.Findings[j].Severity = f.Severity
				}
				res.Findings[j].URLs = capURLs(append(res.Findings[j].URLs, f.URLs...))
				continue
			}
			f.LoadedBy = ev.loadedBy(f)
			seen[f.Fingerprint] = len(res.Findings)
			res.Findings = append(res.Findings, f)
		}
	}
	SortFindings(res.Findings)
	return res
}

// newEvaluation prepares the shared state and decides each vendor's
// disclosure; it returns the vendors with Disclosure set.
func newEvaluation(in Input) (*evaluation, []detectors.Vendor) {
	ev := &evaluation{in: in, vendors: map[string]*detectors.Vendor{}, disc: map[string]disclosure{},
		naming: map[string]disclosure{},
		groups: map[capture.Phase][]*phaseGroup{}, pages: map[string][]string{}, urls: map[string][]string{},
		hasCookies: map[string]bool{}, hasStorage: map[string]bool{}}
	for _, d := range in.Detections {
		ev.pages[d.Vendor] = append(ev.pages[d.Vendor], d.Page)
		ev.urls[d.Vendor] = append(ev.urls[d.Vendor], d.URL)
	}
	for _, c := range in.Cookies {
		ev.pages[c.Vendor] = append(ev.pages[c.Vendor], c.Pages...)
		ev.urls[c.Vendor] = append(ev.urls[c.Vendor], c.SetBy)
		ev.hasCookies[c.Vendor] = true
	}
	for _, st := range in.Storage {
		ev.hasStorage[st.Vendor] = true
	}
	vendors := append([]detectors.Vendor(nil), in.Vendors...)
	for i := range vendors {
		ev.vendors[vendors[i].ID] = &vendors[i]
	}
	if in.Policy != nil {
		for i := range vendors {
			d, n := ev.vendorDisclosure(&vendors[i])
			ev.disc[vendors[i].ID], ev.naming[vendors[i].ID] = d, n
			vendors[i].Disclosure = d.level
		}
	}
	return ev, vendors
}

// SortFindings orders findings worst first, then by rule, target, vendor,
// subject and fingerprint, so that every output is deterministic.
func SortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Vendor, b.Vendor),
			cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
}

// Fingerprint identifies a finding across runs: the rule, the page path
// (or email file name), the vendor and the subject (a cookie name or host).
// Callers pass no values and no query strings, so a fingerprint survives
// changing session ids, campaign parameters and cookie values.
func Fingerprint(rule, pagePath, vendor, subject string) string {
	h := sha256.New()
	for _, s := range []string{rule, pagePath, vendor, subject} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// pagePath is the part of a target a fingerprint keys on: the URL path
// without query or fragment for sites, the file base name for emails. The
// host counts only when it is not the host of the scan's first target
// (first): a scan of several sites keeps their findings apart, while a
// one-site baseline still matches between staging and production hosts.
func pagePath(kind InputKind, target, first string) string {
	if kind == EmailInput {
		return filepath.Base(strings.ReplaceAll(target, "\\", "/"))
	}
	p, _, _ := strings.Cut(target, "#")
	p, _, _ = strings.Cut(p, "?")
	host := ""
	if u, err := url.Parse(p); err == nil && u.Host != "" {
		p = u.EscapedPath()
		if f, err := url.Parse(first); err == nil && f.Host != "" && !strings.EqualFold(f.Host, u.Host) {
			host = strings.ToLower(u.Host)
		}
	}
	if p == "" {
		p = "/"
	}
	return host + path.Clean(p)
}

func hasPhase(ps []capture.Phase, p capture.Phase) bool { return slices.Contains(ps, p) }

// listSome joins up to n sorted, distinct values and says how many more.
func listSome(vals []string, n int) string {
	u := sortedSet(vals)
	if len(u) <= n {
		return strings.Join(u, ", ")
	}
	return strings.Join(u[:n], ", ") + ", +" + strconv.Itoa(len(u)-n) + " more"
}

func sortedSet[T ~string](vals []T) []T {
	var u []T
	for _, v := range vals {
		if v != "" {
			u = append(u, v)
		}
	}
	slices.Sort(u)
	return slices.Compact(u)
}
