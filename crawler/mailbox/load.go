package mailbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

// DefaultMaxSize bounds one input file. Mail systems rarely accept more
// than 25-50 MB; a bigger file is refused rather than held in memory.
const DefaultMaxSize = 32 << 20

// Options tune loading.
type Options struct {
	MaxSize int64 // bytes per input file; 0 means DefaultMaxSize
}

func (o Options) maxSize() int64 {
	if o.MaxSize > 0 {
		return o.MaxSize
	}
	return DefaultMaxSize
}

// Result is one loaded message, or why it could not be loaded. Msg may be
// set together with Err when the message was only partly readable.
type Result struct {
	File string
	Msg  *Message
	Err  error
}

// Extensions the directory walk picks up.
var scanExt = map[string]bool{".eml": true, ".html": true, ".htm": true, ".mbox": true}

// Files expands the arguments: directories recursively (in lexical order,
// only .eml/.html/.htm/.mbox), files and "-" as given.
func Files(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", a, unwrapPathErr(err))
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && scanExt[strings.ToLower(filepath.Ext(p))] {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cannot walk %s: %w", a, unwrapPathErr(err))
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadFile loads one input: a path or "-" (read from stdin). An mbox yields
// one Result per message; everything else yields exactly one.
func ReadFile(path string, stdin io.Reader, opt Options) []Result {
	var r io.Reader
	if path == "-" {
		if stdin == nil {
			return []Result{{File: path, Err: errors.New("no standard input")}}
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return []Result{{File: path, Err: fmt.Errorf("cannot open: %w", unwrapPathErr(err))}}
		}
		defer f.Close()
		r = f
	}
	max := opt.maxSize()
	// A regular file's size is known: refuse a huge one without reading it,
	// and read the rest into one buffer of the right size.
	size := int64(64 << 10)
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > max {
				return []Result{{File: path, Err: fmt.Errorf("larger than the %d MB limit (--max-size)", max>>20)}}
			}
			size = st.Size()
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return []Result{{File: path, Err: fmt.Errorf("cannot read: %w", unwrapPathErr(err))}}
	}
	data := buf.Bytes()
	if int64(len(data)) > max {
		return []Result{{File: path, Err: fmt.Errorf("larger than the %d MB limit (--max-size)", max>>20)}}
	}
	return Parse(path, data)
}

// Parse recognises the input by its name (extension) or, failing that, by
// its content, and parses it.
func Parse(name string, data []byte) []Result {
	if len(bytes.TrimSpace(data)) == 0 {
		return []Result{{File: name, Err: errors.New("empty file")}}
	}
	if isBinary(data) {
		return []Result{{File: name, Err: errors.New("binary file, not an email or HTML")}}
	}
	switch kindOf(name, data) {
	case "mbox":
		msgs := SplitMbox(data)
		out := make([]Result, 0, len(msgs))
		for i, m := range msgs {
			file := fmt.Sprintf("%s#%d", name, i+1)
			msg, err := ParseEML(file, m)
			out = append(out, Result{File: file, Msg: msg, Err: err})
		}
		if len(out) == 0 {
			return []Result{{File: name, Err: errors.New("mbox holds no message")}}
		}
		return out
	case "html":
		return []Result{{File: name, Msg: ParseHTML(name, data)}}
	}
	msg, err := ParseEML(name, data)
	return []Result{{File: name, Msg: msg, Err: err}}
}

func kindOf(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm":
		return "html"
	case ".mbox":
		return "mbox"
	case ".eml":
		return "eml"
	}
	head := bytes.TrimLeft(data[:min(len(data), 1024)], "\ufeff \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("From ")):
		return "mbox"
	case looksLikeHeader(head):
		return "eml"
	}
	return "html"
}

// looksLikeHeader: the first line is "Name: value" with an RFC 5322 field name.
func looksLikeHeader(b []byte) bool {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// isBinary: a NUL byte, or many control characters, in the first 8 KB.
// Mail may carry 8-bit text in legacy charsets, so invalid UTF-8 alone
// does not count.
func isBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctl++
		}
	}
	return ctl*20 > len(head)
}

// SplitMbox splits an mbox (mboxo/mboxrd) on its "From " separator lines.
func SplitMbox(data []byte) [][]byte {
	var out [][]byte
	var cur []byte
	started := false
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		full := data[:len(data)-len(rest)]
		data = rest
		if bytes.HasPrefix(line, []byte("From ")) {
			if started && len(bytes.TrimSpace(cur)) > 0 {
				out = append(out, cur)
			}
			cur, started = nil, true
			continue
		}
		if !started {
			started = true // tolerate a missing first separator
		}
		// mboxrd quotes body lines that start with "From " as ">From ".
		if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) && line[0] == '>' {
			full = full[1:]
		}
		cur = append(cur, full...)
	}
	if len(bytes.TrimSpace(cur)) > 0 {
		out = append(out, cur)
	}
	return out
}

// ParseHTML wraps an HTML template (no headers) as a message.
func ParseHTML(name string, data []byte) *Message {
	s := string(data)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return &Message{File: name, HTML: s, Header: Header{All: map[string][]string{}}}
}

// The declared charset is trusted, as mail clients do; detection only runs
// for parts that declare none (and is a quarter of the parse time).
var parser = enmime.NewParser(enmime.DisableTextConversion(true), enmime.DisableCharacterDetection(true),
	enmime.MaxStoredPartErrors(20))

// mimeProblems are the enmime problems that mean part of the message was
// lost or misread; the rest (no text part, a charset label mismatch) are
// ordinary in real mail.
var mimeProblems = map[string]string{
	enmime.ErrorMissingBoundary:    "truncated or malformed MIME",
	enmime.ErrorCharsetConversion:  "unknown charset",
	enmime.ErrorMalformedBase64:    "malformed base64",
	enmime.ErrorContentEncoding:    "bad content encoding",
	enmime.ErrorMalformedChildPart: "malformed MIME part",
}

// ParseEML parses a MIME message. When the message is readable only in part,
// both the message and an error describing the first problem are returned.
func ParseEML(name string, data []byte) (*Message, error) {
	// An mbox separator line left at the top is not a header.
	if bytes.HasPrefix(data, []byte("From ")) {
		if _, rest, ok := bytes.Cut(data, []byte("\n")); ok {
			data = rest
		}
	}
	env, err := parser.ReadEnvelope(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("malformed MIME: %s", oneLine(err.Error()))
	}
	all := map[string][]string{}
	for _, k := range env.GetHeaderKeys() {
		all[k] = env.GetHeaderValues(k)
	}
	if len(all) == 0 {
		return nil, errors.New("not an email: no headers")
	}
	msg := &Message{File: name, HTML: env.HTML, Text: env.Text, Header: newHeader(all)}
	var firstErr error
	for _, p := range env.Errors {
		// enmime keeps the bytes of a part whose transfer encoding it does
		// not know ("8bit+", "utf-8"): that is reading it as 8bit, which
		// is what mail clients show. Worth a warning, not a failure.
		if p.Name == enmime.ErrorContentEncoding && strings.HasPrefix(p.Detail, "Unrecognized Content-Transfer-Encoding") {
			enc, _ := quoted(p.Detail)
			w := fmt.Sprintf("unknown Content-Transfer-Encoding %q read as 8bit", enc)
			if !slices.Contains(msg.Warnings, w) {
				msg.Warnings = append(msg.Warnings, w)
			}
			continue
		}
		if firstErr != nil {
			continue
		}
		what, ok := mimeProblems[p.Name]
		if !ok && !p.Severe {
			continue
		}
		if what == "" {
			what = strings.ToLower(p.Name)
		}
		if p.Name == enmime.ErrorCharsetConversion {
			// enmime's detail names the charset twice in two clauses; one is enough.
			if cs, ok := quoted(p.Detail); ok {
				firstErr = fmt.Errorf("%s %q", what, cs)
				continue
			}
		}
		firstErr = fmt.Errorf("%s: %s", what, oneLine(p.Detail))
	}
	return msg, firstErr
}

// quoted returns the first double-quoted string in s.
func quoted(s string) (string, bool) {
	_, rest, ok := strings.Cut(s, `"`)
	if !ok {
		return "", false
	}
	q, _, ok := strings.Cut(rest, `"`)
	return q, ok && q != ""
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
