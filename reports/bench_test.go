package reports

import (
	"fmt"
	"io"
	"testing"

	"github.com/trackscan/trackscan/rules"
)

// bigReport scales the site fixture to n findings, the size of a scan of a
// large site with many pages.
func bigReport(b *testing.B, n int) *Report {
	rep := loadFixture(b, "site")
	base := rep.Findings
	rep.Findings = make([]rules.Finding, 0, n)
	for i := range n {
		f := base[i%len(base)]
		f.Target = fmt.Sprintf("https://shop.example/p/%d", i)
		f.Fingerprint = fmt.Sprintf("%016x", i)
		rep.Findings = append(rep.Findings, f)
	}
	return rep
}

func BenchmarkFormats(b *testing.B) {
	rep := bigReport(b, 500)
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			r := testReporter(b, format)
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Report(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFormatsSmall renders the site fixture as it is (6 findings): the
// fixed cost of a report, which the fuzzers pay on every input.
func BenchmarkFormatsSmall(b *testing.B) {
	rep := loadFixture(b, "site")
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			r := testReporter(b, format)
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Report(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
