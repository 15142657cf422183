// Package mailbox loads emails for the scanner: .eml (MIME), .html/.htm
// templates, .mbox files, directories and stdin. It only reads; the
// detectors in detectors/email decide what is tracking.
package mailbox

import (
	"maps"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
)

// Message is one email ready for analysis.
type Message struct {
	// File names the input: a path, "-" for stdin, or "path#N" for the
	// N-th message (1-based) of an mbox.
	File   string
	HTML   string
	Text   string
	Header Header
	// Warnings are problems the message was read despite, such as an
	// unknown transfer encoding read as 8bit, as mail clients read it.
	Warnings []string
}

// Header holds the headers the scanner reads. Values are decoded (RFC 2047).
type Header struct {
	From            string // address only, e.g. news@shop.example
	To              string // first recipient address
	Subject         string
	XMailer         string
	FeedbackID      string
	ListUnsubscribe string
	ReturnPath      string   // address only
	DKIMDomains     []string // d= of every DKIM-Signature, lower-cased
	// All keeps every header by canonical name, for ESP header patterns.
	All map[string][]string
}

// Get returns the first value of a header, by any capitalisation.
func (h Header) Get(name string) string {
	if v := h.All[textproto.CanonicalMIMEHeaderKey(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Names returns the header names present, sorted.
func (h Header) Names() []string {
	names := slices.Sorted(maps.Keys(h.All))
	return names
}

// newHeader fills the named fields from all headers.
func newHeader(all map[string][]string) Header {
	h := Header{All: all}
	h.From = firstAddress(h.Get("From"))
	h.To = firstAddress(h.Get("To"))
	h.Subject = strings.TrimSpace(h.Get("Subject"))
	h.XMailer = strings.TrimSpace(h.Get("X-Mailer"))
	h.FeedbackID = strings.TrimSpace(h.Get("Feedback-Id"))
	h.ListUnsubscribe = strings.TrimSpace(h.Get("List-Unsubscribe"))
	h.ReturnPath = firstAddress(h.Get("Return-Path"))
	for _, sig := range all["Dkim-Signature"] {
		if d := dkimDomain(sig); d != "" {
			h.DKIMDomains = append(h.DKIMDomains, d)
		}
	}
	return h
}

// firstAddress extracts the bare address of the first mailbox in a header
// value; broken values fall back to the text between <> or the trimmed value.
func firstAddress(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if list, err := mail.ParseAddressList(v); err == nil && len(list) > 0 {
		return strings.ToLower(list[0].Address)
	}
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return strings.ToLower(strings.TrimSpace(v[i+1 : i+j]))
		}
	}
	if strings.Contains(v, "@") && !strings.ContainsAny(v, " \t,") {
		return strings.ToLower(v)
	}
	return ""
}

// dkimDomain returns the d= tag of a DKIM-Signature value.
func dkimDomain(sig string) string {
	for _, tag := range strings.Split(sig, ";") {
		k, v, ok := strings.Cut(tag, "=")
		if ok && strings.TrimSpace(k) == "d" {
			return strings.ToLower(strings.Join(strings.Fields(v), ""))
		}
	}
	return ""
}
