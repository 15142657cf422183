package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/reports"
	"github.com/trackscan/trackscan/rules"
)

// These tests scan small sites built on real consent libraries, installed
// from npm at test time (never committed) into a cache outside the repo:
// $TRACKSCAN_NPM_CACHE, else <user cache dir>/trackscan-npm. Each site's
// banner gates one real tracker (served from loopback under its real
// hostname), and Hotjar loads whatever the visitor chose. Without npm or
// the registry the tests skip and say so.

// npmPackages are the libraries, pinned so the fixtures stay the same.
var npmPackages = map[string]string{
	"vanilla-cookieconsent":                  "3.1.0",
	"klaro":                                  "0.7.22",
	"tarteaucitronjs":                        "1.34.0",
	"cookieconsent":                          "3.1.1",
	"@porscheofficial/cookie-consent-banner": "4.1.0",
	"cookies-eu-banner":                      "3.0.0",
}

var (
	npmOnce sync.Once
	npmDir  string
	npmErr  error
)

// npmModules returns the node_modules directory holding npmPackages,
// installing them on first use, or skips the test.
func npmModules(t *testing.T) string {
	t.Helper()
	npmOnce.Do(func() { npmDir, npmErr = installNPM() })
	if npmErr != nil {
		t.Skipf("consent libraries from npm not available: %v", npmErr)
	}
	return npmDir
}

func installNPM() (string, error) {
	dir := os.Getenv("TRACKSCAN_NPM_CACHE")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache directory: %w (set TRACKSCAN_NPM_CACHE)", err)
		}
		dir = filepath.Join(base, "trackscan-npm")
	}
	mods := filepath.Join(dir, "node_modules")
	var specs []string
	for _, name := range slices.Sorted(maps.Keys(npmPackages)) {
		if installedVersion(mods, name) != npmPackages[name] {
			specs = append(specs, name+"@"+npmPackages[name])
		}
	}
	if len(specs) == 0 {
		return mods, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm is not installed")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// --ignore-scripts: nothing from the registry runs here; only the
	// libraries' files are served to Chromium.
	args := append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", "--loglevel=error"}, specs...)
	out, err := exec.CommandContext(ctx, "npm", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm install %s (registry unreachable?): %v: %s", strings.Join(specs, " "), err, lastLines(string(out), 3))
	}
	for name, v := range npmPackages {
		if got := installedVersion(mods, name); got != v {
			return "", fmt.Errorf("npm installed %s %q, want %s", name, got, v)
		}
	}
	return mods, nil
}

func installedVersion(mods, name string) string {
	b, err := os.ReadFile(filepath.Join(mods, name, "package.json"))
	if err != nil {
		return ""
	}
	var pj struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &pj) != nil {
		return ""
	}
	return pj.Version
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// npmSite is one fixture site: its host, the library files it serves under
// /lib/, its page, and what a scan must find.
type npmSite struct {
	host  string
	lib   string            // npm package
	files map[string]string // path under /lib/ -> path inside the package (file or directory)
	head  string            // the page's <head> additions: the library, its configuration, the gated tracker
	body  string
	// removeReject: selectors of the buttons that let a visitor refuse
	// (first layer and settings), removed by the no-reject variant.
	removeReject string
	cmp          string // consent rule id the banner must be named by
	layer        int    // layer on which reject is made
	gated        string // vendor id loaded only after accept
	kind         string // what this fixture stands for
}

const hotjarTag = `<script src="https://static.hotjar.com/c/hotjar-3.js?sv=6"></script>`

const gtagLoader = `function loadGtag() { var s = document.createElement('script'); s.src = 'https://www.googletagmanager.com/gtag/js?id=G-DEMO1'; document.head.appendChild(s); }`

var npmSites = []npmSite{
	{
		host: "bikes.example", lib: "vanilla-cookieconsent", kind: "reject only in the second layer",
		files: map[string]string{"cc.js": "dist/cookieconsent.umd.js", "cc.css": "dist/cookieconsent.css"},
		head:  `<link rel="stylesheet" href="/lib/cc.css"><script type="text/plain" data-category="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-DEMO1"></script>`,
		body: `<script src="/lib/cc.js"></script>
<script>
CookieConsent.run({
  categories: {necessary: {enabled: true, readOnly: true}, analytics: {}},
  language: {default: 'en', translations: {en: {
    consentModal: {title: 'We use cookies', description: 'We use cookies to understand how our bike shop is used.',
      acceptAllBtn: 'Accept all', showPreferencesBtn: 'Manage preferences'},
    preferencesModal: {title: 'Cookie preferences', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all',
      savePreferencesBtn: 'Save preferences', closeIconLabel: 'Close',
      sections: [{title: 'Strictly necessary cookies', description: 'Needed for the shop to work.', linkedCategory: 'necessary'},
                 {title: 'Analytics', description: 'Anonymous visit statistics.', linkedCategory: 'analytics'}]}
  }}}
});
</script>`,
		removeReject: `#cc-main [data-role="necessary"], #cc-main [data-role="show"]`,
		cmp:          "cookieconsent", layer: 2, gated: "google-analytics",
	},
	{
		host: "baeckerei.example", lib: "klaro", kind: "German banner",
		files: map[string]string{"klaro.js": "dist/klaro.js"},
		head: `<script>
var klaroConfig = {version: 1, elementID: 'klaro', storageMethod: 'cookie', cookieName: 'klaro', lang: 'de', mustConsent: false, acceptAll: true,
  translations: {de: {privacyPolicyUrl: '/datenschutz', purposes: {marketing: 'Marketing'}}},
  services: [{name: 'facebook', title: 'Facebook Pixel', purposes: ['marketing'], cookies: ['_fbp']}]};
</script>
<script defer src="/lib/klaro.js"></script>
<script type="text/plain" data-type="text/javascript" data-name="facebook" data-src="https://connect.facebook.net/en_US/fbevents.js"></script>`,
		removeReject: `.klaro .cn-decline, .klaro .cn-learn-more, .klaro .cm-btn-decline`,
		cmp:          "klaro", layer: 1, gated: "facebook",
	},
	{
		host: "velo.example", lib: "tarteaucitronjs", kind: "reloads the page after the choice",
		files: map[string]string{"tac": "."},
		head: `<script src="/lib/tac/tarteaucitron.js"></script>
<script>
tarteaucitron.init({privacyUrl: '', hashtag: '#tarteaucitron', cookieName: 'tarteaucitron', orientation: 'bottom', groupServices: false,
  showAlertSmall: false, cookieslist: false, showIcon: false, adblocker: false, DenyAllCta: true, AcceptAllCta: true, highPrivacy: true,
  handleBrowserDNTRequest: false, removeCredit: true, moreInfoLink: false, useExternalCss: false, mandatory: true, reloadThePage: true});
tarteaucitron.user.facebookpixelId = '1234567890';
(tarteaucitron.job = tarteaucitron.job || []).push('facebookpixel');
</script>`,
		removeReject: `#tarteaucitronAllDenied2, #tarteaucitronCloseAlert`,
		cmp:          "tarteaucitron", layer: 1, gated: "facebook",
	},
	{
		host: "meteo.example", lib: "cookieconsent", kind: "fades out",
		files: map[string]string{"cc.js": "build/cookieconsent.min.js", "cc.css": "build/cookieconsent.min.css"},
		head:  `<link rel="stylesheet" href="/lib/cc.css"><script src="/lib/cc.js"></script>`,
		body: `<script>
` + gtagLoader + `
window.cookieconsent.initialise({type: 'opt-in', palette: {popup: {background: '#252e39'}, button: {background: '#14a7d0'}},
  content: {message: 'This website uses cookies to measure visits.', allow: 'Allow cookies', deny: 'Decline', link: 'Learn more', href: '/privacy'},
  onInitialise: function () { if (this.hasConsented()) loadGtag(); },
  onStatusChange: function () { if (this.hasConsented()) loadGtag(); }});
</script>`,
		removeReject: `.cc-deny`,
		cmp:          "generic", layer: 1, gated: "google-analytics",
	},
	{
		host: "cars.example", lib: "@porscheofficial/cookie-consent-banner", kind: "web component in a shadow root",
		files: map[string]string{"ccb": "dist/cookie-consent-banner"},
		head:  `<script type="module" src="/lib/ccb/cookie-consent-banner.esm.js"></script>`,
		body: `<cookie-consent-banner btn-label-accept-and-continue="Agree and continue"
  btn-label-only-essential-and-continue="Continue with technically required cookies only"
  btn-label-persist-selection-and-continue="Save selection and continue" btn-label-select-all-and-continue="Select all and continue"
  content-settings-description="Choose which cookies we may use.">
  We use cookies and similar technologies to measure and improve our service. Analysis and marketing cookies are used only with your consent.
</cookie-consent-banner>
<script>
const banner = document.querySelector('cookie-consent-banner');
banner.availableCategories = [
  {key: 'technically_required', label: 'Technically necessary cookies', description: 'Needed for the site to work.', isMandatory: true},
  {key: 'marketing', label: 'Marketing cookies', description: 'Advertising measurement.'}];
function apply(e) {
  if (e.detail && e.detail.acceptedCategories.indexOf('marketing') >= 0) {
    const s = document.createElement('script'); s.src = 'https://connect.facebook.net/en_US/fbevents.js'; document.head.appendChild(s);
  }
}
window.addEventListener('cookie_consent_preferences_restored', apply);
window.addEventListener('cookie_consent_preferences_updated', apply);
</script>`,
		removeReject: `[part="button-essential-only"], [part="button-persist-selection"]`,
		cmp:          "generic", layer: 1, gated: "facebook",
	},
	{
		host: "tea.example", lib: "cookies-eu-banner", kind: "plain banner",
		files: map[string]string{"ceb.js": "dist/cookies-eu-banner.global.js"},
		body: `<template id="cookies-eu-banner-template">
<div id="cookies-eu-banner" style="position:fixed;bottom:0;left:0;right:0;background:#333;color:#fff;padding:12px">
 By continuing your visit you accept the use of cookies by Google Analytics for statistical purposes.
 <button id="cookies-eu-reject">Reject</button>
 <button id="cookies-eu-accept">Accept</button>
</div>
</template>
<script src="/lib/ceb.js"></script>
<script>
CookiesEuBanner.createCookiesBanner({onAccept: () => {
  const s = document.createElement('script'); s.src = 'https://connect.facebook.net/en_US/fbevents.js'; document.head.appendChild(s);
}});
</script>`,
		removeReject: `#cookies-eu-reject`,
		// Not Google Analytics: on reject this library deletes GA's cookies,
		// and trackscan's detectors count a deletion as a tracking cookie
		// (detectors/site pageCookies; reported to the lead).
		cmp: "generic", layer: 1, gated: "facebook",
	},
}

// removeRejectJS hides the refusing buttons as they appear, in shadow
// roots too: the no-reject variant of a fixture. Hidden rather than
// removed, so that a library re-rendering its own DOM does not break.
const removeRejectJS = `<script>
(function () {
  const sel = %s;
  function sweep(root) {
    root.querySelectorAll(sel).forEach((el) => el.style.setProperty('display', 'none', 'important'));
    root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) sweep(el.shadowRoot); });
  }
  setInterval(() => sweep(document), 20);
})();
</script>`

// writeNPMSites lays the fixture sites out for demosite.Mount.
func writeNPMSites(t *testing.T, mods string, noReject bool) string {
	t.Helper()
	root := t.TempDir()
	for _, s := range npmSites {
		dir := filepath.Join(root, s.host)
		for dst, src := range s.files {
			if err := copyPath(filepath.Join(mods, s.lib, src), filepath.Join(dir, "lib", dst)); err != nil {
				t.Fatal(err)
			}
		}
		extra := ""
		if noReject {
			sel, _ := json.Marshal(s.removeReject)
			extra = fmt.Sprintf(removeRejectJS, sel)
		}
		page := "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + s.host + "</title>\n" + extra + s.head + "\n" + hotjarTag +
			"\n</head><body>\n<h1>" + s.host + "</h1><p>A small shop.</p>\n" + s.body + "\n</body></html>\n"
		if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func copyPath(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}

// scanNPMSites scans every fixture site's home page in one run.
func scanNPMSites(t *testing.T, noReject bool, extra ...string) (*reports.Report, []string) {
	t.Helper()
	mods := npmModules(t)
	site := startFixtures(t)
	site.Mount(os.DirFS(writeNPMSites(t, mods, noReject)))
	var urls []string
	for _, s := range npmSites {
		urls = append(urls, "http://"+s.host+"/")
	}
	if keep := os.Getenv("TRACKSCAN_NPM_REPORT"); keep != "" {
		extra = append(extra, "--screenshots", keep)
	}
	return scanFixture(t, site, append(urls, extra...)...), urls
}

func pageOf(r *reports.Report, url string, phase capture.Phase) *reports.Page {
	for i, p := range r.Pages {
		if p.URL == url && p.Phase == phase {
			return &r.Pages[i]
		}
	}
	return nil
}

func consentJSON(p *reports.Page) string {
	if p == nil {
		return "no page"
	}
	b, _ := json.Marshal(p.Consent)
	return string(b)
}

func findingsOn(r *reports.Report, rule, url string) []rules.Finding {
	var out []rules.Finding
	for _, f := range r.Findings {
		if f.Rule == rule && f.Target == url {
			out = append(out, f)
		}
	}
	return out
}

func TestConsentNPMLibraries(t *testing.T) {
	browsertest.Chromium(t)
	r, urls := scanNPMSites(t, false)
	for i, s := range npmSites {
		u := urls[i]
		t.Run(s.lib, func(t *testing.T) {
			if p := pageOf(r, u, pre); p == nil || p.Consent == nil || !p.Consent.BannerFound || p.Consent.CMP != s.cmp || p.Consent.Clicked {
				t.Errorf("%s (%s) before consent: %+v, want the %s banner found, not clicked", s.host, s.kind, p, s.cmp)
			}
			for _, phase := range []capture.Phase{reject, accept} {
				p := pageOf(r, u, phase)
				if p == nil || p.Consent == nil {
					t.Errorf("%s: no %s page", s.host, phase)
					continue
				}
				c := p.Consent
				if !c.Clicked || !c.Verified || c.CMP != s.cmp {
					t.Errorf("%s (%s) %s: clicked %v verified %v cmp %q (%s; steps %q), want %s clicked and verified",
						s.host, s.kind, phase, c.Clicked, c.Verified, c.CMP, c.Note, c.Steps, s.cmp)
				}
				if phase == reject && c.Layer != s.layer {
					t.Errorf("%s: reject made on layer %d (steps %q), want %d", s.host, c.Layer, c.Steps, s.layer)
				}
			}
			// The gated tracker: after accept only.
			for _, phase := range capture.Phases {
				if got, want := seenOn(r, s.gated, phase)[u], phase == accept; got != want {
					t.Errorf("%s: %s seen %s = %v, want %v (consent %s)", s.host, s.gated, phase, got, want, consentJSON(pageOf(r, u, phase)))
				}
			}
			// Hotjar ignores the choice: the reject was made, so it is judged.
			if len(findingsOn(r, rules.RuleTrackingAfterReject, u)) == 0 {
				t.Errorf("%s: no %s finding for the always-on Hotjar", s.host, rules.RuleTrackingAfterReject)
			}
			nf := findingsOn(r, rules.RuleRejectNotOffered, u)
			switch {
			case s.layer == 2 && (len(nf) != 1 || nf[0].Severity != rules.Medium):
				t.Errorf("%s: reject only on the second layer: %s findings %+v, want one medium", s.host, rules.RuleRejectNotOffered, nf)
			case s.layer == 1 && len(nf) > 0:
				t.Errorf("%s: first-layer reject, yet %+v", s.host, nf)
			}
		})
	}
}

// The same sites with every way to refuse removed: the after-reject phase
// says it could not click, is not judged as a rejection, and the banner is
// reported for offering no reject.
func TestConsentNPMLibrariesWithoutReject(t *testing.T) {
	browsertest.Chromium(t)
	shots := t.TempDir()
	r, urls := scanNPMSites(t, true, "--screenshots", shots)
	for i, s := range npmSites {
		u := urls[i]
		t.Run(s.lib, func(t *testing.T) {
			p := pageOf(r, u, reject)
			if p == nil || p.Consent == nil {
				t.Fatalf("%s: no after-reject page (before consent: %s)", s.host, consentJSON(pageOf(r, u, pre)))
			}
			if c := p.Consent; !c.BannerFound || c.Clicked || c.Reason != capture.ReasonNotOffered {
				t.Errorf("%s (%s) after reject: banner %v clicked %v reason %q (%s), want not clicked, %s",
					s.host, s.kind, c.BannerFound, c.Clicked, c.Reason, c.Note, capture.ReasonNotOffered)
			}
			if f := findingsOn(r, rules.RuleTrackingAfterReject, u); len(f) > 0 {
				t.Errorf("%s: the phase made no choice, yet %+v", s.host, f)
			}
			f := findingsOn(r, rules.RuleRejectNotOffered, u)
			if len(f) != 1 || f[0].Severity != rules.High {
				t.Fatalf("%s: %s findings %+v, want one high", s.host, rules.RuleRejectNotOffered, f)
			}
			// The banner as the visitor saw it, named in the evidence.
			_, shot, ok := strings.Cut(f[0].Evidence, "; screenshot ")
			if st, err := os.Stat(shot); !ok || err != nil || st.Size() == 0 || !strings.HasSuffix(shot, "-banner.png") {
				t.Errorf("%s: evidence %q names no banner screenshot (%v)", s.host, f[0].Evidence, err)
			}
			if a := pageOf(r, u, accept); a == nil || a.Consent == nil || !a.Consent.Clicked || !seenOn(r, s.gated, accept)[u] {
				t.Errorf("%s: accept must still work: %+v", s.host, a)
			}
		})
	}
}

// TestConsentNPMCount measures, without asserting, how many of the npm
// fixtures a trackscan binary handles: per site, reject and accept
// clicked and verified, and the gated tracker right in all three phases.
// TRACKSCAN_BENCH_BINARY names another build to measure (e.g. main's);
// docs/bench-consent.md records the numbers.
//
//	TRACKSCAN_BENCH_BINARY=/tmp/trackscan-main go test ./cmd/trackscan -run TestConsentNPMCount -v
func TestConsentNPMCount(t *testing.T) {
	browsertest.Chromium(t)
	if os.Getenv("TRACKSCAN_NPM_COUNT") == "" {
		t.Skip("a measurement, not a test: set TRACKSCAN_NPM_COUNT=1")
	}
	if b := os.Getenv("TRACKSCAN_BENCH_BINARY"); b != "" {
		saved := binary
		binary = b
		t.Cleanup(func() { binary = saved })
	}
	for _, noReject := range []bool{false, true} {
		r, urls := scanNPMSites(t, noReject)
		var found, rejectOK, acceptOK, gatedOK, all, marked int
		for i, s := range npmSites {
			u := urls[i]
			ok := func(phase capture.Phase) bool {
				p := pageOf(r, u, phase)
				return p != nil && p.Consent != nil && p.Consent.Clicked && p.Consent.Verified
			}
			pp := pageOf(r, u, pre)
			f := pp != nil && pp.Consent != nil && pp.Consent.BannerFound
			rj, ac := ok(reject), ok(accept)
			g := !seenOn(r, s.gated, pre)[u] && !seenOn(r, s.gated, reject)[u] && seenOn(r, s.gated, accept)[u]
			rp := pageOf(r, u, reject)
			m := rp != nil && rp.Consent != nil && rp.Consent.BannerFound && !rp.Consent.Clicked && len(findingsOn(r, rules.RuleTrackingAfterReject, u)) == 0
			found, rejectOK, acceptOK, gatedOK, marked = found+b2i(f), rejectOK+b2i(rj), acceptOK+b2i(ac), gatedOK+b2i(g), marked+b2i(m)
			all += b2i(f && rj && ac && g)
			t.Logf("noReject=%v %-22s %-40s banner %v reject %v accept %v gated %v marked-not-clicked %v", noReject, s.host, s.lib, f, rj, ac, g, m)
		}
		t.Logf("noReject=%v: %d sites: banner found %d, reject clicked+verified %d, accept clicked+verified %d, gating right %d, all three phases %d, reject phase marked not clicked and not judged %d",
			noReject, len(npmSites), found, rejectOK, acceptOK, gatedOK, all, marked)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
