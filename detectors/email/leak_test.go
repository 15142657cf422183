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
	var b bytes.Buffer
	if err := WriteTable(&b, []detectors.Email{mc, lk, broken}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	rowOf := func(file string) []string {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, file) {
				var cells []string
				for _, c := range strings.Split(line, "│") {
					if c = strings.TrimSpace(c); c != "" {
						cells = append(cells, c)
					}
				}
				return cells
			}
		}
		t.Fatalf("no row for %s in\n%s", file, out)
		return nil
	}
	if got, want := rowOf("mailchimp.eml"), []string{"mailchimp.eml", "Mailchimp", "1", "2", "0", "0 (0)", "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("mailchimp row = %q, want %q", got, want)
	}
	if got, want := rowOf("leaks.html"), []string{"leaks.html", "-", "13", "2", "0", "15 (12)", "3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("leaks row = %q, want %q", got, want)
	}
	if got := rowOf("bad.eml"); len(got) < 2 || got[1] != "error: empty file" {
		t.Errorf("error row = %q", got)
	}
}
