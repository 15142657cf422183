package dns

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/dns/dnstest"
)

func startServer(t *testing.T) *dnstest.Server {
	t.Helper()
	s, err := dnstest.Start(map[string]string{
		"metrics.shop.example":      "shop.example.eulerian.net",
		"shop.example.eulerian.net": "edge.eulerian-cdn.example",
		"cdn.shop.example":          "d1.cloudfront.example",
		"loop-a.shop.example":       "loop-b.shop.example",
		"loop-b.shop.example":       "loop-a.shop.example",
	}, "broken.shop.example")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestChain(t *testing.T) {
	s := startServer(t)
	r, err := New(Options{Server: s.Addr(), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host    string
		want    []string
		wantErr bool
	}{
		{"metrics.shop.example", []string{"shop.example.eulerian.net", "edge.eulerian-cdn.example"}, false},
		{"METRICS.shop.example.", []string{"shop.example.eulerian.net", "edge.eulerian-cdn.example"}, false},
		{"cdn.shop.example", []string{"d1.cloudfront.example"}, false},
		{"d1.cloudfront.example", nil, false}, // a name with an address, no alias
		{"nx.shop.example", nil, false},       // does not exist: no chain, no error
		{"loop-a.shop.example", []string{"loop-b.shop.example"}, false},
		{"broken.shop.example", nil, true},
	}
	for _, tt := range tests {
		got, err := r.Chain(context.Background(), tt.host)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.host, err, tt.wantErr)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: chain %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestResolveAll(t *testing.T) {
	s := startServer(t)
	r, err := New(Options{Server: s.Addr(), Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	hosts := []string{"metrics.shop.example", "cdn.shop.example", "metrics.shop.example", "nx.shop.example", "broken.shop.example", "metrics.shop.example"}
	res := r.ResolveAll(context.Background(), hosts)
	if res.Looked != 4 || res.Failed != 1 || !strings.Contains(res.First, "broken.shop.example") {
		t.Errorf("looked %d failed %d first %q", res.Looked, res.Failed, res.First)
	}
	if len(res.Chains) != 2 || len(res.Chains["metrics.shop.example"]) != 2 || len(res.Chains["cdn.shop.example"]) != 1 {
		t.Errorf("chains %v", res.Chains)
	}
	// Go asks for A, AAAA and CNAME once each: a host listed three times is
	// still looked up once.
	if n := s.Queries("metrics.shop.example"); n == 0 || n > 3 {
		t.Errorf("metrics.shop.example asked %d times, want 1 to 3", n)
	}
}

func TestUnreachableServerTimesOut(t *testing.T) {
	// A server that is gone: the lookup fails (refused, or at the latest
	// after the timeout) as an error, not a hang.
	s := startServer(t)
	addr := s.Addr()
	s.Close()
	r, err := New(Options{Server: addr, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	res := r.ResolveAll(context.Background(), []string{"metrics.shop.example"})
	if res.Failed != 1 || len(res.Chains) != 0 {
		t.Errorf("got %+v, want one failure", res)
	}
}

func TestNewServerAddress(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"127.0.0.1:5353", "127.0.0.1:5353", false},
		{"127.0.0.1", "127.0.0.1:53", false},
		{"::1", "[::1]:53", false},
		{"[::1]:5353", "[::1]:5353", false},
		{"", "system resolver", false},
		{"udp://1.1.1.1", "", true},
		{":53", "", true},
	}
	for _, tt := range tests {
		r, err := New(Options{Server: tt.in})
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && r.Server() != tt.want {
			t.Errorf("%q: server %q, want %q", tt.in, r.Server(), tt.want)
		}
	}
}

func TestHostsAndAnnotate(t *testing.T) {
	pages := []capture.Page{
		{URL: "https://shop.example/", Requests: []capture.Request{
			{URL: "https://shop.example/app.js"},
			{URL: "https://metrics.shop.example/pixel.gif"},
			{URL: "https://www.google-analytics.com/g/collect"},
			{URL: "https://unknown-cdn.example.net/lib.js"},
			{URL: "http://127.0.0.1:8080/x"},
			{URL: "data:image/gif;base64,R0lGOD"},
		}},
		{URL: "https://shop.example/about", FinalURL: "https://www.shop.example/about", Requests: []capture.Request{
			{URL: "https://shop.example/app.js"}, // the apex, from a page on www
			{URL: "https://metrics.shop.example/pixel.gif"},
		}},
	}
	known := func(h string) bool { return h == "www.google-analytics.com" }
	got := Hosts(pages, known)
	want := []string{"metrics.shop.example", "shop.example", "unknown-cdn.example.net"}
	if !slices.Equal(got, want) {
		t.Errorf("Hosts = %q, want %q", got, want)
	}
	Annotate(pages, map[string][]string{"metrics.shop.example": {"shop.example.eulerian.net"}})
	for _, p := range pages {
		if c := p.CNAMEs["metrics.shop.example"]; len(c) != 1 || len(p.CNAMEs) != 1 {
			t.Errorf("%s: CNAMEs %v", p.URL, p.CNAMEs)
		}
	}
}
