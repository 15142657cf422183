// Package email finds what an email does to its reader: open pixels, click
// tracking, CSS trackers, third-party content and leaks of the recipient's
// address, and names the email service provider (ESP) that sent it.
package email

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/mailbox"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

// Options tune the analysis.
type Options struct {
	// Recipients are the addresses to search for in URLs. When empty, the
	// message's To: address is used.
	Recipients []string
	// FirstParty adds sender domains (useful for bare HTML templates, which
	// have no From header).
	FirstParty []string
	ESPs       *ESPSet // nil: DefaultESPs()
	KB         *kb.KB  // nil: kb.Default()

	// needles are the encodings of Recipients, prepared once per scan
	// rather than hashed again for every email.
	needles []addressNeedles
}

// prepared returns opt with the encodings of its recipients computed.
func (opt Options) prepared() Options {
	opt.needles = nil
	seen := map[string]bool{}
	for _, r := range opt.Recipients {
		n := newNeedles(r)
		if n.address != "" && !seen[n.address] {
			seen[n.address] = true
			opt.needles = append(opt.needles, n)
		}
	}
	return opt
}

// Analyze scans one message.
func Analyze(msg *mailbox.Message, opt Options) detectors.Email {
	return analyzeDoc(msg, extract(msg.HTML, msg.Text), opt, nil)
}

// Compare scans two copies of one campaign sent to two recipients without
// rendering them (the library form of CompareRendered, which the CLI calls). URLs
// that differ between the copies (aligned by position among elements of
// the same kind) are recipient-specific; such an image is an open pixel
// whatever its host.
func Compare(a, b *mailbox.Message, opt Options) (detectors.Email, detectors.Email) {
	return CompareRendered(a, b, nil, nil, opt)
}

// CompareRendered is Compare with what rendering each copy loaded (either
// page may be nil).
func CompareRendered(a, b *mailbox.Message, pa, pb *capture.Page, opt Options) (detectors.Email, detectors.Email) {
	da, db := extract(a.HTML, a.Text), extract(b.HTML, b.Text)
	da.mergeRendered(pa)
	db.mergeRendered(pb)
	markDifferences(da, db)
	return analyzeDoc(a, da, opt, pa), analyzeDoc(b, db, opt, pb)
}

func markDifferences(a, b *document) {
	byKind := func(d *document) map[string][]*resource {
		m := map[string][]*resource{}
		for _, r := range d.resources {
			m[r.kind] = append(m[r.kind], r)
		}
		return m
	}
	ka, kb := byKind(a), byKind(b)
	for kind, ra := range ka {
		rb := kb[kind]
		for i := 0; i < len(ra) && i < len(rb); i++ {
			if ra[i].raw != rb[i].raw {
				ra[i].recipientSpecific, rb[i].recipientSpecific = true, true
				ra[i].differs, rb[i].differs = urlDifferences(ra[i].url, rb[i].url)
			}
		}
	}
}

// urlDifferences names the parts of two URLs that differ, with each URL's
// value: the host, each path segment by position, each query parameter by
// name, the fragment.
func urlDifferences(a, b *url.URL) (da, db []detectors.URLDifference) {
	add := func(part, va, vb string) {
		if va != vb {
			da = append(da, detectors.URLDifference{Part: part, Value: va})
			db = append(db, detectors.URLDifference{Part: part, Value: vb})
		}
	}
	add("host", a.Host, b.Host)
	sa, sb := strings.Split(a.EscapedPath(), "/"), strings.Split(b.EscapedPath(), "/")
	if len(sa) == len(sb) {
		for i := 1; i < len(sa); i++ {
			add(fmt.Sprintf("path segment %d", i), sa[i], sb[i])
		}
	} else {
		add("path", a.EscapedPath(), b.EscapedPath())
	}
	qa, qb := a.Query(), b.Query()
	names := map[string]bool{}
	for k := range qa {
		names[k] = true
	}
	for k := range qb {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		add("query parameter "+k, strings.Join(qa[k], ","), strings.Join(qb[k], ","))
	}
	add("fragment", a.Fragment, b.Fragment)
	return da, db
}

// addressIn says how a differing URL part encodes the recipient's
// address, "" when it does not.
func (a *analyzer) addressIn(value string) string {
	var encs []string
	for _, n := range a.needles {
		encs = append(encs, n.leaksIn(value)...)
	}
	sort.Strings(encs)
	return strings.Join(slices.Compact(encs), ", ")
}

type analyzer struct {
	esps       *ESPSet
	kb         *kb.KB
	firstParty map[string]bool
	needles    []addressNeedles
	counts     map[string]int
	out        []detectors.EmailTracker
	seen       map[string]bool
	hosts      map[string]bool // third-party content hosts already reported
	owners     map[string]*ESP // host -> owning ESP, cached
	// The first platform and the first infrastructure seen on an open
	// pixel ([0]) and on a link ([1]), for attributing the message.
	urlPlatform, urlInfra [2]*ESP
	rendered              bool                // the email was rendered: mark what loaded
	leaks                 map[string][]string // URL -> leak encodings found in it
	// redirectPrefix is, per link host, the first path segment through
	// which many links of the email redirect (redirectLinks of them).
	redirectPrefix map[string]string
	redirectLinks  map[string]int
}

func analyzeDoc(msg *mailbox.Message, d *document, opt Options, page *capture.Page) detectors.Email {
	a := &analyzer{esps: opt.ESPs, kb: opt.KB, counts: d.counts, rendered: d.rendered,
		seen: map[string]bool{}, hosts: map[string]bool{}, owners: map[string]*ESP{}, leaks: map[string][]string{}}
	if a.esps == nil {
		a.esps = DefaultESPs()
	}
	if a.kb == nil {
		a.kb = kb.Default()
	}
	a.firstParty = a.firstPartyDomains(msg.Header, opt.FirstParty)
	switch {
	case len(opt.Recipients) > 0 && opt.needles != nil:
		a.needles = opt.needles
	case len(opt.Recipients) > 0:
		a.needles = opt.prepared().needles
	case msg.Header.To != "":
		if n := newNeedles(msg.Header.To); n.address != "" {
			a.needles = []addressNeedles{n}
		}
	}
	a.redirectPrefix, a.redirectLinks = redirectHosts(d.resources)
	for _, r := range d.resources {
		a.resource(r)
	}
	sort.Slice(a.out, func(i, j int) bool {
		x, y := a.out[i], a.out[j]
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		if x.URL != y.URL {
			return x.URL < y.URL
		}
		return x.LeakEncoding < y.LeakEncoding
	})
	e := detectors.Email{File: msg.File, Subject: msg.Header.Subject, From: msg.Header.From,
		Trackers: a.out, SenderUnknown: len(a.firstParty) == 0, Warnings: msg.Warnings}
	if e.Trackers == nil {
		e.Trackers = []detectors.EmailTracker{}
	}
	att := a.attribute(msg.Header)
	e.ESP, e.ESPSource, e.Delivery, e.DeliverySource = idOrEmpty(att.platform), att.platformSource, idOrEmpty(att.delivery), att.deliverySource
	if att.platform != nil {
		e.ESPName = att.platform.DisplayName()
	}
	if att.delivery != nil {
		e.DeliveryName = att.delivery.DisplayName()
	}
	if page != nil {
		e.Render = a.renderInfo(page)
	}
	return e
}

// firstPartyDomains are the registrable domains of From, DKIM d= and
// Return-Path, minus those of ESPs (which sign and bounce for their
// customers), plus the ones given.
func (a *analyzer) firstPartyDomains(h mailbox.Header, extra []string) map[string]bool {
	fp := map[string]bool{}
	add := func(host string, check bool) {
		host = strings.ToLower(strings.TrimSpace(host))
		if host == "" || check && a.esps.Owner(host) != nil {
			return
		}
		fp[capture.Site(host)] = true
	}
	add(domainOf(h.From), true)
	add(domainOf(h.ReturnPath), true)
	for _, d := range h.DKIMDomains {
		add(d, true)
	}
	for _, d := range extra {
		add(d, false)
	}
	return fp
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.Trim(addr[i+1:], "<> ")
	}
	return ""
}

// thirdParty: not the sender's domain. Without any sender domain (a bare
// template, stdin, no From) no host can be shown to be the sender's, so
// every host is a third party until --first-party names the sender.
func (a *analyzer) thirdParty(host string) bool {
	return !a.firstParty[capture.Site(host)]
}

func (a *analyzer) owner(host string) *ESP {
	e, ok := a.owners[host]
	if !ok {
		e = a.esps.Owner(host)
		a.owners[host] = e
	}
	return e
}

// vendor names who is behind a URL: the ESP owning the host (beehiiv for
// a SendGrid-style path on beehiiv's link host), else the ESP whose
// pattern matched (SendGrid on a sender's branded host), else the
// knowledge base.
func (a *analyzer) vendor(u *url.URL, esp *ESP) (string, kb.Category) {
	if o := a.owner(strings.ToLower(u.Hostname())); o != nil {
		return o.ID, kb.EmailTracking
	}
	if esp != nil {
		return esp.ID, kb.EmailTracking
	}
	if m, ok := a.kb.MatchURL(u.String()); ok && m.Vendor != nil {
		return m.Vendor.ID, m.Category
	}
	return "", ""
}

// Confidence of a verdict (EmailTracker.Confidence).
const (
	confHigh   = "high"
	confMedium = "medium"
	confLow    = "low"
)

func (a *analyzer) emit(kind detectors.Kind, r *resource, esp *ESP, recipientSpecific bool, evidence, confidence string) {
	key := string(kind) + "\x00" + r.raw
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	v, _ := a.vendor(r.url, esp)
	host := strings.ToLower(r.url.Hostname())
	var differs []detectors.URLDifference
	for _, d := range r.differs {
		d.Address = a.addressIn(d.Value)
		differs = append(differs, d)
	}
	a.out = append(a.out, detectors.EmailTracker{Kind: kind, URL: r.raw, Host: host, Vendor: v,
		Category: kb.EmailTracking, ThirdParty: a.thirdParty(host), RecipientSpecific: recipientSpecific,
		Evidence: evidence, Confidence: confidence, Individual: a.individual(r, esp), Differs: differs,
		Rendered: a.renderState(r)})
}

// individual says why a tracker identifies the recipient: it differs
// between two recipients' copies, it carries the address, it is an ESP's
// pixel or redirect (they carry a subscriber id), or its URL carries an
// opaque token. "" when it can only count opens or clicks.
func (a *analyzer) individual(r *resource, esp *ESP) string {
	switch {
	case r.recipientSpecific && len(r.differs) > 0:
		return "differs between the recipients' copies"
	case len(a.leaks[r.raw]) > 0:
		return "carries the recipient's address (" + strings.Join(a.leaks[r.raw], ", ") + ")"
	case r.recipientSpecific:
		return "recipient-specific URL"
	case esp != nil:
		return esp.DisplayName() + " URL with a subscriber id"
	case hasToken(r.url, 16):
		return "per-recipient token in its URL"
	}
	return ""
}

func (a *analyzer) resource(r *resource) {
	host := strings.ToLower(r.url.Hostname())
	leaked := false
	encs, ok := a.leaks[r.raw] // the same URL often recurs (spacers, links)
	if !ok {
		for _, n := range a.needles {
			encs = append(encs, n.leaksIn(r.raw)...)
		}
		a.leaks[r.raw] = encs
	}
	for _, enc := range encs {
		leaked = true
		key := "leak\x00" + r.raw + "\x00" + enc
		if a.seen[key] {
			continue
		}
		a.seen[key] = true
		v, _ := a.vendor(r.url, nil)
		a.out = append(a.out, detectors.EmailTracker{Kind: detectors.KindAddressLeak, URL: r.raw,
			Host: host, Vendor: v, Category: kb.EmailTracking, ThirdParty: a.thirdParty(host),
			RecipientSpecific: true, LeakEncoding: enc, Rendered: a.renderState(r),
			Evidence: fmt.Sprintf("recipient address (%s) in %s URL", enc, r.kind)})
	}
	specific := r.recipientSpecific || leaked
	esp, match := a.esps.MatchURL(r.url)

	if r.kind == resLink {
		a.link(r, esp, match, specific)
		return
	}
	if a.thirdParty(host) && !a.hosts[host] {
		a.hosts[host] = true
		v, cat := a.vendor(r.url, nil)
		if cat == "" {
			cat = kb.Unknown
		}
		a.out = append(a.out, detectors.EmailTracker{Kind: detectors.KindThirdPartyContent, URL: r.raw,
			Host: host, Vendor: v, Category: cat, ThirdParty: true, Rendered: a.renderState(r),
			Evidence: fmt.Sprintf("%s loaded from a third-party host when the email is opened", r.kind)})
	}
	if r.renderOnly {
		a.renderOnly(r, esp, match, specific)
		return
	}
	switch r.kind {
	case resImage:
		a.image(r, esp, match, specific)
	case resCSS, resBackground:
		a.css(r, esp, match, specific)
	}
}

func (a *analyzer) image(r *resource, esp *ESP, match string, specific bool) {
	w, h := r.width, r.height
	tiny := w >= 0 && w <= 1 && h >= 0 && h <= 1
	zero := w == 0 || h == 0
	sized := w > 1 || h > 1
	oneDim := w >= 0 && w <= 1 && h < 0 || h >= 0 && h <= 1 && w < 0
	repeated := a.counts[r.raw] > 1
	why, conf := "", confHigh
	switch {
	case match == matchOpen:
		why = esp.DisplayName() + " open pixel"
	case analyticsHit(r.url) != "":
		why = analyticsHit(r.url) + " used as an open pixel"
	case specific:
		why = "recipient-specific image"
	case repeated:
		return // a spacer: the same image used again and again as layout
	case match == matchTrack && !sized:
		why = esp.DisplayName() + " tracking host"
	case isSpacerName(r.url) && !zero:
		return
	case tiny:
		why = fmt.Sprintf("%gx%g image", w, h)
	case zero:
		why = "zero-size image"
	case oneDim && w >= 0:
		why, conf = fmt.Sprintf("image %gpx wide, height not set", w), confMedium
	case oneDim:
		why, conf = fmt.Sprintf("image %gpx high, width not set", h), confMedium
	case r.hidden != "" && !r.hiddenByOwner:
		why, conf = "image hidden by "+r.hidden, confMedium
	case r.hidden != "" && !sized && !staticAsset(r.url):
		why, conf = "image inside an element hidden by "+r.hidden, confLow
	case !sized && pixelPath(r.url):
		why, conf = "image with a tracking path and token", confMedium
	case !sized && r.text == "" && !r.inLink && tokenImage(r.url):
		why, conf = "image whose URL carries an opaque token", confLow
	default:
		return
	}
	if esp != nil && match != matchClick {
		a.noteURL(0, r.url, esp)
	} else {
		esp = nil
		a.noteURL(0, r.url, nil)
	}
	a.emit(detectors.KindOpenPixel, r, esp, specific, why, conf)
}

func (a *analyzer) css(r *resource, esp *ESP, match string, specific bool) {
	where := "background attribute"
	if r.kind == resCSS {
		where = "CSS " + r.cssProp
	}
	tinyBox := r.width >= 0 && r.width <= 1 || r.height >= 0 && r.height <= 1
	why, conf := "", confHigh
	switch {
	case match == matchOpen || match == matchTrack:
		why = esp.DisplayName() + " tracking URL in " + where
	case analyticsHit(r.url) != "":
		why = analyticsHit(r.url) + " in " + where
	case specific:
		why = "recipient-specific URL in " + where
	case r.cssCond != "" && !staticAsset(r.url):
		why, conf = fmt.Sprintf("%s loads only under %s", where, r.cssCond), confMedium
	case pixelPath(r.url):
		why, conf = "tracking path and token in "+where, confMedium
	case tinyBox && a.counts[r.raw] == 0 && !staticAsset(r.url):
		why, conf = where+" of an element of 1px or less", confMedium
	case r.hidden != "" && !r.hiddenByOwner && !staticAsset(r.url):
		why, conf = where+" of an element hidden by "+r.hidden, confMedium
	default:
		return
	}
	if match == matchClick {
		esp = nil
	}
	a.noteURL(0, r.url, esp)
	a.emit(detectors.KindCSSTracker, r, esp, specific, why, conf)
}

func (a *analyzer) link(r *resource, esp *ESP, match string, specific bool) {
	why, conf := "", confHigh
	if esp == nil {
		if p, e := a.esps.matchParam(r.url); e != nil {
			esp, why = e, fmt.Sprintf("%s subscriber parameter %s", e.DisplayName(), p)
		}
	}
	switch {
	case why != "":
	case esp != nil:
		why = esp.DisplayName() + " click redirect"
	case redirectTarget(r.url) != "":
		why = "redirect to " + redirectTarget(r.url)
	case specific:
		why = "recipient-specific link"
	case isUnsubscribe(r):
		return // needs a token to work; not tracking by itself
	case shownElsewhere(r) != "":
		why, conf = fmt.Sprintf("link shows %s but goes through %s with an opaque token", shownElsewhere(r), r.url.Hostname()), confMedium
	case a.redirectPrefix[strings.ToLower(r.url.Host)] != "" && redirectLike(r.url, a.redirectPrefix[strings.ToLower(r.url.Host)]):
		n := a.redirectLinks[strings.ToLower(r.url.Host)]
		why, conf = fmt.Sprintf("one of %d links through the redirect path /%s/ of %s", n, a.redirectPrefix[strings.ToLower(r.url.Host)], r.url.Hostname()), confMedium
	case isWebView(r) && (r.url.RawQuery != "" || hasToken(r.url, 16)):
		why, conf = "web-view link with a token", confMedium
	case hasToken(r.url, 24):
		why, conf = "link with an opaque token", confMedium
	default:
		return
	}
	a.noteURL(1, r.url, esp)
	a.emit(detectors.KindClickTracking, r, esp, specific, why, conf)
}

// noteURL keeps the platform and the infrastructure behind a tracking
// URL: the ESP owning its host, or the one whose pattern it matched.
func (a *analyzer) noteURL(slot int, u *url.URL, matched *ESP) {
	for _, e := range []*ESP{a.owner(strings.ToLower(u.Hostname())), matched} {
		switch {
		case e == nil:
		case !e.Infrastructure && a.urlPlatform[slot] == nil:
			a.urlPlatform[slot] = e
		case e.Infrastructure && a.urlInfra[slot] == nil:
			a.urlInfra[slot] = e
		}
	}
}

// attribution is who built a message and who delivered it, with the
// header or URL that said so.
type attribution struct {
	platform, delivery             *ESP
	platformSource, deliverySource string
}

func idOrEmpty(e *ESP) string {
	if e == nil {
		return ""
	}
	return e.ID
}

func isPlatform(e *ESP) bool       { return !e.Infrastructure }
func isInfrastructure(e *ESP) bool { return e.Infrastructure }

// attribute names the platform that built the message and the
// infrastructure that delivered it. A platform's own headers come first
// (X-Kmail-Account, X-Mailer, the sender id of a Feedback-ID), then the
// owners of List-Unsubscribe, DKIM d=, Return-Path and Message-ID, then
// the tracking URLs; a sending service (SendGrid, Amazon SES) is the
// platform only when nothing else shows. The delivery is the service that
// a Feedback-ID, a delivery header or a sending domain names, else a
// platform that headers show sent the message itself; a platform known
// only from the body's URLs (a forwarded newsletter) delivered nothing.
func (a *analyzer) attribute(h mailbox.Header) attribution {
	var at attribution
	fromHeaders := a.platformFromHeaders(h, &at)
	at.delivery, at.deliverySource = a.deliveryFromHeaders(h)
	if at.platform == nil {
		for slot, what := range []string{"open pixel URL", "link URL"} {
			if e := a.urlPlatform[slot]; e != nil {
				at.platform, at.platformSource = e, what
				break
			}
		}
	}
	if at.platform == nil && at.delivery != nil {
		at.platform, at.platformSource = at.delivery, at.deliverySource
	}
	if at.platform == nil {
		for slot, what := range []string{"open pixel URL", "link URL"} {
			if e := a.urlInfra[slot]; e != nil {
				at.platform, at.platformSource = e, what
				break
			}
		}
	}
	if at.delivery == nil && fromHeaders {
		at.delivery, at.deliverySource = at.platform, at.platformSource
	}
	return at
}

// platformFromHeaders sets the platform from the headers and says whether
// they named one.
func (a *analyzer) platformFromHeaders(h mailbox.Header, at *attribution) bool {
	set := func(e *ESP, source string) bool {
		at.platform, at.platformSource = e, source
		return true
	}
	for _, name := range h.Names() {
		for _, v := range h.All[name] {
			if e := a.esps.MatchHeader(name, v); e != nil && isPlatform(e) {
				return set(e, "header "+name)
			}
		}
	}
	for _, name := range nameHeaders {
		for _, v := range h.All[name] {
			if e := a.esps.byName(v, isPlatform); e != nil {
				return set(e, "header "+name)
			}
		}
	}
	for _, part := range strings.Split(h.ListUnsubscribe, ",") {
		if host := unsubscribeHost(part); host != "" {
			if e := a.owner(host); e != nil && isPlatform(e) {
				return set(e, "List-Unsubscribe "+host)
			}
		}
	}
	for _, d := range sendingDomains(h) {
		if e := a.owner(d.domain); e != nil && isPlatform(e) {
			return set(e, d.source)
		}
	}
	return false
}

// deliveryFromHeaders names the sending infrastructure.
func (a *analyzer) deliveryFromHeaders(h mailbox.Header) (*ESP, string) {
	for _, name := range nameHeaders[1:] { // Feedback-ID's sender id
		for _, v := range h.All[name] {
			if e := a.esps.byName(v, isInfrastructure); e != nil {
				return e, "header " + name
			}
		}
	}
	for _, name := range h.Names() {
		for _, v := range h.All[name] {
			if e := a.esps.MatchDeliveryHeader(name, v); e != nil {
				return e, "header " + name
			}
		}
	}
	for _, d := range sendingDomains(h) {
		if e := a.owner(d.domain); e != nil && isInfrastructure(e) {
			return e, d.source
		}
	}
	for _, part := range strings.Split(h.ListUnsubscribe, ",") {
		if host := unsubscribeHost(part); host != "" {
			if e := a.owner(host); e != nil && isInfrastructure(e) {
				return e, "List-Unsubscribe " + host
			}
		}
	}
	return nil, ""
}

type sendingDomain struct{ domain, source string }

// sendingDomains are the domains that sent the message: DKIM d=,
// Return-Path and Message-ID.
func sendingDomains(h mailbox.Header) []sendingDomain {
	var out []sendingDomain
	for _, d := range h.DKIMDomains {
		out = append(out, sendingDomain{d, "DKIM d=" + d})
	}
	if d := strings.ToLower(domainOf(h.ReturnPath)); d != "" {
		out = append(out, sendingDomain{d, "Return-Path " + d})
	}
	if d := strings.ToLower(domainOf(strings.Trim(h.Get("Message-Id"), "<> "))); d != "" {
		out = append(out, sendingDomain{d, "Message-ID " + d})
	}
	return out
}

// unsubscribeHost is the host of one List-Unsubscribe entry (an https URL
// or a mailto address).
func unsubscribeHost(part string) string {
	v := strings.Trim(strings.TrimSpace(part), "<>")
	if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return strings.ToLower(u.Hostname())
	}
	if strings.HasPrefix(strings.ToLower(v), "mailto:") {
		host, _, _ := strings.Cut(domainOf(v[len("mailto:"):]), "?")
		return strings.ToLower(host)
	}
	return ""
}

// matchParam finds an ESP by a subscriber-id query parameter.
func (s *ESPSet) matchParam(u *url.URL) (string, *ESP) {
	if u.RawQuery == "" {
		return "", nil
	}
	q := u.Query()
	for _, e := range s.ESPs {
		for _, p := range e.Params {
			if q.Has(p) {
				return p, e
			}
		}
	}
	return "", nil
}

// redirectTarget returns the host a link forwards to when its query or
// path carries another absolute URL.
func redirectTarget(u *url.URL) string {
	for _, vs := range u.Query() {
		for _, v := range vs {
			if t := absHost(v); t != "" && !strings.EqualFold(t, u.Hostname()) {
				return t
			}
		}
	}
	p, err := url.PathUnescape(u.EscapedPath())
	if err != nil {
		return ""
	}
	if i := strings.Index(strings.ToLower(p), "http"); i > 0 {
		rest := strings.Replace(strings.Replace(p[i:], ":/", "://", 1), ":///", "://", 1)
		if t := absHost(rest); t != "" && !strings.EqualFold(t, u.Hostname()) {
			return t
		}
	}
	return ""
}

func absHost(v string) string {
	l := strings.ToLower(v)
	if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
		return ""
	}
	t, err := url.Parse(v)
	if err != nil {
		return ""
	}
	return strings.ToLower(t.Hostname())
}

var unsubscribeWords = []string{"unsubscribe", "abmelden", "desinscri", "désinscri", "opt-out", "optout",
	"preferences", "einstellungen", "afmelden", "darse de baja"}

func isUnsubscribe(r *resource) bool {
	s := strings.ToLower(r.text + " " + r.url.Path)
	for _, w := range unsubscribeWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var webViewWords = []string{"view in browser", "view online", "web version", "view this email",
	"online version", "im browser", "webversion", "view-online", "viewinbrowser", "view_online",
	"browser anzeigen", "version en ligne"}

func isWebView(r *resource) bool {
	s := strings.ToLower(r.text + " " + r.url.Path)
	for _, w := range webViewWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Path words of open pixels: strong ones need a token or a query, the
// short ones (as in /o/<token>) a token.
var (
	strongPixelWords = map[string]bool{"open": true, "opens": true, "opened": true, "track": true,
		"tracking": true, "trk": true, "pixel": true, "beacon": true, "impression": true, "imp": true}
	weakPixelWords = map[string]bool{"o": true, "oo": true, "t": true, "e": true, "wf": true,
		"stat": true, "stats": true}
)

// pixelPath: a tracking word among the path segments with an opaque token
// (or, for strong words, a query), or a .gif named by an opaque token.
func pixelPath(u *url.URL) bool {
	segs := strings.Split(strings.ToLower(u.Path), "/")
	strong, weak := false, false
	for _, s := range segs {
		base := strings.TrimSuffix(s, path.Ext(s))
		strong = strong || strongPixelWords[base]
		weak = weak || weakPixelWords[base]
	}
	token := hasToken(u, 16)
	if strong && (token || u.RawQuery != "") || weak && token {
		return true
	}
	last := segs[len(segs)-1]
	return strings.HasSuffix(last, ".gif") && isToken(strings.TrimSuffix(last, ".gif"), 16)
}

var staticExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true,
	".webp": true, ".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".css": true}

// staticAsset: a plain file (logo, font) with no query and no token.
func staticAsset(u *url.URL) bool {
	return u.RawQuery == "" && staticExt[strings.ToLower(path.Ext(u.Path))] && !hasToken(u, 16)
}

var spacerNames = map[string]bool{"spacer": true, "blank": true, "clear": true, "shim": true,
	"transparent": true, "pixel_transparent": true, "spc": true, "space": true, "s": true}

func isSpacerName(u *url.URL) bool {
	base := strings.ToLower(path.Base(u.Path))
	return u.RawQuery == "" && spacerNames[strings.TrimSuffix(base, path.Ext(base))]
}

// hasToken: some path segment or query value is an opaque token.
func hasToken(u *url.URL, minLen int) bool {
	for _, s := range strings.Split(u.Path, "/") {
		if isToken(strings.TrimSuffix(s, path.Ext(s)), minLen) || isToken(s, minLen) {
			return true
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if isToken(v, minLen) {
				return true
			}
		}
	}
	return false
}

// isToken: long, of token characters, mixing letters and digits, and not a
// slug of words ("spring-sale-2024").
func isToken(s string, minLen int) bool {
	if len(s) < minLen {
		return false
	}
	letters, digits := 0, 0
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		case strings.ContainsRune("-_=.~%+", c):
		default:
			return false
		}
	}
	if letters < 2 || digits < 2 {
		return false
	}
	// A slug: every part between separators is a plain word or number.
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	for _, p := range parts {
		if !isWordOrNumber(p) {
			return true
		}
	}
	return false
}

func isWordOrNumber(p string) bool {
	lower, upperFirst, digit := true, true, true
	for i, c := range p {
		isLower := c >= 'a' && c <= 'z'
		isUpper := c >= 'A' && c <= 'Z'
		if !isLower {
			lower = false
		}
		if !(isLower || i == 0 && isUpper) {
			upperFirst = false
		}
		if c < '0' || c > '9' {
			digit = false
		}
	}
	return lower || upperFirst || digit
}

// analyticsHit names a web-analytics tracking request: a Matomo/Piwik
// hit (rec=1) or a Google Analytics collect hit. As an image in an email
// it records the open in the sender's analytics.
func analyticsHit(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	base := strings.ToLower(path.Base(u.Path))
	q := u.Query()
	switch {
	case (base == "matomo.php" || base == "piwik.php" || q.Has("idsite")) && q.Get("rec") == "1":
		return "Matomo/Piwik tracking request"
	case base == "collect" && q.Has("tid") && q.Has("v"):
		return "Google Analytics collect hit"
	}
	return ""
}

// imageProxies rewrite every image of a message a webmail shows or
// forwards into an opaque URL on their own host; the token says nothing
// about the recipient.
var imageProxies = []string{"googleusercontent.com", "yusercontent.com", "ggpht.com"}

// tokenImage: an image URL carrying an opaque token in its query or in a
// path segment that is not a file name (a content-addressed "3f9a….png"
// is a shared asset, not a per-recipient URL).
func tokenImage(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	for _, p := range imageProxies {
		if host == p || strings.HasSuffix(host, "."+p) {
			return false
		}
	}
	q := u.Query()
	for p := range q {
		if imageCDNParams[strings.ToLower(p)] {
			return false // an image service resizing a shared asset
		}
	}
	// A file with an image extension carries signatures and cache keys;
	// only a recipient-id parameter counts there.
	file := staticExt[strings.ToLower(path.Ext(u.Path))]
	for p, vs := range q {
		if file && !recipientParams[strings.ToLower(p)] {
			continue
		}
		for _, v := range vs {
			if isToken(v, 20) {
				return true
			}
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if path.Ext(seg) == "" && isToken(seg, 20) {
			return true
		}
	}
	return false
}

// imageCDNParams resize or convert an image (imgix, Cloudinary, Shopify,
// Google's image servers).
var imageCDNParams = map[string]bool{"w": true, "h": true, "width": true, "height": true, "auto": true,
	"fit": true, "format": true, "fm": true, "q": true, "quality": true, "dpr": true, "crop": true, "resize": true}

// recipientParams name a subscriber, a message or a send in ESP URLs.
var recipientParams = map[string]bool{"u": true, "e": true, "uid": true, "sid": true, "rid": true, "r": true,
	"m": true, "t": true, "id": true, "sub": true, "subscriber": true, "recipient": true, "contact": true,
	"cid": true, "email": true, "token": true, "tk": true, "mid": true}

// shownElsewhere is the host a link's text shows ("www.shop.example",
// "https://shop.example/offer") when the link itself goes through an
// opaque token on another site's host.
func shownElsewhere(r *resource) string {
	text := strings.ToLower(strings.TrimSpace(r.text))
	if text == "" || strings.ContainsAny(text, " \t") || !hasToken(r.url, 16) {
		return ""
	}
	if !strings.Contains(text, "://") {
		text = "https://" + text
	}
	t, err := url.Parse(text)
	if err != nil || !strings.Contains(t.Hostname(), ".") || !domainLike(t.Hostname()) {
		return ""
	}
	if capture.Site(t.Hostname()) == capture.Site(strings.ToLower(r.url.Hostname())) {
		return ""
	}
	return t.Hostname()
}

// domainLike: letters, digits, dots and hyphens, ending in a label of
// letters (a top-level domain).
func domainLike(h string) bool {
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if len(tld) < 2 {
		return false
	}
	for _, c := range tld {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// redirectHosts finds link hosts through which three or more links of the
// email pass under one short first path segment ("/cl/3669_md/9/1330",
// "/r/8f2e…"), each carrying ids: a click-tracking redirect no list
// knows.
func redirectHosts(rs []*resource) (map[string]string, map[string]int) {
	type key struct{ host, first string }
	count := map[key]int{}
	for _, r := range rs {
		if r.kind != resLink {
			continue
		}
		segs := strings.Split(strings.Trim(r.url.Path, "/"), "/")
		if len(segs) < 2 || len(segs[0]) > 3 && !redirectWords[strings.ToLower(segs[0])] {
			continue
		}
		if redirectLike(r.url, segs[0]) {
			count[key{strings.ToLower(r.url.Host), segs[0]}]++
		}
	}
	prefix, links := map[string]string{}, map[string]int{}
	for k, n := range count {
		if n >= 3 && (n > links[k.host] || n == links[k.host] && k.first < prefix[k.host]) {
			prefix[k.host], links[k.host] = k.first, n
		}
	}
	return prefix, links
}

var redirectWords = map[string]bool{"click": true, "clicks": true, "redirect": true, "track": true,
	"tracking": true, "link": true, "links": true, "out": true}

// redirectLike: the path under first carries three id segments, or one
// opaque token.
func redirectLike(u *url.URL, first string) bool {
	rest, ok := strings.CutPrefix(strings.Trim(u.Path, "/"), first+"/")
	if !ok {
		return false
	}
	ids := 0
	for _, seg := range strings.Split(rest, "/") {
		if isToken(seg, 16) {
			return true
		}
		if strings.ContainsAny(seg, "0123456789") && !strings.Contains(seg, ".") {
			ids++
		}
	}
	return ids >= 3
}
