package reports

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
)

func TestHTMLSelfContained(t *testing.T) {
	for _, fx := range fixtures {
		out := string(render(t, "html", loadFixture(t, fx)))
		// No resource may be fetched from anywhere: only anchors and data: URIs.
		external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:|//)|url\(\s*['"]?(https?:|//)|@import|<script`)
		if m := external.FindString(out); m != "" {
			t.Errorf("%s: external reference %q", fx, m)
		}
		// The one <link> is an empty data: icon, so the browser asks for no favicon.
		for _, l := range regexp.MustCompile(`(?i)<link[^>]*>`).FindAllString(out, -1) {
			if !strings.Contains(l, `href="data:`) {
				t.Errorf("%s: %s", fx, l)
			}
		}
		if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(out), "</html>") {
			t.Errorf("%s: not a complete HTML document", fx)
		}
	}
}

func TestHTMLContent(t *testing.T) {
	out := string(render(t, "html", loadFixture(t, "site")))
	for _, want := range []string{
		`<img src="data:image/png;base64,`,                            // pre-consent and after-accept screenshots
		"We only set non-essential cookies after you have given your", // the quote beside the observation
		"No sentence of the policy covers this.",
		"Consent manager &lt;OneTrust&gt;", // evidence is escaped
		"#onetrust-reject-all-handler",
		"banner (OneTrust); reject clicked, verified",
		"Mozilla/5.0 (X11; Linux x86_64)",
		`class="pill undisclosed"`,
		`<section id="summary">`, `<div class="n">1</div><div class="l">critical</div>`, // severity tiles
		`<a href="#f1">Tracking still present after reject</a>`, // summary table links to the card
		`<article class="finding sev-critical" id="f1">`,
		// the observation and the sentence it was judged against, side by side
		`<div class="lbl">Policy says</div><blockquote>We only set non-essential cookies after you have given your consent.</blockquote>`,
		"<h3>pre-consent</h3>", "<h3>after-reject</h3>", "<h3>after-accept</h3>", // per-phase evidence
		`<details class="shot" open><summary>Screenshot: https://shop.example/ (pre-consent)</summary><img src="data:image/png;base64,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// shots/missing.png does not exist: that page is shown without an image.
	if n := strings.Count(out, "<img "); n != 2 {
		t.Errorf("%d screenshots embedded, want 2", n)
	}
	if strings.Contains(out, "ZgotmplZ") {
		t.Error("html/template rejected a value")
	}
}

func TestHTMLScreenshotGuards(t *testing.T) {
	dir := t.TempDir()
	notImage := filepath.Join(dir, "shot.png")
	if err := os.WriteFile(notImage, []byte("<svg onload=alert(1)>"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := HTML{BaseDir: fixtureDir}
	if got := h.screenshot(notImage); got != "" {
		t.Errorf("non-image embedded: %.40s", got)
	}
	if got := h.screenshot(dir); got != "" {
		t.Error("a directory was embedded")
	}
	if got := h.screenshot("shots/pre-consent.png"); !strings.HasPrefix(string(got), "data:image/png;base64,") {
		t.Errorf("relative path not resolved against BaseDir: %.40s", got)
	}
}

// The report opens in the scanner's own Chromium, served on loopback: it
// loads nothing but itself (not even a favicon), runs nothing, embeds every
// image, links the summary table to the finding cards, and is not blank.
func TestHTMLRendersInChromium(t *testing.T) {
	browsertest.Chromium(t)
	if testing.Short() {
		t.Skip("starts a browser")
	}
	page := render(t, "html", loadFixture(t, "site"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := browser.Launch(ctx, browser.Options{Width: 1280, Height: 2000})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	shot := filepath.Join(t.TempDir(), "report.png")
	p, err := b.Capture(ctx, srv.URL+"/report.html", browser.Visit{Phase: capture.PreConsent, ScreenshotPath: shot})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != 200 {
		t.Fatalf("status %d", p.Status)
	}
	for _, r := range p.Requests {
		if r.URL != srv.URL+"/report.html" && !strings.HasPrefix(r.URL, "data:") {
			t.Errorf("the report fetched %s", r.URL)
		}
	}
	if len(p.Cookies)+len(p.Storage)+len(p.APICalls)+len(p.Scripts) > 0 {
		t.Errorf("the report ran something: %d cookies, %d storage, %d API calls, %d scripts", len(p.Cookies), len(p.Storage), len(p.APICalls), len(p.Scripts))
	}
	if len(p.Images) != 0 { // the collector lists only images that are not data: URIs
		t.Errorf("images not embedded: %+v", p.Images)
	}
	for i := 1; i <= 6; i++ { // the fixture's 6 groups of findings
		if !slices.Contains(p.Links, srv.URL+"/report.html#f"+strconv.Itoa(i)) {
			t.Errorf("no link to finding card %d: %v", i, p.Links)
		}
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() < 1000 {
		t.Errorf("screenshot is %v, want the 1280-wide viewport", b)
	}
	// A blank page compresses to almost nothing; a laid-out report does not.
	if len(data) < 20_000 {
		t.Errorf("screenshot is only %d bytes: the page looks empty", len(data))
	}
}

// Screenshots the report names but that cannot be found are counted once
// on stderr and said in the page, never dropped silently.
func TestHTMLMissingScreenshots(t *testing.T) {
	tests := []struct {
		name    string
		baseDir string
		want    string // the warning; "" for none
	}{
		{"beside the report", fixtureDir, "1 screenshot named in the report was not found beside it or in the working directory"},
		{"report moved without them", t.TempDir(), "3 screenshots named in the report were not found beside it or in the working directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var page, warn bytes.Buffer
			if err := (HTML{BaseDir: tt.baseDir, Warn: &warn}).Report(&page, loadFixture(t, "site")); err != nil {
				t.Fatal(err)
			}
			if got := warn.String(); got != "trackscan: warning: "+tt.want+"\n" {
				t.Errorf("stderr %q, want the one line %q", got, tt.want)
			}
			if !strings.Contains(page.String(), tt.want) {
				t.Errorf("the page does not say %q", tt.want)
			}
		})
	}
	// Without a Warn writer the page still says it.
	var page bytes.Buffer
	if err := (HTML{}).Report(&page, loadFixture(t, "site")); err != nil || !strings.Contains(page.String(), "3 screenshots named") {
		t.Errorf("err %v; page lacks the missing-screenshot note", err)
	}
}
