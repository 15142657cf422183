package har

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

func samplePage() *capture.Page {
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	return &capture.Page{URL: "https://shop.example/checkout?step=2", FinalURL: "https://shop.example/checkout?step=2", Phase: capture.PreConsent,
		Status: 200, Timing: &capture.Timing{Started: t0, Loaded: t0.Add(1250 * time.Millisecond)},
		Requests: []capture.Request{
			{URL: "https://shop.example/checkout?step=2", Method: "GET", ResourceType: "Document", Status: 200, MimeType: "text/html"},
			{URL: "https://www.googletagmanager.com/gtm.js?id=GTM-AB12CD", ResourceType: "Script", Status: 200, MimeType: "text/javascript",
				Initiator: "https://shop.example/checkout?step=2", InitiatorLine: 7},
			{URL: "https://www.facebook.com/tr/?id=1&ev=Lead&ud%5Bem%5D=abc&ud%5Bem%5D=def", ResourceType: "Image", Status: 200, MimeType: "image/gif",
				Initiator: "https://connect.facebook.net/en_US/fbevents.js", InitiatorLine: 24},
			{URL: "https://api.segment.io/v1/batch", Method: "POST", ResourceType: "XHR", PostData: `{"batch":[]}`, Failed: "net::ERR_CONNECTION_REFUSED"},
		},
		CookieWrites: []capture.CookieWrite{
			{Name: "fr", Domain: ".facebook.com", Host: "www.facebook.com", Path: "/", ExpiresDays: 90, Secure: true, HTTPOnly: true,
				Source: "header", SetBy: "https://www.facebook.com/tr/?id=1&ev=Lead&ud%5Bem%5D=abc&ud%5Bem%5D=def", Blocked: []string{"ThirdPartyPhaseout"}},
			{Name: "_ga", Host: "shop.example", Source: "script", SetBy: "https://www.googletagmanager.com/gtm.js?id=GTM-AB12CD"},
		}}
}

// validate checks a HAR file against the HAR 1.2 structure: every required
// member with its type, and entries whose time is the sum of their timings.
// It reads the JSON generically so that it does not trust the writer's
// own types.
func validate(raw []byte) error {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return err
	}
	log, ok := root["log"].(map[string]any)
	if !ok {
		return fmt.Errorf("no log object")
	}
	if log["version"] != "1.2" {
		return fmt.Errorf("version %v", log["version"])
	}
	if err := need(log, "creator", "object"); err != nil {
		return err
	}
	if err := need(log["creator"].(map[string]any), "name", "string", "version", "string"); err != nil {
		return fmt.Errorf("creator: %w", err)
	}
	if err := need(log, "entries", "array"); err != nil {
		return err
	}
	pageIDs := map[string]bool{}
	pages, _ := log["pages"].([]any)
	for _, p := range pages {
		pm := p.(map[string]any)
		if err := need(pm, "startedDateTime", "date", "id", "string", "title", "string", "pageTimings", "object"); err != nil {
			return fmt.Errorf("page: %w", err)
		}
		pageIDs[pm["id"].(string)] = true
		for _, k := range []string{"onContentLoad", "onLoad"} {
			if v, ok := pm["pageTimings"].(map[string]any)[k]; ok && v.(float64) < -1 {
				return fmt.Errorf("pageTimings.%s = %v", k, v)
			}
		}
	}
	for i, e := range log["entries"].([]any) {
		em := e.(map[string]any)
		if err := need(em, "startedDateTime", "date", "time", "number", "request", "object", "response", "object",
			"cache", "object", "timings", "object"); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if ref, ok := em["pageref"].(string); ok && !pageIDs[ref] {
			return fmt.Errorf("entry %d: pageref %q names no page", i, ref)
		}
		req := em["request"].(map[string]any)
		if err := need(req, "method", "string", "url", "string", "httpVersion", "string", "cookies", "array", "headers", "array",
			"queryString", "array", "headersSize", "number", "bodySize", "number"); err != nil {
			return fmt.Errorf("entry %d request: %w", i, err)
		}
		if pd, ok := req["postData"].(map[string]any); ok {
			if err := need(pd, "mimeType", "string", "text", "string"); err != nil {
				return fmt.Errorf("entry %d postData: %w", i, err)
			}
		}
		resp := em["response"].(map[string]any)
		if err := need(resp, "status", "number", "statusText", "string", "httpVersion", "string", "cookies", "array",
			"headers", "array", "content", "object", "redirectURL", "string", "headersSize", "number", "bodySize", "number"); err != nil {
			return fmt.Errorf("entry %d response: %w", i, err)
		}
		if err := need(resp["content"].(map[string]any), "size", "number", "mimeType", "string"); err != nil {
			return fmt.Errorf("entry %d content: %w", i, err)
		}
		for _, c := range append(req["cookies"].([]any), resp["cookies"].([]any)...) {
			if err := need(c.(map[string]any), "name", "string", "value", "string"); err != nil {
				return fmt.Errorf("entry %d cookie: %w", i, err)
			}
		}
		tm := em["timings"].(map[string]any)
		if err := need(tm, "send", "number", "wait", "number", "receive", "number"); err != nil {
			return fmt.Errorf("entry %d timings: %w", i, err)
		}
		sum := 0.0
		for _, k := range []string{"send", "wait", "receive"} {
			if tm[k].(float64) < 0 {
				return fmt.Errorf("entry %d: timings.%s is negative", i, k)
			}
			sum += tm[k].(float64)
		}
		for _, k := range []string{"blocked", "dns", "connect", "ssl"} {
			v, ok := tm[k].(float64)
			if ok && v < -1 {
				return fmt.Errorf("entry %d: timings.%s = %v", i, k, v)
			}
			if ok && v > 0 && k != "ssl" { // ssl is part of connect
				sum += v
			}
		}
		if em["time"].(float64) != sum {
			return fmt.Errorf("entry %d: time %v is not the sum of its timings %v", i, em["time"], sum)
		}
	}
	return nil
}

func need(m map[string]any, pairs ...string) error {
	for i := 0; i < len(pairs); i += 2 {
		k, typ := pairs[i], pairs[i+1]
		v, ok := m[k]
		if !ok {
			return fmt.Errorf("missing %q", k)
		}
		good := false
		switch typ {
		case "string":
			_, good = v.(string)
		case "number":
			_, good = v.(float64)
		case "object":
			_, good = v.(map[string]any)
		case "array":
			_, good = v.([]any)
		case "date":
			s, isStr := v.(string)
			_, err := time.Parse(time.RFC3339Nano, s)
			good = isStr && err == nil
		}
		if !good {
			return fmt.Errorf("%q is not a %s: %v", k, typ, v)
		}
	}
	return nil
}

func TestHARValidates(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, Build(samplePage(), "test")); err != nil {
		t.Fatal(err)
	}
	if err := validate(buf.Bytes()); err != nil {
		t.Fatalf("HAR does not validate: %v\n%s", err, buf.String())
	}
	// The validator must reject something, or passing proves nothing.
	for _, bad := range []string{
		`{"log":{"version":"1.1","creator":{"name":"x","version":"1"},"entries":[]}}`,
		strings.Replace(buf.String(), `"time": 0`, `"time": 5`, 1),
		strings.Replace(buf.String(), `"queryString"`, `"query"`, 1),
		strings.Replace(buf.String(), `"pageref": "page_1"`, `"pageref": "page_9"`, 1),
	} {
		if validate([]byte(bad)) == nil {
			t.Errorf("validator accepted a broken HAR:\n%.300s", bad)
		}
	}
}

func TestHARContent(t *testing.T) {
	l := Build(samplePage(), "test")
	if len(l.Entries) != 4 || l.Pages[0].PageTimings.OnLoad != 1250 {
		t.Fatalf("entries %d, onLoad %v", len(l.Entries), l.Pages[0].PageTimings.OnLoad)
	}
	gtm := l.Entries[1]
	if gtm.Initiator == nil || gtm.Initiator.Type != "parser" || *gtm.Initiator.LineNumber != 6 {
		t.Errorf("gtm initiator = %+v, want parser at 0-based line 6", gtm.Initiator)
	}
	px := l.Entries[2]
	q := fmt.Sprint(px.Request.QueryString)
	if q != "[{id 1} {ev Lead} {ud[em] abc} {ud[em] def}]" {
		t.Errorf("query = %s, want every pair in order, repeated names kept", q)
	}
	if len(px.Response.Cookies) != 1 || px.Response.Cookies[0].Name != "fr" || px.Response.Cookies[0].Value != "" ||
		px.Response.Cookies[0].Expires != "2026-08-02T10:00:00Z" || !strings.Contains(px.Response.Cookies[0].Comment, "ThirdPartyPhaseout") {
		t.Errorf("pixel cookies = %+v", px.Response.Cookies)
	}
	seg := l.Entries[3]
	if seg.Request.PostData == nil || seg.Request.PostData.MimeType != "application/json" || seg.Error == "" || seg.Response.Status != 0 {
		t.Errorf("segment entry = %+v", seg)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := samplePage()
	path, err := WriteFile(dir, p, "test")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir || !strings.HasSuffix(path, "_pre-consent.har") || !strings.HasPrefix(filepath.Base(path), "shop.example_checkout_") {
		t.Errorf("path = %s", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(raw); err != nil {
		t.Error(err)
	}
	// Another phase and another query are other files; the same page is the same name.
	other := FileName("https://shop.example/checkout?step=3", capture.PreConsent)
	if other == filepath.Base(path) || FileName(p.URL, capture.AfterAccept) == filepath.Base(path) ||
		FileName(p.URL, p.Phase) != filepath.Base(path) {
		t.Error("file names do not tell pages and phases apart")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
