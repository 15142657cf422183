package browser

import "github.com/chromedp/cdproto/network"

// initiatorLine is the 1-based line of what initiatorURL names: the first
// stack frame with a URL (a script's call), else the parser's position in
// the document; 0 when Chromium gave none. It lets a report point at the
// line of the tag or snippet that loaded a tracker.
func initiatorLine(in *network.Initiator) int {
	if in == nil {
		return 0
	}
	for st := in.Stack; st != nil; st = st.Parent {
		for _, f := range st.CallFrames {
			if f.URL != "" {
				return int(f.LineNumber) + 1
			}
		}
	}
	if in.URL != "" && in.Type == network.InitiatorTypeParser {
		return int(in.LineNumber) + 1
	}
	return 0
}
