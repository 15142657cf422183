package email

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/url"
	"strings"
)

// needle is one encoding of a recipient address to look for.
type needle struct {
	encoding string
	text     string
	fold     bool // compare case-insensitively (hex digests, plain text)
}

// addressNeedles lists every encoding the leak search tries for one
// address, in the order they are reported.
type addressNeedles struct {
	address string
	list    []needle
}

// newNeedles normalises the address (trimmed, lower-cased) and prepares
// its encodings.
func newNeedles(addr string) addressNeedles {
	a := strings.ToLower(strings.TrimSpace(addr))
	n := addressNeedles{address: a}
	n.list = append(n.list,
		needle{"plain", a, true},
		needle{"urlencoded", strings.ToLower(url.QueryEscape(a)), true},
	)
	for _, b := range base64Fragments(a) {
		n.list = append(n.list, needle{"base64", b, false})
	}
	n.list = append(n.list, needle{"hex", hex.EncodeToString([]byte(a)), true})
	for _, h := range []struct {
		name string
		fn   func() hash.Hash
	}{{"md5", md5.New}, {"sha1", sha1.New}, {"sha224", sha256.New224}, {"sha256", sha256.New},
		{"sha384", sha512.New384}, {"sha512", sha512.New}} {
		d := h.fn()
		d.Write([]byte(a))
		n.list = append(n.list, needle{h.name, hex.EncodeToString(d.Sum(nil)), true})
	}
	return n
}

// base64Fragments returns, for each of the three alignments the address can
// have inside a longer base64 token, the run of characters that depends on
// the address alone, in the standard and the URL-safe alphabet.
func base64Fragments(a string) []string {
	var out []string
	seen := map[string]bool{}
	for off := 0; off < 3; off++ {
		buf := append(make([]byte, off), a...)
		enc := base64.RawStdEncoding.EncodeToString(buf)
		// Leading characters mix in the unknown bytes before the address:
		// 0, 2 or 3 of them for offsets 0, 1, 2.
		skip := []int{0, 2, 3}[off]
		// A trailing partial group mixes in the unknown bytes after it.
		end := len(enc)
		if len(buf)%3 != 0 {
			end--
		}
		if end-skip < 8 {
			continue
		}
		frag := enc[skip:end]
		for _, f := range []string{frag, strings.NewReplacer("+", "-", "/", "_").Replace(frag)} {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// leaksIn returns the encodings of the address found in a URL: in the URL
// as written, its percent-decoded form, and every path segment and query
// value decoded as base64 (a token may wrap the address, e.g. JSON).
func (n addressNeedles) leaksIn(raw string) []string {
	texts := candidateTexts(raw)
	var found []string
	seen := map[string]bool{}
	for _, nd := range n.list {
		if seen[nd.encoding] {
			continue
		}
		for i, t := range texts {
			hay := t.text
			if nd.fold {
				hay = t.lower
			}
			if !strings.Contains(hay, nd.text) {
				continue
			}
			enc := nd.encoding
			switch {
			case t.decodedBase64 && (nd.encoding == "plain" || nd.encoding == "urlencoded"):
				enc = "base64"
			case t.decodedBase64 && nd.encoding != "base64":
				enc = "base64+" + nd.encoding
			case i > 0 && nd.encoding == "plain" && !t.decodedBase64:
				enc = "urlencoded" // only visible after percent-decoding
			}
			if !seen[enc] {
				seen[enc] = true
				found = append(found, enc)
			}
			seen[nd.encoding] = true
			break
		}
	}
	return found
}

type candidate struct {
	text, lower   string
	decodedBase64 bool
}

func candidateTexts(raw string) []candidate {
	out := []candidate{{text: raw, lower: strings.ToLower(raw)}}
	dec := raw
	for i := 0; i < 3; i++ { // double and triple encoding happen in redirect chains
		d, err := url.PathUnescape(strings.ReplaceAll(dec, "+", "%2B"))
		if err != nil || d == dec {
			break
		}
		dec = d
		out = append(out, candidate{text: dec, lower: strings.ToLower(dec)})
	}
	for _, tok := range tokensOf(dec) {
		if b, ok := decodeBase64(tok); ok {
			out = append(out, candidate{text: b, lower: strings.ToLower(b), decodedBase64: true})
		}
	}
	return out
}

// tokensOf splits a URL into path segments and query values.
func tokensOf(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '/' || r == '?' || r == '&' || r == '#' || r == ';'
	}) {
		out = append(out, part)
		if _, v, ok := strings.Cut(part, "="); ok && len(v) >= 8 {
			out = append(out, v)
		}
	}
	return out
}

// decodeBase64 decodes a token in any base64 flavour when the result is
// mostly printable text.
func decodeBase64(tok string) (string, bool) {
	t := strings.TrimRight(tok, "=")
	if len(t) < 8 {
		return "", false
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(t)
		if err != nil {
			continue
		}
		printable := 0
		for _, c := range b {
			if c >= 0x20 && c < 0x7f {
				printable++
			}
		}
		if printable*10 >= len(b)*8 {
			return string(b), true
		}
	}
	return "", false
}
