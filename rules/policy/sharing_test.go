package policy

import (
	"reflect"
	"testing"
)

// TestSharingForAdvertising: under the CPRA wording, "we don't share it for
// cross-context behavioral advertising" denies sharing for that purpose; it
// does not deny that advertising exists. Affirmations are left as they were.
func TestSharingForAdvertising(t *testing.T) {
	type decl struct {
		practice Practice
		polarity Polarity
		scope    string
	}
	tests := []struct {
		text string
		want []decl // every advertising and third-party-sharing declaration
	}{
		{"We don't sell your personal information, and we don't share it for cross-context behavioral advertising.",
			[]decl{{ThirdPartySharing, Denied, ScopeAdvertising}}},
		{"We do not sell or share personal information for cross-context behavioural advertising.",
			[]decl{{ThirdPartySharing, Denied, ScopeAdvertising}}},
		{"We never share your data with third parties for the purposes of targeted advertising.",
			[]decl{{ThirdPartySharing, Denied, ScopeAdvertising}}},
		{"We do not disclose your information for advertising purposes.",
			[]decl{{ThirdPartySharing, Denied, ScopeAdvertising}}},
		// Sharing for advertising affirmed: advertising happens too.
		{"We share device identifiers with partners for cross-context behavioral advertising.",
			[]decl{{Advertising, Affirmed, ""}, {ThirdPartySharing, Affirmed, ScopeAdvertising}}},
		// Denials of advertising itself stay denials.
		{"We do not use cookies for advertising purposes.", []decl{{Advertising, Denied, ""}}},
		{"We do not engage in cross-context behavioral advertising.", []decl{{Advertising, Denied, ""}}},
		{"We don't show ads, and we don't share your data for cross-context behavioral advertising.",
			[]decl{{Advertising, Denied, ""}, {ThirdPartySharing, Denied, ScopeAdvertising}}},
	}
	p := testParser(t)
	for _, tt := range tests {
		pol, err := p.Parse("p.txt", []byte(tt.text), FormatText)
		if err != nil {
			t.Fatal(err)
		}
		var got []decl
		for _, d := range pol.Declarations {
			if d.Practice == Advertising || d.Practice == ThirdPartySharing {
				got = append(got, decl{d.Practice, d.Polarity, d.Scope})
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q\n got %v\nwant %v", tt.text, got, tt.want)
		}
	}
}
