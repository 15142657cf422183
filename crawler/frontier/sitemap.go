package frontier

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxSitemapBytes is the sitemaps.org limit for one uncompressed file.
const maxSitemapBytes = 50 << 20

// Sitemap is what one sitemap file lists: page URLs (a urlset) or further
// sitemaps (a sitemap index), in document order.
type Sitemap struct {
	URLs     []string
	Sitemaps []string
}

// ParseSitemap reads a sitemaps.org urlset or sitemapindex, gzipped or not.
// A plain-text sitemap (one URL per line) is accepted too. Entries are kept
// in document order, trimmed, empty ones dropped.
func ParseSitemap(body []byte) (Sitemap, error) {
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return Sitemap{}, fmt.Errorf("sitemap: %w", err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, maxSitemapBytes+1))
		if err != nil {
			return Sitemap{}, fmt.Errorf("sitemap: %w", err)
		}
		if len(body) > maxSitemapBytes {
			return Sitemap{}, errors.New("sitemap: larger than 50 MB uncompressed")
		}
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
	if len(trimmed) == 0 {
		return Sitemap{}, errors.New("sitemap: empty")
	}
	if trimmed[0] != '<' {
		return parseTextSitemap(trimmed), nil
	}
	return parseXMLSitemap(trimmed)
}

func parseTextSitemap(body []byte) Sitemap {
	var sm Sitemap
	for line := range strings.SplitSeq(string(body), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
			sm.URLs = append(sm.URLs, line)
		}
	}
	return sm
}

// parseXMLSitemap walks the tokens instead of unmarshalling into structs so
// that namespaces, unknown extensions (image:, news:, xhtml:link) and a
// missing xmlns all work: only <loc> directly inside <url> or <sitemap>
// counts.
func parseXMLSitemap(body []byte) (Sitemap, error) {
	var sm Sitemap
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var stack []string
	var loc strings.Builder
	inLoc := false
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sm, fmt.Errorf("sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if root == "" {
				root = name
				if root != "urlset" && root != "sitemapindex" {
					return sm, fmt.Errorf("sitemap: root element <%s> is neither urlset nor sitemapindex", t.Name.Local)
				}
			}
			stack = append(stack, name)
			if name == "loc" && len(stack) == 3 && isSitemapNS(t.Name.Space) {
				inLoc = true
				loc.Reset()
			}
		case xml.CharData:
			if inLoc {
				loc.Write(t)
			}
		case xml.EndElement:
			if inLoc && len(stack) == 3 {
				inLoc = false
				if v := strings.TrimSpace(loc.String()); v != "" {
					switch stack[1] {
					case "url":
						sm.URLs = append(sm.URLs, v)
					case "sitemap":
						sm.Sitemaps = append(sm.Sitemaps, v)
					}
				}
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if root == "" {
		return sm, errors.New("sitemap: no XML element")
	}
	return sm, nil
}

// isSitemapNS accepts the sitemaps.org namespace and no namespace at all,
// but not the <loc> of extensions such as image:loc or video:loc.
func isSitemapNS(space string) bool {
	return space == "" || strings.Contains(space, "sitemaps.org") || strings.Contains(space, "google.com/schemas/sitemap")
}
