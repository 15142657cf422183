package browser

import (
	"net/url"
	"time"

	"github.com/chromedp/cdproto/network"
)

// Why a page counted as settled.
const (
	SettledIdle    = "idle"    // it stopped starting new work
	SettledCap     = "cap"     // it kept starting new work until MaxIdleWait
	SettledTimeout = "timeout" // the page budget or the scan ended first
)

// settler decides when a page has settled: when it stops starting new
// things, not when its network goes silent. Pages that run analytics and
// session-replay SDKs are never silent: they beacon every second or two,
// stream replay events and hold long polls open, so a silence rule waits
// its whole cap on every page. What counts as new work: a request to an
// endpoint (host and path) not seen before, any script, frame or style
// sheet, the end of such a request (its script runs next), and a cookie or
// storage key written for the first time. A repeated beacon to a known
// endpoint, or a second write of the same key, is not new work.
//
// A request in flight holds the page open unless it is a stream
// (EventSource, WebSocket) or a non-script request older than longRequest
// (a long poll, a streaming upload): those may never end. Recording goes on
// after the page settles, until the tab closes, so late beacons still land
// on their page.
//
// A settler is not safe for concurrent use; the recorder calls it under its
// lock.
type settler struct {
	longRequest time.Duration
	lastNew     time.Time
	endpoints   map[string]bool
	keys        map[string]bool
	inFlight    map[network.RequestID]flight
}

type flight struct {
	started time.Time
	typ     network.ResourceType
	isNew   bool
}

// defaultLongRequest is how long a request may be in flight before it no
// longer holds the page open (unless it is a script, frame or style sheet).
const defaultLongRequest = 2 * time.Second

func newSettler(now time.Time) *settler {
	return &settler{
		longRequest: defaultLongRequest,
		lastNew:     now,
		endpoints:   map[string]bool{},
		keys:        map[string]bool{},
		inFlight:    map[network.RequestID]flight{},
	}
}

// structural reports resource types that build the page: they are new work
// whatever their URL, and hold the page open however long they take.
func structural(t network.ResourceType) bool {
	switch t {
	case network.ResourceTypeDocument, network.ResourceTypeScript, network.ResourceTypeStylesheet:
		return true
	}
	return false
}

// endpointOf is the host and path of a URL: beacons to one endpoint differ
// only in their query.
func endpointOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host + u.Path
}

// request files a request that starts at t. A redirect hop keeps its
// RequestID and is filed again.
func (s *settler) request(id network.RequestID, rawURL string, typ network.ResourceType, t time.Time) {
	ep := endpointOf(rawURL)
	isNew := structural(typ) || !s.endpoints[ep]
	s.endpoints[ep] = true
	if isNew {
		s.lastNew = t
	}
	if typ == network.ResourceTypeEventSource || typ == network.ResourceTypeWebSocket {
		return // streams never hold the page
	}
	s.inFlight[id] = flight{started: t, typ: typ, isNew: isNew}
}

// finished files the end of a request (loaded or failed).
func (s *settler) finished(id network.RequestID, t time.Time) {
	f, ok := s.inFlight[id]
	if !ok {
		return
	}
	delete(s.inFlight, id)
	if f.isNew {
		// What a new script or endpoint answered may start more work.
		s.lastNew = t
	}
}

// wrote files a cookie or storage write; only a key written for the first
// time is new work.
func (s *settler) wrote(kind, key string, t time.Time) {
	k := kind + "\x00" + key
	if !s.keys[k] {
		s.keys[k] = true
		s.lastNew = t
	}
}

// settled reports whether, at now, no new work started for quiet and no
// request in flight holds the page open.
func (s *settler) settled(now time.Time, quiet time.Duration) bool {
	if now.Sub(s.lastNew) < quiet {
		return false
	}
	for _, f := range s.inFlight {
		if structural(f.typ) || now.Sub(f.started) < s.longRequest {
			return false
		}
	}
	return true
}
