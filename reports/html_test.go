package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTMLSelfContained(t *testing.T) {
	for _, fx := range fixtures {
		out := string(render(t, "html", loadFixture(t, fx)))
		// No resource may be fetched from anywhere: only anchors and data: URIs.
		external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:|//)|url\(\s*['"]?(https?:|//)|@import|<link|<script`)
		if m := external.FindString(out); m != "" {
			t.Errorf("%s: external reference %q", fx, m)
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
		"banner (onetrust); reject clicked, verified",
		"Mozilla/5.0 (X11; Linux x86_64)",
		`class="pill undisclosed"`,
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

// The report must open and lay out in a real browser.
func TestHTMLRendersInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, "html", loadFixture(t, "site")), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run",
		"--screenshot="+shot, "--window-size=1280,2000", "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v, want 1280x2000", b)
	}
	// A blank page compresses to almost nothing; a laid-out report does not.
	if len(data) < 20_000 {
		t.Errorf("screenshot is only %d bytes: the page looks empty", len(data))
	}
}
