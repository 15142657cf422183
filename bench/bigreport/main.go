// Command bigreport writes a generated site report of about -mb megabytes
// (pages, cookies, detections and findings of a large crawl) for measuring
// what `trackscan report` needs to read and render it:
//
//	go run ./bench/bigreport -mb 200 -o /tmp/big.json
//	/usr/bin/time -v trackscan report /tmp/big.json --format json -o /dev/null
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

func main() {
	mb := flag.Int("mb", 200, "approximate size in megabytes")
	out := flag.String("o", "big.json", "output file")
	flag.Parse()
	// One unit (a page with its cookie, its detections and its finding)
	// is about 2.5 KB of JSON.
	units := *mb * 1024 * 1024 / 2500
	rep := &reports.Report{Schema: reports.Schema, Kind: reports.KindSite, Target: "https://shop.example/",
		Tool: reports.Tool{Name: "trackscan", Version: "bench"}, Findings: []rules.Finding{}}
	for i := range 50 {
		rep.Vendors = append(rep.Vendors, detectors.Vendor{ID: fmt.Sprintf("vendor%02d", i), Name: fmt.Sprintf("Vendor %d", i),
			Category: kb.Category("advertising"), Phases: []capture.Phase{capture.PreConsent}, Hosts: []string{fmt.Sprintf("t%02d.example", i)}})
	}
	for i := range units {
		page := fmt.Sprintf("https://shop.example/category/%d/product-%d?ref=listing&utm_source=newsletter", i/100, i)
		rep.Pages = append(rep.Pages, reports.Page{URL: page, Phase: capture.PreConsent, FinalURL: page, Status: 200, Requests: 80})
		v := fmt.Sprintf("vendor%02d", i%50)
		rep.Cookies = append(rep.Cookies, detectors.Cookie{Name: fmt.Sprintf("_id%d", i), Domain: fmt.Sprintf("t%02d.example", i%50), Vendor: v,
			Category: "advertising", Phases: []capture.Phase{capture.PreConsent}, ExpiresDays: 390, SetBy: fmt.Sprintf("https://t%02d.example/px.js", i%50), Stored: true, Pages: []string{page}})
		for k := range 3 {
			rep.Detections = append(rep.Detections, detectors.Detection{Kind: "third-party-script", Vendor: v, Category: "advertising", Phase: capture.PreConsent,
				Page: page, URL: fmt.Sprintf("https://t%02d.example/px.js?id=%d&k=%d&cb=1234567890", i%50, i, k), Host: fmt.Sprintf("t%02d.example", i%50),
				Evidence: "script loaded before any consent choice from a host of the vendor"})
		}
		rep.Findings = append(rep.Findings, rules.Finding{Rule: "pre-consent-tracking", Title: "Tracking before consent", Severity: "high",
			Category: "advertising", Vendor: v, Phase: capture.PreConsent, Target: page,
			Evidence:    fmt.Sprintf("cookie _id%d set by https://t%02d.example/px.js before any consent choice, kept 390 days", i, i%50),
			Fingerprint: fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15), Subject: fmt.Sprintf("_id%d", i),
			URLs: []string{fmt.Sprintf("https://t%02d.example/px.js?id=%d", i%50, i)}})
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := (reports.JSON{}).Report(w, rep); err != nil {
		log.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	fmt.Printf("%s: %d units, %.1f MB\n", *out, units, float64(st.Size())/(1<<20))
}
