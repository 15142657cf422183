package mailbox

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fixtures = "../../testdata/email"

func TestParseRecognisesInputs(t *testing.T) {
	eml := "From: a@shop.example\r\nTo: b@example.com\r\nSubject: Hi\r\nContent-Type: text/html\r\n\r\n<p>x</p>"
	tests := []struct {
		name, data string
		html, text string
	}{
		{"t.html", "<p>x</p>", "<p>x</p>", ""},
		{"t.htm", "Subject: looks like a header but is named .htm", "Subject: looks like a header but is named .htm", ""},
		{"t.eml", eml, "<p>x</p>", ""},
		{"-", eml, "<p>x</p>", ""}, // stdin: headers sniffed
		{"-", "\ufeff<!DOCTYPE html><p>x</p>", "\ufeff<!DOCTYPE html><p>x</p>", ""}, // stdin: HTML
		{"noext", "From: a@shop.example\nContent-Type: text/plain\n\nhello", "", "hello"},
	}
	for _, tt := range tests {
		rs := Parse(tt.name, []byte(tt.data))
		if len(rs) != 1 || rs[0].Err != nil || rs[0].Msg == nil {
			t.Fatalf("%s: %+v", tt.name, rs)
		}
		if m := rs[0].Msg; m.HTML != tt.html || strings.TrimSpace(m.Text) != tt.text || m.File != tt.name {
			t.Errorf("%s: html %q text %q file %q", tt.name, m.HTML, m.Text, m.File)
		}
	}
}

func TestHeaders(t *testing.T) {
	rs := ReadFile(filepath.Join(fixtures, "mailchimp.eml"), nil, Options{})
	h := rs[0].Msg.Header
	if h.From != "news@shop.example" || h.To != "jane.doe@example.com" {
		t.Errorf("From %q To %q", h.From, h.To)
	}
	if h.Subject != "Spring sale – 30% off" {
		t.Errorf("Subject %q: RFC 2047 not decoded", h.Subject)
	}
	if !reflect.DeepEqual(h.DKIMDomains, []string{"mcsv.net", "shop.example"}) {
		t.Errorf("DKIM d= %v", h.DKIMDomains)
	}
	if !strings.HasSuffix(h.ReturnPath, "@mail12.atl91.mcsv.net") {
		t.Errorf("Return-Path %q", h.ReturnPath)
	}
	if !strings.Contains(h.ListUnsubscribe, "list-manage.com/unsubscribe") || h.Get("x-campaign") == "" {
		t.Errorf("List-Unsubscribe %q X-Campaign %q", h.ListUnsubscribe, h.Get("x-campaign"))
	}
	ses := ReadFile(filepath.Join(fixtures, "amazon-ses.eml"), nil, Options{})[0].Msg.Header
	if !strings.HasSuffix(ses.FeedbackID, ":AmazonSES") {
		t.Errorf("Feedback-ID %q", ses.FeedbackID)
	}
}

func TestCharsetsAndTransferEncodings(t *testing.T) {
	for file, want := range map[string]string{
		"latin1-constant-contact.eml": "<p>Grüße</p>",              // quoted-printable, ISO-8859-1
		"mailgun-branded.eml":         "email.mg.brand.example/o/", // base64
		"mailchimp.eml":               `width="180"`,               // soft line breaks joined
	} {
		rs := ReadFile(filepath.Join(fixtures, file), nil, Options{})
		if rs[0].Err != nil || !strings.Contains(rs[0].Msg.HTML, want) {
			t.Errorf("%s: err %v, HTML lacks %q: %q", file, rs[0].Err, want, rs[0].Msg.HTML)
		}
	}
}

func TestMbox(t *testing.T) {
	rs := ReadFile(filepath.Join(fixtures, "newsletter.mbox"), nil, Options{})
	if len(rs) != 2 {
		t.Fatalf("%d messages, want 2", len(rs))
	}
	if !strings.HasSuffix(rs[0].File, "newsletter.mbox#1") || rs[1].Msg.Header.Subject != "February" {
		t.Errorf("files %q %q", rs[0].File, rs[1].File)
	}
	if !strings.Contains(rs[0].Msg.HTML, "\nFrom the editor") {
		t.Errorf(">From not unquoted: %q", rs[0].Msg.HTML)
	}
}

func TestBadInputs(t *testing.T) {
	big := func() []byte {
		var b bytes.Buffer
		b.WriteString("From: a@shop.example\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n")
		b.WriteString("--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		line := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, 57)) + "\r\n"
		for b.Len() < 50<<20*4/3 {
			b.WriteString(line)
		}
		b.WriteString("--x--\r\n")
		return b.Bytes()
	}
	tests := []struct {
		name, file string
		data       []byte
		want       string
		partial    bool // the message is still returned
	}{
		{"empty", "e.eml", nil, "empty file", false},
		{"blank", "e.html", []byte(" \n\t\n"), "empty file", false},
		{"binary", "b.eml", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00"), "binary file", false},
		{"binary png", "p.html", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), "binary file", false},
		{"no headers", "n.eml", []byte("just some words\n\nand more"), "malformed MIME", false},
		{"missing boundary param", "m.eml", []byte("From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nhello"), "malformed MIME", false},
		{"truncated", "truncated.eml", mustRead(t, "bad/truncated.eml"), "truncated or malformed MIME", true},
		{"unknown charset", "c.eml", mustRead(t, "bad/unknown-charset.eml"), `unknown charset "x-klingon-8"`, true},
		{"bad base64", "b64.eml", []byte("From: a@b.example\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!$$$$"), "malformed base64", true},
		{"50 MB attachment", "big.eml", big(), "larger than the 32 MB limit", false},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			rs := ReadFile(path, nil, Options{})
			if len(rs) != 1 || rs[0].Err == nil {
				t.Fatalf("want one error, got %+v", rs)
			}
			msg := rs[0].Err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line containing %q", msg, tt.want)
			}
			if strings.Count(msg, "x-klingon-8") > 1 {
				t.Errorf("error %q says the same thing twice", msg)
			}
			if (rs[0].Msg != nil) != tt.partial {
				t.Errorf("message returned = %v, want %v", rs[0].Msg != nil, tt.partial)
			}
		})
	}
	// Under a higher limit the 50 MB message parses and its HTML is found.
	rs := Parse("big.eml", big())
	if rs[0].Err != nil || !strings.Contains(rs[0].Msg.HTML, "<p>hi</p>") {
		t.Errorf("50 MB message: %v", rs[0].Err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStdin(t *testing.T) {
	rs := ReadFile("-", strings.NewReader("<img src=https://t.example/o.gif>"), Options{})
	if rs[0].Err != nil || rs[0].Msg.File != "-" || !strings.Contains(rs[0].Msg.HTML, "o.gif") {
		t.Errorf("%+v", rs[0])
	}
	if rs := ReadFile("-", nil, Options{}); rs[0].Err == nil {
		t.Error("no stdin: want an error")
	}
	if rs := ReadFile("-", strings.NewReader(strings.Repeat("x", 2<<20)), Options{MaxSize: 1 << 20}); rs[0].Err == nil {
		t.Error("oversized stdin: want an error")
	}
}

func TestFiles(t *testing.T) {
	files, err := Files([]string{filepath.Join(fixtures, "bad"), "-", filepath.Join(fixtures, "mautic.html")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(fixtures, "bad/truncated.eml"), filepath.Join(fixtures, "bad/unknown-charset.eml"),
		"-", filepath.Join(fixtures, "mautic.html")}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("Files = %v, want %v", files, want)
	}
	if _, err := Files([]string{"/nonexistent/x.eml"}); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("missing path: %v", err)
	}
	if rs := ReadFile("/nonexistent/x.eml", nil, Options{}); rs[0].Err == nil {
		t.Error("missing file: want an error")
	}
}

// Real spam in the wild: every file yields a message or a clean one-line
// error, and nothing panics.
func TestRealCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpora/phishing-pot-sample/*.eml")
	if len(files) == 0 {
		t.Skip("corpus not present")
	}
	read, failed := 0, 0
	for _, f := range files {
		for _, r := range ReadFile(f, nil, Options{}) {
			switch {
			case r.Msg == nil && r.Err == nil:
				t.Errorf("%s: neither message nor error", f)
			case r.Err != nil && strings.Contains(r.Err.Error(), "\n"):
				t.Errorf("%s: multi-line error %q", f, r.Err)
			case r.Msg != nil:
				read++
			default:
				failed++
			}
		}
	}
	t.Logf("%d files: %d read, %d failed cleanly", len(files), read, failed)
	if read < len(files)*9/10 {
		t.Errorf("only %d of %d real emails readable", read, len(files))
	}
}

func FuzzParseEML(f *testing.F) {
	for _, name := range []string{"mailchimp.eml", "mailgun-branded.eml", "latin1-constant-contact.eml",
		"bad/truncated.eml", "newsletter.mbox"} {
		if b, err := os.ReadFile(filepath.Join(fixtures, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"))
	f.Add([]byte("From \nFrom \n>From "))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"f.eml", "-", "f.mbox"} {
			for _, r := range Parse(name, data) {
				if r.Msg == nil && r.Err == nil {
					t.Fatal("neither message nor error")
				}
				if r.Err != nil && strings.Contains(r.Err.Error(), "\n") {
					t.Fatalf("multi-line error %q", r.Err)
				}
			}
		}
	})
}

// An unknown transfer encoding is read as 8bit, as mail clients show it,
// with a warning; it is not an error that makes a scan incomplete.
func TestUnknownTransferEncodingReadAs8bit(t *testing.T) {
	raw := "From: Shop <news@shop.example>\r\nTo: jane@example.com\r\nSubject: Sale\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSale to=\r\nday\r\n" +
		"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit+\r\n\r\n" +
		"<p>Caf\xc3\xa9 sale</p><img src=\"https://t.shop.example/o/8f2a9c71d4e6b3a05f1c.gif\" width=\"1\" height=\"1\">\r\n" +
		"--b1--\r\n"
	rs := Parse("sale.eml", []byte(raw))
	if len(rs) != 1 || rs[0].Err != nil || rs[0].Msg == nil {
		t.Fatalf("want a message and no error, got %+v", rs)
	}
	m := rs[0].Msg
	if !strings.Contains(m.HTML, "Café sale") || !strings.Contains(m.HTML, "t.shop.example/o/") {
		t.Errorf("HTML not read as 8bit: %q", m.HTML)
	}
	if m.Text != "Sale today\r\n" && m.Text != "Sale today" {
		t.Errorf("text part: %q", m.Text)
	}
	if len(m.Warnings) != 1 || m.Warnings[0] != `unknown Content-Transfer-Encoding "8bit+" read as 8bit` {
		t.Errorf("warnings %q", m.Warnings)
	}
	// A real problem in the same message is still an error.
	broken := strings.Replace(raw, "--b1--\r\n", "--b1\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla\r\n--b1--\r\n", 1)
	if rs := Parse("sale.eml", []byte(broken)); rs[0].Err == nil || len(rs[0].Msg.Warnings) != 1 {
		t.Errorf("unknown charset with the 8bit+ part: err %v, warnings %q", rs[0].Err, rs[0].Msg.Warnings)
	}
}

// The corpus message with "Content-Transfer-Encoding: 8bit+" is read.
func TestCorpus8bitPlus(t *testing.T) {
	f := "../../../shared/corpora/phishing-pot-sample/sample-6472.eml"
	if _, err := os.Stat(f); err != nil {
		t.Skip("corpus not present")
	}
	rs := ReadFile(f, nil, Options{})
	if len(rs) != 1 || rs[0].Err != nil || rs[0].Msg == nil {
		t.Fatalf("want a message and no error, got %+v", rs)
	}
	if !strings.Contains(rs[0].Msg.HTML, "storage.googleapis.com") || len(rs[0].Msg.Warnings) != 1 {
		t.Errorf("HTML %d bytes, warnings %q", len(rs[0].Msg.HTML), rs[0].Msg.Warnings)
	}
}
