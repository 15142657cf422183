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
