package rules

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// phaseGroup is everything non-essential one vendor (or, without a known
// vendor, one cookie, storage key or host) did in one phase.
type phaseGroup struct {
	vendor   string
	subject  string // cookie name, storage key or host when vendor is ""
	category kb.Category
	cookies  []string
	storage  []string
	hosts    []string
	pages    []string
	urls     []string // request URLs, and the URLs that set its cookies
	// stored: it wrote cookies or storage, or read the device (fingerprinting),
	// which is what ePrivacy Art. 5(3) is about; otherwise only requests were seen.
	stored bool
	reads  []string // detection kinds that read the device or record the visit
}

// phaseGroups collects the non-essential activity of a phase, by vendor.
func (ev *evaluation) phaseGroups(phase capture.Phase) []*phaseGroup {
	if gs, ok := ev.groups[phase]; ok {
		return gs
	}
	groups := map[string]*phaseGroup{}
	get := func(vendor, kind, subject string, c kb.Category) *phaseGroup {
		key := vendor
		if vendor == "" {
			key = kind + ":" + subject
		}
		g := groups[key]
		if g == nil {
			g = &phaseGroup{vendor: vendor, category: c}
			if vendor == "" {
				g.subject = subject
			}
			if v := ev.vendors[vendor]; v != nil && v.Category.NonEssential() {
				g.category = v.Category
			}
			groups[key] = g
		}
		return g
	}
	for _, v := range ev.in.Vendors {
		if hasPhase(v.Phases, phase) && v.Category.NonEssential() {
			g := get(v.ID, "", "", v.Category)
			g.hosts = append(g.hosts, v.Hosts...)
		}
	}
	for _, c := range ev.in.Cookies {
		if hasPhase(c.Phases, phase) && c.Category.NonEssential() {
			g := get(c.Vendor, "cookie", c.Name, c.Category)
			name := c.Name
			if !c.Stored && len(c.Blocked) > 0 {
				name += " (refused by the browser)"
			}
			g.cookies = append(g.cookies, name)
			g.pages = append(g.pages, c.Pages...)
			g.urls = append(g.urls, c.SetBy)
			g.stored = true
		}
	}
	for _, s := range ev.in.Storage {
		if hasPhase(s.Phases, phase) && s.Category.NonEssential() {
			g := get(s.Vendor, "storage", s.Key, s.Category)
			g.storage = append(g.storage, s.Key)
			g.stored = true
		}
	}
	for _, d := range ev.in.Detections {
		if d.Phase != phase || !d.Category.NonEssential() || d.Kind == KindConsentMode {
			continue
		}
		g := get(d.Vendor, "host", d.Host, d.Category)
		g.hosts = append(g.hosts, d.Host)
		g.pages = append(g.pages, d.Page)
		g.urls = append(g.urls, d.URL)
		switch d.Kind {
		case detectors.KindFingerprinting, detectors.KindSessionRecorder:
			g.reads = append(g.reads, d.Kind)
			g.stored = true
		case detectors.KindTrackingCookie, detectors.KindStorage:
			g.stored = true
		}
	}
	out := make([]*phaseGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].vendor != out[j].vendor {
			return out[i].vendor < out[j].vendor
		}
		return out[i].subject < out[j].subject
	})
	ev.groups[phase] = out
	return out
}

// vendorGroup is a vendor's activity in a phase, or nil.
func (ev *evaluation) vendorGroup(phase capture.Phase, vendor string) *phaseGroup {
	gs := ev.phaseGroups(phase)
	i := sort.Search(len(gs), func(i int) bool { return gs[i].vendor >= vendor })
	if i < len(gs) && gs[i].vendor == vendor && vendor != "" {
		return gs[i]
	}
	return nil
}

// storedInPhase reports whether a vendor wrote cookies or storage, or read
// the device, in a phase.
func (ev *evaluation) storedInPhase(vendor string, phase capture.Phase) bool {
	g := ev.vendorGroup(phase, vendor)
	return g != nil && g.stored
}

// firstPage picks the page a finding is reported on: the first, in sorted
// order, of the pages it was seen on, else the scan target.
func (ev *evaluation) firstPage(pages []string) string {
	if u := sortedSet(pages); len(u) > 0 {
		return u[0]
	}
	return ev.in.Target
}

// vendorPages lists the pages a vendor was seen on, in any phase.
func (ev *evaluation) vendorPages(vendor string) []string { return ev.pages[vendor] }

func (g *phaseGroup) evidence(phase capture.Phase) string {
	parts := []string{"seen " + string(phase)}
	if len(g.cookies) > 0 {
		parts = append(parts, "cookies "+listSome(g.cookies, 5))
	}
	if len(g.storage) > 0 {
		parts = append(parts, "storage "+listSome(g.storage, 5))
	}
	for _, k := range sortedSet(g.reads) {
		switch k {
		case detectors.KindFingerprinting:
			parts = append(parts, "reads the device (fingerprinting)")
		case detectors.KindSessionRecorder:
			parts = append(parts, "records the visit (session recorder)")
		}
	}
	if len(g.hosts) > 0 {
		parts = append(parts, "hosts "+listSome(g.hosts, 3))
	}
	if !g.stored {
		parts = append(parts, "requests only, no cookie or storage")
	}
	return strings.Join(parts, "; ")
}

// checkPhase reports non-essential activity in a phase where consent is
// missing (pre-consent) or refused (after-reject).
func checkPhase(phase capture.Phase) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		var out []Finding
		for _, g := range ev.phaseGroups(phase) {
			if ev.allowedIn(string(phase), g.category) {
				continue
			}
			claim, hasClaim := ev.consentClaim(g.vendor, g.category)
			f := Finding{
				Severity: r.Severity, Category: string(g.category), Vendor: g.vendor, Phase: string(phase),
				Target: ev.firstPage(g.pages), Subject: g.subject, Evidence: g.evidence(phase), URLs: capURLs(g.urls),
			}
			if !g.stored {
				f.Severity = lower(r.Severity)
			}
			if d, ok := ev.disc[g.vendor]; ok && g.vendor != "" {
				f.Disclosure, f.PolicyQuote = d.level, d.quote
			}
			// The claim is about what is stored; requests alone do not break it.
			// A denial naming the vendor ("we never use Hotjar") is quoted first.
			if hasClaim && phase == PhasePre && g.stored && ev.naming[g.vendor].level != DisclosureContradicted {
				f.PolicyQuote, f.Disclosure = claim, DisclosureContradicted
			}
			// A structured allowed list for this phase is what the activity breaks.
			if q, ok := ev.allowedQuote(phase); ok && ev.naming[g.vendor].level != DisclosureContradicted {
				f.PolicyQuote, f.Disclosure = q, DisclosureContradicted
			}
			out = append(out, f)
		}
		return out
	}
}

func lower(s Severity) Severity {
	switch s {
	case Critical:
		return High
	case High:
		return Medium
	case Medium:
		return Low
	}
	return Info
}

func checkConsentBeforeChoice(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, p := range ev.in.Pages {
		if p.Phase != PhasePre || p.Consent == nil || p.Consent.TCF == nil {
			continue
		}
		t := p.Consent.TCF
		purposes := trueKeys(t.PurposeConsents)
		if len(purposes) == 0 {
			continue
		}
		ev := fmt.Sprintf("TCF purposes %s consented before any interaction (CMP id %d", strings.Join(purposes, ", "), t.CMPID)
		if t.EventStatus != "" {
			ev += ", event " + t.EventStatus
		}
		ev += ")"
		if n := len(trueKeys(t.VendorConsents)); n > 0 {
			ev += "; " + strconv.Itoa(n) + " vendor consents set"
		}
		out = append(out, Finding{Phase: string(p.Phase), Target: p.URL, Subject: "tcf", Evidence: ev,
			Category: string(kb.ConsentManagement)})
	}
	return out
}

// trueKeys returns the keys set to true, numeric ones in numeric order.
func trueKeys(m map[string]bool) []string {
	var ks []string
	for k, v := range m {
		if v {
			ks = append(ks, k)
		}
	}
	sort.Slice(ks, func(i, j int) bool {
		a, ea := strconv.Atoi(ks[i])
		b, eb := strconv.Atoi(ks[j])
		if ea == nil && eb == nil {
			return a < b
		}
		return ks[i] < ks[j]
	})
	return ks
}

// KindConsentMode is the detection kind the site detector emits for a
// Google request that carries Consent Mode parameters.
const KindConsentMode = "consent-mode"

// consentState is what a Consent Mode signal says about the two storages:
// "granted", "denied" or "" when not stated.
type consentState struct{ ad, analytics string }

// parseConsentMode reads "gcs=G1xy" (x: ad_storage, y: analytics_storage,
// 1 granted, 0 denied) and explicit "ad_storage=denied" style tokens.
func parseConsentMode(evidence string) consentState {
	var s consentState
	state := func(b byte) string {
		switch b {
		case '1':
			return "granted"
		case '0':
			return "denied"
		}
		return ""
	}
	for _, tok := range strings.FieldsFunc(evidence, func(r rune) bool { return r == ' ' || r == '&' || r == ';' || r == ',' }) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(k) {
		case "gcs":
			if len(v) == 4 && (v[0] == 'G' || v[0] == 'g') && v[1] == '1' {
				s.ad, s.analytics = state(v[2]), state(v[3])
			}
		case "ad_storage":
			s.ad = strings.ToLower(v)
		case "analytics_storage":
			s.analytics = strings.ToLower(v)
		}
	}
	return s
}

// checkConsentMode reports Google requests whose Consent Mode state does
// not match the visitor's choice, one finding per vendor (per site, as
// Evaluate splits sites): the evidence says which signal was not honoured
// and on how many pages.
func checkConsentMode(ev *evaluation, r *Rule) []Finding {
	type group struct {
		category    string
		phase       int // index in capture.Phases of the earliest phase seen
		pages, urls []string
		msgs        map[string][]string // what was not honoured -> pages
	}
	groups := map[string]*group{}
	note := func(d detectors.Detection, msg string) {
		g := groups[d.Vendor]
		if g == nil {
			g = &group{category: string(d.Category), phase: len(capture.Phases), msgs: map[string][]string{}}
			groups[d.Vendor] = g
		}
		if i := slices.Index(capture.Phases, d.Phase); i >= 0 && i < g.phase {
			g.phase = i
		}
		g.pages = append(g.pages, d.Page)
		g.urls = append(g.urls, d.URL)
		g.msgs[msg] = append(g.msgs[msg], d.Page)
	}
	for _, d := range ev.in.Detections {
		if d.Kind != KindConsentMode {
			continue
		}
		st := parseConsentMode(d.Evidence)
		signal := strings.TrimSpace(d.Evidence)
		if d.Phase == PhasePre || d.Phase == PhaseReject {
			var granted []string
			if st.ad == "granted" {
				granted = append(granted, "ad_storage")
			}
			if st.analytics == "granted" {
				granted = append(granted, "analytics_storage")
			}
			if len(granted) > 0 {
				when := "no choice made yet"
				if d.Phase == PhaseReject {
					when = "the visitor rejected"
				}
				note(d, fmt.Sprintf("%s, but requests to %s signalled %s granted (%s)", when, d.Host, strings.Join(granted, " and "), signal))
				continue
			}
		}
		var set, denied []string
		for _, c := range ev.in.Cookies {
			if !hasPhase(c.Phases, d.Phase) || !ev.sameCompany(c.Vendor, d.Vendor) {
				continue
			}
			if len(c.Pages) > 0 && !slices.Contains(c.Pages, d.Page) {
				continue
			}
			if (st.ad == "denied" && c.Category == kb.Advertising) || (st.analytics == "denied" && c.Category == kb.Analytics) {
				set = append(set, c.Name)
			}
		}
		if len(set) == 0 {
			continue
		}
		if st.ad == "denied" {
			denied = append(denied, "ad_storage")
		}
		if st.analytics == "denied" {
			denied = append(denied, "analytics_storage")
		}
		note(d, fmt.Sprintf("requests to %s signalled %s denied (%s), yet cookies %s were set %s",
			d.Host, strings.Join(denied, " and "), signal, listSome(set, 5), d.Phase))
	}
	var out []Finding
	for _, vendor := range slices.Sorted(maps.Keys(groups)) {
		g := groups[vendor]
		var parts []string
		for _, msg := range slices.Sorted(maps.Keys(g.msgs)) {
			if n := len(sortedSet(g.msgs[msg])); n > 1 {
				msg += fmt.Sprintf(" on %d pages", n)
			}
			parts = append(parts, msg)
		}
		out = append(out, Finding{Vendor: vendor, Category: g.category, Phase: string(capture.Phases[g.phase]),
			Target: ev.firstPage(g.pages), Evidence: strings.Join(parts, "; "), URLs: capURLs(g.urls)})
	}
	return out
}

// sameCompany reports whether two vendor ids are the same vendor or share
// an owner (Google Ads cookies while Google Analytics signalled denied).
func (ev *evaluation) sameCompany(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	va, vb := ev.vendors[a], ev.vendors[b]
	return va != nil && vb != nil && va.Owner != "" && va.Owner == vb.Owner
}

// checkDisclosure reports non-essential vendors at one disclosure level.
func checkDisclosure(level string) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		var out []Finding
		for _, v := range ev.in.Vendors {
			d := ev.naming[v.ID]
			if d.level != level || !v.Category.NonEssential() {
				continue
			}
			out = append(out, ev.vendorFinding(v, d))
		}
		return out
	}
}

func (ev *evaluation) vendorFinding(v detectors.Vendor, d disclosure) Finding {
	phases := make([]string, len(v.Phases))
	for i, p := range v.Phases {
		phases[i] = string(p)
	}
	evidence := v.Name
	if v.Owner != "" && v.Owner != v.Name {
		evidence += " (" + v.Owner + ")"
	}
	evidence += " [" + string(v.Category) + "]"
	if len(phases) > 0 {
		evidence += " seen " + strings.Join(phases, ", ")
	}
	if len(v.Hosts) > 0 {
		evidence += " on " + listSome(v.Hosts, 3)
	}
	return Finding{Vendor: v.ID, Category: string(v.Category), Disclosure: d.level, PolicyQuote: d.quote,
		Target: ev.firstPage(ev.vendorPages(v.ID)), Evidence: evidence, URLs: capURLs(ev.urls[v.ID])}
}

func checkContradicted(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, v := range ev.in.Vendors {
		d := ev.disc[v.ID]
		if d.level != DisclosureContradicted {
			continue
		}
		f := ev.vendorFinding(v, d)
		// Broken consent claim (not a denial): say what was stored before the choice.
		if d.phase != "" && d.phase != PhasePre {
			// A structured allowed list of a later phase: say what ran in it.
			if g := ev.vendorGroup(d.phase, v.ID); g != nil {
				f.Evidence = v.Name + " [" + string(v.Category) + "] " + g.evidence(d.phase)
			}
		} else if ev.naming[v.ID].level != DisclosureContradicted {
			if g := ev.vendorGroup(PhasePre, v.ID); g != nil && g.stored {
				f.Evidence = v.Name + " [" + string(v.Category) + "] before any choice: " +
					strings.TrimPrefix(g.evidence(PhasePre), "seen "+string(PhasePre)+"; ")
			}
		}
		out = append(out, f)
	}
	// A denied practice: "we never use session recording", "we do not track
	// whether you opened our emails".
	for _, ps := range []practiceSpec{practiceSessionRecording, practiceFingerprinting} {
		out = append(out, ev.practiceFindings(ps, DisclosureContradicted)...)
	}
	for _, ep := range []emailPractice{practiceEmailOpen, practiceEmailClick} {
		out = append(out, ev.emailFindings(ep, DisclosureContradicted)...)
	}
	// Cookies and storage of no known vendor still break a consent claim.
	for _, g := range ev.phaseGroups(PhasePre) {
		if g.vendor != "" || !g.stored || ev.allowedIn(string(PhasePre), g.category) {
			continue
		}
		claim, ok := ev.consentClaim("", g.category)
		if !ok {
			continue
		}
		out = append(out, Finding{Category: string(g.category), Phase: string(PhasePre), Disclosure: DisclosureContradicted,
			Target: ev.firstPage(g.pages), Subject: g.subject, PolicyQuote: claim, Evidence: g.evidence(PhasePre), URLs: capURLs(g.urls)})
	}
	return out
}

// declaredCookies is every cookie the policy lists with a lifetime.
func (ev *evaluation) declaredCookies() []policy.DeclaredCookie {
	p := ev.in.Policy
	var out []policy.DeclaredCookie
	if p.Structured != nil {
		// The file's entries first: they win over text cookies of the same name.
		for _, c := range p.Structured.Cookies {
			if c.Quote == "" {
				c.Quote = structuredCookieQuote(c)
			}
			out = append(out, c)
		}
	}
	for _, c := range p.Cookies {
		if c.Quote == "" && p.Structured != nil && slices.ContainsFunc(p.Structured.Cookies, func(s policy.DeclaredCookie) bool { return s.Name == c.Name }) {
			c.Quote = structuredCookieQuote(c)
		}
		out = append(out, c)
	}
	return out
}

// structuredCookieQuote quotes a structured file's cookie entry.
func structuredCookieQuote(c policy.DeclaredCookie) string {
	switch {
	case c.Lifetime != "":
		return "cookies[" + c.Name + "].lifetime: " + c.Lifetime + " (structured policy)"
	case c.Days != 0:
		return "cookies[" + c.Name + "].days: " + days(c.Days) + " (structured policy)"
	}
	return "cookies[" + c.Name + "] (structured policy)"
}

// matchDeclared finds the declaration of a cookie: an exact name wins over
// the longest matching "prefix*".
func matchDeclared(decls []policy.DeclaredCookie, name string) (policy.DeclaredCookie, bool) {
	best, bestLen, found := policy.DeclaredCookie{}, -1, false
	for _, d := range decls {
		if d.Days == 0 {
			continue
		}
		if d.Name == name {
			return d, true
		}
		if prefix, ok := strings.CutSuffix(d.Name, "*"); ok && strings.HasPrefix(name, prefix) && len(prefix) > bestLen {
			best, bestLen, found = d, len(prefix), true
		}
	}
	return best, found
}

// lifetimeTolerance is CookieBlock's threshold: an expiry up to 1.5 times
// the declared lifetime is accepted (rounding, renewal on visit).
const lifetimeTolerance = 1.5

func checkDeclaredLifetime(ev *evaluation, r *Rule) []Finding {
	decls := ev.declaredCookies()
	var out []Finding
	for _, c := range ev.in.Cookies {
		d, ok := matchDeclared(decls, c.Name)
		if !ok || c.ExpiresDays < 0 {
			continue
		}
		var evidence string
		switch {
		case d.Days < 0 && c.ExpiresDays >= 1:
			evidence = fmt.Sprintf("%s on %s expires after %s; the policy declares a session cookie", c.Name, c.Domain, lifetime(c.ExpiresDays, ""))
		case d.Days > 0 && c.ExpiresDays > lifetimeTolerance*d.Days:
			evidence = fmt.Sprintf("%s on %s expires after %s; the policy declares %s (tolerance 1.5x = %s)",
				c.Name, c.Domain, lifetime(c.ExpiresDays, ""), lifetime(d.Days, d.Lifetime), lifetime(lifetimeTolerance*d.Days, ""))
		default:
			continue
		}
		out = append(out, Finding{Vendor: c.Vendor, Category: string(c.Category), Target: ev.firstPage(c.Pages),
			Subject: c.Name, Evidence: evidence, PolicyQuote: d.Quote, URLs: capURLs([]string{c.SetBy})})
	}
	return out
}

// thirteenMonthsDays is CNIL's 13-month maximum, in days.
const thirteenMonthsDays = 395

func checkThirteenMonths(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, c := range ev.in.Cookies {
		if !c.Category.NonEssential() || c.ExpiresDays <= thirteenMonthsDays {
			continue
		}
		// No disclosure level: the limit holds whatever the policy says.
		out = append(out, Finding{Vendor: c.Vendor, Category: string(c.Category), Target: ev.firstPage(c.Pages), Subject: c.Name,
			Evidence: fmt.Sprintf("%s on %s expires after %s days (limit %d)", c.Name, c.Domain, days(c.ExpiresDays), thirteenMonthsDays),
			URLs:     capURLs([]string{c.SetBy})})
	}
	return out
}

func days(d float64) string { return strconv.FormatFloat(d, 'f', -1, 64) }

// lifetime writes a number of days rounded to whole days ("395 days"), with
// the lifetime as the policy wrote it when given ("395 days (13 months)").
func lifetime(d float64, written string) string {
	n := math.Round(d)
	s := strconv.FormatFloat(n, 'f', 0, 64) + " days"
	if n == 1 {
		s = "1 day"
	}
	if d > 0 && d < 0.5 {
		s = "less than a day"
	}
	if written != "" && !strings.EqualFold(strings.TrimSpace(written), s) {
		s += " (" + strings.TrimSpace(written) + ")"
	}
	return s
}

// practiceSpec describes a practice the policy must declare by name.
type practiceSpec struct {
	practice policy.Practice
	category kb.Category
	kind     string // detection kind that shows it
}

var (
	practiceSessionRecording = practiceSpec{policy.SessionRecording, kb.SessionReplay, detectors.KindSessionRecorder}
	practiceFingerprinting   = practiceSpec{policy.Fingerprinting, kb.Fingerprinting, detectors.KindFingerprinting}
)

// checkPractice reports session recording or fingerprinting the policy does
// not declare: by the practice, or (for a vendor whose whole business it
// is) by naming the vendor. A policy that denies the practice is
// contradicted-practice's to report.
func checkPractice(ps practiceSpec) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		return ev.practiceFindings(ps, DisclosureUndisclosed)
	}
}

// practiceFindings are the observations of a practice whose disclosure is
// level, one per vendor (or per host of an unknown script).
func (ev *evaluation) practiceFindings(ps practiceSpec, level string) []Finding {
	type obs struct {
		vendor, subject    string
		hosts, pages, urls []string
	}
	seen := map[string]*obs{}
	add := func(vendor, host string, urls []string, pages ...string) {
		key, subject := vendor, ""
		if vendor == "" {
			key, subject = "host:"+host, host
		}
		o := seen[key]
		if o == nil {
			o = &obs{vendor: vendor, subject: subject}
			seen[key] = o
		}
		o.hosts = append(o.hosts, host)
		o.urls = append(o.urls, urls...)
		o.pages = append(o.pages, pages...)
	}
	for _, v := range ev.in.Vendors {
		if v.Category == ps.category {
			for _, h := range v.Hosts {
				add(v.ID, h, ev.urls[v.ID], ev.vendorPages(v.ID)...)
			}
			if len(v.Hosts) == 0 {
				add(v.ID, "", ev.urls[v.ID], ev.vendorPages(v.ID)...)
			}
		}
	}
	for _, d := range ev.in.Detections {
		if d.Kind == ps.kind {
			add(d.Vendor, d.Host, []string{d.URL}, d.Page)
		}
	}
	keys := slices.Sorted(maps.Keys(seen))
	var out []Finding
	for _, k := range keys {
		o := seen[k]
		l, quote := ev.practiceDisclosure(ps, o.vendor)
		if l != level {
			continue
		}
		out = append(out, Finding{Vendor: o.vendor, Category: string(ps.category), Disclosure: l, PolicyQuote: quote,
			Target: ev.firstPage(o.pages), Subject: o.subject, URLs: capURLs(o.urls),
			Evidence: strings.ReplaceAll(string(ps.practice), "-", " ") + " by " + listSome(o.hosts, 3)})
	}
	return out
}

// practiceDisclosure decides how the policy covers a practice done by a
// vendor (or an unknown script when vendor is "").
func (ev *evaluation) practiceDisclosure(ps practiceSpec, vendor string) (string, string) {
	applies := func(d policy.Declaration) bool {
		return d.Practice == ps.practice && (d.Vendor == "" || d.Vendor == vendor) && (d.SiteWide() || d.Subject == vendor) && !derivedFromAllowed(d)
	}
	for _, d := range ev.in.Policy.Declarations {
		if d.Polarity == policy.Denied && applies(d) {
			return DisclosureContradicted, d.Quote
		}
	}
	for _, d := range ev.in.Policy.Declarations {
		if d.Polarity == policy.Affirmed && applies(d) {
			return DisclosureNamed, d.Quote
		}
	}
	if v := ev.vendors[vendor]; v != nil && v.Category == ps.category {
		if d := ev.naming[vendor]; d.level == DisclosureNamed || d.level == DisclosureOwnerNamed {
			return d.level, d.quote
		}
	}
	return DisclosureUndisclosed, ""
}

// emailPractice is open or click tracking in emails.
type emailPractice struct {
	practice policy.Practice
	kinds    []string
	// alsoBy lists generic practices that declare it too ("web beacons in our emails").
	alsoBy   []policy.Practice
	declared func(*policy.EmailTracking) bool
	noun     string
}

var (
	practiceEmailOpen = emailPractice{policy.EmailOpenTracking, []string{detectors.KindOpenPixel, detectors.KindCSSTracker},
		[]policy.Practice{policy.WebBeacons}, func(e *policy.EmailTracking) bool { return e.OpenTracking }, "open tracking"}
	practiceEmailClick = emailPractice{policy.EmailClickTracking, []string{detectors.KindClickTracking},
		nil, func(e *policy.EmailTracking) bool { return e.ClickTracking }, "click tracking"}
)

func (ep emailPractice) disclosure(p *policy.Policy) (string, string) {
	for _, d := range p.Declarations {
		if d.Polarity == policy.Denied && d.Practice == ep.practice {
			return DisclosureContradicted, d.Quote
		}
	}
	if p.Structured != nil && p.Structured.EmailTracking != nil && ep.declared(p.Structured.EmailTracking) {
		return DisclosureNamed, "email_tracking: " + ep.noun + " (structured policy)"
	}
	for _, d := range p.Declarations {
		if d.Polarity == policy.Affirmed && d.Practice == ep.practice {
			return DisclosureNamed, d.Quote
		}
	}
	for _, d := range p.Declarations {
		if d.Polarity == policy.Affirmed && slices.Contains(ep.alsoBy, d.Practice) {
			return DisclosureCategoryOnly, d.Quote
		}
	}
	return DisclosureUndisclosed, ""
}

// checkEmail reports email open or click tracking the policy does not
// declare; a policy that denies it is contradicted-practice's to report.
func checkEmail(ep emailPractice) func(*evaluation, *Rule) []Finding {
	return func(ev *evaluation, r *Rule) []Finding {
		return ev.emailFindings(ep, DisclosureUndisclosed)
	}
}

// emailFindings are the trackers of an email practice, one finding per
// email and host, when the policy's disclosure of the practice is level.
func (ev *evaluation) emailFindings(ep emailPractice, level string) []Finding {
	l, quote := ep.disclosure(ev.in.Policy)
	if l != level {
		return nil
	}
	var out []Finding
	for _, e := range ev.in.Emails {
		// A URL that carries the address stays out of the finding, as in
		// recipient-address-leak.
		leaky := map[string]bool{}
		for _, t := range e.Trackers {
			if t.Kind == detectors.KindAddressLeak || t.LeakEncoding != "" {
				leaky[t.URL] = true
			}
		}
		byHost := map[string][]detectors.EmailTracker{}
		for _, t := range e.Trackers {
			if slices.Contains(ep.kinds, t.Kind) {
				byHost[t.Host] = append(byHost[t.Host], t)
			}
		}
		for host, ts := range byHost {
			vendor := ts[0].Vendor
			if vendor == "" {
				vendor = e.ESP
			}
			var urls []string
			for _, t := range ts {
				if !leaky[t.URL] {
					urls = append(urls, t.URL)
				}
			}
			out = append(out, Finding{Vendor: vendor, Category: string(kb.EmailTracking), Disclosure: level, PolicyQuote: quote,
				Target: e.File, Subject: host, URLs: capURLs(urls),
				Evidence: fmt.Sprintf("%s: %d %s element(s) on %s", ep.noun, len(ts), strings.Join(sortedSet(kinds(ts)), "/"), host)})
		}
	}
	return out
}

func kinds(ts []detectors.EmailTracker) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Kind
	}
	return out
}

// checkAddressLeak reports URLs that carry the recipient's address; the
// evidence names the host and encoding, never the URL (it holds the address).
func checkAddressLeak(ev *evaluation, r *Rule) []Finding {
	var out []Finding
	for _, e := range ev.in.Emails {
		for _, t := range e.Trackers {
			if t.Kind != detectors.KindAddressLeak && t.LeakEncoding == "" {
				continue
			}
			f := Finding{Vendor: t.Vendor, Category: string(t.Category), Target: e.File, Subject: t.Host, Severity: High}
			party := "a third party"
			switch {
			case !t.ThirdParty:
				f.Severity, party = Low, "the sender's own domain"
			case e.SenderUnknown:
				party = "a third party (sender unknown, see --first-party)"
			}
			enc := t.LeakEncoding
			if enc == "" {
				enc = "plain"
			}
			f.Evidence = fmt.Sprintf("recipient address (%s) in a URL on %s, %s", enc, t.Host, party)
			out = append(out, f)
		}
	}
	return out
}
