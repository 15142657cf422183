package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"

	"github.com/trackscan/trackscan/crawler/capture"
)

// TestBudgetFloodHidesNothing: 2,000 junk cookie writes, then a canvas
// read and a storage write: the canvas read and the storage write are kept,
// the cookie flood keeps its first and last writes, and the page says how
// many were dropped.
func TestBudgetFloodHidesNothing(t *testing.T) {
	r := newRecorder()
	for i := range 2000 {
		r.hookReport(fmt.Sprintf(`{"kind":"cookie","detail":"junk%d=1","frame":"https://shop.example/","stack":"https://shop.example/flood.js"}`, i))
	}
	r.hookReport(`{"kind":"canvas-read","api":"toDataURL","detail":"240x60","frame":"https://shop.example/","stack":"https://fp.example/fp.js"}`)
	r.hookReport(`{"kind":"storage","detail":"localStorage fpid","frame":"https://shop.example/","stack":"https://fp.example/fp.js"}`)
	r.hookReport(`{"kind":"overflow","detail":"cookie","count":300}`)
	r.hookReport(`{"kind":"forged","detail":"x"}`)
	r.hookReport(`{"kind":"overflow","detail":"forged","count":99}`)
	p := &capture.Page{}
	r.fill(p)
	if len(p.APICalls) != 1 || p.APICalls[0].API != "canvas-read:toDataURL" {
		t.Errorf("API calls %+v, want the canvas read", p.APICalls)
	}
	if len(p.Storage) != 1 || p.Storage[0].Key != "fpid" {
		t.Errorf("storage %+v, want fpid", p.Storage)
	}
	if len(p.CookieWrites) != firstEvents+lastEvents {
		t.Fatalf("%d cookie writes kept, want %d", len(p.CookieWrites), firstEvents+lastEvents)
	}
	if p.CookieWrites[0].Name != "junk0" || p.CookieWrites[firstEvents-1].Name != fmt.Sprintf("junk%d", firstEvents-1) ||
		p.CookieWrites[len(p.CookieWrites)-1].Name != "junk1999" || p.CookieWrites[firstEvents].Name != fmt.Sprintf("junk%d", 2000-lastEvents) {
		t.Errorf("kept writes are not the first and the last ones: %s ... %s", p.CookieWrites[0].Name, p.CookieWrites[len(p.CookieWrites)-1].Name)
	}
	want := map[string]int{"cookie": 2000 - firstEvents - lastEvents + 300, kindUnknown: 1}
	if fmt.Sprint(p.EventsDropped) != fmt.Sprint(want) {
		t.Errorf("dropped %v, want %v", p.EventsDropped, want)
	}
}

// FuzzEventBudget: whatever the sequence of kinds, each kind keeps exactly
// its first events in order and its latest ones in order, and what is kept
// plus what is counted as dropped is what came.
func FuzzEventBudget(f *testing.F) {
	f.Add([]byte("aaaaabbbbcab"), uint16(0))
	f.Add([]byte(strings.Repeat("c", 700)+"f"), uint16(3))
	f.Add([]byte(strings.Repeat("cs", 600)), uint16(1200))
	f.Fuzz(func(t *testing.T, seq []byte, repeat uint16) {
		// repeat lengthens the sequence cheaply past the budgets.
		seq = []byte(strings.Repeat(string(seq), 1+int(repeat)%8))
		budgets := map[byte]*budget[int]{}
		kept := map[byte][]int{}
		all := map[byte][]int{}
		for i, k := range seq {
			k %= 4
			b := budgets[k]
			if b == nil {
				b = &budget[int]{}
				budgets[k] = b
			}
			all[k] = append(all[k], i)
			if b.add(i) {
				kept[k] = append(kept[k], i)
			}
		}
		for k, b := range budgets {
			got := append(append([]int(nil), kept[k]...), b.last()...)
			n := len(all[k])
			if len(got)+b.dropped() != n {
				t.Fatalf("kind %d: kept %d + dropped %d != %d seen", k, len(got), b.dropped(), n)
			}
			if len(got) > firstEvents+lastEvents {
				t.Fatalf("kind %d: kept %d, more than the budget", k, len(got))
			}
			head := min(n, firstEvents)
			for i := range head {
				if got[i] != all[k][i] {
					t.Fatalf("kind %d: kept event %d is %d, want the first ones in order", k, i, got[i])
				}
			}
			tail := got[head:]
			for i := range tail {
				if want := all[k][n-len(tail)+i]; tail[i] != want {
					t.Fatalf("kind %d: held event %d is %d, want %d (the latest ones in order)", k, i, tail[i], want)
				}
			}
		}
	})
}

// TestRecorderKeepsNoFormContents: the body of a form submission (a
// document request) is never kept; a beacon's body is, as evidence of what
// a tracker receives. Chromium's own viewers are never requests.
func TestRecorderKeepsNoFormContents(t *testing.T) {
	body := []*network.PostDataEntry{{Bytes: []byte("email=jane%40example.com&password=hunter2")}}
	r := newRecorder()
	r.onEvent(&network.EventRequestWillBeSent{RequestID: "1", Type: network.ResourceTypeDocument, DocumentURL: "https://shop.example/login",
		Request: &network.Request{URL: "https://shop.example/login", Method: "POST", HasPostData: true, PostDataEntries: body}})
	r.onEvent(&network.EventRequestWillBeSent{RequestID: "2", Type: network.ResourceTypePing, DocumentURL: "https://shop.example/",
		Request: &network.Request{URL: "https://t.example/collect", Method: "POST", HasPostData: true, PostDataEntries: []*network.PostDataEntry{{Bytes: []byte("ev=view")}}}})
	r.onEvent(&network.EventRequestWillBeSent{RequestID: "3", Type: network.ResourceTypeScript, DocumentURL: "https://shop.example/doc.pdf",
		Request: &network.Request{URL: "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/index.js", Method: "GET"}})
	var p capture.Page
	r.fill(&p)
	if len(p.Requests) != 2 {
		t.Fatalf("requests %+v, want the form post and the beacon only", p.Requests)
	}
	if p.Requests[0].PostData != "" {
		t.Errorf("form contents kept: %q", p.Requests[0].PostData)
	}
	if p.Requests[1].PostData != "ev=view" {
		t.Errorf("beacon body %q, want ev=view", p.Requests[1].PostData)
	}
}
