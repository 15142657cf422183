package detectors

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/consent"
)

// TestDetectionJSONConsentMode: the decoded Consent Mode state stays out of
// the JSON (the evidence shows it) and comes back, decoded by the same
// decoder, when a saved report is read again; other kinds get none.
func TestDetectionJSONConsentMode(t *testing.T) {
	const u = "https://region1.google-analytics.com/g/collect?v=2&gcs=G100&gcd=13p3p3p2p5"
	cm, ok := consent.DecodeGCS(u)
	if !ok {
		t.Fatal("fixture URL does not decode")
	}
	tests := []struct {
		name string
		in   Detection
		want *consent.ConsentMode
	}{
		{"consent mode", Detection{Kind: KindConsentMode, URL: u, Evidence: cm.String(), ConsentMode: &cm}, &cm},
		{"other kind on the same URL", Detection{Kind: KindThirdParty, URL: u}, nil},
		{"consent mode without a URL", Detection{Kind: KindConsentMode, Evidence: "gcs=G100"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "ad_storage\":") || strings.Contains(string(b), "consent_mode") {
				t.Errorf("decoded state written to JSON: %s", b)
			}
			var got Detection
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.ConsentMode, tc.want) {
				t.Errorf("ConsentMode = %+v, want %+v", got.ConsentMode, tc.want)
			}
			got.ConsentMode = tc.in.ConsentMode
			if !reflect.DeepEqual(got, tc.in) {
				t.Errorf("round trip changed the detection:\n got %+v\nwant %+v", got, tc.in)
			}
		})
	}
}
