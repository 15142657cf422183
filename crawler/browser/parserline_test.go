package browser

import (
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

func TestLineNames(t *testing.T) {
	doc := []string{
		`<!doctype html><title>x</title>`,
		`<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView" alt="">`,
		`<script src="/static/app.js"></script>`,
		`<p>Our best seller</p>`,
		`<iframe src="https://www.youtube.com/"></iframe>`,
	}
	tests := []struct {
		line int
		url  string
		want bool
	}{
		{2, "https://www.facebook.com/tr?id=1&ev=PageView", true},
		{3, "https://shop.example/static/app.js", true},
		{5, "https://www.youtube.com/", true},
		// An async tag's new Image() filed under the parser's position.
		{4, "https://stats.g.doubleclick.net/g/collect?v=2", false},
		{0, "https://www.facebook.com/tr", false},
		{9, "https://www.facebook.com/tr", false},
	}
	for _, tt := range tests {
		if got := lineNames(doc, tt.line, tt.url); got != tt.want {
			t.Errorf("lineNames(line %d, %s) = %v, want %v", tt.line, tt.url, got, tt.want)
		}
	}
	if lineNames(nil, 1, "https://a.example/x") {
		t.Error("a document Chromium no longer holds names nothing")
	}
}

func TestFromParser(t *testing.T) {
	scriptStack := &runtime.StackTrace{CallFrames: []*runtime.CallFrame{{URL: "https://cdn.example/tag.js", LineNumber: 3}}}
	tests := []struct {
		in   *network.Initiator
		want bool
	}{
		{&network.Initiator{Type: network.InitiatorTypeParser, URL: "https://shop.example/", LineNumber: 13}, true},
		{&network.Initiator{Type: network.InitiatorTypeParser, URL: "https://shop.example/", Stack: scriptStack}, false},
		{&network.Initiator{Type: network.InitiatorTypeScript, Stack: scriptStack}, false},
		{&network.Initiator{Type: network.InitiatorTypeParser}, false},
		{nil, false},
	}
	for i, tt := range tests {
		if got := fromParser(tt.in); got != tt.want {
			t.Errorf("case %d: fromParser = %v, want %v", i, got, tt.want)
		}
	}
}
