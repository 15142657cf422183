package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/rules"
)

// lineOf is the 1-based line of the fixture file that contains marker.
func lineOf(t *testing.T, file, marker string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sites", file))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(raw), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, marker)
	return 0
}

// TestEvidenceLoadedByAndAdvancedMatching scans evidence.example: TikTok
// arrives through a tag-manager container the page's snippet loads,
// Mixpanel and the Meta pixel through inline snippets, and the pixel sends
// the SHA-256 of the customer's normalised email before any consent.
func TestEvidenceLoadedByAndAdvancedMatching(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	harDir := filepath.Join(t.TempDir(), "evidence")
	r := scanFixture(t, site, "https://evidence.example/", "--consent", "pre", "--har", harDir)

	const page = "evidence.example/index.html"
	gtmLine := lineOf(t, page, "GTM-EVID42")
	want := map[string]string{
		"tiktok":             "inline:" + itoa(gtmLine) + " > GTM-EVID42",
		"google-tag-manager": "inline:" + itoa(gtmLine),
		"mixpanel":           "inline:" + itoa(lineOf(t, page, "mixpanel-2-latest")),
		"facebook":           "inline:" + itoa(lineOf(t, page, "fbevents-am.js")),
	}
	for id, chain := range want {
		var v *detectors.Vendor
		for i := range r.Vendors {
			if r.Vendors[i].ID == id {
				v = &r.Vendors[i]
			}
		}
		if v == nil {
			t.Errorf("vendor %s not seen", id)
			continue
		}
		if len(v.LoadedBy) != 1 || v.LoadedBy[0].String() != chain || v.LoadedBy[0].Phase != pre {
			t.Errorf("%s loaded_by = %+v, want %q", id, v.LoadedBy, chain)
		}
	}

	// The beacons' payloads are decoded, the TikTok one from a POST body.
	formats := map[string]string{}
	for _, d := range r.Detections {
		if d.Kind == detectors.KindBeaconPayload && d.Sent != nil {
			formats[d.Sent.Format] = d.Evidence
		}
	}
	for _, f := range []string{"meta-pixel", "tiktok", "mixpanel"} {
		if formats[f] == "" {
			t.Errorf("no %s payload decoded; got %v", f, formats)
		}
	}
	if !strings.Contains(formats["tiktok"], "events Pageview") || !strings.Contains(formats["mixpanel"], "events Page Viewed") {
		t.Errorf("events not decoded: %v", formats)
	}

	var am []rules.Finding
	for _, f := range r.Findings {
		if f.Rule == rules.RuleAdvancedMatchingBeforeConsent {
			am = append(am, f)
		}
	}
	if len(am) != 1 {
		t.Fatalf("advanced-matching-before-consent findings = %+v, want one", am)
	}
	f := am[0]
	// sha256("jane.doe@example.com"): the pixel trimmed and lower-cased it.
	const hashPrefix = "86e0b9e5"
	if f.Vendor != "facebook" || f.Subject != "ud[em]" || !strings.Contains(f.Evidence, "ud[em] (email sha256)") ||
		!strings.Contains(f.Evidence, hashPrefix) {
		t.Errorf("finding = %+v", f)
	}
	if f.LoadedBy == nil || f.LoadedBy.Kind != detectors.LoadPage || f.LoadedBy.Line != lineOf(t, page, "fbevents-am.js") {
		t.Errorf("finding loaded_by = %+v, want the page's snippet line", f.LoadedBy)
	}

	// --har: one file for the page, named in the report, with its requests.
	if len(r.Pages) != 1 || r.Pages[0].HAR == "" {
		t.Fatalf("pages = %+v, want one with its HAR", r.Pages)
	}
	raw, err := os.ReadFile(r.Pages[0].HAR)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Log struct {
			Version string
			Entries []struct {
				Request struct{ URL string }
				Time    float64
			}
		}
	}
	if err := json.Unmarshal(raw, &h); err != nil || h.Log.Version != "1.2" || len(h.Log.Entries) != r.Pages[0].Requests {
		t.Errorf("HAR: %v, version %q, %d entries for %d requests", err, h.Log.Version, len(h.Log.Entries), r.Pages[0].Requests)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestFormsKeyLogging types the test identity into checkout.example's form
// with --forms: a tag hashes the email as it is typed and sends it, so
// key-logging and pii-sent-to-third-party name the encoding; the same
// form without the tag raises nothing.
func TestFormsKeyLogging(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	r := scanFixture(t, site, "https://checkout.example/", "https://checkout.example/no-tracker.html", "--consent", "pre", "--forms")
	if len(r.Pages) != 2 {
		t.Fatalf("pages = %+v, want both checkouts", r.Pages)
	}
	for _, p := range r.Pages {
		var kinds []string
		for _, f := range p.FormFields {
			kinds = append(kinds, f.Kind+":"+f.Name)
		}
		if strings.Join(kinds, " ") != "email:email phone:phone name:last_name postcode:postcode" {
			t.Errorf("%s: filled %v, want every field of the checkout form", p.URL, kinds)
		}
	}
	byRule := map[string][]rules.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	for _, rule := range []string{rules.RuleKeyLogging, rules.RulePIISentToThirdParty} {
		fs := byRule[rule]
		if len(fs) != 1 {
			t.Errorf("%s: %d findings, want one: %+v", rule, len(fs), fs)
			continue
		}
		f := fs[0]
		if f.Target != "https://checkout.example/" || f.Vendor != "pinterest" || f.Subject != "ct.pinterest.com" ||
			!strings.Contains(f.Evidence, "email (sha256 of the lower-cased value)") {
			t.Errorf("%s finding = %+v", rule, f)
		}
	}
	// The decoded beacon says the same from the pixel's side.
	if am := byRule[rules.RuleAdvancedMatchingBeforeConsent]; len(am) != 1 || am[0].Subject != "pd.em" {
		t.Errorf("advanced-matching-before-consent = %+v, want pd.em", am)
	}
	for _, d := range r.Detections {
		if d.Kind == detectors.KindFormValueSent && d.Page != "https://checkout.example/" {
			t.Errorf("form value reported on the page without a tracker: %+v", d)
		}
	}
}

// TestStorageBeyondWebStorage: IndexedDB object stores, Cache Storage and
// the service worker of evidence.example/storage.html are reported with
// their phases.
func TestStorageBeyondWebStorage(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	r := scanFixture(t, site, "https://evidence.example/storage.html", "--consent", "pre")
	got := map[string]string{}
	for _, s := range r.Storage {
		if s.Origin == "https://evidence.example" {
			var ph []string
			for _, p := range s.Phases {
				ph = append(ph, string(p))
			}
			got[s.Kind+" "+s.Key] = strings.Join(ph, ",")
		}
	}
	for _, want := range []string{"indexedDB lantern-catalogue/viewed", "indexedDB lantern-catalogue/basket",
		"cacheStorage pages-v1", "serviceWorker https://evidence.example/"} {
		if got[want] != "pre-consent" {
			t.Errorf("%s: phases %q, want pre-consent; storage: %v", want, got[want], got)
		}
	}
}

// TestServiceWorkerCookies: evidence.example/push.html registers a worker
// that fetches bat.bing.com on install and again when the page says
// hello; each answer sets a cookie. The page never asks for that host: the
// cookies come from the browser context's jar and, for the fetch the
// worker's own session recorded, with the response that set it and the
// worker named.
func TestServiceWorkerCookies(t *testing.T) {
	browsertest.Chromium(t)
	site := startFixtures(t)
	r := scanFixture(t, site, "https://evidence.example/push.html", "--consent", "pre", "--no-policy")
	cookies := map[string]detectors.Cookie{}
	for _, c := range r.Cookies {
		cookies[c.Name] = c
	}
	for _, name := range []string{"swsync", "swping"} {
		c, ok := cookies[name]
		if !ok {
			t.Errorf("the worker's cookie %s is not reported; cookies: %+v", name, r.Cookies)
			continue
		}
		if c.Vendor != "microsoft-advertising" || c.Domain != "bat.bing.com" || !c.Stored || len(c.Phases) != 1 || c.Phases[0] != pre {
			t.Errorf("cookie %+v: want Microsoft Advertising's, stored, before consent", c)
		}
	}
	if c := cookies["swping"]; c.SetBy != "https://bat.bing.com/sw/ping?src=hello" {
		t.Errorf("swping set by %q, want the worker's fetch", c.SetBy)
	}
	var evidence string
	for _, d := range r.Detections {
		if d.Kind == detectors.KindTrackingCookie && strings.Contains(d.Evidence, "swping") {
			evidence = d.Evidence
		}
	}
	if !strings.Contains(evidence, "service worker https://evidence.example/push-sw.js") {
		t.Errorf("tracking-cookie evidence %q: want the worker named", evidence)
	}
}
