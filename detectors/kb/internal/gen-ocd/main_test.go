package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/detectors/kb"
)

func TestDays(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"1 year", 365}, {"13 months", 395.72}, {"2 Years", 730}, {"30 minutes", 0.0208},
		{"24 hours", 1}, {"session", -1}, {"Session", -1}, {"End of session (browser)", -1},
		{"Seesion", -1}, {"forever", 0}, {"Unknown", 0}, {"", 0}, {"3 weeks", 21}, {"10 seconds", 0.0001},
	}
	for _, tt := range tests {
		if got := days(tt.in); got != tt.want {
			t.Errorf("days(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCleanDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{".t.tailtarget.com", "t.tailtarget.com"},
		{"adform.net (3rd party)", "adform.net"},
		{".commander1.com\u200b", "commander1.com"},
		{"Inspectlet.com (3rd party)", "inspectlet.com"},
		{".bing.com (3rd party) or .microsoft.com (3rd party)", ""},
		{"", ""},
		{"localhost", ""},
	}
	for _, tt := range tests {
		if got := cleanDomain(tt.in); got != tt.want {
			t.Errorf("cleanDomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A made-up database in the real column layout.
const fixture = `ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,User Privacy & GDPR Rights Portals,Wildcard match
1,Acme Ads,Marketing,acme_uid,.acme-ads.example,text not imported,1 year,Acme Corp,https://acme.example/privacy,0
2,Acme Ads,Security,acme_lb_,,text,session,Acme Corp,,1
3,Acme Ads,Marketing,acme_x*,,text,30 days,Acme Corp,,0
4,Acme Ads,Functional,acme_store,,text,Local Storage,Acme Corp,,0
5,Google Analytics,Analytics,_ga_,,text,2 years,Google,,1
6,Other Co,Analytics,_gcl_au,,text,3 months,Other,,0
7,Other Co,Personalization,other_pref,other.example (3rd party),text,1 month,Other,,0
`

func TestBuild(t *testing.T) {
	es, err := read(strings.NewReader(fixture))
	if err != nil {
		t.Fatal(err)
	}
	h := &hand{cookieOwner: map[string]string{"_gcl_au": "google-ads"}, hosts: map[string]bool{"other.example": true}}
	vs, err := build(es, h)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*kb.Vendor{}
	for _, v := range vs {
		byID[v.ID] = v
	}
	acme := byID["acme-ads"]
	if acme == nil || acme.Owner != "Acme Corp" || acme.Category != kb.Advertising {
		t.Fatalf("acme-ads = %+v", acme)
	}
	if len(acme.Domains) != 1 || acme.Domains[0] != "acme-ads.example" {
		t.Errorf("acme domains = %v", acme.Domains)
	}
	wantCookies := map[string]kb.Category{"acme_uid": kb.Advertising, "acme_lb_*": kb.Essential, "acme_x*": kb.Advertising}
	for _, c := range acme.Cookies {
		if wantCookies[c.Name] != c.Category {
			t.Errorf("cookie %s category %s, want %s", c.Name, c.Category, wantCookies[c.Name])
		}
		delete(wantCookies, c.Name)
	}
	if len(wantCookies) > 0 {
		t.Errorf("missing cookies %v", wantCookies)
	}
	if len(acme.Storage) != 1 || acme.Storage[0] != "acme_store" {
		t.Errorf("storage = %v, want the Local Storage entry", acme.Storage)
	}
	if acme.Samples == nil || len(acme.Samples.Match) == 0 || len(acme.Samples.NoMatch) == 0 {
		t.Errorf("samples = %+v", acme.Samples)
	}
	if ga := byID["google-analytics"]; ga == nil || ga.Cookies[0].Name != "_ga_*" || ga.Cookies[0].Days != 730 {
		t.Errorf("google-analytics = %+v", ga)
	}
	if g := byID["google-ads"]; g == nil || g.Cookies[0].Name != "_gcl_au" {
		t.Errorf("a name the hand-written files attribute should go to that vendor: %+v", g)
	}
	other := byID["other-co"]
	if other == nil || len(other.Domains) != 0 || other.Cookies[0].Category != kb.Functional {
		t.Errorf("other-co = %+v (hand-claimed domain must not be taken; Personalization is functional)", other)
	}
	for _, v := range vs {
		for _, c := range v.Cookies {
			if strings.Contains(c.Lifetime, "text") {
				t.Errorf("description text leaked into %s", v.ID)
			}
		}
	}
}

const realCSV = "../../../../../shared/reference/open-cookie-database/open-cookie-database.csv"

// The committed data/ocd.json is what the generator makes of the database
// today, and every entry of the database is in it.
func TestGeneratedFileIsCurrent(t *testing.T) {
	if _, err := os.Stat(realCSV); err != nil {
		t.Skip("Open Cookie Database not present")
	}
	got, n, _, err := generate(realCSV, "../../data/vendors")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2264 {
		t.Errorf("read %d entries, want 2264", n)
	}
	want, err := os.ReadFile("../../data/ocd.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("data/ocd.json is stale: run go generate ./detectors/kb")
	}
	k, err := kb.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(realCSV)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, r := range recs[1:] {
		name := strings.TrimRight(strings.TrimSpace(r[3]), "*")
		probe := name
		if r[9] == "1" || strings.HasSuffix(strings.TrimSpace(r[3]), "*") {
			probe += "x"
		}
		_, okC := k.MatchCookie(probe, "")
		_, okS := k.MatchStorageKey(probe)
		if !okC && !okS {
			missing++
			t.Errorf("entry %s (%s) is not matched by the knowledge base", r[0], name)
		}
	}
	if missing > 0 {
		t.Errorf("%d entries missing", missing)
	}
}
