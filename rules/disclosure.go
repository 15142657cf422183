package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

// disclosure is how the policy covers one vendor, and the sentence it relied on.
type disclosure struct {
	level detectors.Disclosure
	quote string
	// phase is set when a structured policy's allowed list for that phase
	// is what the vendor contradicts.
	phase capture.Phase
}

// structuredSection is the section of declarations read from a structured file.
const structuredSection = "structured policy"

// derivedFromAllowed reports a declaration a structured file's allowed
// lists imply ("allowed: advertising in no phase"). Those restate which
// categories may run in which phase; the rules judge the lists themselves,
// per phase, and never read them as naming or denying a vendor: a vendor
// the file does not list is undisclosed, not contradicted by its category.
func derivedFromAllowed(d policy.Declaration) bool {
	return d.Section == structuredSection && d.Vendor == "" && d.Practice != policy.EmailOpenTracking &&
		d.Practice != policy.EmailClickTracking
}

// allowedQuote quotes a structured policy's allowed list for a phase.
func (ev *evaluation) allowedQuote(phase capture.Phase) (string, bool) {
	p := ev.in.Policy
	if p == nil || p.Structured == nil {
		return "", false
	}
	allowed, ok := p.Structured.Allowed[string(phase)]
	if !ok {
		return "", false
	}
	return "allowed." + string(phase) + ": [" + strings.Join(allowed, ", ") + "] (structured policy)", true
}

// practiceCategories says which vendor categories a generic practice term
// covers. "cookies" and "local-storage" are handled apart: they cover a
// vendor only when it was seen writing cookies or storage.
var practiceCategories = map[policy.Practice][]kb.Category{
	policy.Analytics:          {kb.Analytics},
	policy.Advertising:        {kb.Advertising},
	policy.SocialWidgets:      {kb.Social},
	policy.SessionRecording:   {kb.SessionReplay},
	policy.Fingerprinting:     {kb.Fingerprinting},
	policy.EmailOpenTracking:  {kb.EmailTracking},
	policy.EmailClickTracking: {kb.EmailTracking},
	policy.WebBeacons:         {kb.Analytics, kb.Advertising, kb.EmailTracking},
}

// notAboutUse lists practices whose denial says nothing about whether a
// vendor is used ("we do not sell data to X" while X's tag runs is fine).
var notAboutUse = []policy.Practice{policy.SaleOfData, policy.DoNotTrack, policy.BrowserOptOut, policy.ConsentBeforeNonEssential}

// roleCategories maps the roles a policy names a vendor in to the
// categories that role discloses; a vendor named only as "payment" is not
// disclosed as an advertiser.
var roleCategories = map[string][]kb.Category{
	"analytics":         {kb.Analytics},
	"advertising":       {kb.Advertising},
	"marketing":         {kb.Advertising, kb.EmailTracking},
	"social":            {kb.Social},
	"social-media":      {kb.Social},
	"session-recording": {kb.SessionReplay},
	"email":             {kb.EmailTracking},
	"newsletter":        {kb.EmailTracking},
}

// vendorDisclosure decides how the policy covers an observed vendor. The
// first result is the overall level, most specific statement first: a
// denial of the vendor, a broken consent claim, the vendor named, its owner
// named, a denial of its category, its category affirmed, and otherwise
// nothing. The second is whether and how the policy names the vendor, the
// same judgement without the consent claim: a vendor that breaks the claim
// and is also missing from the policy has two gaps, and fixing the first
// must not make the second appear as a new finding.
func (ev *evaluation) vendorDisclosure(v *detectors.Vendor) (overall, naming disclosure) {
	p := ev.in.Policy
	names, owner := ev.vendorNames(v)
	for _, d := range p.Declarations {
		if d.Polarity != policy.Denied || derivedFromAllowed(d) || slices.Contains(notAboutUse, d.Practice) {
			continue
		}
		// "Stripe does not use cookies" contradicts Stripe only, and only
		// when Stripe was seen doing it; it says nothing of anyone else.
		if !d.SiteWide() && d.Vendor == "" {
			if d.Subject == v.ID && ev.practiceCovers(d.Practice, v) {
				c := disclosure{level: detectors.DisclosureContradicted, quote: d.Quote}
				return c, c
			}
			continue
		}
		if declNamesVendor(d, v.ID, names) {
			c := disclosure{level: detectors.DisclosureContradicted, quote: d.Quote}
			return c, c
		}
	}
	naming = ev.namingDisclosure(v, names, owner)
	// A structured file says which categories may run in each phase: a
	// vendor seen in a phase whose list leaves its category out contradicts it.
	if v.Category.NonEssential() {
		for _, ph := range capture.Phases {
			if q, ok := ev.allowedQuote(ph); ok && hasPhase(v.Phases, ph) && !ev.allowedIn(string(ph), v.Category) {
				return disclosure{level: detectors.DisclosureContradicted, quote: q, phase: ph}, naming
			}
		}
	}
	if ev.storedInPhase(v.ID, PhasePre) && !ev.allowedIn(string(PhasePre), v.Category) {
		if quote, ok := ev.consentClaim(v.ID, v.Category); ok {
			return disclosure{level: detectors.DisclosureContradicted, quote: quote}, naming
		}
		// "We use analytics cookies only with your consent" is a claim about this category.
		for _, d := range p.Declarations {
			if d.Polarity == policy.Affirmed && d.Scope == policy.ScopeWithConsent && ev.practiceCovers(d.Practice, v) {
				return disclosure{level: detectors.DisclosureContradicted, quote: d.Quote}, naming
			}
		}
	}
	return naming, naming
}

// namingDisclosure is how the policy names a vendor no denial covers.
func (ev *evaluation) namingDisclosure(v *detectors.Vendor, names []string, owner string) disclosure {
	p := ev.in.Policy
	decls := p.Declarations
	var ownerQuote string
	for _, d := range decls {
		if d.Polarity != policy.Affirmed || derivedFromAllowed(d) {
			continue
		}
		if declNamesVendor(d, v.ID, names) {
			if roleFits(d.Role, v.Category) {
				return disclosure{level: detectors.DisclosureNamed, quote: d.Quote}
			}
			// Named, but for another purpose: the company is known, this use is not.
			if ownerQuote == "" {
				ownerQuote = d.Quote
			}
			continue
		}
		if ownerQuote == "" && owner != "" && (strings.EqualFold(d.Owner, owner) || ev.ownerNamedAlone(d.Quote, owner) || strings.EqualFold(d.Vendor, owner) ||
			ev.companyAliasNamed(d, owner)) {
			ownerQuote = d.Quote
		}
	}
	if s := p.Structured; s != nil && slices.Contains(s.Vendors, v.ID) {
		return disclosure{level: detectors.DisclosureNamed, quote: "vendors: " + v.ID + " (structured policy)"}
	}
	if ownerQuote != "" {
		return disclosure{level: detectors.DisclosureOwnerNamed, quote: ownerQuote}
	}
	for _, d := range decls {
		if d.Polarity == policy.Denied && d.Vendor == "" && d.SiteWide() && !derivedFromAllowed(d) && ev.practiceCovers(d.Practice, v) {
			return disclosure{level: detectors.DisclosureContradicted, quote: d.Quote}
		}
	}
	// The sentence quoted is the most precise one: "advertising partners"
	// before "cookies and web beacons". A sentence naming other vendors
	// ("we embed YouTube videos") discloses those, not this one's category.
	for _, generic := range []bool{false, true} {
		for _, d := range decls {
			if d.Polarity == policy.Affirmed && d.Vendor == "" && !derivedFromAllowed(d) && genericPractice(d.Practice) == generic &&
				ev.practiceCovers(d.Practice, v) && !ev.namesOtherVendor(d.Quote, v.ID) {
				return disclosure{level: detectors.DisclosureCategoryOnly, quote: d.Quote}
			}
		}
	}
	return disclosure{level: detectors.DisclosureUndisclosed}
}

// companyAliases are other names of an owner that policies use for the
// whole company: "Facebook" for Meta (its name until 2021, and the name of
// its flagship), "Alphabet" for Google. Naming one names the company for
// every brand it owns (Instagram, WhatsApp; YouTube): owner-named. A
// product's name ("Google Analytics", "Facebook Pixel") is not the company.
var companyAliases = map[string][]string{
	"meta":   {"Meta Platforms", "Facebook", "Facebook Inc", "Meta Platforms Ireland"},
	"google": {"Alphabet", "Google LLC", "Google Ireland"},
}

func (ev *evaluation) companyAliasNamed(d policy.Declaration, owner string) bool {
	for _, alias := range companyAliases[strings.ToLower(owner)] {
		if strings.EqualFold(d.Owner, alias) || ev.ownerNamedAlone(d.Quote, alias) {
			return true
		}
	}
	return false
}

// ownerNamedAlone reports whether a sentence names a company on its own,
// not only as the first word of a vendor's name it also holds ("Google"
// in "Google Analytics 4" names Google's analytics product, not Google).
func (ev *evaluation) ownerNamedAlone(quote, owner string) bool {
	var longer []string
	for _, n := range ev.namesInQuote(quote) {
		if len(n) > len(owner) && strings.EqualFold(n[:len(owner)], owner) && !wordRuneAfter(n, len(owner)) {
			longer = append(longer, n)
		}
	}
	// Blank out the longer names, then look for the owner in what is left.
	rest := quote
	for _, n := range longer {
		rest = replaceFold(rest, n)
	}
	return nameIn(rest, owner)
}

// namesInQuote lists the names of the vendors the policy's declarations
// find in one sentence.
func (ev *evaluation) namesInQuote(quote string) []string {
	var out []string
	for _, d := range ev.in.Policy.Declarations {
		if d.Quote != quote || d.Vendor == "" {
			continue
		}
		if v := ev.vendors[d.Vendor]; v != nil {
			out = append(out, v.Name)
		}
		if ev.in.VendorInfo != nil {
			if k := ev.in.VendorInfo(d.Vendor); k != nil {
				out = append(out, k.Name)
				out = append(out, k.Aliases...)
			}
		}
	}
	return sortedSet(out)
}

// replaceFold replaces every case-insensitive occurrence of name in s by
// spaces of the same length.
func replaceFold(s, name string) string {
	ls, ln := strings.ToLower(s), strings.ToLower(name)
	if len(ls) != len(s) || ln == "" {
		return s
	}
	b := []byte(s)
	for off := 0; ; {
		i := strings.Index(ls[off:], ln)
		if i < 0 {
			break
		}
		for j := off + i; j < off+i+len(ln); j++ {
			b[j] = ' '
		}
		off += i + len(ln)
	}
	return string(b)
}

// namesOtherVendor reports whether a policy sentence names a vendor or
// company other than vendor.
func (ev *evaluation) namesOtherVendor(quote, vendor string) bool {
	for _, d := range ev.in.Policy.Declarations {
		if d.Quote == quote && ((d.Vendor != "" && d.Vendor != vendor) || (d.Vendor == "" && d.Owner != "")) {
			return true
		}
	}
	return false
}

// genericPractice reports the practice terms that cover vendors of any kind.
func genericPractice(p policy.Practice) bool {
	return p == policy.Cookies || p == policy.LocalStorage || p == policy.WebBeacons
}

// vendorNames returns the names a policy may use for a vendor (its name
// and knowledge-base aliases) and its owner.
func (ev *evaluation) vendorNames(v *detectors.Vendor) (names []string, owner string) {
	names = append(names, v.Name)
	owner = v.Owner
	if ev.in.VendorInfo != nil {
		if k := ev.in.VendorInfo(v.ID); k != nil {
			names = append(names, k.Name)
			names = append(names, k.Aliases...)
			if owner == "" {
				owner = k.Owner
			}
		}
	}
	names = sortedSet(names)
	if slices.Contains(names, owner) {
		owner = "" // the owner is the vendor itself: naming it is naming the vendor
	}
	return names, owner
}

func declNamesVendor(d policy.Declaration, id string, names []string) bool {
	if d.Vendor != "" {
		return d.Vendor == id
	}
	for _, n := range names {
		if nameIn(d.Quote, n) {
			return true
		}
	}
	return false
}

func roleFits(role string, c kb.Category) bool {
	if role == "" {
		return true
	}
	cats, known := roleCategories[strings.ToLower(role)]
	return known && slices.Contains(cats, c)
}

// practiceCovers reports whether a generic practice term covers vendor v.
func (ev *evaluation) practiceCovers(practice policy.Practice, v *detectors.Vendor) bool {
	switch practice {
	case policy.Cookies:
		return ev.hasCookies[v.ID]
	case policy.LocalStorage:
		return ev.hasStorage[v.ID]
	}
	return slices.Contains(practiceCategories[practice], v.Category)
}

// consentClaim returns the policy's statement that nothing non-essential
// runs before consent, as it applies to one vendor (vendor "" for cookies
// or storage of no known vendor, c their category): an affirmed sentence,
// or a structured policy that lists what pre-consent allows.
//
// Of several claim sentences the most relevant is quoted: one naming the
// vendor, then one naming no vendor but the vendor's kind of processing
// ("Analytics cookies are only placed after you click Accept" for an
// analytics vendor), then a general one. A sentence naming other vendors
// only ("With your permission, we use Meta Pixel") or about another kind
// of processing makes no claim about this vendor and is never quoted for it.
func (ev *evaluation) consentClaim(vendor string, c kb.Category) (string, bool) {
	p := ev.in.Policy
	if p == nil {
		return "", false
	}
	best, bestScore := "", 0
	for _, d := range p.Declarations {
		if d.Practice != policy.ConsentBeforeNonEssential || d.Polarity != policy.Affirmed || derivedFromAllowed(d) {
			continue
		}
		if score := ev.claimRelevance(d.Quote, vendor, c); score > bestScore {
			best, bestScore = d.Quote, score
		}
	}
	if bestScore > 0 {
		return best, true
	}
	return ev.allowedQuote(PhasePre)
}

// claimRelevance scores a consent-claim sentence for a vendor: 3 it names
// the vendor, 2 it names no vendor and speaks of the vendor's category, 1
// it names no vendor nor category, 0 it names other vendors only or speaks
// of another category only.
func (ev *evaluation) claimRelevance(quote, vendor string, c kb.Category) int {
	var names []string
	if v := ev.vendors[vendor]; v != nil {
		names, _ = ev.vendorNames(v)
	}
	namesOther, category, otherCategory := false, false, false
	for _, d := range ev.in.Policy.Declarations {
		if d.Quote != quote {
			continue
		}
		switch {
		case d.Vendor != "" || d.Owner != "":
			if vendor != "" && (d.Vendor == vendor || declNamesVendor(d, vendor, names)) {
				return 3
			}
			namesOther = true
		case d.Practice == policy.ConsentBeforeNonEssential || genericPractice(d.Practice):
		case slices.Contains(practiceCategories[d.Practice], c):
			category = true
		case len(practiceCategories[d.Practice]) > 0:
			otherCategory = true
		}
	}
	if vendor != "" && len(names) > 0 && slices.ContainsFunc(names, func(n string) bool { return nameIn(quote, n) }) {
		return 3
	}
	switch {
	case namesOther:
		return 0
	case category:
		return 2
	case otherCategory:
		return 0
	}
	return 1
}

// allowedIn reports whether a structured policy allows a category in a phase.
func (ev *evaluation) allowedIn(phase string, c kb.Category) bool {
	p := ev.in.Policy
	if p == nil || p.Structured == nil {
		return false
	}
	return slices.Contains(p.Structured.Allowed[phase], string(c))
}

// nameIn finds a vendor or company name in a sentence as a whole word.
// One-word names are matched case-sensitively because several are common
// words (Segment, Drift, Heap); longer names ignore case.
func nameIn(text, name string) bool {
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	hay, needle := text, name
	if strings.ContainsRune(name, ' ') {
		hay, needle = strings.ToLower(text), strings.ToLower(name)
	}
	for off := 0; off <= len(hay)-len(needle); {
		i := strings.Index(hay[off:], needle)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(needle)
		// A match must start and end on rune boundaries: bytes inside a
		// multi-byte letter are no name.
		onRunes := utf8.RuneStart(hay[start]) && (end == len(hay) || utf8.RuneStart(hay[end]))
		if onRunes && !wordRuneBefore(hay, start) && !wordRuneAfter(hay, end) {
			return true
		}
		off = start + 1
	}
	return false
}

func wordRuneBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func wordRuneAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
