package dns

import (
	"context"
	"fmt"
	"testing"

	"github.com/trackscan/trackscan/crawler/dns/dnstest"
)

// BenchmarkResolveAll measures a scan's lookups: 100 hosts, half of them
// aliases, against the loopback server, at the default parallelism.
func BenchmarkResolveAll(b *testing.B) {
	table := map[string]string{}
	var hosts []string
	for i := range 100 {
		h := fmt.Sprintf("h%d.shop.example", i)
		hosts = append(hosts, h)
		if i%2 == 0 {
			table[h] = fmt.Sprintf("shop.example.t%d.eulerian.net", i)
		}
	}
	s, err := dnstest.Start(table)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r, err := New(Options{Server: s.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if res := r.ResolveAll(context.Background(), hosts); len(res.Chains) != 50 || res.Failed != 0 {
			b.Fatalf("got %d chains, %d failures", len(res.Chains), res.Failed)
		}
	}
}
