package kb

import "testing"

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchCookie(b *testing.B) {
	k := Default()
	names := []string{"_ga", "_ga_ABC123", "__cf_bm", "_hjSessionUser_123", "session_token", "mp_0123abcd_mixpanel", "AMCV_1234%40AdobeOrg"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.MatchCookie(names[i%len(names)], ".shop.example")
	}
}

func BenchmarkMatchURLBase(b *testing.B) {
	k := Default()
	urls := []string{
		"https://www.google-analytics.com/g/collect?v=2&tid=G-ABC",
		"https://www.googletagmanager.com/gtag/js?id=G-XYZ",
		"https://www.shop.example/assets/app.js?v=3",
		"https://stats.shop.example/matomo.js",
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.MatchURL(urls[i%len(urls)])
	}
}
