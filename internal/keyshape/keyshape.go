// Package keyshape tells keys and URL paths that differ only in an id
// apart from those that name different things: a storage key with a fresh
// random suffix per write (Mixpanel's __mplss_*), a session id in a beacon's
// path. The settle rule uses it to not count such writes as new work, the
// site detector to list such keys as one row.
package keyshape

import (
	"slices"
	"strings"
)

// Of replaces the id-like tokens of s (runs of letters and digits
// between separators) with "*", so that keys and paths that differ only in
// a random or counting id have one shape: an SDK writing a lock key with a
// fresh random suffix several times a second (Mixpanel's __mplss_*) starts
// no new work after the first.
func Of(s string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		if tok := s[start:end]; idLike(tok) {
			b.WriteByte('*')
		} else {
			b.WriteString(tok)
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isWordByte(c) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteByte(c)
	}
	flush(len(s))
	return b.String()
}

// idLike reports tokens that are ids rather than names: three or more
// digits, four or more hex digits with a decimal one among them (the
// parts of a UUID), or six or more characters with a digit among them.
func idLike(tok string) bool {
	digits, hex := 0, 0
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c >= '0' && c <= '9':
			digits++
			hex++
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			hex++
		}
	}
	switch {
	case digits == 0:
		return false
	case digits == len(tok):
		return digits >= 3
	case hex == len(tok):
		return len(tok) >= 4
	}
	return len(tok) >= 6
}

// FamilyOf is key with its last token replaced by "*" when a
// separator precedes it ("__mplss_iwqitwdx" -> "__mplss_*"): a random
// suffix without a digit still belongs to a family already seen.
func FamilyOf(key string) string {
	i := strings.LastIndexAny(key, "_-:.|/")
	if i < 0 || i == len(key)-1 {
		return ""
	}
	return key[:i+1] + "*"
}

// Common is the keys with the id-like tokens in which they differ replaced
// by "*" and the tokens they share kept ("__mprec_mixpanel_5e1f…_*-*-*-*-*:X"
// for keys that differ only in a UUID); keys of different token structure
// fall back to the shape of the first.
func Common(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	first := tokens(keys[0])
	out := slices.Clone(first)
	for _, k := range keys[1:] {
		t := tokens(k)
		if len(t) != len(first) {
			return Of(keys[0])
		}
		for i := range t {
			if t[i] == out[i] {
				continue
			}
			if !isWord(t[i]) || !isWord(first[i]) {
				return Of(keys[0]) // separators differ
			}
			out[i] = "*"
		}
	}
	return strings.Join(out, "")
}

// tokens splits s into runs of letters and digits and runs of other bytes.
func tokens(s string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isWordByte(s[i]) != isWordByte(s[start]) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}

func isWord(tok string) bool { return tok != "" && isWordByte(tok[0]) }

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
