package reports

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/internal/textfmt"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// severities lists the severities from the most to the least severe, the
// order every format presents findings in.
var severities = []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info}

// normalized returns a copy of r whose lists are in the canonical order, so
// that every format is deterministic whatever order the scan produced. The
// input is never modified. A list that is already in order (every report
// read back from JSON) is shared rather than copied: a large report is then
// held once, not twice, while it is rendered.
func normalized(r *Report) *Report {
	n := *r
	if n.Schema == "" {
		n.Schema = Schema
	}
	if n.Tool.Name == "" {
		n.Tool.Name = "trackscan"
	}
	n.Pages = sortedOrShared(r.Pages, func(a, b Page) int {
		return cmp.Or(cmp.Compare(a.Phase.Rank(), b.Phase.Rank()), strings.Compare(a.URL, b.URL))
	})
	n.Vendors = sortedOrShared(r.Vendors, func(a, b detectors.Vendor) int {
		return cmp.Or(cmp.Compare(categoryRank(a.Category), categoryRank(b.Category)),
			strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	n.Cookies = sortedOrShared(r.Cookies, func(a, b detectors.Cookie) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Domain, b.Domain))
	})
	n.Storage = sortedOrShared(r.Storage, func(a, b detectors.Storage) int {
		return cmp.Or(strings.Compare(a.Origin, b.Origin), cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key))
	})
	n.Detections = sortedOrShared(r.Detections, func(a, b detectors.Detection) int {
		return cmp.Or(cmp.Compare(a.Phase.Rank(), b.Phase.Rank()), strings.Compare(a.Page, b.Page),
			cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.Host, b.Host),
			strings.Compare(a.URL, b.URL), strings.Compare(a.Evidence, b.Evidence))
	})
	n.Emails = slices.Clone(r.Emails)
	slices.SortStableFunc(n.Emails, func(a, b detectors.Email) int { return strings.Compare(a.File, b.File) })
	for i := range n.Emails {
		ts := slices.Clone(n.Emails[i].Trackers)
		slices.SortStableFunc(ts, func(a, b detectors.EmailTracker) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Host, b.Host), strings.Compare(a.URL, b.URL))
		})
		n.Emails[i].Trackers = ts
	}
	n.Findings = sortedFindings(r.Findings)
	n.Errors = sortedOrShared(r.Errors, strings.Compare)
	return &n
}

// sortedOrShared returns in itself when it is already in order, else a
// sorted copy (stable, so equal elements keep their order either way).
// Callers never write into the lists of a normalized report.
func sortedOrShared[S ~[]E, E any](in S, order func(a, b E) int) S {
	if slices.IsSortedFunc(in, order) {
		return in
	}
	out := slices.Clone(in)
	slices.SortStableFunc(out, order)
	return out
}

// sortedFindings orders findings by severity (most severe first), then by
// rule, target, vendor, subject and fingerprint. It never returns nil so
// that JSON writes [] rather than null.
func sortedFindings(in []rules.Finding) []rules.Finding {
	if in == nil {
		return []rules.Finding{}
	}
	return sortedOrShared(in, func(a, b rules.Finding) int {
		return cmp.Or(cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
			strings.Compare(a.Rule, b.Rule), strings.Compare(a.Target, b.Target),
			cmp.Compare(a.Phase.Rank(), b.Phase.Rank()),
			strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.Subject, b.Subject),
			strings.Compare(a.Fingerprint, b.Fingerprint))
	})
}

func categoryRank(c kb.Category) int {
	if i := slices.Index(kb.Categories, c); i >= 0 {
		return i
	}
	return len(kb.Categories)
}

// severityCounts counts findings per severity.
func severityCounts(fs []rules.Finding) map[rules.Severity]int {
	m := make(map[rules.Severity]int, len(severities))
	for _, f := range fs {
		m[f.Severity]++
	}
	return m
}

// countLine says "3 findings: 1 high, 2 low" (or "no findings").
// policyHash is " (sha256 …)" after a policy's source, "" when unknown.
func policyHash(p *policy.Policy) string {
	if p == nil || p.SHA256 == "" {
		return ""
	}
	return " (sha256 " + p.SHA256 + ")"
}

// scanTimes says when the capture ran, "" when the report does not say.
func scanTimes(r *Report) string {
	const layout = time.RFC3339
	switch {
	case !r.Started.IsZero() && !r.Finished.IsZero():
		return "captured " + r.Started.UTC().Format(layout) + " to " + r.Finished.UTC().Format(layout)
	case !r.Started.IsZero():
		return "captured from " + r.Started.UTC().Format(layout)
	case !r.Finished.IsZero():
		return "captured until " + r.Finished.UTC().Format(layout)
	}
	return ""
}

func countLine(fs []rules.Finding, suppressed int) string {
	var b strings.Builder
	if len(fs) == 0 {
		b.WriteString("no findings")
	} else {
		fmt.Fprintf(&b, "%d %s:", len(fs), textfmt.Plural(len(fs), "finding"))
		counts := severityCounts(fs)
		sep := " "
		for _, s := range severities {
			if counts[s] > 0 {
				fmt.Fprintf(&b, "%s%d %s", sep, counts[s], s)
				sep = ", "
			}
		}
	}
	if suppressed > 0 {
		fmt.Fprintf(&b, " (%d suppressed by baseline or ignore file)", suppressed)
	}
	return b.String()
}

// phaseList joins phases in run order.
func phaseList(ps []capture.Phase) string {
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b capture.Phase) int { return cmp.Compare(a.Rank(), b.Rank()) })
	s := make([]string, len(sorted))
	for i, p := range sorted {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// pagesPerPhase says how many pages were captured in each phase, in run
// order, e.g. "pre-consent 3, after-reject 3".
func pagesPerPhase(pages []Page) string {
	counts := map[capture.Phase]int{}
	var order []capture.Phase
	for _, p := range pages {
		if counts[p.Phase] == 0 {
			order = append(order, p.Phase)
		}
		counts[p.Phase]++
	}
	if len(order) == 0 {
		return "none"
	}
	slices.SortStableFunc(order, func(a, b capture.Phase) int { return cmp.Compare(a.Rank(), b.Rank()) })
	parts := make([]string, len(order))
	for i, p := range order {
		parts[i] = fmt.Sprintf("%s %d", p, counts[p])
	}
	return strings.Join(parts, ", ")
}

// lifetime renders a cookie lifetime in days for people.
func lifetime(days float64) string {
	switch {
	case days < 0:
		return "session"
	case days == 0:
		return "expired"
	case days < 1:
		return "< 1 day"
	case days < 90:
		return fmt.Sprintf("%d %s", int(math.Round(days)), textfmt.Plural(int(math.Round(days)), "day"))
	case days < 730:
		m := int(math.Round(days / 30.44))
		return fmt.Sprintf("%d months", m)
	}
	return fmt.Sprintf("%.1f years", days/365.25)
}

// party says whether a cookie is first or third party.
func party(firstParty bool) string {
	if firstParty {
		return "1st"
	}
	return "3rd"
}

// cookieState says whether the browser stored a cookie or refused it.
func cookieState(c detectors.Cookie) string {
	if c.Stored {
		return "stored"
	}
	if len(c.Blocked) > 0 {
		return "blocked: " + strings.Join(c.Blocked, ", ")
	}
	return "not stored"
}

// vendorName names a vendor id with the report's vendor list when it can.
func vendorName(r *Report, id string) string {
	if id == "" {
		return ""
	}
	for _, v := range r.Vendors {
		if v.ID == id && v.Name != "" {
			return v.Name
		}
	}
	return id
}

// oneLineText folds whitespace so a value fits one table cell or line.
func oneLineText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// declarationsOf returns the policy's declarations, or nil without a policy.
func declarationsOf(r *Report) []policy.Declaration {
	if r.Policy == nil {
		return nil
	}
	return r.Policy.Declarations
}

// trackerCount counts an email's trackers of one kind and lists their hosts.
func trackerSummary(e detectors.Email, kind detectors.Kind) string {
	n := 0
	var hosts []string
	for _, t := range e.Trackers {
		if t.Kind != kind {
			continue
		}
		n++
		if t.Host != "" && !slices.Contains(hosts, t.Host) {
			hosts = append(hosts, t.Host)
		}
	}
	if n == 0 {
		return "-"
	}
	slices.Sort(hosts)
	if len(hosts) == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (%s)", n, strings.Join(hosts, ", "))
}

// leakSummary lists the encodings an email's address leaks used.
func leakSummary(e detectors.Email) string {
	var parts []string
	for _, t := range e.Trackers {
		if t.Kind != detectors.KindAddressLeak && t.LeakEncoding == "" {
			continue
		}
		enc := cmp.Or(t.LeakEncoding, "plain")
		p := fmt.Sprintf("%s to %s", enc, cmp.Or(t.Host, "?"))
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// statusText is a page's HTTP status, or its error.
func statusText(p Page) string {
	if p.Error != "" {
		return "error: " + oneLineText(p.Error)
	}
	if p.Status == 0 {
		return "-"
	}
	return fmt.Sprint(p.Status)
}

// consentText says what happened with the consent banner on a page.
func consentText(p Page) string {
	c := p.Consent
	if c == nil {
		return "-"
	}
	var parts []string
	switch {
	case c.Carried:
		// The choice made on another page was set before this one loaded.
		parts = append(parts, c.Action+" carried from "+cmp.Or(c.CarriedFrom, "another page"))
		if c.CMP != "" {
			parts = append(parts, consent.Name(c.CMP))
		}
		if c.Verified {
			parts = append(parts, "banner stayed hidden")
		}
	case !c.BannerFound:
		return cmp.Or(oneLineText(c.Note), "no banner found")
	default:
		if c.CMP != "" {
			parts = append(parts, "banner ("+consent.Name(c.CMP)+")")
		} else {
			parts = append(parts, "banner")
		}
		if c.Action != "" {
			switch {
			case c.Clicked && c.Verified:
				parts = append(parts, c.Action+" clicked, verified")
			case c.Clicked:
				parts = append(parts, c.Action+" clicked, not verified")
			case c.Action == "reject":
				parts = append(parts, "reject not possible ("+cmp.Or(c.Reason, capture.ReasonNotFound)+")")
			default:
				parts = append(parts, c.Action+" not clicked")
			}
			if c.Layer == 2 {
				parts = append(parts, "through the settings layer")
			}
		}
	}
	if c.TCF != nil {
		parts = append(parts, "TCF "+cmp.Or(c.TCF.EventStatus, "present"))
	}
	// On a carried page the note only says that no banner showed.
	if c.Note != "" && !c.Carried {
		parts = append(parts, oneLineText(c.Note))
	}
	return strings.Join(parts, "; ")
}

// browserFacts lists the browser identity a scan ran under.
func browserFacts(r *Report) [][2]string {
	b := r.Browser
	if b == nil {
		return nil
	}
	gpc := "not sent"
	if b.GPC {
		gpc = "sent"
	}
	facts := [][2]string{
		{"Version", b.Version}, {"User agent", b.UserAgent}, {"Viewport", b.Viewport},
		{"Language", b.Language}, {"Third-party cookies", b.ThirdPartyCookies}, {"Global Privacy Control", gpc},
	}
	out := facts[:0]
	for _, f := range facts {
		if f[1] != "" {
			out = append(out, f)
		}
	}
	return out
}

// findingGroup is findings that differ only by page or subject (a cookie
// name, a host): one row of the table and Markdown formats, so that a tag
// firing on every page reads as one problem. Fingerprints stay per finding.
type findingGroup struct {
	First    rules.Finding // the first finding of the group in sorted order
	Targets  []string      // distinct pages or files, sorted
	Evidence []string      // distinct evidence, in finding order
	N        int           // findings in the group
	Findings []rules.Finding
}

// groupFindings groups sorted findings by severity, rule, vendor, phase,
// disclosure and policy quote, keeping the order of each group's first
// finding.
func groupFindings(fs []rules.Finding) []findingGroup {
	// The site is part of the key: in a scan of several sites the same rule
	// and vendor on two sites are two findings, not one seen on two pages.
	type key struct {
		site, sev, rule, vendor string
		phase                   capture.Phase
		disc                    detectors.Disclosure
		quote                   string
	}
	var out []findingGroup
	index := map[key]int{}
	// What each group already lists: a tag on every page of a large crawl
	// makes one group of many thousand findings.
	type member struct {
		group int
		value string
	}
	hasTarget, hasEvidence := map[member]bool{}, map[member]bool{}
	for _, f := range fs {
		k := key{capture.SiteOfURL(f.Target), string(f.Severity), f.Rule, f.Vendor, f.Phase, f.Disclosure, f.PolicyQuote}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, findingGroup{First: f})
		}
		g := &out[i]
		g.N++
		g.Findings = append(g.Findings, f)
		if !hasTarget[member{i, f.Target}] {
			hasTarget[member{i, f.Target}] = true
			g.Targets = append(g.Targets, f.Target)
		}
		if ev := oneLineText(f.Evidence); ev != "" && !hasEvidence[member{i, ev}] {
			hasEvidence[member{i, ev}] = true
			g.Evidence = append(g.Evidence, ev)
		}
	}
	for i := range out {
		slices.Sort(out[i].Targets)
	}
	return out
}

// quoteIndex numbers the distinct policy quotes of the groups from 1, so a
// sentence many findings relied on is printed once.
func quoteIndex(gs []findingGroup) (ids map[string]int, quotes []string) {
	ids = map[string]int{}
	for _, g := range gs {
		q := oneLineText(g.First.PolicyQuote)
		if q == "" {
			continue
		}
		if _, ok := ids[q]; !ok {
			quotes = append(quotes, q)
			ids[q] = len(quotes)
		}
	}
	return ids, quotes
}

// someOf lists up to n values and says how many more there are.
func someOf(vals []string, n int) []string {
	if len(vals) <= n {
		return vals
	}
	return append(slices.Clone(vals[:n]), fmt.Sprintf("+%d more", len(vals)-n))
}

// findingRows gives one row per group: #, severity, rule, vendor, phase,
// disclosure, the pages (or files) it was seen on, and the number of the
// policy sentence it relied on ("none" when the policy says nothing).
func findingRows(r *Report, groups []findingGroup, quoteIDs map[string]int) [][]string {
	rows := make([][]string, 0, len(groups))
	for i, g := range groups {
		f := g.First
		pages := make([]string, len(g.Targets))
		for j, target := range g.Targets {
			pages[j] = shortTarget(r.Target, target)
		}
		quote := "-"
		if id := quoteIDs[oneLineText(f.PolicyQuote)]; id > 0 {
			quote = fmt.Sprintf("[%d]", id)
		} else if f.Disclosure != "" {
			quote = "none"
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), string(f.Severity), f.Rule, textfmt.OrDash(vendorName(r, f.Vendor)),
			textfmt.OrDash(f.Phase), textfmt.OrDash(f.Disclosure), strings.Join(someOf(pages, 4), "\n"), quote})
	}
	return rows
}

// rejectNotPossible lists, per site, why the after-reject phase could not
// make its choice ("shop.example: reject-not-offered"): some page of the
// phase met a banner it could not click and no page clicked reject or got
// the click carried. Its pages show the site as it is without a choice,
// not as a visitor who rejected.
func rejectNotPossible(r *Report) []string {
	type siteState struct {
		made   bool
		reason string
	}
	sites := map[string]*siteState{}
	for _, p := range r.Pages {
		c := p.Consent
		if p.Phase != capture.AfterReject || c == nil {
			continue
		}
		host := capture.HostOf(p.URL)
		s := sites[host]
		if s == nil {
			s = &siteState{}
			sites[host] = s
		}
		switch {
		case c.Clicked || c.Carried:
			s.made = true
		case c.BannerFound || c.Reason != "":
			s.reason = cmp.Or(s.reason, c.Reason, capture.ReasonNotFound)
		}
	}
	var out []string
	for _, host := range slices.Sorted(maps.Keys(sites)) {
		if s := sites[host]; !s.made && s.reason != "" {
			out = append(out, host+": "+s.reason)
		}
	}
	return out
}
