package cli

import (
	"errors"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestFormatProgress(t *testing.T) {
	long := "http://shop.example/products/a-very-long-product-name-that-goes-on-and-on/reviews?page=2"
	tests := []struct {
		name        string
		done, total int
		phase       capture.Phase
		url         string
		elapsed     time.Duration
		width       int
		want        string
	}{
		{"nothing done yet", 0, 15, capture.PreConsent, "http://shop.example/", 0, 100,
			"[0/15] pre-consent http://shop.example/  ETA --"},
		{"mean of 2s per visit, 12 left", 3, 15, capture.AfterReject, "http://shop.example/about.html", 6 * time.Second, 100,
			"[3/15] after-reject http://shop.example/about.html  ETA 24s"},
		{"minutes", 10, 100, capture.AfterAccept, "http://shop.example/", 50 * time.Second, 100,
			"[10/100] after-accept http://shop.example/  ETA 7m30s"},
		{"hours", 1, 1000, capture.PreConsent, "http://a.example/", 10 * time.Second, 100,
			"[1/1000] pre-consent http://a.example/  ETA 2h46m"},
		{"all done", 15, 15, capture.AfterAccept, "http://shop.example/", 61 * time.Second, 100,
			"[15/15] after-accept http://shop.example/  done in 1m01s"},
		{"long URL shortened in the middle", 1, 2, capture.PreConsent, long, time.Second, 60,
			"[1/2] pre-consent http://shop.exam…on/reviews?page=2  ETA 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatProgress(tt.done, tt.total, tt.phase, tt.url, tt.elapsed, tt.width)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if len([]rune(got)) > tt.width {
				t.Errorf("%d characters, wider than %d", len([]rune(got)), tt.width)
			}
		})
	}
}

func TestProgressQuietOffTerminal(t *testing.T) {
	// Not a terminal (a buffer, a file): no progress whatever the flag.
	if p := newProgress(&errorWriter{}, false); p != nil {
		t.Error("progress on a non-terminal writer")
	}
	// A nil progress is safe to use.
	var p *progress
	p.setTotal(3)
	p.start(capture.PreConsent, "http://x.example/")
	p.finish(&capture.Page{})
	p.clear() // a nil progress draws nothing and must not panic
}

type errorWriter struct{}

func (*errorWriter) Write([]byte) (int, error) { return 0, errors.New("no") }
