package browser

import (
	"context"
	"html"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
)

// maxCheckedDocument bounds the document read to check parser lines.
const maxCheckedDocument = 8 << 20

// fromParser reports an initiator whose line is the HTML parser's position
// rather than a script's call (see initiatorLine).
func fromParser(in *network.Initiator) bool {
	if in == nil || in.Type != network.InitiatorTypeParser || in.URL == "" {
		return false
	}
	for st := in.Stack; st != nil; st = st.Parent {
		for _, f := range st.CallFrames {
			if f.URL != "" {
				return false
			}
		}
	}
	return true
}

// parserLineRef is a request whose initiator line came from the parser,
// with the document request it points into.
type parserLineRef struct {
	req *capture.Request
	doc network.RequestID
}

// checkParserLines keeps the parser line of a request only where that line
// of the document names the request's URL. Chromium also files a request
// that a script makes while the document is still being parsed (an async
// tag's new Image(), say) under the parser's position at that moment, which
// differs from run to run and points at a line that has nothing to do with
// the tracker; such a line is dropped, and the request is left attributed
// to the page without one.
func (b *Browser) checkParserLines(ctx context.Context, rec *recorder) {
	byDoc := map[network.RequestID][]*capture.Request{}
	var docs []network.RequestID
	for _, ref := range rec.parserLineRefs() {
		if byDoc[ref.doc] == nil {
			docs = append(docs, ref.doc)
		}
		byDoc[ref.doc] = append(byDoc[ref.doc], ref.req)
	}
	// One document's lines in memory at a time: a page may hold many frames.
	for _, doc := range docs {
		lines := documentLines(ctx, doc)
		rec.dropParserLines(byDoc[doc], func(req *capture.Request) bool {
			return !lineNames(lines, req.InitiatorLine, req.URL)
		})
	}
}

// documentLines is the body of a document request split in lines, nil when
// Chromium no longer holds it or it is too large.
func documentLines(ctx context.Context, id network.RequestID) []string {
	if id == "" {
		return nil
	}
	res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil || len(res.Body) > maxCheckedDocument {
		return nil
	}
	return strings.Split(string(res.Body), "\n") // Body is decoded from base64 when sent so
}

// lineNames reports whether the 1-based line of a document names rawURL:
// its host and path, or its path alone (a relative reference), after the
// line's HTML entities are decoded.
func lineNames(lines []string, line int, rawURL string) bool {
	if line < 1 || line > len(lines) {
		return false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	text := html.UnescapeString(lines[line-1])
	if u.Path == "" || u.Path == "/" {
		return strings.Contains(text, u.Host)
	}
	return strings.Contains(text, u.Host+u.Path) || strings.Contains(text, u.Path)
}
