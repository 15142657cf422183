package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// MaxSize is the largest policy read, from a file or a URL.
const MaxSize = 5 << 20

// FetchTimeout bounds fetching one URL when ctx has no earlier deadline.
const FetchTimeout = 30 * time.Second

// HTTPClient fetches URL sources; tests may replace it.
var HTTPClient = &http.Client{Timeout: FetchTimeout}

// Load reads and merges policies from files and http(s) URLs with the
// default parser.
func Load(ctx context.Context, sources ...string) (*Policy, error) {
	return Default().Load(ctx, sources...)
}

// Load reads every source and merges them; a structured policy file wins
// over the natural-language text where both speak (see Merge).
func (p *Parser) Load(ctx context.Context, sources ...string) (*Policy, error) {
	if len(sources) == 0 {
		return nil, fmt.Errorf("%w: no policy source given", ErrUnreadable)
	}
	var pols []*Policy
	for _, src := range sources {
		text, format, err := read(ctx, src)
		if err != nil {
			return nil, err
		}
		pol, err := p.Parse(src, text, format)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(text)
		pol.SHA256 = hex.EncodeToString(sum[:])
		pols = append(pols, pol)
	}
	return Merge(pols...), nil
}

// IsURL reports a policy source that is an http(s) URL (read through the
// scan's browser), not a local file.
func IsURL(s string) bool { return isURL(s) }

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// read returns a source's bytes and the format its name or content type
// tells ("" when only the content can tell).
func read(ctx context.Context, src string) ([]byte, string, error) {
	if isURL(src) {
		return fetch(ctx, src)
	}
	f, err := os.Open(src)
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return nil, "", unreadable(src, "%v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", unreadable(src, "%v", err)
	}
	if st.IsDir() {
		return nil, "", unreadable(src, "is a directory")
	}
	if st.Size() > MaxSize {
		return nil, "", unreadable(src, "larger than %d MB", MaxSize>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, "", unreadable(src, "%v", err)
	}
	if len(b) > MaxSize {
		return nil, "", unreadable(src, "larger than %d MB", MaxSize>>20)
	}
	return b, "", nil
}

// fetch GETs a policy page: HTML, plain text, Markdown or a structured
// YAML file, at most MaxSize bytes.
func fetch(ctx context.Context, src string) ([]byte, string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, FetchTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, "", unreadable(src, "bad URL: %v", err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/yaml;q=0.8,*/*;q=0.1")
	req.Header.Set("User-Agent", "trackscan-policy")
	resp, err := HTTPClient.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap()
		}
		return nil, "", unreadable(src, "fetch failed: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", unreadable(src, "HTTP %s", resp.Status)
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	format := ""
	switch mt {
	case "text/html", "application/xhtml+xml":
		format = FormatHTML
	case "text/markdown", "text/x-markdown":
		format = FormatMarkdown
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		format = FormatYAML
	case "text/plain", "":
		// DetectFormat decides from the URL path and the content.
	default:
		return nil, "", unreadable(src, "content type %q is not HTML or text", mt)
	}
	if resp.ContentLength > MaxSize {
		return nil, "", unreadable(src, "larger than %d MB", MaxSize>>20)
	}
	var body io.Reader = io.LimitReader(resp.Body, MaxSize+1)
	if format == FormatHTML || format == "" {
		// Convert a declared non-UTF-8 charset; UTF-8 passes through.
		if r, err := charset.NewReader(body, ct); err == nil {
			body = r
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, "", unreadable(src, "reading body: %v", err)
	}
	if len(b) > MaxSize {
		return nil, "", unreadable(src, "larger than %d MB", MaxSize>>20)
	}
	return b, format, nil
}

// Merge combines policies read from several sources. The structured file
// wins where both speak: for each practice it declares, the text's
// declarations of that practice are dropped; its vendor list replaces the
// vendors the text names (payment, hosting and first-party mentions are
// kept); its cookies replace text cookies of the same name.
func Merge(pols ...*Policy) *Policy {
	switch len(pols) {
	case 0:
		return &Policy{Declarations: []Declaration{}}
	case 1:
		return pols[0]
	}
	out := &Policy{Declarations: []Declaration{}}
	var names, sums []string
	spoken := map[Practice]bool{}
	fileCookies := map[string]bool{}
	for _, p := range pols {
		names = append(names, p.Source)
		sums = append(sums, p.SHA256)
		if p.Structured == nil {
			continue
		}
		if out.Structured == nil {
			out.Structured = p.Structured
		}
		for _, d := range p.Declarations {
			spoken[d.Practice] = true
		}
		for _, c := range p.Cookies {
			fileCookies[c.Name] = true
		}
	}
	out.Source = strings.Join(names, ", ")
	if slices.ContainsFunc(sums, func(s string) bool { return s != "" }) {
		out.SHA256 = strings.Join(sums, ", ")
	}
	for _, p := range pols {
		for _, d := range p.Declarations {
			if p.Structured == nil && spoken[d.Practice] && !(d.Practice == VendorPractice && d.Role != "") {
				continue
			}
			if d.Source == "" {
				d.Source = p.Source
			}
			out.Declarations = append(out.Declarations, d)
		}
	}
	for _, p := range pols {
		if p.Structured != nil {
			for _, c := range p.Cookies {
				if c.Source == "" {
					c.Source = p.Source
				}
				out.Cookies = append(out.Cookies, c)
			}
		}
	}
	for _, p := range pols {
		if p.Structured != nil {
			continue
		}
		for _, c := range p.Cookies {
			if !fileCookies[c.Name] {
				if c.Source == "" {
					c.Source = p.Source
				}
				out.Cookies = append(out.Cookies, c)
			}
		}
	}
	out.Cookies = dedupCookies(out.Cookies)
	for _, p := range pols {
		out.Sources = append(out.Sources, p.Sources...)
	}
	return out
}

// Summary gives one polarity per practice the policy speaks of: affirmed
// when any declaration affirms it (an exception or a consent condition
// included), denied when it is only denied.
func (p *Policy) Summary() map[Practice]Polarity {
	out := map[Practice]Polarity{}
	for _, d := range p.Declarations {
		if d.Practice == VendorPractice {
			continue
		}
		// "Stripe does not use cookies" says nothing of the site's cookies.
		if d.Polarity == Denied && !d.SiteWide() {
			continue
		}
		if d.Polarity == Affirmed {
			out[d.Practice] = Affirmed
		} else if _, ok := out[d.Practice]; !ok {
			out[d.Practice] = Denied
		}
	}
	return out
}

// Vendors lists the knowledge-base ids the policy names as tracker
// disclosures (affirmed, not only as payment, hosting or itself), sorted.
func (p *Policy) Vendors() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range p.Declarations {
		if d.Practice != VendorPractice || d.Vendor == "" || d.Role != "" || d.Polarity != Affirmed || seen[d.Vendor] {
			continue
		}
		seen[d.Vendor] = true
		out = append(out, d.Vendor)
	}
	sort.Strings(out)
	return out
}
