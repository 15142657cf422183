package site

import (
	"fmt"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors/kb"
)

// BenchmarkAnalyzeCNAME measures what the CNAME attribution adds to
// Analyze: 50 pages of 40 first-party subdomain requests, 10 of the hosts
// aliased to trackers, with and without the chains.
func BenchmarkAnalyzeCNAME(b *testing.B) {
	k := kb.Default()
	cn := map[string][]string{}
	var pages []capture.Page
	for p := range 50 {
		page := capture.Page{URL: fmt.Sprintf("https://shop.example/p%d", p), Phase: capture.PreConsent}
		for i := range 40 {
			h := fmt.Sprintf("s%d.shop.example", i)
			page.Requests = append(page.Requests, capture.Request{URL: "https://" + h + "/x.gif", ResourceType: "Image"})
			if i < 10 {
				cn[h] = []string{fmt.Sprintf("shop.example.t%d.eulerian.net", i)}
			}
		}
		pages = append(pages, page)
	}
	for _, withChains := range []bool{false, true} {
		b.Run(fmt.Sprintf("chains=%t", withChains), func(b *testing.B) {
			for i := range pages {
				pages[i].CNAMEs = nil
				if withChains {
					pages[i].CNAMEs = cn
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				Analyze(pages, k)
			}
		})
	}
}
