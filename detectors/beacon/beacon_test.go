package beacon

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

var (
	emailHash = sha("jane.doe@example.com")
	phoneHash = sha("15551234567")
)

// summary renders a payload as "format|events|field=kind/encoding,..." so
// a case states all of it in one line.
func summary(s detectors.Sent) string {
	var ids []string
	for _, id := range s.Identifiers {
		ids = append(ids, id.Field+"="+id.Kind+"/"+id.Encoding)
	}
	return s.Format + "|" + strings.Join(s.Events, ",") + "|" + strings.Join(ids, ",")
}

func TestDecode(t *testing.T) {
	mpData := base64.StdEncoding.EncodeToString([]byte(`[{"event":"Signed Up","properties":{"token":"abc","distinct_id":"18c0a1b2c3d4","$device_id":"18c0a1b2c3d4","$user_id":"user-42","$email":"jane.doe@example.com"}}]`))
	cases := []struct {
		name string
		req  capture.Request
		want string // "" when not a decodable beacon
	}{
		{"meta pixel GET with advanced matching",
			capture.Request{URL: "https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=https%3A%2F%2Fshop.example%2F&ud[em]=" + emailHash + "&ud[ph]=" + phoneHash + "&ud[fn]=" + sha("jane") + "&fbp=fb.1.1700000000000.123456789"},
			"meta-pixel|PageView|fbp=client-id/plain,ud[em]=email/sha256,ud[fn]=name/sha256,ud[ph]=phone/sha256"},
		{"meta pixel POST form body, udff fields",
			capture.Request{URL: "https://www.facebook.com/tr/", Method: "POST", PostData: "id=1234567890&ev=Purchase&udff%5Bem%5D=" + emailHash + "&cd%5Bvalue%5D=12.5"},
			"meta-pixel|Purchase|udff[em]=email/sha256"},
		{"meta pixel without ev or ids",
			capture.Request{URL: "https://www.facebook.com/tr/?id=1"}, ""},
		{"ga4 with a batch body",
			capture.Request{URL: "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=1234567890.1700000000&en=page_view&uid=member-77", Method: "POST",
				PostData: "en=scroll&epn.percent_scrolled=90\nen=purchase&ep.currency=EUR"},
			"ga4|page_view,scroll,purchase|cid=client-id/plain,uid=user-id/plain"},
		{"ga4 user-provided data (em) via server-side tagging on a first-party host",
			capture.Request{URL: "https://metrics.shop.example/g/collect?v=2&tid=G-ABC123&cid=1.2&en=sign_up&em=tv.1~em." + emailHash},
			"ga4|sign_up|cid=client-id/plain,em=email/sha256"},
		{"universal analytics event",
			capture.Request{URL: "https://www.google-analytics.com/collect?v=1&t=event&ea=add_to_cart&cid=555.666&tid=UA-1-1"},
			"universal-analytics|add_to_cart|cid=client-id/plain"},
		{"tiktok pixel JSON",
			capture.Request{URL: "https://analytics.tiktok.com/api/v2/pixel", Method: "POST",
				PostData: `{"event":"CompletePayment","message_id":"m1","context":{"ad":{"callback":"E.C.P.abcdef123"},"user":{"email":"` + emailHash + `","phone_number":"` + phoneHash + `"},"page":{"url":"https://shop.example/"}},"properties":{"value":10}}`},
			"tiktok|CompletePayment|context.ad.callback=click-id/plain,context.user.email=email/sha256,context.user.phone_number=phone/sha256"},
		{"tiktok batch",
			capture.Request{URL: "https://analytics.tiktok.com/api/v2/pixel/batch", Method: "POST",
				PostData: `{"batch":[{"event":"Pageview","context":{"user":{"sha256_email":"` + emailHash + `"}}},{"event":"ClickButton"}]}`},
			"tiktok|Pageview,ClickButton|context.user.sha256_email=email/sha256"},
		{"linkedin collect",
			capture.Request{URL: "https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif&conversionId=7890&url=https%3A%2F%2Fshop.example%2F&li_fat_id=0a1b2c3d-e4f5"},
			"linkedin|conversion 7890|li_fat_id=click-id/plain"},
		{"linkedin wa JSON",
			capture.Request{URL: "https://px.ads.linkedin.com/wa/", Method: "POST", PostData: `{"pids":[123456],"scriptVersion":1,"url":"https://shop.example/"}`},
			"linkedin|page view|"},
		{"pinterest with partner data",
			capture.Request{URL: "https://ct.pinterest.com/v3/?event=checkout&tid=2612345678901&pd=" + url.QueryEscape(`{"em":"`+emailHash+`","np":"gtm"}`) + "&epik=dj0yJnU9abc"},
			"pinterest|checkout|epik=click-id/plain,pd.em=email/sha256"},
		{"snap form body",
			capture.Request{URL: "https://tr.snapchat.com/p", Method: "POST", PostData: "pid=abc-123&ev=PURCHASE&u_hem=" + emailHash + "&u_hpn=" + phoneHash + "&u_c1=a1b2c3d4-0000"},
			"snap|PURCHASE|u_c1=client-id/plain,u_hem=email/sha256,u_hpn=phone/sha256"},
		{"bing uet custom event",
			capture.Request{URL: "https://bat.bing.com/action/0?ti=5555555&Ver=2&mid=0b1c2d3e-aaaa&evt=custom&ea=subscribe&ec=newsletter&msclkid=abcdef0123456789&em=" + emailHash},
			"bing-uet|subscribe|em=email/sha256,mid=client-id/plain,msclkid=click-id/plain"},
		{"segment batch",
			capture.Request{URL: "https://api.segment.io/v1/batch", Method: "POST",
				PostData: `{"batch":[{"type":"identify","userId":"u-1","anonymousId":"anon-9f8e7d","traits":{"email":"jane.doe@example.com","plan":"pro"}},{"type":"track","event":"Order Completed","anonymousId":"anon-9f8e7d","context":{"traits":{"phone":"+15551234567"}}}],"writeKey":"wk"}`},
			"segment|identify,Order Completed|anonymousId=client-id/plain,context.traits.phone=phone/plain,traits.email=email/plain,userId=user-id/plain"},
		{"mixpanel base64 data in the query",
			capture.Request{URL: "https://api-js.mixpanel.com/track/?data=" + url.QueryEscape(mpData) + "&ip=1"},
			"mixpanel|Signed Up|properties.$device_id=client-id/plain,properties.$email=email/plain,properties.$user_id=user-id/plain,properties.distinct_id=client-id/plain"},
		{"mixpanel url-encoded JSON body",
			capture.Request{URL: "https://api-js.mixpanel.com/engage/?verbose=1", Method: "POST",
				PostData: "data=" + url.QueryEscape(`[{"$token":"abc","$distinct_id":"18c0a1","$set":{"$email":"jane.doe@example.com","$name":"Jane Doe"}}]`)},
			"mixpanel||$distinct_id=client-id/plain,$set.$email=email/plain,$set.$name=name/plain"},
		{"amplitude http api v2",
			capture.Request{URL: "https://api2.amplitude.com/2/httpapi", Method: "POST",
				PostData: `{"api_key":"k","events":[{"event_type":"Viewed Pricing","user_id":"u-5","device_id":"dev-abcdef","user_properties":{"$set":{"email":"` + sha("jane.doe@example.com") + `"}}}]}`},
			"amplitude|Viewed Pricing|device_id=client-id/plain,user_id=user-id/plain,user_properties.$set.email=email/sha256"},
		{"amplitude legacy form body",
			capture.Request{URL: "https://api.amplitude.com/", Method: "POST", PostData: "client=k&e=" + url.QueryEscape(`[{"event_type":"session_start","device_id":"dev-123456"}]`)},
			"amplitude|session_start|device_id=client-id/plain"},
		{"not a beacon", capture.Request{URL: "https://shop.example/tr?ev=PageView"}, ""},
		{"broken JSON body", capture.Request{URL: "https://api.segment.io/v1/t", PostData: `{"type":`}, ""},
		{"unparsable URL", capture.Request{URL: "://"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := Decode(tc.req)
			got := ""
			if ok {
				got = summary(s)
			}
			if got != tc.want {
				t.Errorf("Decode\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestValuesNeverKept: no identifier's value appears whole in a payload.
func TestValuesNeverKept(t *testing.T) {
	s, ok := Decode(capture.Request{URL: "https://www.facebook.com/tr/?ev=Lead&ud[em]=" + emailHash + "&fbp=fb.1.1700000000000.123456789"})
	if !ok {
		t.Fatal("not decoded")
	}
	for _, id := range s.Identifiers {
		if len(id.Prefix) > prefixLen+len("…") || strings.Contains(emailHash, strings.TrimSuffix(id.Prefix, "…")) && len(id.Prefix) > 12 {
			t.Errorf("%s keeps too much: %q", id.Field, id.Prefix)
		}
	}
	if got := s.Identifiers[1].Prefix; got != emailHash[:8]+"…" {
		t.Errorf("email prefix = %q", got)
	}
}

func TestEncoding(t *testing.T) {
	md5Hex := strings.Repeat("ab", 16)
	cases := map[string]string{
		emailHash: "sha256", strings.ToUpper(emailHash): "sha256", md5Hex: "md5", strings.Repeat("c", 40): "sha1",
		"tv.1~em." + emailHash: "sha256", "jane@example.com": "plain", "15551234567": "plain",
		"n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=": "sha256-base64", strings.Repeat("a", 43): "plain",
	}
	for in, want := range cases {
		if got := Encoding(in); got != want {
			t.Errorf("Encoding(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("https://www.facebook.com/tr/?ev=PageView&ud[em]="+emailHash, "")
	f.Add("https://region1.google-analytics.com/g/collect?v=2&en=x", "en=a\nen=b&uid=1")
	f.Add("https://analytics.tiktok.com/api/v2/pixel", `{"batch":[{"event":"x","context":{"user":{"email":["a"]}}}]}`)
	f.Add("https://api-js.mixpanel.com/track/", "data=W3siZXZlbnQiOiJ4In1d")
	f.Add("https://api2.amplitude.com/2/httpapi", `{"events":[{"event_type":1e400}]}`)
	f.Add("https://ct.pinterest.com/v3/?pd=%7B%22em%22%3A%5B%5D%7D", "")
	f.Add("https://api.segment.io/v1/batch", `[[[[{}]]]]`)
	f.Fuzz(func(t *testing.T, rawURL, body string) {
		s, ok := Decode(capture.Request{URL: rawURL, PostData: body})
		if !ok {
			return
		}
		if len(s.Events) > maxEvents || len(s.Identifiers) > maxIdentifiers {
			t.Fatalf("limits exceeded: %d events, %d identifiers", len(s.Events), len(s.Identifiers))
		}
		for _, id := range s.Identifiers {
			if len([]rune(id.Prefix)) > prefixLen+1 {
				t.Fatalf("prefix too long: %q", id.Prefix)
			}
		}
	})
}
