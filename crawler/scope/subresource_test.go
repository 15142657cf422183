package scope

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/resolve"
)

// fetchGlob matches a URL against a Fetch-domain pattern as Chromium does:
// * any string, ? one character, the rest literal.
func fetchGlob(pattern, u string) bool {
	var re strings.Builder
	re.WriteString("^")
	for _, c := range pattern {
		switch c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(u)
}

func pausedBy(patterns []string, u string) bool {
	for _, p := range patterns {
		if fetchGlob(p, u) {
			return true
		}
	}
	return false
}

// Every URL CheckAddress refuses must match a pattern (else it would go out
// unchecked), and a target's own address must match none (else scanning a
// staging server would pause each of its requests).
func TestSubresourcePatterns(t *testing.T) {
	rules, err := resolve.Parse("MAP intranet.test 10.0.0.7, MAP *.corp.test 192.168.1.1:8080, MAP shop.test 127.0.0.1, MAP cdn.test 93.184.216.34")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     Config
		url     string
		paused  bool
		refused bool
	}{
		{"target IP, other port", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.1:9999/x.js", false, false},
		{"target IP, default port", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.1/x.js", false, false},
		{"other loopback", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.2/x.js", true, true},
		{"loopback sharing the target's prefix", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.10:80/", true, true},
		{"loopback sharing a longer prefix", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://127.0.0.100/", true, true},
		{"localhost is the target's", Config{Targets: []string{"http://127.0.0.1:8080/"}}, "http://localhost:5000/", false, false},
		{"localhost", Config{Targets: []string{"https://shop.example/"}}, "http://localhost:5000/admin", true, true},
		{"name under localhost", Config{Targets: []string{"https://shop.example/"}}, "http://api.localhost/", true, true},
		{"metadata", Config{Targets: []string{"https://shop.example/"}}, "http://169.254.169.254/latest/meta-data/", true, true},
		{"metadata with credentials", Config{Targets: []string{"https://shop.example/"}}, "http://user:pw@169.254.169.254/latest/", true, true},
		{"RFC 1918", Config{Targets: []string{"https://shop.example/"}}, "https://10.1.2.3:8443/a.gif?x=1", true, true},
		{"172.16/12", Config{Targets: []string{"https://shop.example/"}}, "http://172.20.0.1/", true, true},
		{"172 outside 172.16/12: paused, not refused", Config{Targets: []string{"https://shop.example/"}}, "http://172.32.0.1/", true, false},
		{"name that looks like a range: paused, not refused", Config{Targets: []string{"https://shop.example/"}}, "https://10.news.example/a.js", true, false},
		{"192.168", Config{Targets: []string{"https://shop.example/"}}, "http://192.168.0.1/", true, true},
		{"CGNAT", Config{Targets: []string{"https://shop.example/"}}, "http://100.64.0.1/", true, true},
		{"multicast", Config{Targets: []string{"https://shop.example/"}}, "http://239.1.1.1/", true, true},
		{"IPv6 loopback", Config{Targets: []string{"https://shop.example/"}}, "http://[::1]:8080/", true, true},
		{"IPv6 unique local", Config{Targets: []string{"https://shop.example/"}}, "http://[fd00::1]/", true, true},
		{"IPv4-mapped IPv6", Config{Targets: []string{"https://shop.example/"}}, "http://[::ffff:a00:1]/", true, true},
		{"IPv6 public", Config{Targets: []string{"https://shop.example/"}}, "http://[2001:db8::1]/", true, false},
		{"public IP", Config{Targets: []string{"https://shop.example/"}}, "http://93.184.216.34/p.gif", false, false},
		{"public name", Config{Targets: []string{"https://shop.example/"}}, "https://www.google-analytics.com/g/collect?v=2", false, false},
		{"name --resolve maps to a private address", Config{Targets: []string{"https://shop.example/"}, Rules: rules}, "http://intranet.test/", true, true},
		{"wildcard name --resolve maps to a private address", Config{Targets: []string{"https://shop.example/"}, Rules: rules}, "http://wiki.corp.test/", true, true},
		{"name --resolve maps to the target's address", Config{Targets: []string{"https://shop.test/"}, Rules: rules}, "http://shop.test/x.js", false, false},
		{"name --resolve maps to a public address", Config{Targets: []string{"https://shop.example/"}, Rules: rules}, "http://cdn.test/x.js", false, false},
		{"private target: its address", Config{Targets: []string{"http://10.0.0.5/"}}, "http://10.0.0.5:81/x.js", false, false},
		{"private target: its neighbour", Config{Targets: []string{"http://10.0.0.5/"}}, "http://10.0.0.50/", true, true},
		{"IPv6 private target", Config{Targets: []string{"http://[fd00::5]/"}}, "http://[fd00::5]:8080/", false, false},
		{"IPv6 private target: another", Config{Targets: []string{"http://[fd00::5]/"}}, "http://[fd00::55]/", true, true},
		{"allow-private", Config{Targets: []string{"https://shop.example/"}, AllowPrivate: true}, "http://169.254.169.254/", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustScope(t, tc.cfg)
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := pausedBy(s.SubresourcePatterns(), tc.url); got != tc.paused {
				t.Errorf("paused = %v, want %v", got, tc.paused)
			}
			if got := s.CheckAddress(u) != nil; got != tc.refused {
				t.Errorf("refused = %v (%v), want %v", got, s.CheckAddress(u), tc.refused)
			}
		})
	}
}

func TestGlobsExcept(t *testing.T) {
	globs := globsExcept("127.", []string{"127.0.0.1", "127.0.0.12"})
	for host, want := range map[string]bool{
		"127.0.0.1": false, "127.0.0.12": false, "127.0.0.2": true, "127.0.0.11": true, "127.0.0.123": true,
		"127.1.0.1": true, "127.0.1.1": true, "127.0.0.10": true,
	} {
		u := "http://" + host + ":80/"
		if got := pausedBy(prefixed(globs), u); got != want {
			t.Errorf("%s: matched = %v, want %v", host, got, want)
		}
	}
	if got := globsExcept("10.", []string{"127.0.0.1"}); len(got) != 1 || got[0] != "10." {
		t.Errorf("no exception under the prefix: %v", got)
	}
}

func prefixed(hosts []string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = "*://" + h + "*"
	}
	return out
}

func TestCheckLookup(t *testing.T) {
	answers := map[string][]netip.Addr{
		"public.test":   {netip.MustParseAddr("93.184.216.34")},
		"rebind.test":   {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.1")},
		"metadata.test": {netip.MustParseAddr("169.254.169.254")},
		"shop.test":     {netip.MustParseAddr("10.0.0.5")},
		"api.shop.test": {netip.MustParseAddr("10.0.0.5")},
	}
	asked := map[string]int{}
	s := mustScope(t, Config{Targets: []string{"http://shop.test/"}})
	s.lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
		asked[host]++
		if a, ok := answers[host]; ok {
			return a, nil
		}
		return nil, errors.New("no such host")
	}
	for _, tc := range []struct {
		url     string
		refused bool
	}{
		{"http://public.test/", false},
		{"http://metadata.test/latest/", true},
		{"http://rebind.test/", true},
		{"http://shop.test/", false},     // the target: its address becomes a target's
		{"http://api.shop.test/", false}, // on the target's address
		{"http://unknown.test/", false},  // no answer: the browser will fail too
		{"http://10.0.0.9/", false},      // an IP literal is CheckAddress's
		{"about:blank", false},
		{"http://metadata.test/again", true},
	} {
		u, _ := url.Parse(tc.url)
		err := s.CheckLookup(context.Background(), u)
		if (err != nil) != tc.refused {
			t.Errorf("%s: refused = %v, want %v", tc.url, err, tc.refused)
		}
		if err != nil && reasonOf(err) != ReasonPrivate {
			t.Errorf("%s: reason %q", tc.url, reasonOf(err))
		}
	}
	if asked["metadata.test"] != 1 {
		t.Errorf("metadata.test looked up %d times, want once per scan", asked["metadata.test"])
	}
	allow := mustScope(t, Config{Targets: []string{"http://shop.test/"}, AllowPrivate: true})
	allow.lookup = s.lookup
	if err := allow.CheckLookup(context.Background(), mustURL("http://metadata.test/")); err != nil {
		t.Errorf("allow-private: %v", err)
	}
}

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

func TestCheckRemote(t *testing.T) {
	s := mustScope(t, Config{Targets: []string{"http://shop.test:8080/"}})
	for _, tc := range []struct {
		url, ip string
		refused bool
	}{
		{"http://shop.test:8080/", "127.0.0.1", false}, // the target's host: its address becomes a target's
		{"http://cdn.test/a.js", "127.0.0.1", false},   // on the target's address
		{"http://cdn.test/b.js", "93.184.216.34", false},
		{"http://intranet.test/p.gif", "10.0.0.7", true},
		{"http://v6.test/p.gif", "[fd00::7]", true},
		{"http://noip.test/", "", false},
	} {
		err := s.CheckRemote(mustURL(tc.url), tc.ip)
		if (err != nil) != tc.refused {
			t.Errorf("%s at %s: refused = %v, want %v", tc.url, tc.ip, err, tc.refused)
		}
	}
	if !s.RefusedHost("INTRANET.test") || s.RefusedHost("cdn.test") {
		t.Errorf("refused hosts %v", s.RefusedHosts())
	}
	if got := strings.Join(s.RefusedHosts(), ","); got != "intranet.test,v6.test" {
		t.Errorf("refused hosts %q", got)
	}
}

// FuzzSubresourcePatterns: every URL CheckAddress refuses is matched by a
// pause pattern, or it would leave unchecked; a target's own address is
// never paused.
func FuzzSubresourcePatterns(f *testing.F) {
	f.Add("127.0.0.1", "127.0.0.2", uint16(8080))
	f.Add("10.0.0.5", "10.0.0.50", uint16(80))
	f.Add("shop.example", "169.254.169.254", uint16(0))
	f.Add("[fd00::5]", "[fd00::55]", uint16(443))
	f.Add("172.16.0.1", "172.31.255.255", uint16(1))
	f.Add("192.168.1.1", "[::ffff:192.168.1.2]", uint16(65535))
	f.Fuzz(func(t *testing.T, target, host string, port uint16) {
		tu, err := url.Parse("http://" + target + "/")
		if err != nil || tu.Hostname() == "" {
			return
		}
		s, err := New(Config{Targets: []string{tu.String()}})
		if err != nil {
			return
		}
		raw := "http://" + host
		if port != 0 {
			raw += ":" + strconv.Itoa(int(port))
		}
		raw += "/x"
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" || u.String() != raw {
			return // only URLs as the browser writes them
		}
		ip, isIP := netip.ParseAddr(u.Hostname())
		if isIP != nil || ip.Zone() != "" || ip.String() != u.Hostname() {
			return
		}
		patterns := s.SubresourcePatterns()
		if s.CheckAddress(u) != nil && !pausedBy(patterns, raw) {
			t.Errorf("%s is refused but no pattern pauses it (target %s)", raw, target)
		}
		if tip, err := netip.ParseAddr(tu.Hostname()); err == nil && tip.Unmap() == ip.Unmap() && pausedBy(patterns, raw) {
			t.Errorf("%s is the target's address but is paused", raw)
		}
	})
}
