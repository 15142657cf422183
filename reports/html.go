package reports

import (
	"bufio"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/rules"
	"github.com/trackscan/trackscan/rules/policy"
)

// HTML writes one self-contained page for auditors: no external requests,
// screenshots embedded as data: URIs.
type HTML struct {
	// BaseDir resolves relative screenshot paths that are not found from
	// the working directory, e.g. the directory of a saved scan.json.
	BaseDir string
	// Warn, when set, receives one line when screenshots the report names
	// cannot be found (a scan.json moved without its screenshots).
	Warn io.Writer
}

// missingShotsText is the warning, on stderr and in the page alike.
func missingShotsText(n int) string {
	if n == 1 {
		return "1 screenshot named in the report was not found beside it or in the working directory"
	}
	return fmt.Sprintf("%d screenshots named in the report were not found beside it or in the working directory", n)
}

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"lifetime":          lifetime,
	"party":             party,
	"phases":            phaseList,
	"cookieState":       cookieState,
	"status":            statusText,
	"consent":           consentText,
	"sevclass":          func(s rules.Severity) string { return "sev-" + string(s) },
	"orDash":            func(v any) string { return textfmt.OrDash(fmt.Sprint(v)) }, // phases, kinds and plain strings alike
	"text":              oneLineText,
	"missingShots":      missingShotsText,
	"rejectNotPossible": rejectNotPossible,
}).Parse(htmlSource))

// maxScreenshotBytes keeps a report openable; larger screenshots are left out.
const maxScreenshotBytes = 8 << 20

type htmlView struct {
	R          *Report
	Title      string
	Counts     []htmlCount
	CountLine  string
	Phases     []htmlPhase
	VendorName func(string) string
	// HARFor is the HAR file of a finding's page and phase, "" without --har.
	HARFor       func(page string, phase capture.Phase) string
	Browser      [][2]string
	Declarations []policy.Declaration
	Emails       []detectors.Email
	Differences  [][]string // what differs per recipient (--compare)
	Groups       []htmlGroup
	ScanTimes    string
	// MissingShots counts screenshots the report names that were not found.
	MissingShots int
}

// htmlGroup is one finding card: findings that differ only by page or
// subject, each page listed with its own fingerprint.
type htmlGroup struct {
	findingGroup
	ID          int
	NeedsPolicy bool // the rule compares with the policy
}

type htmlCount struct {
	Severity rules.Severity
	N        int
}

type htmlPhase struct {
	Phase   capture.Phase
	Pages   []htmlPage
	Vendors []detectors.Vendor
	Cookies []detectors.Cookie
	Storage []detectors.Storage
}

type htmlPage struct {
	Page
	Shot template.URL // data: URI, empty when there is no readable screenshot
	Open bool         // the phase's first screenshot is shown, the others fold
}

// Report implements Reporter.
func (h HTML) Report(w io.Writer, in *Report) error {
	r := normalized(in)
	hars := newHARIndex(r.Pages)
	v := htmlView{
		R:            r,
		Title:        fmt.Sprintf("trackscan %s report: %s", r.Kind, r.TargetLine()),
		CountLine:    countLine(r.Findings, r.Suppressed),
		VendorName:   func(id string) string { return vendorName(r, id) },
		HARFor:       hars.of,
		Browser:      browserFacts(r),
		Declarations: declarationsOf(r),
		Emails:       r.Emails,
		Differences:  differenceRows(r.Emails),
		ScanTimes:    scanTimes(r),
	}
	for i, g := range groupFindings(r.Findings) {
		rule, _ := rules.Lookup(g.First.Rule)
		v.Groups = append(v.Groups, htmlGroup{findingGroup: g, ID: i + 1, NeedsPolicy: rule.NeedsPolicy})
	}
	counts := severityCounts(r.Findings)
	for _, s := range severities {
		v.Counts = append(v.Counts, htmlCount{s, counts[s]})
	}
	for _, ph := range capture.Phases {
		hp := htmlPhase{Phase: ph}
		shown := false
		for _, p := range r.Pages {
			if p.Phase == ph {
				pg := htmlPage{Page: p, Shot: h.screenshot(p.Screenshot)}
				if p.Screenshot != "" && pg.Shot == "" {
					v.MissingShots++
				}
				pg.Open = pg.Shot != "" && !shown
				shown = shown || pg.Open
				hp.Pages = append(hp.Pages, pg)
			}
		}
		for _, vd := range r.Vendors {
			if slices.Contains(vd.Phases, ph) {
				hp.Vendors = append(hp.Vendors, vd)
			}
		}
		for _, c := range r.Cookies {
			if slices.Contains(c.Phases, ph) {
				hp.Cookies = append(hp.Cookies, c)
			}
		}
		for _, s := range r.Storage {
			if slices.Contains(s.Phases, ph) {
				hp.Storage = append(hp.Storage, s)
			}
		}
		if len(hp.Pages)+len(hp.Vendors)+len(hp.Cookies)+len(hp.Storage) > 0 {
			v.Phases = append(v.Phases, hp)
		}
	}
	if v.MissingShots > 0 && h.Warn != nil {
		fmt.Fprintf(h.Warn, "trackscan: warning: %s\n", missingShotsText(v.MissingShots))
	}
	// The page is written as it is rendered, not built in memory first: a
	// large report's page is tens of megabytes. A template error is a bug
	// and may leave half a page; the CLI writes a file through a temporary
	// one, so a failed render never replaces an output file.
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlTemplate.Execute(bw, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return bw.Flush()
}

// screenshot reads a screenshot into a data: URI; a missing, unreadable,
// oversized or non-image file is left out rather than failing the report.
func (h HTML) screenshot(path string) template.URL {
	if path == "" {
		return ""
	}
	candidates := []string{path}
	if !filepath.IsAbs(path) && h.BaseDir != "" {
		candidates = append(candidates, filepath.Join(h.BaseDir, path))
	}
	for _, p := range candidates {
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() || info.Size() > maxScreenshotBytes {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		mime := http.DetectContentType(data)
		switch mime {
		case "image/png", "image/jpeg", "image/webp", "image/gif":
		default:
			continue
		}
		// The bytes were checked to be an image, so the URI is safe to embed.
		return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data))
	}
	return ""
}
