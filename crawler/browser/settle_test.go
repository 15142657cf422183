package browser

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
)

// settleEvent is one recorded event at an offset from the load.
type settleEvent struct {
	at   time.Duration
	kind string // "req", "end", "cookie", "storage"
	id   string
	url  string
	typ  network.ResourceType
}

// settleAfter replays events and polls the settler every 50 ms as waitIdle
// does; it returns when the page settled and why.
func settleAfter(events []settleEvent, quiet, limit time.Duration) (time.Duration, string) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	s := newSettler(t0)
	next := 0
	for at := time.Duration(0); at <= limit; at += 50 * time.Millisecond {
		for next < len(events) && events[next].at <= at {
			ev := events[next]
			now := t0.Add(ev.at)
			switch ev.kind {
			case "req":
				s.request(network.RequestID(ev.id), ev.url, ev.typ, now)
			case "end":
				s.finished(network.RequestID(ev.id), now)
			case "cookie", "storage":
				s.wrote(ev.kind, ev.url, now)
			}
			next++
		}
		if s.settled(t0.Add(at), quiet) {
			return at, SettledIdle
		}
	}
	return limit, SettledCap
}

// beaconLoop is a request to one endpoint every period from start to end,
// each answered after 30 ms.
func beaconLoop(prefix, endpoint string, start, end, period time.Duration) []settleEvent {
	var out []settleEvent
	for i, at := 0, start; at < end; i, at = i+1, at+period {
		id := fmt.Sprintf("%s%d", prefix, i)
		out = append(out,
			settleEvent{at: at, kind: "req", id: id, url: fmt.Sprintf("%s?seq=%d", endpoint, i), typ: network.ResourceTypeXHR},
			settleEvent{at: at + 30*time.Millisecond, kind: "end", id: id})
	}
	return out
}

func sortEvents(evs []settleEvent) []settleEvent {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].at < evs[j-1].at; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	return evs
}

func TestSettler(t *testing.T) {
	const quiet, limit = 500 * time.Millisecond, 8 * time.Second
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	script := network.ResourceTypeScript
	tests := []struct {
		name     string
		events   []settleEvent
		wantBy   string
		min, max time.Duration // the settle time must fall in [min, max]
	}{
		{
			name:   "quiet page settles after the quiet time",
			events: nil,
			wantBy: SettledIdle, min: ms(500), max: ms(550),
		},
		{
			name: "script and its first beacon",
			events: []settleEvent{
				{at: 0, kind: "req", id: "s", url: "https://cdn.example/sdk.js", typ: script},
				{at: ms(300), kind: "end", id: "s"},
				{at: ms(400), kind: "req", id: "b", url: "https://api.example/collect", typ: network.ResourceTypeXHR},
				{at: ms(450), kind: "end", id: "b"},
			},
			wantBy: SettledIdle, min: ms(950), max: ms(1000),
		},
		{
			name: "one-second beacon loop does not hold the page",
			events: sortEvents(append([]settleEvent{
				{at: 0, kind: "req", id: "s", url: "https://cdn.example/sdk.js", typ: script},
				{at: ms(200), kind: "end", id: "s"},
			}, beaconLoop("b", "https://api.example/batch", ms(250), limit, time.Second)...)),
			wantBy: SettledIdle, min: ms(750), max: ms(1300),
		},
		{
			name: "long poll open for the whole visit does not hold the page",
			events: []settleEvent{
				{at: 0, kind: "req", id: "poll", url: "https://rt.example/poll", typ: network.ResourceTypeXHR},
			},
			wantBy: SettledIdle, min: ms(2000), max: ms(2100),
		},
		{
			name: "event source never holds the page",
			events: []settleEvent{
				{at: 0, kind: "req", id: "es", url: "https://rt.example/stream", typ: network.ResourceTypeEventSource},
			},
			wantBy: SettledIdle, min: ms(500), max: ms(550),
		},
		{
			name: "late script inserted within the quiet time delays settling",
			events: []settleEvent{
				{at: ms(400), kind: "req", id: "late", url: "https://cdn.example/late.js", typ: script},
				{at: ms(1400), kind: "end", id: "late"},
			},
			wantBy: SettledIdle, min: ms(1900), max: ms(1950),
		},
		{
			name: "a slow script holds the page past the long-request limit",
			events: []settleEvent{
				{at: 0, kind: "req", id: "slow", url: "https://cdn.example/slow.js", typ: script},
				{at: ms(4000), kind: "end", id: "slow"},
			},
			wantBy: SettledIdle, min: ms(4500), max: ms(4550),
		},
		{
			name: "new cookie keys restart the quiet time, rewrites do not",
			events: []settleEvent{
				{at: ms(300), kind: "cookie", url: "_a"},
				{at: ms(700), kind: "storage", url: "replay_buffer"},
				{at: ms(1000), kind: "cookie", url: "_a"},
				{at: ms(1100), kind: "storage", url: "replay_buffer"},
			},
			wantBy: SettledIdle, min: ms(1200), max: ms(1250),
		},
		{
			// Mixpanel takes a lock under a fresh random key before each
			// batch, several times a second, for as long as the page lives.
			name: "lock keys with a fresh random suffix are one key",
			events: []settleEvent{
				{at: ms(100), kind: "storage", url: "__mplss_23rkq52a"},
				{at: ms(350), kind: "storage", url: "__mplss_iwqitwdx"},
				{at: ms(700), kind: "storage", url: "__mplss_sm41ustd"},
				{at: ms(1000), kind: "storage", url: "__mplss_xv4hd13b"},
				{at: ms(1300), kind: "storage", url: "__mplss_9j5ecjnq"},
				{at: ms(1600), kind: "storage", url: "__mplss_qwertyui"},
			},
			wantBy: SettledIdle, min: ms(600), max: ms(650),
		},
		{
			name: "distinct named keys are each new work",
			events: []settleEvent{
				{at: ms(100), kind: "storage", url: "consent_analytics"},
				{at: ms(400), kind: "storage", url: "consent_marketing"},
				{at: ms(700), kind: "cookie", url: "_sp_root_domain_test_1796671755959"},
				{at: ms(800), kind: "cookie", url: "_sp_root_domain_test_1796671757103"},
			},
			wantBy: SettledIdle, min: ms(1200), max: ms(1250),
		},
	}
	// A page that never stops inserting frames with new URLs hits the cap.
	var frames []settleEvent
	for i := 0; i < 100; i++ {
		at := time.Duration(i) * 300 * time.Millisecond
		id := fmt.Sprintf("f%d", i)
		frames = append(frames,
			settleEvent{at: at, kind: "req", id: id, url: fmt.Sprintf("https://ads.example/frame/%d", i), typ: network.ResourceTypeDocument},
			settleEvent{at: at + 100*time.Millisecond, kind: "end", id: id})
	}
	tests = append(tests, struct {
		name     string
		events   []settleEvent
		wantBy   string
		min, max time.Duration
	}{"endless frames hit the cap", frames, SettledCap, limit, limit})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, by := settleAfter(tt.events, quiet, limit)
			if by != tt.wantBy || at < tt.min || at > tt.max {
				t.Errorf("settled at %v (%s), want %s in [%v, %v]", at, by, tt.wantBy, tt.min, tt.max)
			}
		})
	}
}

// An SDK that puts a fresh id in every beacon's path makes each beacon a
// new endpoint; the page still settles once its network falls silent.
func TestSettlerSilenceWithFreshEndpoints(t *testing.T) {
	var evs []settleEvent
	for i := 0; i < 8; i++ {
		at := time.Duration(i) * time.Second
		id := fmt.Sprintf("r%d", i)
		evs = append(evs,
			settleEvent{at: at, kind: "req", id: id, url: fmt.Sprintf("https://replay.example/s/%d/batch", i), typ: network.ResourceTypeFetch},
			settleEvent{at: at + 20*time.Millisecond, kind: "end", id: id})
	}
	at, by := settleAfter(evs, 500*time.Millisecond, 8*time.Second)
	if by != SettledIdle || at < 520*time.Millisecond || at > 600*time.Millisecond {
		t.Errorf("settled at %v (%s), want idle at about 520 ms", at, by)
	}
}

func TestEndpointOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example/batch?seq=1":                                     "api.example/batch",
		"https://api.example/batch#x":                                         "api.example/batch",
		"http://a.example:8080/p/q":                                           "a.example:8080/p/q",
		"https://api.example/v1/s/9f8e7d6c-1b2a-4c3d-9e8f-0a1b2c3d4e5f/batch": "api.example/v1/s/*-*-*-*-*/batch",
		"https://api.example/i/v0/e/":                                         "api.example/i/v0/e/",
		"https://px.example/track/20261207":                                   "px.example/track/*",
	} {
		if got := endpointOf(in); got != want {
			t.Errorf("endpointOf(%q) = %q, want %q", in, got, want)
		}
	}
}
