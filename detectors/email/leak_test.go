package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trackscan/trackscan/detectors"
)

// The address inside a longer binary token (so the token as a whole does
// not decode to text) must be found at each of the three byte offsets, in
// both base64 alphabets, with and without padding.
func TestBase64AtEveryOffset(t *testing.T) {
	n := newNeedles("jane.doe@example.com")
	for prefix := 0; prefix < 9; prefix++ {
		for suffix := 0; suffix < 3; suffix++ {
			tok := append(bytes.Repeat([]byte{0xf3}, prefix), "jane.doe@example.com"...)
			tok = append(tok, bytes.Repeat([]byte{0x9e}, suffix)...)
			for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding,
				"url": base64.URLEncoding, "raw-url": base64.RawURLEncoding} {
				raw := "https://t.example/p/" + enc.EncodeToString(tok) + "/x"
				if got := n.leaksIn(raw); !reflect.DeepEqual(got, []string{"base64"}) {
					t.Errorf("prefix %d suffix %d %s: %v, want [base64]", prefix, suffix, name, got)
				}
			}
		}
	}
}

func TestLeakEncodings(t *testing.T) {
	addr := "jane.doe@example.com"
	sum := sha256.Sum256([]byte(addr))
	sha := hex.EncodeToString(sum[:])
	tests := []struct {
		name, url string
		want      []string
	}{
		{"plain in path", "https://t.example/u/jane.doe@example.com/o.gif", []string{"plain"}},
		{"plain upper case", "https://t.example/o?e=JANE.DOE@EXAMPLE.COM", []string{"plain"}},
		{"urlencoded", "https://t.example/o?e=jane.doe%40example.com", []string{"urlencoded"}},
		{"double urlencoded", "https://t.example/o?e=jane.doe%2540example.com", []string{"urlencoded"}},
		{"sha256 upper", "https://t.example/o?h=" + strings.ToUpper(sha), []string{"sha256"}},
		{"sha256 in base64 token", "https://t.example/o/" + base64.RawURLEncoding.EncodeToString([]byte(`{"h":"`+sha+`"}`)), []string{"base64+sha256"}},
		{"json in base64", "https://t.example/o?d=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(`{"email":"jane.doe@example.com"}`))), []string{"base64"}},
		{"other address", "https://t.example/o?e=john.doe@example.com", nil},
		{"prefix of address", "https://t.example/o?e=jane.doe@example.co", nil},
		{"no address", "https://t.example/o/9f8e7d6c5b4a39281706", nil},
	}
	n := newNeedles("  Jane.Doe@Example.com\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.leaksIn(tt.url); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("leaksIn(%s) = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}

func TestTableSummarisesPerEmail(t *testing.T) {
	mc := Analyze(load(t, "mailchimp.eml"), Options{})
	lk := Analyze(load(t, "leaks.html"), Options{Recipients: []string{"jane.doe@example.com"},
		FirstParty: []string{"shop.example"}})
	mc.File, lk.File = "mailchimp.eml", "leaks.html"
	broken := detectors.Email{File: "bad.eml", Error: "empty file"}
	header, rows := Summary([]detectors.Email{mc, lk, broken})
	if len(header) != 7 || len(rows) != 3 {
		t.Fatalf("header %q, %d rows", header, len(rows))
	}
	tests := []struct {
		name string
		row  []string
		want []string
	}{
		{"mailchimp", rows[0], []string{"mailchimp.eml", "Mailchimp", "1 (list-manage.com)",
			"2 (list-manage.com,\nshop.example)", "-", "-", "2"}},
		{"broken", rows[2], []string{"bad.eml", "error: empty file", "-", "-", "-", "-", "0"}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.row, tt.want) {
			t.Errorf("%s row = %q, want %q", tt.name, tt.row, tt.want)
		}
	}
	// leaks.html: 13 pixels on 4 hosts of 2 domains, leaks listed by
	// encoding and domain with third parties marked, and cut after three.
	lr := rows[1]
	if lr[2] != "13 (adnet.example,\nshop.example)" {
		t.Errorf("leak pixels cell %q", lr[2])
	}
	if !strings.Contains(lr[5], "base64 to shop.example") || !strings.Contains(lr[5], "(3rd party)") ||
		!strings.HasSuffix(lr[5], "more") {
		t.Errorf("leaks cell %q", lr[5])
	}
	var b bytes.Buffer
	if err := WriteTable(&b, []detectors.Email{mc, lk, broken}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mailchimp.eml", "error: empty file", "CSS TRACKERS"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// The marketer's table stays narrow: names relative to the directory the
// emails share, long names and errors cut, long host lists one per line.
func TestTableStaysNarrow(t *testing.T) {
	mc := Analyze(load(t, "mailchimp.eml"), Options{})
	mc.File = "campaigns/2026/spring/mailchimp.eml"
	long := detectors.Email{File: "campaigns/2026/spring/a-very-long-campaign-name-for-the-autumn-sale.eml",
		Error: `unknown charset "x-klingon-8" in a part that declares something long and unusual`}
	other := detectors.Email{File: "campaigns/2026/summer/welcome.eml"}
	_, rows := Summary([]detectors.Email{mc, long, other})
	tests := []struct {
		name, got, want string
	}{
		{"relative name", rows[0][0], "spring/mailchimp.eml"},
		{"long name keeps its end", rows[1][0], "…-name-for-the-autumn-sale.eml"},
		{"error cut", rows[1][1], `error: unknown charset "x…`},
		{"host list on lines", rows[0][3], "2 (list-manage.com,\nshop.example)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: cell %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	// A single email has no shared directory: its path is only cut.
	if _, rows := Summary([]detectors.Email{mc}); rows[0][0] != "…gns/2026/spring/mailchimp.eml" {
		t.Errorf("single email row %q", rows[0][0])
	}
	var b bytes.Buffer
	if err := WriteTable(&b, []detectors.Email{mc, long, other}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 160 {
			t.Errorf("line of %d columns:\n%s", n, line)
		}
	}
}
