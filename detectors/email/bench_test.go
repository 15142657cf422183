package email

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/mailbox"
)

// realisticEmail builds a newsletter of typical size and shape: multipart
// text+HTML, quoted-printable HTML, a style block, a dozen images (logo,
// products, spacers), 20-40 links through an ESP, and an open pixel.
func realisticEmail(r *rand.Rand, i int) string {
	esps := []struct{ pixel, click, header string }{
		{"https://shop.us5.list-manage.com/track/open.php?u=9f3a2c&id=%x&e=%x", "https://shop.us5.list-manage.com/track/click?u=9f3a2c&id=%x&e=%x", "X-Campaign: mailchimp9f3a2c.71be0d"},
		{"https://links.brand%d.example/wf/open?upn=Yq7xL2mQ%x", "https://links.brand%d.example/ls/click?upn=Zk9sQ%x", "X-SG-EID: u001.Bq9Zy"},
		{"https://email.mg.brand%d.example/o/eJwNyjEOgjAUBuDT8D%x", "https://email.mg.brand%d.example/c/eJwNy0EKgzAQRuFTZn%x", "X-Mailgun-Sid: WyI0ZjQ2NSJd"},
		{"https://abc.r.us-east-1.awstrack.me/I0/0100018abc-%x/Zk9sQ=%x", "https://abc.r.us-east-1.awstrack.me/L0/https:%%2F%%2Fshop.example%%2F/1/%x/%x", "X-SES-Outgoing: 2024.01.01"},
		{"https://t.brand%d.example/open/%x.gif", "https://go.brand%d.example/r?url=https%%3A%%2F%%2Fshop.example%%2F%x", ""},
	}
	e := esps[i%len(esps)]
	var h strings.Builder
	h.WriteString(`<html><head><style>body{font-family:Arial} .hero{background-image:url(https://cdn.shop.example/hero.jpg)}
@media print { .p { background:url(https://t.shop.example/print/` + fmt.Sprintf("%x", r.Uint64()) + `) } }</style></head><body><table width="600">`)
	h.WriteString(`<tr><td><img src="https://cdn.shop.example/logo.png" width="180" height="60" alt="Shop"></td></tr>`)
	for k := 0; k < 8; k++ {
		fmt.Fprintf(&h, `<tr><td><img src="https://cdn.shop.example/s.gif" width="1" height="8"><img src="https://cdn.shop.example/p/%d.jpg" width="280" height="280" alt="Product %d"></td></tr>`, r.IntN(9999), k)
	}
	links := 20 + r.IntN(21)
	for k := 0; k < links; k++ {
		fmt.Fprintf(&h, `<tr><td style="padding:4px"><a href="`+e.click+`" style="color:#333">Product number %d with a long enough description</a></td></tr>`, r.IntN(99), r.Uint64(), k)
	}
	fmt.Fprintf(&h, `</table><img src="`+e.pixel+`" width="1" height="1" alt=""></body></html>`, r.IntN(99), r.Uint64())
	html := strings.ReplaceAll(h.String(), "=", "=3D")
	var m strings.Builder
	fmt.Fprintf(&m, "From: Shop <news@shop%d.example>\r\nTo: customer%d@example.com\r\nSubject: Weekly deals %d\r\n", i%50, i, i)
	if e.header != "" {
		m.WriteString(e.header + "\r\n")
	}
	m.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=k1; b=AbC\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"bnd\"\r\n\r\n")
	m.WriteString("--bnd\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis week's deals: https://shop.example/deals\r\n\r\n")
	m.WriteString("--bnd\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	for len(html) > 75 { // soft line breaks as a real encoder writes them
		cut := 75
		for cut > 70 && html[cut-1] == '=' || cut > 70 && html[cut-2] == '=' {
			cut--
		}
		m.WriteString(html[:cut] + "=\r\n")
		html = html[cut:]
	}
	m.WriteString(html + "\r\n--bnd--\r\n")
	return m.String()
}

func writeCorpus(b *testing.B, n int) []string {
	dir := b.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	files := make([]string, n)
	for i := range files {
		files[i] = filepath.Join(dir, fmt.Sprintf("m%05d.eml", i))
		if err := os.WriteFile(files[i], []byte(realisticEmail(r, i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return files
}

// BenchmarkScanGenerated: emails per second for static scans (read, MIME
// parse, analysis) of 5,000 generated newsletters on all cores.
func BenchmarkScanGenerated(b *testing.B) {
	files := writeCorpus(b, 5000)
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		es := ScanFiles(files, nil, ScanOptions{})
		if len(es) != len(files) || count(es[0], "open-pixel") == 0 {
			b.Fatalf("scan lost emails or pixels: %d", len(es))
		}
	}
	reportRates(b, len(files), cpu)
}

// reportRates reports wall-clock emails per second and CPU milliseconds
// per email (the cost without other processes competing for the cores).
func reportRates(b *testing.B, n int, cpuBefore time.Duration) {
	total := float64(n * b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "emails/s")
	if cpu := processCPU() - cpuBefore; cpuBefore > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/total, "cpu-ms/email")
	}
}

const realCorpus = "../../../shared/corpora/phishing-pot-sample"

// BenchmarkScanRealCorpus: the same over the real spam sample, when present.
func BenchmarkScanRealCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(realCorpus, "*.eml"))
	if len(files) == 0 {
		b.Skip("corpus not present")
	}
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		ScanFiles(files, nil, ScanOptions{})
	}
	reportRates(b, len(files), cpu)
}

func TestRealisticEmailIsDetected(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5; i++ {
		rs := mailbox.Parse(fmt.Sprintf("gen%d.eml", i), []byte(realisticEmail(r, i)))
		if rs[0].Err != nil {
			t.Fatalf("generated email %d does not parse: %v", i, rs[0].Err)
		}
		e := Analyze(rs[0].Msg, Options{})
		if count(e, "open-pixel") != 1 || count(e, "click-tracking") < 20 || count(e, "css-tracker") != 1 {
			t.Errorf("generated email %d: %d pixels, %d clicks, %d css; trackers %+v", i,
				count(e, "open-pixel"), count(e, "click-tracking"), count(e, "css-tracker"), e.Trackers)
		}
	}
}

func FuzzAnalyzeHTML(f *testing.F) {
	for _, name := range []string{"css-trackers.html", "leaks.html", "mautic.html", "clean/spacers-and-logos.html"} {
		if data, err := os.ReadFile(filepath.Join(fixtures, name)); err == nil {
			f.Add(string(data))
		}
	}
	f.Add(`<style>@media print{a{background:url(`)
	f.Add(`<img src="//x" srcset=",,, ,"><a href="http://[::1">`)
	f.Add(`<img src="https://t.example/a.png" style="position:absolute;left:-9999px;clip:rect(0,0,0,0)" srcset="https://t.example/b 1w">`)
	f.Add(`<picture><source srcset="https://t.example/p" width="1"><img src="x"></picture><div style="display:none;background:url(https://t.example/bg?u=a8F3kd92)">`)
	f.Add(`<a href="https://r.example/cl/1/2/3">www.shop.example</a><a href="https://r.example/cl/1/2/4">b</a><a href="https://r.example/cl/1/2/5">c</a>`)
	f.Add(`<img src="https://s.example/matomo.php?idsite=1&rec=1"><img src="https://g.example/collect?v=1&tid=UA-1">`)
	f.Fuzz(func(t *testing.T, html string) {
		msg := &mailbox.Message{File: "f.html", HTML: html, Header: mailbox.Header{To: "jane@example.com"}}
		e := Analyze(msg, Options{Recipients: []string{"jane@example.com"}})
		if e.Trackers == nil {
			t.Fatal("nil trackers")
		}
		Compare(msg, &mailbox.Message{File: "g.html", HTML: html + `<img src="https://x.example/a">`}, Options{})
	})
}

// Real spam in the wild: every message yields a result or a clean error,
// nothing panics, and the output is the same on a second run.
func TestRealCorpusScan(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realCorpus, "*.eml"))
	if len(files) == 0 {
		t.Skip("corpus not present")
	}
	es := ScanFiles(files, nil, ScanOptions{})
	if len(es) != len(files) {
		t.Fatalf("%d results for %d files", len(es), len(files))
	}
	pixels := 0
	for _, e := range es {
		if e.Trackers == nil || strings.Contains(e.Error, "\n") {
			t.Errorf("%s: trackers %v error %q", e.File, e.Trackers, e.Error)
		}
		if count(e, "open-pixel") > 0 {
			pixels++
		}
	}
	t.Logf("%d emails, %d with an open pixel", len(es), pixels)
	again := ScanFiles(files, nil, ScanOptions{Workers: 1})
	for i := range es {
		if fmt.Sprint(es[i]) != fmt.Sprint(again[i]) {
			t.Fatalf("%s: results differ between runs", es[i].File)
		}
	}
}

// BenchmarkAnalyzeGenerated: the analysis alone (HTML and CSS walk, ESP
// patterns, leak search) of already parsed newsletters, on one core. It
// leaves out disk and MIME, so it shows changes to the analysis clearly.
func BenchmarkAnalyzeGenerated(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	msgs := make([]*mailbox.Message, 500)
	for i := range msgs {
		rs := mailbox.Parse(fmt.Sprintf("m%d.eml", i), []byte(realisticEmail(r, i)))
		msgs[i] = rs[0].Msg
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, m := range msgs {
			Analyze(m, Options{})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(msgs)), "ms/email")
}

// Two copies' URLs give differences in step: the same parts, different
// values.
func FuzzURLDifferences(f *testing.F) {
	f.Add("https://t.example/o/abc/1.gif?e=1#x", "https://t.example/o/xyz/1.gif?e=2#y")
	f.Add("https://a.example/", "https://b.example/a/b/c?x=%zz")
	f.Add("https://t.example/?a=1&a=2", "https://t.example/?a=2&a=1")
	f.Fuzz(func(t *testing.T, a, b string) {
		ua, err1 := url.Parse(a)
		ub, err2 := url.Parse(b)
		if err1 != nil || err2 != nil {
			return
		}
		da, db := urlDifferences(ua, ub)
		if len(da) != len(db) {
			t.Fatalf("%d vs %d differences", len(da), len(db))
		}
		for i := range da {
			if da[i].Part != db[i].Part || da[i].Value == db[i].Value {
				t.Fatalf("difference %d: %+v vs %+v", i, da[i], db[i])
			}
		}
	})
}
