package kb

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type stubResolver struct {
	answers map[string]string
	calls   int
}

func (s *stubResolver) LookupCNAME(_ context.Context, host string) (string, error) {
	s.calls++
	if t, ok := s.answers[host]; ok {
		return t, nil
	}
	return "", errors.New("no such host")
}

type hostList map[string]string

func (h hostList) Name() string { return "list.txt" }
func (h hostList) MatchRequest(u, _, _ string) (Match, bool) {
	for host, id := range h {
		if strings.Contains(u, "://"+host+"/") {
			return Match{Vendor: &Vendor{ID: id, Name: id}, Category: Advertising, Source: "list.txt:1 ||" + host + "^"}, true
		}
	}
	return Match{}, false
}

func TestMatchCNAME(t *testing.T) {
	r := &stubResolver{answers: map[string]string{
		"metrics.shop.example":  "shop.example.sc.omtrdc.net.",
		"smetrics.shop.example": "shop.example.cname.unknown-tracker.example.",
		"www.shop.example":      "shop.example.",
		"cdn.shop.example":      "d111.cloudfront.net.",
	}}
	k := Default().WithLists(hostList{"shop.example.cname.unknown-tracker.example": "unknown-tracker"})
	tests := []struct {
		host, wantVendor, wantSource string
		wantErr                      bool
	}{
		{"metrics.shop.example", "adobe-analytics", "trackscan (CNAME metrics.shop.example -> shop.example.sc.omtrdc.net)", false},
		{"smetrics.shop.example", "unknown-tracker", "list.txt:1 ||shop.example.cname.unknown-tracker.example^ (CNAME smetrics.shop.example -> shop.example.cname.unknown-tracker.example)", false},
		{"cdn.shop.example", "amazon-cloudfront", "trackscan (CNAME cdn.shop.example -> d111.cloudfront.net)", false},
		{"www.shop.example", "", "", false},
		{"static.hotjar.com", "", "", false}, // known directly: not a cloaking case
		{"nx.shop.example", "", "", true},
	}
	for _, tt := range tests {
		m, ok, err := k.MatchCNAME(context.Background(), r, tt.host)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.host, err, tt.wantErr)
		}
		if tt.wantVendor == "" {
			if ok {
				t.Errorf("%s: matched %s, want none", tt.host, m.Vendor.ID)
			}
			continue
		}
		if !ok || m.Vendor.ID != tt.wantVendor || m.Source != tt.wantSource {
			t.Errorf("%s: got %v %+v, want %s %q", tt.host, ok, m, tt.wantVendor, tt.wantSource)
		}
	}
}
