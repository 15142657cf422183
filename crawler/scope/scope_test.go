package scope

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/resolve"
)

func mustScope(t testing.TB, cfg Config) *Scope {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func reasonOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	if err != nil {
		return "error"
	}
	return ""
}

func TestIsPrivate(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true}, {"172.32.0.1", false},
		{"192.168.1.1", true}, {"127.0.0.1", true}, {"127.8.8.8", true}, {"169.254.169.254", true},
		{"0.0.0.0", true}, {"100.64.0.1", true}, {"100.128.0.1", false},
		{"::1", true}, {"fe80::1", true}, {"fd00:ec2::254", true}, {"fc00::1", true},
		{"::ffff:169.254.169.254", true}, {"::ffff:10.0.0.1", true}, {"::ffff:8.8.8.8", false},
		{"8.8.8.8", false}, {"93.184.216.34", false}, {"2606:4700::1111", false},
	}
	for _, tt := range tests {
		if got := IsPrivate(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("IsPrivate(%s) = %t, want %t", tt.ip, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	testRules, err := resolve.Parse("MAP 169.254.169.254 127.0.0.1:9999, MAP * 127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     Config
		url     string
		whole   string // reason of Check
		address string // reason of CheckAddress
	}{
		{"same site", Config{Targets: []string{"https://www.shop.example/"}}, "https://cdn.shop.example/a", "", ""},
		{"other site", Config{Targets: []string{"https://www.shop.example/"}}, "https://evil.example/", ReasonOutOfScope, ""},
		{"include widens", Config{Targets: []string{"https://shop.example/"}, Include: []string{`^https://help\.partner\.example/`}}, "https://help.partner.example/x", "", ""},
		{"metadata", Config{Targets: []string{"https://shop.example/"}}, "http://169.254.169.254/latest/", ReasonPrivate, ReasonPrivate},
		{"metadata mapped to loopback", Config{Targets: []string{"http://shop.test/"}, Rules: testRules}, "http://169.254.169.254/latest/", ReasonPrivate, ReasonPrivate},
		{"metadata v6 mapped", Config{Targets: []string{"https://shop.example/"}}, "http://[::ffff:a9fe:a9fe]/", ReasonPrivate, ReasonPrivate},
		{"loopback other port, hostname target", Config{Targets: []string{"http://shop.test:8080/"}, Rules: testRules}, "http://127.0.0.1:9090/", ReasonOutOfScope, ""},
		{"loopback other port, IP target", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.1:9090/admin", ReasonOutOfScope, ""},
		{"loopback same origin, IP target", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.1:8080/next", "", ""},
		{"loopback from a public target", Config{Targets: []string{"https://shop.example/"}}, "http://127.0.0.1:8080/", ReasonPrivate, ReasonPrivate},
		{"localhost from a public target", Config{Targets: []string{"https://shop.example/"}}, "http://localhost:3000/", ReasonPrivate, ReasonPrivate},
		{"rfc1918 from a public target", Config{Targets: []string{"https://shop.example/"}}, "http://10.0.0.8/", ReasonPrivate, ReasonPrivate},
		{"mapped hosts share the target's loopback", Config{Targets: []string{"http://shop.test/"}, Rules: testRules}, "https://www.google-analytics.com/g/collect", ReasonOutOfScope, ""},
		{"allow private", Config{Targets: []string{"https://shop.example/"}, AllowPrivate: true}, "http://169.254.169.254/", ReasonOutOfScope, ""},
		{"private target", Config{Targets: []string{"http://10.0.0.5/"}}, "http://10.0.0.5/page", "", ""},
		{"another private host than the target's", Config{Targets: []string{"http://10.0.0.5/"}}, "http://10.0.0.6/", ReasonPrivate, ReasonPrivate},
		{"file scheme", Config{Targets: []string{"https://shop.example/"}}, "file:///etc/passwd", ReasonScheme, ReasonScheme},
		{"about:blank", Config{Targets: []string{"https://shop.example/"}}, "about:blank", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustScope(t, tt.cfg)
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := reasonOf(s.Check(u)); got != tt.whole {
				t.Errorf("Check(%s) = %q, want %q", tt.url, got, tt.whole)
			}
			if got := reasonOf(s.CheckAddress(u)); got != tt.address {
				t.Errorf("CheckAddress(%s) = %q, want %q", tt.url, got, tt.address)
			}
		})
	}
}

func TestCheckDial(t *testing.T) {
	s := mustScope(t, Config{Targets: []string{"https://intranet.corp.example/"}})
	if err := s.CheckDial("www.other.example", netip.MustParseAddr("10.0.0.7")); reasonOf(err) != ReasonPrivate {
		t.Errorf("a private address of another host: %v", err)
	}
	// The target resolves privately: its address becomes the target's.
	if err := s.CheckDial("intranet.corp.example", netip.MustParseAddr("10.0.0.7")); err != nil {
		t.Errorf("the target's own private address: %v", err)
	}
	if err := s.CheckDial("static.corp.example", netip.MustParseAddr("10.0.0.7")); err != nil {
		t.Errorf("another host on the target's address: %v", err)
	}
	if err := s.CheckDial("static.corp.example", netip.MustParseAddr("169.254.169.254")); reasonOf(err) != ReasonPrivate {
		t.Errorf("the metadata address: %v", err)
	}
	if err := s.CheckDial("cdn.example", netip.MustParseAddr("93.184.216.34")); err != nil {
		t.Errorf("a public address: %v", err)
	}
}

// TestGuardedClient: trackscan's own client refuses a redirect hop to the
// metadata address, even when --resolve maps that address to a server that
// answers, and never connects to it.
func TestGuardedClient(t *testing.T) {
	metaHits := 0
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { metaHits++ }))
	defer meta.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/sitemap.xml":
			http.Redirect(w, r, "http://evil.example/sitemap.xml", http.StatusMovedPermanently)
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer site.Close()
	rules, err := resolve.Parse("MAP 169.254.169.254 " + meta.Listener.Addr().String() + ", MAP * " + site.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := mustScope(t, Config{Targets: []string{"http://shop.test/"}, Rules: rules})
	c := resolve.GuardedClient(rules, false, 5*time.Second, s)
	for _, tt := range []struct{ path, want string }{
		{"/robots.txt", "private-address"},
		{"/sitemap.xml", "out-of-scope"},
	} {
		resp, err := c.Get("http://shop.test" + tt.path)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: followed the redirect (status %d)", tt.path, resp.StatusCode)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want a %s refusal", tt.path, err, tt.want)
		}
	}
	if resp, err := c.Get("http://shop.test/ok"); err != nil {
		t.Errorf("an in-scope fetch: %v", err)
	} else {
		resp.Body.Close()
	}
	if metaHits > 0 {
		t.Errorf("the metadata stand-in was contacted %d times", metaHits)
	}
	// An unguarded client would have reached it: the fixture is real.
	if resp, err := resolve.GuardedClient(rules, false, 5*time.Second, nil).Get("http://shop.test/robots.txt"); err == nil {
		resp.Body.Close()
	}
	if metaHits == 0 {
		t.Error("an unguarded client did not reach the metadata stand-in: the test proves nothing")
	}
}

// FuzzScopeCheck: whatever the URL and the redirect chain, Check never
// panics, a refusal names its URL, and a URL on a private literal address
// that is not the target's is never allowed, however the chain got there.
func FuzzScopeCheck(f *testing.F) {
	f.Add("http://shop.test/", "http://shop.test/a\nhttp://169.254.169.254/latest/", false)
	f.Add("http://127.0.0.1:8080/", "http://127.0.0.1:9090/\nhttp://[::ffff:127.0.0.1]:8080/", false)
	f.Add("https://shop.example/", "https://evil.example/\nfile:///etc/passwd\nhttp://[fe80::1%25eth0]/", true)
	f.Add("http://10.0.0.5/", "http://0x7f.1/\nhttp://2130706433/\nhttp://localhost./", false)
	rules, _ := resolve.Parse("MAP 169.254.169.254 127.0.0.1:9, MAP * 127.0.0.1:8080")
	f.Fuzz(func(t *testing.T, target, chain string, allowPrivate bool) {
		s, err := New(Config{Targets: []string{target}, Rules: rules, AllowPrivate: allowPrivate})
		if err != nil {
			return
		}
		for _, hop := range strings.Split(chain, "\n") {
			u, err := url.Parse(hop)
			if err != nil {
				continue
			}
			err = s.Check(u)
			var r *Refusal
			if err != nil && (!errors.As(err, &r) || r.URL == "" || r.Reason == "") {
				t.Fatalf("Check(%q) = %v: not a Refusal with a URL and a reason", hop, err)
			}
			if allowPrivate || (u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			ip, perr := netip.ParseAddr(u.Hostname())
			if perr == nil && IsPrivate(ip) && !s.isTargetIP(ip.Unmap()) && err == nil {
				t.Fatalf("Check(%q) allowed a private address that is not the target's (%s)", hop, target)
			}
		}
	})
}
