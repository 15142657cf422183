package cli

import (
	"encoding/json"
	"io"
	"regexp"
	"sync"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
	"github.com/trackscan/trackscan/crawler/dns"
)

// checkPatterns compiles --include and --exclude before the browser starts,
// so that a bad regexp fails at once, even when --max-pages 1 makes no
// crawl use them.
func checkPatterns(f *scanFlags) error {
	for _, set := range []struct {
		flag     string
		patterns []string
	}{{"--include", f.include}, {"--exclude", f.exclude}} {
		for _, p := range set.patterns {
			if _, err := regexp.Compile(p); err != nil {
				return usageErr("%s %q: %v", set.flag, p, err)
			}
		}
	}
	return nil
}

// consentConfig is the site's own banner selectors from .trackscan.yml,
// when given.
func consentConfig(f *scanFlags) (consent.Config, error) {
	var cfg consent.Config
	c, err := f.out.Config()
	if err != nil {
		return cfg, err
	}
	if c != nil {
		if c.Consent.Reject != "" {
			cfg.Reject = []string{c.Consent.Reject}
		}
		if c.Consent.Accept != "" {
			cfg.Accept = []string{c.Consent.Accept}
		}
	}
	return cfg, nil
}

// jsonlWriter streams page captures as they finish, so a crash or a kill
// loses nothing that was already captured.
type jsonlWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newJSONLWriter(w io.Writer) *jsonlWriter { return &jsonlWriter{enc: json.NewEncoder(w)} }

func (j *jsonlWriter) write(p *capture.Page) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(p)
}

// cnameResolver is the resolver of the CNAME lookups, nil with --no-dns.
func cnameResolver(f *scanFlags) (*dns.Resolver, error) {
	if f.noDNS {
		if f.dnsServer != "" {
			return nil, usageErr("--dns and --no-dns exclude each other")
		}
		return nil, nil
	}
	r, err := dns.New(dns.Options{Server: f.dnsServer})
	if err != nil {
		return nil, usageErr("--dns: %v", err)
	}
	return r, nil
}
