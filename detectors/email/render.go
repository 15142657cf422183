package email

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/mailbox"
	"github.com/trackscan/trackscan/detectors"
)

// AnalyzeRendered is Analyze plus what showing the email in a browser
// loaded (crawler/browser.Render): URLs the HTML holds are marked loaded or
// not, and what only rendering found (url()s of imported style sheets, a
// redirect's target, elements the static pass does not read) is analysed
// too. A nil page gives the static result.
func AnalyzeRendered(msg *mailbox.Message, page *capture.Page, opt Options) detectors.Email {
	d := extract(msg.HTML, msg.Text)
	d.mergeRendered(page)
	return analyzeDoc(msg, d, opt, page)
}

// urlKey compares a URL as written in the email with the one Chromium
// requested, which has a lower-case host and at least "/" as its path.
func urlKey(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	k := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + p
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// mergeRendered marks the resources that loaded and adds those that only
// rendering found, once per URL.
func (d *document) mergeRendered(p *capture.Page) {
	if p == nil {
		return
	}
	d.rendered = true
	static := map[string][]*resource{}
	for _, r := range d.resources {
		if r.kind != resLink {
			k := urlKey(r.url)
			static[k] = append(static[k], r)
		}
	}
	added := map[string]bool{}
	for _, req := range p.Requests {
		if req.ResourceType == "Document" {
			continue // frames and refreshes: the renderer refuses them, as mail clients do
		}
		u, err := url.Parse(req.URL)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" {
			continue // data: images, the about:blank document
		}
		k := urlKey(u)
		if rs, ok := static[k]; ok {
			for _, r := range rs {
				r.loaded = true
				r.condition = req.Condition
			}
			continue
		}
		if added[k] {
			continue
		}
		added[k] = true
		initiator := httpInitiator(req.Initiator)
		kind := resImage
		if initiator != "" || req.ResourceType != "Image" {
			kind = resCSS // asked for by a style sheet, or a sheet or font itself
		}
		d.add(&resource{kind: kind, raw: req.URL, width: -1, height: -1, loaded: true, renderOnly: true,
			resourceType: req.ResourceType, initiator: initiator, condition: req.Condition}, nil)
	}
}

func httpInitiator(s string) string {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return s
	}
	return ""
}

// renderState is the EmailTracker.Rendered value of a resource.
func (a *analyzer) renderState(r *resource) string {
	switch {
	case !a.rendered || r.kind == resLink:
		return ""
	case r.renderOnly:
		return detectors.RenderedOnly
	case r.loaded && r.condition != "":
		return r.condition // loaded only in dark mode or when printed
	case r.loaded:
		return detectors.RenderedConfirmed
	}
	return detectors.RenderedNotLoaded
}

// renderOnly judges a URL that only rendering found. Images tell on
// themselves by a query or a token (a plain logo or icon does not); style
// sheets, fonts and the like need an ESP's pattern, the recipient or a
// tracking path.
func (a *analyzer) renderOnly(r *resource, esp *ESP, match string, specific bool) {
	from := "the email"
	if r.initiator != "" {
		from = r.initiator
	}
	what := strings.ToLower(r.resourceType)
	if what == "" {
		what = "resource"
	}
	var why string
	switch {
	case match == matchOpen || match == matchTrack:
		why = esp.DisplayName() + " tracking URL"
	case specific:
		why = "recipient-specific " + what
	case pixelPath(r.url):
		why = what + " with a tracking path and token"
	case r.resourceType == "Image" && !staticAsset(r.url):
		why = "image with a query or token"
	default:
		return
	}
	why = fmt.Sprintf("%s loaded only when rendered (asked for by %s)", why, from)
	if r.condition != "" {
		why += " in " + strings.Replace(r.condition, "-", " ", 1) // "in dark mode", "in print"
	}
	if match == matchClick {
		esp = nil
	}
	a.noteURL(0, r.url, esp)
	kind := detectors.KindCSSTracker
	if r.kind == resImage {
		kind = detectors.KindOpenPixel
	}
	conf := confMedium
	if match == matchOpen || match == matchTrack || specific {
		conf = confHigh
	}
	a.emit(kind, r, esp, specific, why, conf)
}

// renderInfo lists the requests and the cookies of a rendered email.
func (a *analyzer) renderInfo(p *capture.Page) *detectors.EmailRender {
	out := &detectors.EmailRender{Requests: []detectors.EmailRequest{}, Cookies: []detectors.EmailCookie{}}
	for _, r := range p.Requests {
		if !strings.HasPrefix(r.URL, "http://") && !strings.HasPrefix(r.URL, "https://") {
			continue
		}
		out.Requests = append(out.Requests, detectors.EmailRequest{URL: r.URL, Type: r.ResourceType,
			Status: r.Status, Initiator: httpInitiator(r.Initiator), Failed: r.Failed, Condition: r.Condition})
	}
	stored := map[string]bool{}
	for _, c := range p.Cookies {
		stored[c.Name+"\x00"+c.Domain] = true
	}
	for _, w := range p.CookieWrites {
		domain := w.Domain
		if domain == "" {
			domain = w.Host
		}
		out.Cookies = append(out.Cookies, detectors.EmailCookie{Name: w.Name, Host: w.Host, Domain: w.Domain,
			SetBy: w.SetBy, ExpiresDays: w.ExpiresDays, ThirdParty: a.thirdParty(w.Host),
			Stored: len(w.Blocked) == 0 && stored[w.Name+"\x00"+domain], Blocked: w.Blocked})
	}
	sort.SliceStable(out.Cookies, func(i, j int) bool {
		x, y := out.Cookies[i], out.Cookies[j]
		if x.Host != y.Host {
			return x.Host < y.Host
		}
		return x.Name < y.Name
	})
	return out
}
