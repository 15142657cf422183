package beacon

import (
	"net/url"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
)

// BenchmarkDecode decodes a mix of beacons and ordinary requests, as a
// page's request list has them (most requests are not beacons).
func BenchmarkDecode(b *testing.B) {
	reqs := []capture.Request{
		{URL: "https://www.facebook.com/tr/?id=1&ev=PageView&ud[em]=" + emailHash + "&fbp=fb.1.1.2"},
		{URL: "https://region1.google-analytics.com/g/collect?v=2&tid=G-1&cid=1.2&en=page_view", PostData: "en=scroll\nen=click"},
		{URL: "https://analytics.tiktok.com/api/v2/pixel", PostData: `{"event":"Pageview","context":{"user":{"email":"` + emailHash + `"}}}`},
		{URL: "https://api.segment.io/v1/batch", PostData: `{"batch":[{"type":"track","event":"x","anonymousId":"a"}]}`},
		{URL: "https://shop.example/static/app.js"},
		{URL: "https://shop.example/img/hero.jpg?w=1200&" + url.Values{"q": {"80"}}.Encode()},
		{URL: "https://fonts.gstatic.com/s/inter/v12/font.woff2"},
		{URL: "https://cdn.example.net/lib.js"},
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range reqs {
			Decode(r)
		}
	}
}
