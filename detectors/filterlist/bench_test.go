package filterlist

import (
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/detectors/kb"
)

// syntheticList builds an n-rule list shaped like EasyPrivacy: mostly
// ||host^ rules, then path rules, option-limited rules and exceptions.
func syntheticList(n int) []byte {
	rng := rand.New(rand.NewSource(1))
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, 4+rng.Intn(8))
		for i := range b {
			b[i] = letters[rng.Intn(len(letters))]
		}
		return string(b)
	}
	var sb strings.Builder
	sb.WriteString("[Adblock Plus 2.0]\n! synthetic benchmark list\n")
	for i := 0; i < n; i++ {
		switch i % 10 {
		case 0, 1, 2, 3, 4, 5:
			fmt.Fprintf(&sb, "||%s.%s.com^\n", word(), word())
		case 6:
			fmt.Fprintf(&sb, "||%s.net/%s/*$script,third-party\n", word(), word())
		case 7:
			fmt.Fprintf(&sb, "/%s/%s.gif?\n", word(), word())
		case 8:
			fmt.Fprintf(&sb, "&%s_%s=\n", word(), word())
		case 9:
			fmt.Fprintf(&sb, "@@||%s.org/%s.js$domain=%s.com\n", word(), word(), word())
		}
	}
	return []byte(sb.String())
}

// benchURLs is a realistic mix: known trackers, list hits, first-party
// assets that match nothing.
func benchURLs(n int) []string {
	rng := rand.New(rand.NewSource(2))
	base := []string{
		"https://www.google-analytics.com/g/collect?v=2&tid=G-ABC&cid=123.456",
		"https://static.hotjar.com/c/hotjar-123.js?sv=6",
		"https://connect.facebook.net/en_US/fbevents.js",
		"https://www.googletagmanager.com/gtag/js?id=G-XYZ",
		"https://cdn.jsdelivr.net/npm/bootstrap@5/dist/js/bootstrap.min.js",
	}
	urls := make([]string, 0, n)
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 1:
			urls = append(urls, fmt.Sprintf("https://px%d.bench-hit.example/p.gif?uid=%d", i%13, i))
		case 0:
			urls = append(urls, base[rng.Intn(len(base))])
		default:
			urls = append(urls, fmt.Sprintf("https://www.shop%d.example/assets/app-%d.js?v=%d&utm_source=news", i%97, i, rng.Intn(1000)))
		}
	}
	return urls
}

func BenchmarkClassifyURL(b *testing.B) {
	data := append(syntheticList(49999), "||bench-hit.example^$third-party\n"...)
	list, warns := ParseABP("synthetic.txt", data)
	if len(warns) > 0 || list.Len() != 50000 {
		b.Fatalf("list has %d rules, warnings %v", list.Len(), warns)
	}
	k := kb.Default().WithLists(list)
	urls := benchURLs(4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.MatchRequest(urls[i%len(urls)], "https://www.shop.example/", "script")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "urls/s")
}

func BenchmarkParseABP50k(b *testing.B) {
	data := syntheticList(50000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ParseABP("synthetic.txt", data)
	}
}

// TestLoadedSizes logs the heap taken by the embedded base and by a
// 50,000-rule list (run with -v); it asserts only that both load.
func TestLoadedSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory")
	}
	data := syntheticList(50000)
	var before, afterKB, afterList runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k, err := kb.Load()
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&afterKB)
	l, _ := ParseABP("synthetic.txt", data)
	runtime.GC()
	runtime.ReadMemStats(&afterList)
	t.Logf("embedded base: %d vendors, %.1f MiB live heap", len(k.Vendors()), float64(afterKB.HeapAlloc-before.HeapAlloc)/(1<<20))
	t.Logf("50,000-rule list: %d rules, %.1f MiB live heap", l.Len(), float64(afterList.HeapAlloc-afterKB.HeapAlloc)/(1<<20))
	runtime.KeepAlive(k)
	runtime.KeepAlive(l)
}
