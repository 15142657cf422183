package consent

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestDecodeGCS(t *testing.T) {
	tests := []struct {
		url    string
		ok     bool
		ad, an string // ad_storage, analytics_storage
		ud, ap string // ad_user_data, ad_personalization
		defOly bool
	}{
		{url: "https://region1.google-analytics.com/g/collect?v=2&tid=G-X&gcs=G100&gcd=13p3p3p2p5", ok: true, ad: Denied, an: Denied, ud: Denied, ap: Denied, defOly: true},
		{url: "https://www.google-analytics.com/g/collect?gcs=G111", ok: true, ad: Granted, an: Granted},
		{url: "https://www.google-analytics.com/g/collect?gcs=G101", ok: true, ad: Denied, an: Granted},
		{url: "https://www.google-analytics.com/g/collect?gcs=G110", ok: true, ad: Granted, an: Denied},
		{url: "https://www.google-analytics.com/g/collect?gcs=G1--", ok: true},
		{url: "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/?gcd=13r3r3r2r7", ok: true, ad: Granted, an: Granted, ud: Granted, ap: Granted},
		{url: "https://www.googletagmanager.com/gtag/js?id=G-X&gcd=13q3q3q2q7", ok: true, ad: Denied, an: Denied, ud: Denied, ap: Denied},
		{url: "https://www.google.com/ccm/collect?gcd=11t1t1l1l5", ok: true, ad: Granted, an: Granted, defOly: true},
		{url: "https://www.google.de/pagead/1p-conversion/1/?gcs=G100", ok: true, ad: Denied, an: Denied},
		{url: "https://www.googleadservices.com/pagead/conversion/1/?gcd=13u3v3m2n5", ok: true, ad: Denied, an: Granted, ud: Denied, ap: Granted},
		// gcs is the applied state: it wins over gcd's letters.
		{url: "https://www.google-analytics.com/g/collect?gcs=G100&gcd=13v3v3v2v5", ok: true, ad: Denied, an: Denied, ud: Granted, ap: Granted},
		{url: "https://www.google-analytics.com/g/collect?v=2", ok: false},
		{url: "https://tracker.example/collect?gcs=G111", ok: false},
		{url: "https://google.evil.example/collect?gcs=G111", ok: false},
		{url: "::not a url", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			cm, ok := DecodeGCS(tc.url)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			got := [4]string{cm.AdStorage, cm.AnalyticsStorage, cm.AdUserData, cm.AdPersonalization}
			if want := [4]string{tc.ad, tc.an, tc.ud, tc.ap}; got != want {
				t.Errorf("states %v, want %v", got, want)
			}
			if cm.DefaultOnly != tc.defOly {
				t.Errorf("DefaultOnly = %v, want %v", cm.DefaultOnly, tc.defOly)
			}
		})
	}
}

// TestConsentModeString: the evidence of a consent-mode detection, and
// which requests say nothing (no detection).
func TestConsentModeString(t *testing.T) {
	tests := []struct {
		url    string
		want   string
		stated bool
	}{
		{"https://www.google-analytics.com/g/collect?v=2&gcs=G100", "gcs=G100 ad_storage=denied analytics_storage=denied", true},
		{"https://region1.google-analytics.com/g/collect?gcs=G101", "gcs=G101 ad_storage=denied analytics_storage=granted", true},
		{"https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/?gcs=G111", "gcs=G111 ad_storage=granted analytics_storage=granted", true},
		{"https://www.googleadservices.com/pagead/conversion/1/?gcd=13u3v3m2n5",
			"gcd=13u3v3m2n5 ad_storage=denied analytics_storage=granted ad_user_data=denied ad_personalization=granted", true},
		{"https://www.google.com/ccm/collect?gcd=11t1t1l1l5", "gcd=11t1t1l1l5 ad_storage=granted analytics_storage=granted", true},
		{"https://www.google-analytics.com/g/collect?gcs=G1-1", "gcs=G1-1 ad_storage=unset analytics_storage=granted", true},
		{"https://www.google-analytics.com/g/collect?gcs=G1--", "gcs=G1-- ad_storage=unset analytics_storage=unset", false},
		{"https://www.google-analytics.com/g/collect?gcs=bogus", "gcs=bogus ad_storage=unset analytics_storage=unset", false},
	}
	for _, tc := range tests {
		cm, ok := DecodeGCS(tc.url)
		if !ok {
			t.Fatalf("%s: not decoded", tc.url)
		}
		if got := cm.String(); got != tc.want {
			t.Errorf("%s: String() = %q, want %q", tc.url, got, tc.want)
		}
		if cm.Stated() != tc.stated {
			t.Errorf("%s: Stated() = %v, want %v", tc.url, cm.Stated(), tc.stated)
		}
	}
}

// bitWriter builds TC strings for the tests.
type bitWriter struct{ bits []byte }

func (w *bitWriter) put(v, n int) *bitWriter {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>i&1))
	}
	return w
}

func (w *bitWriter) set(n int, ids ...int) *bitWriter {
	for i := 1; i <= n; i++ {
		w.put(map[bool]int{true: 1}[slices.Contains(ids, i)], 1)
	}
	return w
}

func (w *bitWriter) letters(s string) *bitWriter {
	return w.put(int(s[0]-'A'), 6).put(int(s[1]-'A'), 6)
}

func (w *bitWriter) String() string {
	b := make([]byte, (len(w.bits)+7)/8)
	for i, bit := range w.bits {
		b[i/8] |= bit << (7 - i%8)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// header writes the core fields up to the vendor section.
func header(cmpID int, purposes ...int) *bitWriter {
	w := &bitWriter{}
	created := int(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixMilli() / 100)
	w.put(2, 6).put(created, 36).put(created+600, 36).put(cmpID, 12).put(3, 12).put(1, 6).letters("DE")
	w.put(150, 12).put(4, 6).put(0, 1).put(0, 1).set(12, 1).set(24, purposes...).set(24, 2, 7).put(0, 1).letters("AA")
	return w
}

func TestDecodeTCString(t *testing.T) {
	bitfield := header(28, 1, 3, 4).put(10, 16).put(0, 1).set(10, 2, 10).String()
	ranges := header(10, 1).put(800, 16).put(1, 1).put(2, 12).put(0, 1).put(755, 16).put(1, 1).put(3, 16).put(5, 16).String()
	tests := []struct {
		name     string
		in       string
		cmp      int
		purposes []int
		vendors  []int
		wantErr  string
	}{
		{name: "bit field", in: bitfield, cmp: 28, purposes: []int{1, 3, 4}, vendors: []int{2, 10}},
		{name: "ranges, sorted", in: ranges, cmp: 10, purposes: []int{1}, vendors: []int{3, 4, 5, 755}},
		{name: "with further segments", in: bitfield + ".IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAAFAAECAAAAAAQARAAAAAAAAAAAAAAA", cmp: 28, purposes: []int{1, 3, 4}, vendors: []int{2, 10}},
		{name: "padded", in: bitfield + "==", cmp: 28, purposes: []int{1, 3, 4}, vendors: []int{2, 10}},
		{name: "empty", in: "", wantErr: "empty"},
		{name: "not base64", in: "C!!", wantErr: "base64"},
		{name: "version 1", in: (&bitWriter{}).put(1, 6).put(0, 100).String(), wantErr: "version 1"},
		{name: "truncated", in: bitfield[:20], wantErr: "truncated"},
		{name: "range beyond max", in: header(1).put(5, 16).put(1, 1).put(1, 12).put(1, 1).put(1, 16).put(9, 16).String(), wantErr: "bad vendor range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeTCString(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.CMPID != tc.cmp || !slices.Equal(got.PurposeConsents, tc.purposes) || !slices.Equal(got.VendorConsents, tc.vendors) {
				t.Errorf("got cmp %d purposes %v vendors %v", got.CMPID, got.PurposeConsents, got.VendorConsents)
			}
			if got.Version != 2 || got.ConsentLanguage != "DE" || got.PolicyVersion != 4 || got.VendorListVersion != 150 ||
				!slices.Equal(got.PurposeLegitimate, []int{2, 7}) || !slices.Equal(got.SpecialFeatures, []int{1}) ||
				!got.Created.Equal(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)) || got.LastUpdated.Sub(got.Created) != time.Minute {
				t.Errorf("header fields wrong: %+v", got)
			}
		})
	}
}

// TestCompleteTCF: a CMP answer without purpose or vendor maps gets them
// from its TC string; what the API reported wins; a bad string changes
// nothing.
func TestCompleteTCF(t *testing.T) {
	str := header(28, 1, 3, 4).put(10, 16).put(0, 1).set(10, 2, 10).String()
	tests := []struct {
		name    string
		in      *capture.TCF
		want    *capture.TCF
		wantErr bool
	}{
		{name: "string only", in: &capture.TCF{TCString: str, EventStatus: "useractioncomplete"},
			want: &capture.TCF{CMPID: 28, TCString: str, EventStatus: "useractioncomplete",
				PurposeConsents: map[string]bool{"1": true, "3": true, "4": true}, VendorConsents: map[string]bool{"2": true, "10": true}}},
		{name: "API maps kept", in: &capture.TCF{CMPID: 5, TCString: str, PurposeConsents: map[string]bool{"1": false}},
			want: &capture.TCF{CMPID: 5, TCString: str, PurposeConsents: map[string]bool{"1": false},
				VendorConsents: map[string]bool{"2": true, "10": true}}},
		{name: "no string", in: &capture.TCF{CMPID: 5}, want: &capture.TCF{CMPID: 5}},
		{name: "bad string", in: &capture.TCF{TCString: "C!!"}, want: &capture.TCF{TCString: "C!!"}, wantErr: true},
		{name: "nil", in: nil, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CompleteTCF(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(tc.in, tc.want) {
				t.Errorf("got %+v, want %+v", tc.in, tc.want)
			}
		})
	}
}

// FuzzDecodeTCString: never panics, and vendor ids come back ascending and
// unique within 1..65535.
func FuzzDecodeTCString(f *testing.F) {
	f.Add(header(28, 1, 3).put(10, 16).put(0, 1).set(10, 2).String())
	f.Add(header(10, 1).put(800, 16).put(1, 1).put(1, 12).put(1, 1).put(3, 16).put(5, 16).String())
	f.Add("CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA.YAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		tc, err := DecodeTCString(s)
		if err != nil {
			return
		}
		for i, v := range tc.VendorConsents {
			if v < 1 || v > maxVendorID || (i > 0 && v <= tc.VendorConsents[i-1]) {
				t.Fatalf("vendor ids not ascending and in range: %v", tc.VendorConsents)
			}
		}
	})
}

// FuzzDecodeGCS: never panics; only Google hosts decode.
func FuzzDecodeGCS(f *testing.F) {
	f.Add("https://www.google-analytics.com/g/collect?gcs=G100&gcd=13p3p3p2p5")
	f.Add("https://www.google.co.uk/ccm?gcd=1")
	f.Fuzz(func(t *testing.T, raw string) {
		cm, ok := DecodeGCS(raw)
		if !ok && (cm.AdStorage != "" || cm.AnalyticsStorage != "") {
			t.Fatalf("states without ok: %+v", cm)
		}
		for _, s := range []string{cm.AdStorage, cm.AnalyticsStorage, cm.AdUserData, cm.AdPersonalization} {
			if s != "" && s != Granted && s != Denied {
				t.Fatalf("state %q", s)
			}
		}
	})
}
