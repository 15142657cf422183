package site

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
)

func TestFormValuesSent(t *testing.T) {
	id := capture.TestIdentity
	sum := sha256.Sum256([]byte(strings.ToLower(id.Email)))
	emailSHA := hex.EncodeToString(sum[:])
	phoneMD5 := md5.Sum([]byte("447700900123"))
	filled := []capture.FormField{{Form: "checkout", Name: "email", Kind: "email"}, {Form: "checkout", Name: "tel", Kind: "phone"},
		{Form: "checkout", Name: "last_name", Kind: "name"}}
	cases := []struct {
		name   string
		fields []capture.FormField
		req    capture.Request
		want   string // evidence prefix; "" for no detection
		fp     bool
		format string // Sent.Format; "" for form-fill
	}{
		{"hashed email to a pixel", filled,
			capture.Request{URL: "https://www.facebook.com/tr/?ev=Lead&ud[em]=" + emailSHA, ResourceType: "Image"},
			"email typed into email (sha256 of the lower-cased value) sent to www.facebook.com", false, ""},
		{"md5 of the phone's digits in a JSON body", filled,
			capture.Request{URL: "https://api.segment.io/v1/t", ResourceType: "Ping", PostData: `{"traits":{"p":"` + hex.EncodeToString(phoneMD5[:]) + `"}}`},
			"phone typed into tel (md5 of the digits value) sent to api.segment.io", false, ""},
		{"base64 of the email inside a token, and the last name URL-encoded", filled,
			capture.Request{URL: "https://collector.example.net/k?d=" + base64.StdEncoding.EncodeToString([]byte(`{"e":"`+strings.ToLower(id.Email)+`"}`)) +
				"&n=" + url.QueryEscape("Robin Quillfeather"), ResourceType: "XHR"},
			"email typed into email (base64 of the lower-cased value); name typed into last_name (urlencoded of the full name value) sent to collector.example.net", false, ""},
		{"first-party autosave is reported as first party", filled,
			capture.Request{URL: "https://shop.example/api/draft", ResourceType: "Fetch", PostData: "email=" + url.QueryEscape(id.Email)},
			"email typed into email (urlencoded of the lower-cased value) sent to shop.example", true, ""},
		{"the submit's own post and a pixel on the thank-you page", filled,
			capture.Request{URL: "https://ct.pinterest.com/v3/?event=signup&pd=" + url.QueryEscape(`{"em":"`+emailSHA+`"}`), Method: "GET", ResourceType: "Image", OnSubmit: true},
			"email typed into email (sha256 of the lower-cased value) sent to ct.pinterest.com on submit: GET image", false, detectors.SentFormSubmit},
		{"nothing typed: nothing searched", nil,
			capture.Request{URL: "https://www.facebook.com/tr/?ud[em]=" + emailSHA, ResourceType: "Image"}, "", false, ""},
		{"a request without the values", filled,
			capture.Request{URL: "https://www.facebook.com/tr/?ev=PageView", ResourceType: "Image"}, "", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := capture.Page{URL: shop, Phase: capture.PreConsent, FormFields: tc.fields,
				Requests: []capture.Request{{URL: shop, ResourceType: "Document"}, tc.req}}
			var got []detectors.Detection
			for _, d := range Analyze([]capture.Page{p}, kb.Default()).Detections {
				if d.Kind == detectors.KindFormValueSent {
					got = append(got, d)
				}
			}
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("got %+v, want none", got)
				}
				return
			}
			if tc.format == "" {
				tc.format = detectors.SentFormFill
			}
			if len(got) != 1 || !strings.HasPrefix(got[0].Evidence, tc.want) || got[0].FirstParty != tc.fp || got[0].Sent.Format != tc.format {
				t.Errorf("got %+v\nwant evidence %q first party %v format %s", got, tc.want, tc.fp, tc.format)
			}
		})
	}
}
