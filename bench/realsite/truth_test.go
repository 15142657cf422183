package realsite

import (
	"slices"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestScore(t *testing.T) {
	tests := []struct {
		name    string
		found   func(Found)
		kind    string
		phase   capture.Phase
		recall  string
		missing []string
		leaked  []string
	}{
		{"nothing found", func(Found) {}, KindVendor, capture.AfterAccept, "0/4", []string{"snowplow", "posthog", "mixpanel", "amplitude"}, nil},
		{"hashed cookie name matches its pattern", func(f Found) {
			f.Add(KindCookie, "_sp_id.c5d3", []capture.Phase{capture.AfterAccept})
		}, KindCookie, capture.AfterAccept, "1/8", nil, nil},
		{"gated vendor before consent leaks", func(f Found) {
			f.Add(KindVendor, "posthog", []capture.Phase{capture.PreConsent})
			f.Add(KindVendor, "snowplow", []capture.Phase{capture.PreConsent})
		}, KindVendor, capture.PreConsent, "1/1", nil, []string{"posthog"}},
		{"a prefix is not a match", func(f Found) {
			f.Add(KindCookie, "cc_cookie_old", []capture.Phase{capture.AfterReject})
		}, KindCookie, capture.AfterReject, "0/2", []string{"shop_session", "cc_cookie"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Found{}
			tt.found(f)
			s := Score(f, capture.Phases)[tt.kind][tt.phase]
			if got := s.Recall(); got != tt.recall {
				t.Errorf("recall %s, want %s", got, tt.recall)
			}
			if tt.missing != nil && !slices.Equal(s.Missing, tt.missing) {
				t.Errorf("missing %v, want %v", s.Missing, tt.missing)
			}
			if !slices.Equal(s.Leaked, tt.leaked) {
				t.Errorf("leaked %v, want %v", s.Leaked, tt.leaked)
			}
		})
	}
}

// TestTruthPatterns guards the hand-written patterns.
func TestTruthPatterns(t *testing.T) {
	for _, it := range Truth {
		if len(it.Phases) == 0 || it.Source == "" {
			t.Errorf("%s: needs phases and a source", it)
		}
	}
	Score(Found{}, capture.Phases) // panics on a bad pattern
}
