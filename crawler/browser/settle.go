package browser

import (
	"net/url"
	"time"

	"github.com/trackscan/trackscan/internal/keyshape"

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
// A page whose network simply goes quiet (nothing in flight, no network
// event for the quiet time) is settled too, whichever comes first: on a
// quiet machine many SDK pages fall silent before their new-work timer
// runs out, and an SDK that puts a fresh id in every beacon's path would
// otherwise count each beacon as a new endpoint.
//
// A settler is not safe for concurrent use; the recorder calls it under its
// lock.
type settler struct {
	longRequest time.Duration
	lastNew     time.Time
	lastNet     time.Time // any request starting or ending
	endpoints   map[string]bool
	keys        map[string]bool
	inFlight    map[network.RequestID]flight
	streams     map[network.RequestID]bool
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
		lastNet:     now,
		endpoints:   map[string]bool{},
		keys:        map[string]bool{},
		inFlight:    map[network.RequestID]flight{},
		streams:     map[network.RequestID]bool{},
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

// endpointOf is the host and path of a URL with id-like path segments
// wildcarded: beacons to one endpoint differ only in their query, or in a
// session or batch id in their path.
func endpointOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host + keyshape.Of(u.Path)
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
		s.streams[id] = true
		return // streams never hold the page
	}
	s.lastNet = t
	s.inFlight[id] = flight{started: t, typ: typ, isNew: isNew}
}

// finished files the end of a request (loaded or failed).
func (s *settler) finished(id network.RequestID, t time.Time) {
	f, ok := s.inFlight[id]
	if !ok {
		delete(s.streams, id)
		return
	}
	delete(s.inFlight, id)
	s.lastNet = t
	if f.isNew {
		// What a new script or endpoint answered may start more work.
		s.lastNew = t
	}
}

// wrote files a cookie or storage write; only a key whose shape (see
// keyshape.Of) is written for the first time is new work.
func (s *settler) wrote(kind, key string, t time.Time) {
	shape := kind + "\x00" + keyshape.Of(key)
	if s.keys[shape] {
		return
	}
	family := s.keys[kind+"\x00"+keyshape.FamilyOf(key)]
	s.keys[shape] = true
	if family {
		return
	}
	s.lastNew, s.lastNet = t, t
}

// settled reports whether, at now, either the network has been silent for
// quiet with nothing in flight, or no new work started for quiet and no
// request in flight holds the page open.
func (s *settler) settled(now time.Time, quiet time.Duration) bool {
	if len(s.inFlight) == 0 && now.Sub(s.lastNet) >= quiet {
		return true
	}
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
