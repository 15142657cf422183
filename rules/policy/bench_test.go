package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicy builds a policy of about size bytes from varied paragraphs
// that exercise every practice, vendors, lists, cookie lists and denials.
func benchPolicy(size int) string {
	paras := []string{
		"We use cookies and similar technologies, e.g. web beacons and pixel tags, to run the site and to measure traffic with Google Analytics.",
		"We do not sell or rent your personal information to anyone, and we do not share it with third parties except the service providers listed below.",
		"* _ga, 2 years\n* _gid, 24 hours\n* _fbp (Facebook): 3 months",
		"Our newsletters tell us whether you opened them and which links you click in our emails; you may opt out of interest-based advertising at any time.",
		"By default, cookies are not installed automatically (with the exception of those needed to run the site). We will only set non-essential cookies with your consent.",
		"Payments are processed by Stripe. The shop is hosted by Amazon Web Services. We never use device fingerprinting, and we honor Do Not Track signals.",
		"Some pages embed social plugins such as the Facebook Like button; Hotjar records anonymised session replays and heatmaps on a sample of visits.",
		"You can set your browser to refuse cookies, although some features may not work without them. Segment and Drift help us answer questions.",
	}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		if i%len(paras) == 0 {
			fmt.Fprintf(&b, "## Section %d\n\n", i/len(paras)+1)
		}
		b.WriteString(paras[i%len(paras)])
		b.WriteString("\n\n")
	}
	return b.String()
}

// benchParse measures p.Parse on one text, in bytes per second.
func benchParse(b *testing.B, p *Parser, name string, text []byte, format string) {
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Parse(name, text, format); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse100KB(b *testing.B) {
	benchParse(b, testParser(b), "bench.md", []byte(benchPolicy(100<<10)), FormatMarkdown)
}

func BenchmarkParse100KBDefaultKB(b *testing.B) {
	benchParse(b, Default(), "bench.md", []byte(benchPolicy(100<<10)), FormatMarkdown)
}

func BenchmarkParseHTML100KB(b *testing.B) {
	p := Default()
	var h strings.Builder
	h.WriteString("<html><body><nav>menu</nav><main>")
	for _, para := range strings.Split(benchPolicy(100<<10), "\n\n") {
		if strings.HasPrefix(para, "## ") {
			h.WriteString("<h2>" + strings.TrimPrefix(para, "## ") + "</h2>\n")
			continue
		}
		h.WriteString("<p>" + para + "</p>\n")
	}
	h.WriteString("</main><footer>f</footer></body></html>")
	benchParse(b, p, "bench.html", []byte(h.String()), FormatHTML)
}

// TestBenchPolicyIsRead guards the benchmark input: it must exercise the
// reader, not pass through it.
func TestBenchPolicyIsRead(t *testing.T) {
	text := benchPolicy(100 << 10)
	if len(text) < 100<<10 {
		t.Fatalf("bench policy is %d bytes", len(text))
	}
	pol, err := testParser(t).Parse("bench.md", []byte(text), FormatMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	if s := pol.Summary(); len(s) < 12 {
		t.Errorf("bench policy reads only %d practices: %v", len(s), s)
	}
}
