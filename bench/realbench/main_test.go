package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/bench/realsite"
	"github.com/trackscan/trackscan/crawler/capture"
)

func TestParseConcurrency(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", []int{0}, false},
		{"4, 2,2", []int{2, 4}, false},
		{"0", nil, true},
		{"two", nil, true},
	}
	for _, tt := range tests {
		got, err := parseConcurrency(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("parseConcurrency(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPhaseWallsFromArrivals(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	arrivals := []arrival{
		{capture.PreConsent, at(3)}, {capture.PreConsent, at(5)},
		{capture.AfterReject, at(9)}, {capture.AfterAccept, at(12)}, {capture.AfterAccept, at(20)},
	}
	got := phaseWallsFromArrivals(t0, arrivals)
	want := map[capture.Phase]time.Duration{capture.PreConsent: 5 * time.Second, capture.AfterReject: 4 * time.Second, capture.AfterAccept: 11 * time.Second}
	for ph, d := range want {
		if got[ph] != d {
			t.Errorf("%s: %v, want %v", ph, got[ph], d)
		}
	}
	if w := phaseWallsFromArrivals(t0, arrivals[:2]); len(w) != 1 {
		t.Errorf("a pre-consent scan has one phase, got %v", w)
	}
}

func TestPrintReport(t *testing.T) {
	cfg := trackscanConfig{bin: "/x/ts", label: "ts", consent: "pre"}
	found := realsite.Found{}
	found.Add(realsite.KindVendor, "snowplow", []capture.Phase{capture.PreConsent})
	found.Add(realsite.KindVendor, "posthog", []capture.Phase{capture.PreConsent})
	run := func(wall time.Duration, visits, failed int) measurement {
		return measurement{readOut: readOut{visits: visits, failed: failed, found: found,
			phaseWalls: map[capture.Phase]time.Duration{capture.PreConsent: wall}}, wall: wall, pssKiB: 400 << 10}
	}
	res := []*result{{cfg: cfg, runs: []measurement{run(30*time.Second, 7, 0), run(20*time.Second, 6, 1), run(25*time.Second, 7, 0)}}}
	var b strings.Builder
	printReport(&b, res, env{}, env{}, 3)
	out := b.String()
	for _, want := range []string{
		"| ts, --consent pre | 25.0 | 6 (1 failed) | 14.4 | 25.0 | 400 | 1/1 | 0/1 | - | vendor posthog in pre |",
		"- missed by ts, --consent pre: cookie shop_session in pre",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
