package frontier

import (
	"errors"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Reasons a URL is not crawled, as reported in Skip.Reason.
const (
	ReasonInvalid    = "invalid"         // unparsable URL
	ReasonNotHTTP    = "not-http"        // mailto:, javascript:, tel:, data:, ftp:...
	ReasonNotHTML    = "not-html"        // a link to a file the browser would download or show bare (.pdf, .jpg...)
	ReasonDuplicate  = "duplicate"       // the same page as one already queued once normalised
	ReasonOutOfScope = "out-of-scope"    // another registrable domain, not matched by an include pattern
	ReasonPrivate    = "private-address" // a private, loopback or link-local address that is not a target's (crawler/scope)
	ReasonExcluded   = "excluded"        // matched an exclude pattern
	ReasonRobots     = "robots"          // disallowed by robots.txt
	ReasonTrap       = "trap"            // looks like a crawler trap (endless calendar, session ids...)
	ReasonDepth      = "max-depth"       // deeper than Config.MaxDepth
	ReasonMaxPages   = "max-pages"       // the page budget was used up
)

var errNotHTTP = errors.New("not an http(s) URL")

// trackingParams are query parameters that only identify a campaign or a
// click; pages differing only in them are the same page.
var trackingParams = map[string]bool{
	"gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true, "gad_source": true,
	"fbclid": true, "msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"igshid": true, "mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true, "__hstc": true,
	"__hssc": true, "__hsfp": true, "hsctatracking": true, "mkt_tok": true, "_ga": true, "_gl": true,
	"oly_enc_id": true, "oly_anon_id": true, "vero_id": true, "vero_conv": true, "rb_clickid": true,
	"s_cid": true, "wickedid": true, "ef_id": true, "srsltid": true, "_kx": true, "trk": true,
	"ml_subscriber": true, "ml_subscriber_hash": true, "cmpid": true, "spm": true, "scid": true,
}

// sessionParams carry a per-visitor session in the URL: every visit would
// see new URLs for the same pages (a classic crawler trap), so they are
// dropped before dedupe.
var sessionParams = map[string]bool{
	"jsessionid": true, "phpsessid": true, "sid": true, "sessionid": true, "session_id": true,
	"sessid": true, "aspsessionid": true, "cfid": true, "cftoken": true, "zenid": true, "osCsid": true,
	"oscsid": true,
}

// nonHTMLExt are path extensions of links that are not pages.
var nonHTMLExt = map[string]bool{
	".pdf": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".avif": true,
	".svg": true, ".ico": true, ".bmp": true, ".tif": true, ".tiff": true, ".mp3": true, ".mp4": true,
	".m4a": true, ".webm": true, ".ogg": true, ".wav": true, ".avi": true, ".mov": true, ".mkv": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".rar": true,
	".tar": true, ".exe": true, ".msi": true, ".dmg": true, ".pkg": true, ".deb": true, ".rpm": true,
	".apk": true, ".iso": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true,
	".pptx": true, ".odt": true, ".ods": true, ".csv": true, ".json": true, ".xml": true, ".rss": true,
	".atom": true, ".txt": true, ".css": true, ".js": true, ".mjs": true, ".woff": true, ".woff2": true,
	".ttf": true, ".otf": true, ".eot": true, ".ics": true, ".vcf": true, ".epub": true,
}

// Normalize resolves raw against base (which may be empty) and returns the
// canonical form used for dedupe: lower-case scheme and host, no default
// port, no fragment, no user info, dot segments resolved, empty path "/",
// duplicate slashes collapsed, tracking and session parameters removed and
// the query sorted. A trailing slash is kept: "/a" and "/a/" are different
// resources on many servers. A path parameter ";jsessionid=..." is removed.
func Normalize(raw, base string) (string, error) {
	raw = strings.TrimSpace(raw)
	ref, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u := ref
	if base != "" && !ref.IsAbs() {
		b, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u = b.ResolveReference(ref)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errNotHTTP
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", errors.New("URL has no host")
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	out := url.URL{Scheme: u.Scheme, Host: host}

	p := u.EscapedPath()
	if i := strings.IndexByte(p, ';'); i >= 0 && isSessionPathParam(p[i+1:]) {
		p = p[:i]
	}
	if p == "" {
		p = "/"
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if strings.Contains(p, "/.") {
		trailing := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
		p = path.Clean(p)
		if trailing && p != "/" {
			p += "/"
		}
	}
	unescaped, err := url.PathUnescape(p)
	if err != nil {
		return "", err
	}
	// RawPath keeps the escaping as written (e.g. %2F inside a segment).
	out.Path, out.RawPath = unescaped, p

	if u.RawQuery != "" {
		out.RawQuery = cleanQuery(u.RawQuery)
	}
	return out.String(), nil
}

func isSessionPathParam(param string) bool {
	name, _, _ := strings.Cut(param, "=")
	return sessionParams[strings.ToLower(name)]
}

// cleanQuery drops tracking and session parameters and sorts the rest by
// name (then value, keeping the original encoding of each pair).
func cleanQuery(raw string) string {
	type pair struct{ key, raw string }
	var kept []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		lk := strings.ToLower(key)
		if trackingParams[lk] || strings.HasPrefix(lk, "utm_") || sessionParams[lk] {
			continue
		}
		kept = append(kept, pair{key, part})
	}
	slices.SortStableFunc(kept, func(a, b pair) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.raw, b.raw)
	})
	parts := make([]string, len(kept))
	for i, p := range kept {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}

// isNonHTML reports whether the URL's path names a file that is not a page.
func isNonHTML(u *url.URL) bool {
	ext := strings.ToLower(path.Ext(u.Path))
	return nonHTMLExt[ext]
}
