package email

import (
	"fmt"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
)

// nameHeaders carry an ESP's name rather than a fixed pattern.
var nameHeaders = []string{"X-Mailer", "Feedback-Id", "X-Feedback-Id"}

// identifyHeader is the ESP one header names on its own: a platform
// pattern, else a delivery pattern, else a name in X-Mailer or Feedback-ID.
func (s *ESPSet) identifyHeader(name, value string) *ESP {
	if e := s.MatchHeader(name, value); e != nil {
		return e
	}
	if e := s.MatchDeliveryHeader(name, value); e != nil {
		return e
	}
	canon := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
	for _, h := range nameHeaders {
		if canon == h {
			return s.ByName(value)
		}
	}
	return nil
}

// CheckESPs validates ESP data against its own samples and returns one
// line per problem, sorted (trackscan vendors --check runs it with the
// knowledge-base check): every entry has a sample that must name it and
// one that must not; open and click samples match as their kind, header
// and host samples name the entry, URL negatives match no ESP and host
// negatives are not the entry's.
func CheckESPs(s *ESPSet) []string {
	var probs []string
	bad := func(e *ESP, format string, args ...any) {
		probs = append(probs, fmt.Sprintf("esp %s: %s", e.ID, fmt.Sprintf(format, args...)))
	}
	for _, e := range s.ESPs {
		sm := e.Samples
		if len(sm.Open)+len(sm.Click)+len(sm.Headers)+len(sm.Hosts) == 0 {
			bad(e, "no sample that must match")
		}
		if len(sm.Not) == 0 {
			bad(e, "no sample that must not match")
		}
		for _, n := range e.Names {
			if len(squeeze(n)) < 5 {
				bad(e, "name %q is too short to match a header safely", n)
			}
		}
		for _, g := range []struct {
			samples []string
			kinds   []string
		}{{sm.Open, []string{matchOpen, matchTrack}}, {sm.Click, []string{matchClick, matchTrack}}} {
			for _, raw := range g.samples {
				u, err := url.Parse(raw)
				if err != nil {
					bad(e, "sample %q: %v", raw, err)
					continue
				}
				got, kind := s.MatchURL(u)
				switch {
				case got != e:
					bad(e, "%s matches %s", raw, idOf(got))
				case kind != g.kinds[0] && kind != g.kinds[1]:
					bad(e, "%s matches as %s, want %s", raw, kind, strings.Join(g.kinds, " or "))
				}
			}
		}
		for _, h := range sm.Headers {
			name, value, _ := strings.Cut(h, ":")
			if got := s.identifyHeader(name, strings.TrimSpace(value)); got != e {
				bad(e, "header %q names %s", h, idOf(got))
			}
		}
		for _, host := range sm.Hosts {
			if got := s.Owner(host); got != e {
				bad(e, "host %s is owned by %s", host, idOf(got))
			}
		}
		for _, raw := range sm.Not {
			if !strings.Contains(raw, "://") {
				if s.Owner(raw) == e {
					bad(e, "negative host %s is owned by it", raw)
				}
				continue
			}
			u, err := url.Parse(raw)
			if err != nil {
				bad(e, "sample %q: %v", raw, err)
				continue
			}
			if got, kind := s.MatchURL(u); got != nil {
				bad(e, "negative %s matches %s (%s)", raw, got.ID, kind)
			}
		}
	}
	sort.Strings(probs)
	return probs
}

func idOf(e *ESP) string {
	if e == nil {
		return "nothing"
	}
	return e.ID
}
