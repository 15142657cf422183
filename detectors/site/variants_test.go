package site

import (
	"reflect"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

func TestGroupVariants(t *testing.T) {
	pre, acc := capture.PreConsent, capture.AfterAccept
	st := func(key, vendor string, phases ...capture.Phase) detectors.Storage {
		return detectors.Storage{Origin: "https://shop.example", Kind: "localStorage", Key: key, Vendor: vendor, Category: "analytics", FirstParty: true, Phases: phases}
	}
	tests := []struct {
		name string
		in   []detectors.Storage
		want []detectors.Storage
	}{
		{
			name: "lock keys with random suffixes, one without a digit",
			in:   []detectors.Storage{st("__mplss_23rkq52a", "mixpanel", acc), st("__mplss_iwqitwdx", "mixpanel", acc), st("__mplss_sm41ustd", "mixpanel", pre), st("mp_tab_id", "mixpanel", acc)},
			want: []detectors.Storage{{Origin: "https://shop.example", Kind: "localStorage", Key: "__mplss_*", Vendor: "mixpanel", Category: "analytics", FirstParty: true,
				Phases: []capture.Phase{pre, acc}, Variants: 3}, st("mp_tab_id", "mixpanel", acc)},
		},
		{
			name: "UUIDs in a key keep the project token",
			in: []detectors.Storage{st("__mprec_mixpanel_5e1f0c2b_9f8e7d6c-1b2a-4c3d-9e8f-0a1b2c3d4e5f:X", "mixpanel", acc),
				st("__mprec_mixpanel_5e1f0c2b_0a1b2c3d-4e5f-4a6b-8c7d-9e8f0a1b2c3d:X", "mixpanel", acc)},
			want: []detectors.Storage{{Origin: "https://shop.example", Kind: "localStorage", Key: "__mprec_mixpanel_5e1f0c2b_*-*-*-*-*:X", Vendor: "mixpanel",
				Category: "analytics", FirstParty: true, Phases: []capture.Phase{acc}, Variants: 2}},
		},
		{
			name: "one key with an id stays as it is",
			in:   []detectors.Storage{st("ph_phc_abc123def456_posthog", "posthog", acc)},
			want: []detectors.Storage{st("ph_phc_abc123def456_posthog", "posthog", acc)},
		},
		{
			name: "different vendors never group",
			in:   []detectors.Storage{st("q_1234567", "a", acc), st("q_7654321", "b", acc)},
			want: []detectors.Storage{st("q_1234567", "a", acc), st("q_7654321", "b", acc)},
		},
		{
			name: "named keys never group",
			in:   []detectors.Storage{st("consent_analytics", "", acc), st("consent_marketing", "", acc)},
			want: []detectors.Storage{st("consent_analytics", "", acc), st("consent_marketing", "", acc)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := groupVariants(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
