package filterlist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/detectors/kb"
)

const testTDS = `{
 "trackers": {
  "tracker.example": {"domain": "tracker.example", "owner": {"name": "Tracker Corp", "displayName": "Tracker"},
   "categories": ["Analytics", "Session Replay"], "default": "block",
   "rules": [
    {"rule": "tracker\\.example\\/consent\\/", "action": "ignore"},
    {"rule": "tracker\\.example\\/embed\\/", "exceptions": {"domains": ["partner.example"], "types": ["image"]}},
    {"rule": "tracker\\.example\\/only\\/", "options": {"domains": ["news.example"]}}
   ]},
  "cdn.example": {"domain": "cdn.example", "owner": {"name": "CDN Inc"}, "categories": ["CDN"], "default": "ignore",
   "rules": [{"rule": "cdn\\.example\\/track\\.js"}, {"rule": "(?<=bad)"}]}
 },
 "entities": {"CDN Inc": {"displayName": "CDN"}},
 "domains": {"tracker.example": "Tracker Corp"}
}`

const testServices = `{
 "license": "test",
 "categories": {
  "Advertising": [{"AdCo": {"http://adco.example/": ["adco.example", "adco-cdn.example"]}}],
  "Analytics": [{"StatCo": {"https://statco.example/": ["statco.example"], "performance": "true"}}],
  "Content": [{"AdCo": {"http://adco.example/": ["adco.example"]}}],
  "FingerprintingInvasive": [{"FP Inc.": {"https://fp.example/": ["fp.example"]}}]
 }
}`

func TestTDS(t *testing.T) {
	l, warns, err := ParseTDS("tds.json", []byte(testTDS))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "skipped 1 tracker rules") {
		t.Errorf("warnings = %q, want one about the rule Go cannot compile", warns)
	}
	tests := []struct {
		name, url, page, typ string
		wantSrc              string
		wantCat              kb.Category
		wantOwner            string
	}{
		{"default block", "https://a.tracker.example/t.js", "https://site.example/", "script", "tds.json tracker.example", kb.SessionReplay, "Tracker Corp"},
		{"ignore rule", "https://tracker.example/consent/x", "https://site.example/", "", "", "", ""},
		{"rule blocks", "https://tracker.example/embed/x", "https://site.example/", "script", `tds.json tracker.example rule tracker\.example\/embed\/`, kb.SessionReplay, "Tracker Corp"},
		{"rule exception domain", "https://tracker.example/embed/x", "https://www.partner.example/", "script", "", "", ""},
		{"rule exception type", "https://tracker.example/embed/x", "https://site.example/", "image", "", "", ""},
		{"rule limited to other pages falls back to default", "https://tracker.example/only/x", "https://site.example/", "", "tds.json tracker.example", kb.SessionReplay, "Tracker Corp"},
		{"first party", "https://tracker.example/t.js", "https://www.tracker.example/", "", "", "", ""},
		{"default ignore", "https://cdn.example/lib.js", "https://site.example/", "", "", "", ""},
		{"rule on ignored tracker", "https://cdn.example/track.js", "https://site.example/", "", `tds.json cdn.example rule cdn\.example\/track\.js`, kb.Essential, "CDN Inc"},
		{"unknown host", "https://other.example/", "https://site.example/", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := l.MatchRequest(tt.url, tt.page, tt.typ)
			if tt.wantSrc == "" {
				if ok {
					t.Fatalf("matched %q, want none", m.Source)
				}
				return
			}
			if !ok || m.Source != tt.wantSrc || m.Category != tt.wantCat || m.Vendor.Owner != tt.wantOwner {
				t.Fatalf("got %v %q %q %+v, want %q %q %q", ok, m.Source, m.Category, m.Vendor, tt.wantSrc, tt.wantCat, tt.wantOwner)
			}
		})
	}
	m, _ := l.MatchRequest("https://cdn.example/track.js", "", "")
	if m.Vendor.Name != "CDN" {
		t.Errorf("display name = %q, want the entity's CDN", m.Vendor.Name)
	}
}

func TestDisconnect(t *testing.T) {
	l, err := ParseDisconnect("services.json", []byte(testServices))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url, page string
		wantID    string
		wantCat   kb.Category
	}{
		{"https://px.adco.example/p.gif", "https://site.example/", "adco", kb.Advertising},
		{"https://adco-cdn.example/a.js", "", "adco", kb.Advertising},
		{"https://statco.example/s.js", "https://site.example/", "statco", kb.Analytics},
		{"https://fp.example/f.js", "https://site.example/", "fp-inc", kb.Fingerprinting},
		{"https://adco.example/a.js", "https://www.adco.example/", "", ""},
		{"https://notadco.example/a.js", "", "", ""},
	}
	for _, tt := range tests {
		m, ok := l.MatchRequest(tt.url, tt.page, "")
		if tt.wantID == "" {
			if ok {
				t.Errorf("%s: matched %q, want none", tt.url, m.Source)
			}
			continue
		}
		if !ok || m.Vendor.ID != tt.wantID || m.Category != tt.wantCat || !strings.HasPrefix(m.Source, "services.json ") {
			t.Errorf("%s: got %v %+v %q %q, want %s %s", tt.url, ok, m.Vendor, m.Category, m.Source, tt.wantID, tt.wantCat)
		}
	}
}

func TestLoadDetectsFormat(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"easyprivacy.txt": "[Adblock Plus 2.0]\n||tracker.example^\n||x.example^$csp=none\n",
		"tds.json":        testTDS,
		"services.json":   testServices,
		"empty.txt":       "! nothing but comments\nexample.org##.ad\n",
		"other.json":      `{"hello": 1}`,
		"broken.json":     `{"trackers": `,
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file, wantType, wantErr string
		wantWarns               int
	}{
		{"easyprivacy.txt", "*filterlist.ABP", "", 1},
		{"tds.json", "*filterlist.TDS", "", 1},
		{"services.json", "*filterlist.Disconnect", "", 0},
		{"empty.txt", "", "no network rules", 0},
		{"other.json", "", "neither a tds.json", 0},
		{"broken.json", "", "not valid JSON", 0},
		{"missing.txt", "", "no such file", 0},
	}
	for _, tt := range tests {
		m, warns, err := Load(filepath.Join(dir, tt.file))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.file, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if got := typeName(m); got != tt.wantType || m.Name() != tt.file || len(warns) != tt.wantWarns {
			t.Errorf("%s: got %s named %q with %d warnings, want %s with %d", tt.file, got, m.Name(), len(warns), tt.wantType, tt.wantWarns)
		}
	}
}

func typeName(m kb.ListMatcher) string {
	switch m.(type) {
	case *ABP:
		return "*filterlist.ABP"
	case *TDS:
		return "*filterlist.TDS"
	case *Disconnect:
		return "*filterlist.Disconnect"
	}
	return "?"
}

func TestListsBehindTheBase(t *testing.T) {
	l, _ := ParseABP("easyprivacy.txt", []byte("||unknown-tracker.example^\n||hotjar.com^\n"))
	k := kb.Default().WithLists(l)
	m, ok := k.MatchRequest("https://static.hotjar.com/c/hotjar-1.js", "https://shop.example/", "script")
	if !ok || m.Source != kb.SourceBase || m.Vendor.ID != "hotjar" {
		t.Errorf("hotjar: got %+v, want the embedded base to answer first", m)
	}
	m, ok = k.MatchRequest("https://a.unknown-tracker.example/x", "https://shop.example/", "script")
	if !ok || m.Source != "easyprivacy.txt:1 ||unknown-tracker.example^" {
		t.Errorf("unknown tracker: got %+v, want the list rule", m)
	}
}

func FuzzParseTDS(f *testing.F) {
	f.Add([]byte(testTDS), "https://tracker.example/embed/x", "https://site.example/")
	f.Add([]byte(testServices), "https://adco.example/", "")
	f.Add([]byte(`{"trackers":{"a":{"rules":[{"rule":"("}]}}}`), "https://a/", "")
	f.Fuzz(func(t *testing.T, data []byte, u, page string) {
		m, _, err := Parse("fuzz.json", data)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "Go struct") || strings.Contains(msg, "map[string]") {
				t.Fatalf("error is not one plain line: %q", msg)
			}
			return
		}
		if got, ok := m.MatchRequest(u, page, "script"); ok && got.Vendor == nil {
			t.Fatalf("match without a vendor: %+v", got)
		}
	})
}

// A malformed list or a file that is no tracker database fails with one
// short line naming the file and the problem, never a Go type.
func TestTrackerDBErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          []string
	}{
		{"hostname", "buildhost\n", []string{"hostname: not a tds.json or services.json", "--filter-list"}},
		{"empty.json", "", []string{"empty.json: not a tds.json or services.json"}},
		{"easylist.txt", "[Adblock Plus 2.0]\n||tracker.example^\n", []string{"easylist.txt: not a tds.json or services.json"}},
		{"tds.json", "{\n \"trackers\": {\n  \"t.example\": {\"owner\": \"Tracker Corp\"}\n }\n}",
			[]string{"tds.json: not a tds.json: line 3:", "owner", "is a string, want an object"}},
		{"rules.json", `{"trackers": {"t.example": {"rules": {"rule": "x"}}}}`,
			[]string{"rules.json: not a tds.json: line 1:", "is an object, want an array"}},
		{"top.json", `{"trackers": ["t.example"]}`, []string{"top.json: not a tds.json: line 1: \"trackers\" is an array, want an object"}},
		{"services.json", `{"categories": {"Advertising": {"AdCo": 1}}}`,
			[]string{"services.json: not a Disconnect services.json: line 1:", "is an object, want an array"}},
		{"cut.json", "{\"trackers\": {\n", []string{"cut.json: not valid JSON:"}},
		{"bad.json", "{\"trackers\": {\n  x}}", []string{"bad.json: not valid JSON: line 2: invalid character 'x'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadTrackerDB(path)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "Go ") || strings.Contains(msg, "struct") || strings.Contains(msg, "\n") || len(msg) > 160 {
				t.Errorf("error is not one short line: %q", msg)
			}
		})
	}
	// The real formats still load.
	for name, content := range map[string]string{"tds.json": testTDS, "services.json": testServices} {
		path := filepath.Join(dir, "ok-"+name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadTrackerDB(path); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
