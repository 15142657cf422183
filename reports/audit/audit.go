package audit

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// Schema is the schema id of a merged audit.
const Schema = "trackscan/audit/v1"

// Audit is many sites' results folded into one document: a row per site,
// totals per vendor across sites, counts per rule, and the sites that
// failed. It holds nothing that depends on which shard scanned a site or
// when, so merging the same lines in any order gives the same bytes.
type Audit struct {
	Schema   string      `json:"schema"`
	Totals   Totals      `json:"totals"`
	Sites    []SiteRow   `json:"sites"`
	Vendors  []VendorRow `json:"vendors"`
	Rules    []RuleRow   `json:"rules"`
	Failed   []FailedRow `json:"failed"`
	Warnings []string    `json:"warnings,omitempty"`
}

// Totals sum the audit.
type Totals struct {
	Sites      int `json:"sites"`
	Complete   int `json:"complete"`
	Incomplete int `json:"incomplete"`
	Failed     int `json:"failed"`
	// TrackingBeforeConsent is how many sites load a non-essential vendor
	// before any consent choice.
	TrackingBeforeConsent int `json:"tracking_before_consent"`
	// TrackingAfterReject is how many sites load one after "reject all".
	TrackingAfterReject int            `json:"tracking_after_reject"`
	Findings            SeverityCounts `json:"findings"`
}

// SeverityCounts count findings by severity.
type SeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

func (c *SeverityCounts) add(s rules.Severity) {
	switch s {
	case rules.Critical:
		c.Critical++
	case rules.High:
		c.High++
	case rules.Medium:
		c.Medium++
	case rules.Low:
		c.Low++
	default:
		c.Info++
	}
}

func (c *SeverityCounts) plus(o SeverityCounts) {
	c.Critical += o.Critical
	c.High += o.High
	c.Medium += o.Medium
	c.Low += o.Low
	c.Info += o.Info
}

// Total is the number of findings.
func (c SeverityCounts) Total() int { return c.Critical + c.High + c.Medium + c.Low + c.Info }

// SiteRow is one site of the audit.
type SiteRow struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// CMP names the consent banners found ("" when none).
	CMP string `json:"cmp"`
	// PolicyFound says a privacy policy was read for the site.
	PolicyFound bool `json:"policy_found"`
	// RejectScanned says the site was visited after "reject all" (a banner
	// was found and the reject phase was asked for).
	RejectScanned bool `json:"reject_scanned"`
	Pages         int  `json:"pages"`
	// VendorsBeforeConsent, TrackingAfterReject and Undisclosed are vendor
	// ids: non-essential vendors loading before any choice, after reject,
	// and vendors the policy does not disclose.
	VendorsBeforeConsent []string       `json:"vendors_before_consent"`
	TrackingAfterReject  []string       `json:"tracking_after_reject"`
	Undisclosed          []string       `json:"undisclosed_vendors"`
	Findings             SeverityCounts `json:"findings"`
	// Errors is how many page visits (or the policy) failed.
	Errors int `json:"errors"`
	// Report is the path of the site's own report, relative to the audit,
	// when one was written.
	Report string `json:"report,omitempty"`

	report *reports.Report
}

// VendorRow is one vendor across the sites.
type VendorRow struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Category kb.Category `json:"category"`
	// Sites is how many sites load the vendor at all; BeforeConsent and
	// AfterReject how many load it before any choice and after reject.
	Sites         int `json:"sites"`
	BeforeConsent int `json:"before_consent"`
	AfterReject   int `json:"after_reject"`
	Undisclosed   int `json:"undisclosed"`
}

// RuleRow is one rule across the sites.
type RuleRow struct {
	Rule     string         `json:"rule"`
	Title    string         `json:"title"`
	Severity rules.Severity `json:"severity"`
	Findings int            `json:"findings"`
	Sites    int            `json:"sites"`
}

// FailedRow is a site that was not scanned completely.
type FailedRow struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// Merge folds site lines (from any number of shard files, in any order)
// into an audit. A site that appears more than once is kept once: the
// most complete line, ties broken by the line's bytes; a warning names it.
func Merge(lines []Line) (*Audit, error) {
	byID := map[string][]Line{}
	for _, l := range lines {
		byID[l.ID] = append(byID[l.ID], l)
	}
	a := &Audit{Schema: Schema, Sites: []SiteRow{}, Vendors: []VendorRow{}, Rules: []RuleRow{}, Failed: []FailedRow{}}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	vendors := map[string]*VendorRow{}
	ruleRows := map[string]*RuleRow{}
	for _, id := range ids {
		l, warning, err := pick(byID[id])
		if err != nil {
			return nil, err
		}
		if warning != "" {
			a.Warnings = append(a.Warnings, warning)
		}
		row, err := siteRow(l)
		if err != nil {
			return nil, err
		}
		a.Sites = append(a.Sites, row)
		a.count(row, vendors, ruleRows)
	}
	for _, v := range vendors {
		a.Vendors = append(a.Vendors, *v)
	}
	slices.SortFunc(a.Vendors, func(x, y VendorRow) int {
		return cmp.Or(cmp.Compare(y.BeforeConsent, x.BeforeConsent), cmp.Compare(y.Sites, x.Sites), strings.Compare(x.ID, y.ID))
	})
	for _, r := range ruleRows {
		a.Rules = append(a.Rules, *r)
	}
	slices.SortFunc(a.Rules, func(x, y RuleRow) int {
		return cmp.Or(cmp.Compare(y.Severity.Rank(), x.Severity.Rank()), cmp.Compare(y.Sites, x.Sites), strings.Compare(x.Rule, y.Rule))
	})
	return a, nil
}

// pick chooses one line of a site seen several times.
func pick(ls []Line) (Line, string, error) {
	if len(ls) == 1 {
		return ls[0], "", nil
	}
	type cand struct {
		l   Line
		raw []byte
	}
	cs := make([]cand, len(ls))
	var shards []string
	for i, l := range ls {
		raw, err := l.Marshal()
		if err != nil {
			return Line{}, "", err
		}
		cs[i] = cand{l, raw}
		shards = append(shards, cmp.Or(l.Shard, "unsharded"))
	}
	slices.SortFunc(cs, func(x, y cand) int {
		return cmp.Or(cmp.Compare(statusRank(x.l.Status), statusRank(y.l.Status)), bytes.Compare(x.raw, y.raw))
	})
	slices.Sort(shards)
	kept := cs[0].l
	return kept, fmt.Sprintf("site %s appears %d times (shards %s); kept one %s line", kept.ID, len(ls), strings.Join(shards, ", "), kept.Status), nil
}

// siteRow reads a line's report into its row.
func siteRow(l Line) (SiteRow, error) {
	row := SiteRow{ID: l.ID, URL: l.URL, Status: l.Status, Error: l.Error,
		VendorsBeforeConsent: []string{}, TrackingAfterReject: []string{}, Undisclosed: []string{}}
	if len(l.Report) == 0 {
		return row, nil
	}
	rep, err := reports.ReadJSON(bytes.NewReader(l.Report))
	if err != nil {
		return row, fmt.Errorf("site %s: %v", l.ID, err)
	}
	row.report = rep
	row.PolicyFound = rep.Policy != nil
	row.Errors = len(rep.Errors)
	var cmps []string
	for _, p := range rep.Pages {
		row.Pages++
		if p.Phase == capture.AfterReject {
			row.RejectScanned = true
		}
		if p.Consent != nil && p.Consent.CMP != "" {
			cmps = append(cmps, consent.Name(p.Consent.CMP))
		}
	}
	slices.Sort(cmps)
	row.CMP = strings.Join(slices.Compact(cmps), ", ")
	for _, v := range rep.Vendors {
		if v.Disclosure == detectors.DisclosureUndisclosed {
			row.Undisclosed = append(row.Undisclosed, v.ID)
		}
		if !v.Category.NonEssential() {
			continue
		}
		if slices.Contains(v.Phases, capture.PreConsent) {
			row.VendorsBeforeConsent = append(row.VendorsBeforeConsent, v.ID)
		}
		if slices.Contains(v.Phases, capture.AfterReject) {
			row.TrackingAfterReject = append(row.TrackingAfterReject, v.ID)
		}
	}
	for _, s := range []*[]string{&row.VendorsBeforeConsent, &row.TrackingAfterReject, &row.Undisclosed} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	for _, f := range rep.Findings {
		row.Findings.add(f.Severity)
	}
	return row, nil
}

// count adds a site's row to the totals, vendors and rules.
func (a *Audit) count(row SiteRow, vendors map[string]*VendorRow, ruleRows map[string]*RuleRow) {
	t := &a.Totals
	t.Sites++
	switch row.Status {
	case Complete:
		t.Complete++
	case Incomplete:
		t.Incomplete++
	default:
		t.Failed++
	}
	if row.Status != Complete {
		a.Failed = append(a.Failed, FailedRow{ID: row.ID, URL: row.URL, Status: row.Status, Error: row.Error})
	}
	if len(row.VendorsBeforeConsent) > 0 {
		t.TrackingBeforeConsent++
	}
	if len(row.TrackingAfterReject) > 0 {
		t.TrackingAfterReject++
	}
	t.Findings.plus(row.Findings)
	rep := row.report
	if rep == nil {
		return
	}
	for _, v := range rep.Vendors {
		vr := vendors[v.ID]
		if vr == nil {
			vr = &VendorRow{ID: v.ID, Name: v.Name, Category: v.Category}
			vendors[v.ID] = vr
		}
		vr.Sites++
		if v.Category.NonEssential() && slices.Contains(v.Phases, capture.PreConsent) {
			vr.BeforeConsent++
		}
		if v.Category.NonEssential() && slices.Contains(v.Phases, capture.AfterReject) {
			vr.AfterReject++
		}
		if v.Disclosure == detectors.DisclosureUndisclosed {
			vr.Undisclosed++
		}
	}
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		rr := ruleRows[f.Rule]
		if rr == nil {
			rr = &RuleRow{Rule: f.Rule, Title: f.Title, Severity: f.Severity}
			ruleRows[f.Rule] = rr
		}
		rr.Findings++
		if !seen[f.Rule] {
			seen[f.Rule] = true
			rr.Sites++
		}
	}
}

// SiteReports are the sites' own reports, by site id, for the caller to
// render next to the audit (see SetReportLinks).
func (a *Audit) SiteReports() map[string]*reports.Report {
	out := map[string]*reports.Report{}
	for _, s := range a.Sites {
		if s.report != nil {
			out[s.ID] = s.report
		}
	}
	return out
}

// SetReportLinks sets each site's Report link from links (site id to a
// path relative to the audit).
func (a *Audit) SetReportLinks(links map[string]string) {
	for i := range a.Sites {
		a.Sites[i].Report = links[a.Sites[i].ID]
	}
}

// ReportFileName is a file name for a site's own report, safe on any file
// system, distinct for distinct ids, and the same on every run.
func ReportFileName(id, ext string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "_.")
	if len(name) > 80 {
		name = name[:80]
	}
	return fmt.Sprintf("%s-%08x.%s", name, fnv32(id), ext)
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
