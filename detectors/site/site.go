// Package site turns captured pages into detections: vendors, cookies,
// storage, beacons, social widgets, third-party scripts, session recorders,
// fingerprinting and consent-mode signals, each named after its vendor.
package site

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Result is what the detectors found over all pages and phases.
type Result struct {
	Vendors    []detectors.Vendor
	Cookies    []detectors.Cookie
	Storage    []detectors.Storage
	Detections []detectors.Detection
}

// Thresholds of the fingerprinting heuristics (Englehardt and Narayanan,
// "Online Tracking: A 1-million-site Measurement", CCS 2016).
const (
	minCanvasSide     = 16 // a smaller canvas cannot hold a useful fingerprint
	minCanvasText     = 10 // characters, or two colours, written before the read
	minFontsProbed    = 50 // distinct fonts measured by one script
	maxPixelDimension = 2  // CSS pixels; bigger images are content, not beacons
)

// Analyze runs every detector over the captured pages.
func Analyze(pages []capture.Page, k *kb.KB) Result {
	a := &analysis{kb: k, vendors: map[string]*detectors.Vendor{}, cookies: map[string]*detectors.Cookie{},
		storage: map[string]*detectors.Storage{}, seen: map[string]bool{}, cloaks: map[string]cloak{}}
	for i := range pages {
		a.page(&pages[i])
	}
	return a.result()
}

type analysis struct {
	kb         *kb.KB
	vendors    map[string]*detectors.Vendor
	cookies    map[string]*detectors.Cookie
	storage    map[string]*detectors.Storage
	detections []detectors.Detection
	seen       map[string]bool
	// cloaks are the hosts attributed by their CNAME chain (see cname.go).
	cloaks map[string]cloak
}

// attribution is the vendor a request, cookie or script was attributed
// to, with the knowledge that decided it.
type attribution struct {
	id, source string
	category   kb.Category
	vendor     *kb.Vendor
}

func (a *analysis) matchURL(raw, pageURL, resourceType string) (attribution, bool) {
	m, ok := a.kb.MatchRequest(raw, pageURL, resourceType)
	if !ok || m.Vendor == nil {
		return attribution{}, false
	}
	cat := m.Category
	if cat == "" {
		cat = m.Vendor.Category
	}
	return attribution{id: m.Vendor.ID, source: m.Source, category: cat, vendor: m.Vendor}, true
}

// unknownVendor names a third party the knowledge base does not know by its
// registrable domain, so it still shows up (and can be undisclosed).
func unknownVendor(host string) attribution {
	d := capture.Site(host)
	return attribution{id: "unknown:" + d, category: kb.Unknown}
}

func (a *analysis) addVendor(w attribution, phase capture.Phase, host string, kind detectors.Kind) {
	if w.id == "" {
		return
	}
	v := a.vendors[w.id]
	if v == nil {
		v = &detectors.Vendor{ID: w.id, Category: w.category, Source: w.source}
		if w.vendor != nil {
			v.Name, v.Owner, v.Category = w.vendor.Name, w.vendor.Owner, w.vendor.Category
		} else {
			v.Name = strings.TrimPrefix(w.id, "unknown:")
		}
		a.vendors[w.id] = v
	}
	v.Phases = capture.AddPhases(v.Phases, phase)
	if host != "" {
		v.Hosts = addOnce(v.Hosts, host)
	}
	if kind != "" {
		v.Kinds = addOnce(v.Kinds, kind)
	}
}

func (a *analysis) detect(d detectors.Detection) {
	key := strings.Join([]string{string(d.Kind), d.Vendor, string(d.Phase), d.Page, d.Host, d.Evidence}, "\x00")
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	a.detections = append(a.detections, d)
}

func (a *analysis) page(p *capture.Page) {
	pageURL := p.FinalURL
	if pageURL == "" {
		pageURL = p.URL
	}
	site := capture.SiteOfURL(pageURL)
	firstParty := func(host string) bool { return capture.Site(host) == site }
	base := detectors.Detection{Phase: p.Phase, Page: pageURL}
	a.pageCloaks(p, site, firstParty)
	a.navigations(p, base) // navigation.go
	// A cloaked host is first party by its URL only: what it does is
	// reported as the tracker's.
	ownHost := func(host string) bool { _, cloaked := a.cloaks[host]; return firstParty(host) && !cloaked }

	scriptVendor := map[string]attribution{} // script URL -> vendor, for what scripts do
	for _, r := range p.Requests {
		host := capture.HostOf(r.URL)
		if host == "" {
			continue
		}
		fp := firstParty(host)
		w, known := a.attribute(r.URL, pageURL, r.ResourceType)
		if !known && !fp {
			w = unknownVendor(host)
		}
		if r.ResourceType == "Script" && w.id != "" {
			scriptVendor[r.URL] = w
		}
		if fp && !known {
			continue
		}
		a.addVendor(w, p.Phase, host, "")
		d := base
		d.Vendor, d.Category, d.URL, d.Host, d.FirstParty, d.Source = w.id, w.category, r.URL, host, fp, w.source
		switch own := ownHost(host); {
		case r.ResourceType == "Script" && !own:
			d.Kind, d.Evidence = detectors.KindThirdPartyScript, "script "+trimURL(r.URL)
		case r.ResourceType == "Document" && !own:
			d.Kind, d.Evidence = detectors.KindThirdPartyFrame, "frame "+trimURL(r.URL)
			if w.category == kb.Social || (w.vendor != nil && w.vendor.SocialWidget) {
				d.Kind = detectors.KindSocialWidget
			}
		case (r.ResourceType == "Ping" || r.ResourceType == "Image") && known && w.category.NonEssential():
			d.Kind, d.Evidence = detectors.KindWebBeacon, strings.ToLower(r.ResourceType)+" to "+trimURL(r.URL)
		default:
			d.Kind, d.Evidence = detectors.KindThirdParty, strings.ToLower(r.ResourceType)+" "+trimURL(r.URL)
		}
		a.detect(d)
		a.addVendor(w, p.Phase, "", d.Kind)
		if w.category == kb.SessionReplay {
			s := d
			s.Kind, s.Evidence = detectors.KindSessionRecorder, "session recorder "+w.id+" loaded from "+host
			a.detect(s)
			a.addVendor(w, p.Phase, "", s.Kind)
		}
		// Google Consent Mode (FIELD-NOTES §5): decoded here, once; the
		// rules read the typed state.
		if cm, ok := consent.DecodeGCS(r.URL); ok && cm.Stated() {
			c := d
			c.Kind, c.Evidence, c.ConsentMode = detectors.KindConsentMode, cm.String(), &cm
			a.detect(c)
		}
	}

	// Images the DOM shows as tiny or hidden are pixels, whoever serves them.
	for _, img := range p.Images {
		host := capture.HostOf(img.Src)
		if host == "" || ownHost(host) {
			continue
		}
		if img.Visible && img.Width > maxPixelDimension && img.Height > maxPixelDimension {
			continue
		}
		w, ok := a.attribute(img.Src, pageURL, "Image")
		if !ok {
			w = unknownVendor(host)
		}
		d := base
		d.Kind, d.Vendor, d.Category, d.URL, d.Host, d.Source = detectors.KindWebBeacon, w.id, w.category, img.Src, host, w.source
		d.Evidence = fmt.Sprintf("pixel %gx%g visible=%t: %s", img.Width, img.Height, img.Visible, trimURL(img.Src))
		a.detect(d)
		a.addVendor(w, p.Phase, host, d.Kind)
	}

	a.pageLoadedBy(p, pageURL, firstParty)
	a.pageBeacons(p, base, pageURL, firstParty)
	a.pageFormValues(p, base, pageURL, firstParty)
	a.cloakDetections(p, base, firstParty)
	a.apiCalls(p, base, pageURL, scriptVendor, ownHost)
	a.pageCookies(p, pageURL, site, firstParty, scriptVendor)
	a.pageStorage(p, pageURL, firstParty, scriptVendor)
}

func (a *analysis) scriptOwner(script, pageURL string, scriptVendor map[string]attribution) (attribution, bool) {
	if script == "" {
		return attribution{}, false
	}
	if w, ok := scriptVendor[script]; ok {
		return w, true
	}
	if w, ok := a.attribute(script, pageURL, "Script"); ok {
		return w, true
	}
	return attribution{}, false
}

func (a *analysis) apiCalls(p *capture.Page, base detectors.Detection, pageURL string, scriptVendor map[string]attribution, firstParty func(string) bool) {
	type canvasUse struct {
		text   int
		colors map[string]bool
		read   bool
		frame  string
	}
	canvas := map[string]*canvasUse{}
	fonts := map[string]map[string]bool{}
	audio := map[string]bool{}
	for _, c := range p.APICalls {
		kind, _, _ := strings.Cut(c.API, ":")
		switch kind {
		case "canvas-write":
			u := canvas[c.Script]
			if u == nil {
				u = &canvasUse{colors: map[string]bool{}, frame: c.FrameURL}
				canvas[c.Script] = u
			}
			text, color, _ := strings.Cut(c.Detail, "|")
			u.text += len([]rune(text))
			u.colors[color] = true
		case "canvas-read":
			var w, h int
			fmt.Sscanf(c.Detail, "%dx%d", &w, &h)
			if u := canvas[c.Script]; u != nil && w >= minCanvasSide && h >= minCanvasSide {
				u.read = true
			}
		case "font-probe":
			if fonts[c.Script] == nil {
				fonts[c.Script] = map[string]bool{}
			}
			fonts[c.Script][fontFamily(c.Detail)] = true
		case "audio-fingerprint":
			audio[c.Script] = true
		case "beacon":
			host := capture.HostOf(c.Detail)
			if host == "" || firstParty(host) {
				continue
			}
			w, ok := a.attribute(c.Detail, pageURL, "Ping")
			if !ok {
				w = unknownVendor(host)
			}
			d := base
			d.Kind, d.Vendor, d.Category, d.URL, d.Host, d.Source = detectors.KindWebBeacon, w.id, w.category, c.Detail, host, w.source
			d.Evidence = "navigator.sendBeacon to " + trimURL(c.Detail)
			a.detect(d)
			a.addVendor(w, p.Phase, host, d.Kind)
		}
	}
	report := func(script, evidence string) {
		w, ok := a.scriptOwner(script, pageURL, scriptVendor)
		if !ok && script != "" && !firstParty(capture.HostOf(script)) {
			w = unknownVendor(capture.HostOf(script))
		}
		d := base
		d.Kind, d.Vendor, d.URL, d.Host, d.Evidence = detectors.KindFingerprinting, w.id, script, capture.HostOf(script), evidence
		d.Category, d.Source = kb.Fingerprinting, w.source
		d.FirstParty = script == "" || firstParty(capture.HostOf(script))
		a.detect(d)
		a.addVendor(w, p.Phase, capture.HostOf(script), d.Kind)
	}
	for _, script := range sortedKeys(canvas) {
		u := canvas[script]
		if u.read && (u.text >= minCanvasText || len(u.colors) >= 2) {
			report(script, fmt.Sprintf("canvas fingerprinting: wrote %d characters in %d colours, then read the pixels", u.text, len(u.colors)))
		}
	}
	for _, script := range sortedKeys(fonts) {
		if n := len(fonts[script]); n >= minFontsProbed {
			report(script, fmt.Sprintf("font fingerprinting: measured text in %d fonts", n))
		}
	}
	for _, script := range sortedKeys(audio) {
		report(script, "audio fingerprinting: rendered an OfflineAudioContext")
	}
}

func fontFamily(font string) string {
	// "72px \"Courier New\", monospace" -> "Courier New"
	f := font
	if i := strings.Index(f, "px "); i >= 0 {
		f = f[i+3:]
	}
	f, _, _ = strings.Cut(f, ",")
	return strings.Trim(strings.TrimSpace(f), `"'`)
}

func (a *analysis) pageCookies(p *capture.Page, pageURL, site string, firstParty func(string) bool, scriptVendor map[string]attribution) {
	stored := map[string]capture.Cookie{}
	for _, c := range p.Cookies {
		stored[c.Name+"\x00"+c.Domain] = c
	}
	seenHere := map[string]bool{}
	for _, w := range p.CookieWrites {
		if w.Deleted {
			continue // clearing a cookie is not setting it
		}
		domain := w.Domain
		if domain == "" {
			domain = w.Host
		}
		key := w.Name + "\x00" + domain
		c := a.cookie(w.Name, domain, firstParty(domain), pageURL, w.SetBy, scriptVendor)
		if c.Vendor == "" {
			// An earlier write may have come without its setter (Chromium
			// can report a response's cookies before its request): the
			// first write that names one decides, whatever the order.
			if o, ok := a.scriptOwner(w.SetBy, pageURL, scriptVendor); ok {
				c.Vendor, c.Category = o.id, o.category
			}
		}
		c.Phases = capture.AddPhases(c.Phases, p.Phase)
		c.Pages = addOnce(c.Pages, pageURL)
		if w.ExpiresDays > c.ExpiresDays || (c.ExpiresDays < 0 && w.ExpiresDays != 0) {
			c.ExpiresDays = w.ExpiresDays
		}
		if c.SetBy == "" {
			c.SetBy, c.Source = w.SetBy, w.Source
		}
		for _, r := range w.Blocked {
			c.Blocked = addOnce(c.Blocked, r)
		}
		if _, ok := stored[key]; ok {
			c.Stored = true
		}
		seenHere[key] = true
	}
	// Cookies in the jar that no observed write explains (set before the
	// recording started, e.g. before a consent click) are still reported.
	for key, s := range stored {
		if seenHere[key] {
			continue
		}
		c := a.cookie(s.Name, s.Domain, firstParty(s.Domain), pageURL, "", scriptVendor)
		c.Stored = true
		c.Phases = capture.AddPhases(c.Phases, p.Phase)
		c.Pages = addOnce(c.Pages, pageURL)
		if s.ExpiresDays > c.ExpiresDays {
			c.ExpiresDays = s.ExpiresDays
		}
	}
	// A tracking cookie is a detection of its own, for the rules.
	for _, w := range p.CookieWrites {
		if w.Deleted {
			continue
		}
		domain := w.Domain
		if domain == "" {
			domain = w.Host
		}
		c := a.cookies[w.Name+"\x00"+domain]
		if c == nil || !c.Category.NonEssential() {
			continue
		}
		a.detect(detectors.Detection{Kind: detectors.KindTrackingCookie, Vendor: c.Vendor, Category: c.Category,
			Phase: p.Phase, Page: pageURL, Host: domain, FirstParty: c.FirstParty,
			Evidence: fmt.Sprintf("cookie %s on %s set by %s", w.Name, domain, setter(w))})
	}
}

// setter says what wrote a cookie for its evidence; a write whose URL is
// unknown (a response that began before the recording) is named by kind.
func setter(w capture.CookieWrite) string {
	if w.ServiceWorker != "" {
		return cmp.Or(trimURL(w.SetBy), "a response") + " (a fetch of the service worker " + trimURL(w.ServiceWorker) + ")"
	}
	if w.SetBy != "" {
		return trimURL(w.SetBy)
	}
	if w.Source == "header" {
		return "a response header"
	}
	return "a script"
}

// cookie returns the aggregate for a cookie, classifying it on first sight:
// by its name in the knowledge base, else by the vendor of the script or
// response that set it.
func (a *analysis) cookie(name, domain string, fp bool, pageURL, setBy string, scriptVendor map[string]attribution) *detectors.Cookie {
	key := name + "\x00" + domain
	if c := a.cookies[key]; c != nil {
		return c
	}
	c := &detectors.Cookie{Name: name, Domain: domain, FirstParty: fp, Category: kb.Unknown, ExpiresDays: -1}
	if m, ok := a.kb.MatchCookie(name, domain); ok && m.Vendor != nil {
		c.Vendor, c.Category = m.Vendor.ID, m.Category
		if c.Category == "" {
			c.Category = m.Vendor.Category
		}
	} else if w, ok := a.scriptOwner(setBy, pageURL, scriptVendor); ok {
		c.Vendor, c.Category = w.id, w.category
	} else if w, ok := a.attribute("https://"+domain+"/", pageURL, "Other"); ok {
		c.Vendor, c.Category = w.id, w.category
	}
	a.cookies[key] = c
	return c
}

func (a *analysis) pageStorage(p *capture.Page, pageURL string, firstParty func(string) bool, scriptVendor map[string]attribution) {
	for _, it := range p.Storage {
		key := it.Origin + "\x00" + it.Kind + "\x00" + it.Key
		s := a.storage[key]
		if s == nil {
			s = &detectors.Storage{Origin: it.Origin, Kind: it.Kind, Key: it.Key, Category: kb.Unknown,
				FirstParty: firstParty(capture.HostOf(it.Origin))}
			if m, ok := a.kb.MatchStorageKey(it.Key); ok && m.Vendor != nil {
				s.Vendor, s.Category = m.Vendor.ID, m.Category
				if s.Category == "" {
					s.Category = m.Vendor.Category
				}
			} else if w, ok := a.scriptOwner(it.SetBy, pageURL, scriptVendor); ok {
				s.Vendor, s.Category = w.id, w.category
			} else if !s.FirstParty {
				if w, ok := a.matchURL(it.Origin+"/", pageURL, "Other"); ok {
					s.Vendor, s.Category = w.id, w.category
				}
			}
			a.storage[key] = s
		}
		s.Phases = capture.AddPhases(s.Phases, p.Phase)
		if s.Category.NonEssential() {
			a.detect(detectors.Detection{Kind: detectors.KindStorage, Vendor: s.Vendor, Category: s.Category,
				Phase: p.Phase, Page: pageURL, Host: capture.HostOf(it.Origin), FirstParty: s.FirstParty,
				Evidence: fmt.Sprintf("%s key %s on %s", it.Kind, it.Key, it.Origin)})
		}
	}
}

func (a *analysis) result() Result {
	var r Result
	for _, id := range sortedKeys(a.vendors) {
		v := a.vendors[id]
		sort.Strings(v.Hosts)
		slices.Sort(v.Kinds)
		v.LoadedBy = sortLoadedBy(v.LoadedBy)
		r.Vendors = append(r.Vendors, *v)
	}
	for _, k := range sortedKeys(a.cookies) {
		c := a.cookies[k]
		sort.Strings(c.Pages)
		sort.Strings(c.Blocked)
		r.Cookies = append(r.Cookies, *c)
	}
	sort.SliceStable(r.Cookies, func(i, j int) bool {
		if r.Cookies[i].Domain != r.Cookies[j].Domain {
			return r.Cookies[i].Domain < r.Cookies[j].Domain
		}
		return r.Cookies[i].Name < r.Cookies[j].Name
	})
	for _, k := range sortedKeys(a.storage) {
		r.Storage = append(r.Storage, *a.storage[k])
	}
	r.Storage = groupVariants(r.Storage)
	r.Detections = a.detections
	sort.SliceStable(r.Detections, func(i, j int) bool {
		x, y := r.Detections[i], r.Detections[j]
		if x.Page != y.Page {
			return x.Page < y.Page
		}
		if pi, pj := x.Phase.Rank(), y.Phase.Rank(); pi != pj {
			return pi < pj
		}
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		if x.Vendor != y.Vendor {
			return x.Vendor < y.Vendor
		}
		return x.Evidence < y.Evidence
	})
	return r
}

// addOnce appends s unless ss holds it already.
func addOnce[T comparable](ss []T, s T) []T {
	if slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Sorted(maps.Keys(m))
	return keys
}

// trimURL shortens a URL for evidence text: query values can carry
// identifiers and make evidence differ from run to run.
func trimURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	s := u.Scheme + "://" + u.Host + u.Path
	if u.RawQuery != "" {
		s += "?…"
	}
	return s
}
