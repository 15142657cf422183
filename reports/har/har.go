// Package har writes what was captured of one page in one phase as a HAR
// 1.2 file (http://www.softwareishard.com/blog/har-12-spec/), the format a
// browser's developer tools import, so a reviewer can open the evidence.
//
// The capture keeps no headers, bodies of responses or per-request times,
// so those are left empty or unknown as the spec allows: sizes are -1,
// the optional timings (blocked, dns, connect, ssl) are -1 and the
// required ones (send, wait, receive) are 0, which keeps every entry's
// time equal to the sum of its timings. Cookie values are never kept by
// the capture, so they are empty here too.
package har

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

// Log is the root of a HAR file ({"log": …}).
type Log struct {
	Version string  `json:"version"`
	Creator Creator `json:"creator"`
	Pages   []Page  `json:"pages"`
	Entries []Entry `json:"entries"`
	Comment string  `json:"comment,omitempty"`
}

// Creator names the tool that wrote the file.
type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Page is the page of a HAR log.
type Page struct {
	StartedDateTime string      `json:"startedDateTime"`
	ID              string      `json:"id"`
	Title           string      `json:"title"`
	PageTimings     PageTimings `json:"pageTimings"`
	Comment         string      `json:"comment,omitempty"`
}

// PageTimings are milliseconds from the page's start; -1 when unknown.
type PageTimings struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
}

// Entry is one request and its response.
type Entry struct {
	PageRef         string   `json:"pageref"`
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         Timings  `json:"timings"`
	// Chromium's own extensions, which devtools reads back.
	ResourceType string     `json:"_resourceType,omitempty"`
	Initiator    *Initiator `json:"_initiator,omitempty"`
	Error        string     `json:"_error,omitempty"`
}

// Initiator is what caused a request, as Chromium's devtools write it.
type Initiator struct {
	Type       string `json:"type"` // "parser", "script" or "other"
	URL        string `json:"url,omitempty"`
	LineNumber *int   `json:"lineNumber,omitempty"` // 0-based, as Chromium writes it
}

// Request is the request of an entry.
type Request struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []Cookie    `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	QueryString []NameValue `json:"queryString"`
	PostData    *PostData   `json:"postData,omitempty"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
}

// Response is the response of an entry.
type Response struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []Cookie    `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	Content     Content     `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
}

// NameValue is a header or a query parameter.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cookie is a cookie a response set (its value is never kept).
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// PostData is a request body.
type PostData struct {
	MimeType string      `json:"mimeType"`
	Params   []NameValue `json:"params"`
	Text     string      `json:"text"`
}

// Content is what a response carried; the capture keeps no bodies.
type Content struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Comment  string `json:"comment,omitempty"`
}

// Timings are the phases of a request in milliseconds.
type Timings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

type file struct {
	Log Log `json:"log"`
}

// Build turns one captured page into a HAR log.
func Build(p *capture.Page, toolVersion string) Log {
	started := time.Time{}
	onLoad := -1.0
	if p.Timing != nil {
		started = p.Timing.Started
		if !p.Timing.Loaded.IsZero() && !started.IsZero() {
			onLoad = float64(p.Timing.Loaded.Sub(started).Milliseconds())
		}
	}
	start := started.UTC().Format(time.RFC3339Nano)
	pageID := "page_1"
	title := p.FinalURL
	if title == "" {
		title = p.URL
	}
	log := Log{
		Version: "1.2",
		Creator: Creator{Name: "trackscan", Version: toolVersion},
		Pages: []Page{{StartedDateTime: start, ID: pageID, Title: title,
			PageTimings: PageTimings{OnContentLoad: -1, OnLoad: onLoad},
			Comment:     "consent phase: " + string(p.Phase)}},
		Entries: []Entry{},
		Comment: "captured by trackscan; request times, headers and response bodies are not recorded, so they are 0, -1 or empty",
	}
	if p.Error != "" {
		log.Pages[0].Comment += "; capture error: " + p.Error
	}
	cookies := map[string][]Cookie{}
	for _, w := range p.CookieWrites {
		if w.Source != "header" || w.SetBy == "" {
			continue
		}
		c := Cookie{Name: w.Name, Path: w.Path, Domain: w.Domain, HTTPOnly: w.HTTPOnly, Secure: w.Secure}
		if w.ExpiresDays >= 0 && !started.IsZero() {
			c.Expires = started.Add(time.Duration(w.ExpiresDays * float64(24*time.Hour))).UTC().Format(time.RFC3339)
		}
		if len(w.Blocked) > 0 {
			c.Comment = "blocked: " + strings.Join(w.Blocked, ", ")
		}
		cookies[w.SetBy] = append(cookies[w.SetBy], c)
	}
	for _, r := range p.Requests {
		e := Entry{PageRef: pageID, StartedDateTime: start, ResourceType: strings.ToLower(r.ResourceType),
			Timings: Timings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1}}
		method := r.Method
		if method == "" {
			method = "GET"
		}
		e.Request = Request{Method: method, URL: r.URL, HTTPVersion: "", Cookies: []Cookie{}, Headers: []NameValue{},
			QueryString: query(r.URL), HeadersSize: -1, BodySize: -1}
		if r.PostData != "" {
			e.Request.PostData = &PostData{MimeType: postMime(r.PostData), Params: []NameValue{}, Text: r.PostData}
			e.Request.BodySize = len(r.PostData)
		}
		e.Response = Response{Status: r.Status, StatusText: "", HTTPVersion: "", Cookies: cookies[r.URL],
			Headers: []NameValue{}, Content: Content{Size: 0, MimeType: r.MimeType, Comment: "body not recorded"},
			HeadersSize: -1, BodySize: -1}
		if e.Response.Cookies == nil {
			e.Response.Cookies = []Cookie{}
		}
		if r.Failed != "" {
			e.Error = r.Failed
			e.Response.StatusText = r.Failed
		}
		if r.Initiator != "" {
			e.Initiator = &Initiator{Type: "script", URL: r.Initiator}
			if r.Initiator == title {
				e.Initiator.Type = "parser"
			}
			if r.InitiatorLine > 0 {
				line := r.InitiatorLine - 1
				e.Initiator.LineNumber = &line
			}
		} else {
			e.Initiator = &Initiator{Type: "other"}
		}
		e.Time = e.Timings.Send + e.Timings.Wait + e.Timings.Receive
		log.Entries = append(log.Entries, e)
	}
	return log
}

func query(raw string) []NameValue {
	out := []NameValue{}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	// In the order sent: url.Values would sort and merge repeated names.
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, NameValue{Name: k, Value: v})
	}
	return out
}

// postMime guesses a body's type from its shape: the capture does not keep
// the Content-Type header.
func postMime(body string) string {
	switch t := strings.TrimSpace(body); {
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		return "application/json"
	case strings.Contains(t, "=") && !strings.ContainsAny(t, " \n"):
		return "application/x-www-form-urlencoded"
	}
	return "text/plain"
}

// Write writes a HAR log as indented JSON.
func Write(w io.Writer, l Log) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(file{Log: l})
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName is the file a page and phase is written to: readable (host,
// path, phase) and unique (a hash of the URL), the same on every run.
func FileName(pageURL string, phase capture.Phase) string {
	name := pageURL
	if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
		name = u.Host + u.Path
	}
	name = strings.Trim(unsafeChars.ReplaceAllString(name, "_"), "_")
	if len(name) > 80 {
		name = name[:80]
	}
	sum := sha256.Sum256([]byte(pageURL))
	return fmt.Sprintf("%s_%s_%s.har", name, hex.EncodeToString(sum[:4]), phase)
}

// WriteFile writes one page's HAR into dir and returns its path.
func WriteFile(dir string, p *capture.Page, toolVersion string) (string, error) {
	path := filepath.Join(dir, FileName(p.URL, p.Phase))
	tmp, err := os.CreateTemp(dir, ".har-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := Write(tmp, Build(p, toolVersion)); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
