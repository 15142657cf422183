// Command gen-ocd imports the facts of the Open Cookie Database
// (Apache-2.0) into data/ocd.json: for each entry its cookie or storage
// name (a prefix when the wildcard column says so), platform (mapped to a
// trackscan vendor id), category (mapped to trackscan's vocabulary),
// retention and data controller. Descriptions are deliberately not read
// into the output: trackscan writes its own.
//
// Run it through go generate in detectors/kb.
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/trackscan/trackscan/detectors/kb"
)

// platformIDs maps OCD platform names to the ids of hand-written vendors
// (or to one id for spellings of the same platform). Platforms not listed
// become vendors whose id is the slug of the platform name.
var platformIDs = map[string]string{
	"":                             "web-frameworks",
	"Google Tag Manager":           "google-tag-manager",
	"Google Analytics":             "google-analytics",
	"Google Ads":                   "google-ads",
	"DoubleClick/Google Marketing": "google-ads",
	"Google AdSense":               "google-adsense",
	"Google Optimize":              "google-optimize",
	"Google Maps":                  "google-maps",
	"Google reCAPTCHA":             "google-recaptcha",
	"Google":                       "google",
	"Bing / Microsoft":             "microsoft-advertising",
	"Azure / Microsoft":            "microsoft-azure",
	"Microsoft Azure App Insights": "microsoft-azure",
	"X":                            "twitter",
	"Youtube":                      "youtube",
	"Facebook":                     "facebook",
	"Instagram":                    "instagram",
	"LinkedIn":                     "linkedin",
	"Pinterest":                    "pinterest",
	"TikTok":                       "tiktok",
	"Snapchat":                     "snapchat",
	"Reddit":                       "reddit",
	"ShareThis":                    "sharethis",
	"Hotjar":                       "hotjar",
	"Crazy Egg":                    "crazyegg",
	"ContentSquare":                "contentsquare",
	"Inspectlet":                   "inspectlet",
	"Lucky Orange":                 "luckyorange",
	"Visual Website Optimizer":     "vwo",
	"Optimizely":                   "optimizely",
	"ABTasty":                      "ab-tasty",
	"Yandex.Metrica":               "yandex-metrica",
	"Adobe Analytics":              "adobe-analytics",
	"Adobe Audience Manager":       "adobe-audience-manager",
	"Adobe Advertising":            "adobe-advertising",
	"Piwik":                        "piwik-pro",
	"Matomo":                       "matomo",
	"Amplitude":                    "amplitude",
	"Heap Analytics":               "heap",
	"Mixpanel":                     "mixpanel",
	"Plausible Analytics":          "plausible",
	"Fathom Analytics":             "fathom",
	"Rudderstack":                  "rudderstack",
	"Hubspot":                      "hubspot",
	"HubSpot":                      "hubspot",
	"Marketo":                      "marketo",
	"Mailchimp":                    "mailchimp",
	"Klaviyo":                      "klaviyo",
	"Customer.io":                  "customerio",
	"Active Campaign":              "activecampaign",
	"Salesforce":                   "salesforce",
	"Zendesk":                      "zendesk",
	"Intercom":                     "intercom",
	"Drift":                        "drift",
	"Crisp":                        "crisp",
	"Tawk.to":                      "tawk-to",
	"Tawk.to Chat":                 "tawk-to",
	"Livechat":                     "livechat",
	"LiveChat":                     "livechat",
	"Cookiebot":                    "cookiebot",
	"OneTrust":                     "onetrust",
	"Didomi":                       "didomi",
	"Quantcast":                    "quantcast",
	"Osano":                        "osano",
	"Iubenda":                      "iubenda",
	"Termly":                       "termly",
	"Axeptio":                      "axeptio",
	"CookieYes":                    "cookieyes",
	"Cookie Law Info":              "cookieyes",
	"Consentmanager.net":           "consentmanager",
	"Cookie First":                 "cookiefirst",
	"Stripe":                       "stripe",
	"PayPal":                       "paypal",
	"Cloudflare":                   "cloudflare",
	"CloudFlare":                   "cloudflare",
	"Akamai":                       "akamai",
	"Amazon Web Services":          "amazon-web-services",
	"AWS Cookies Popup":            "amazon-web-services",
	"Vimeo":                        "vimeo",
	"Wistia":                       "wistia",
	"Xandr":                        "xandr",
	"PubMatic":                     "pubmatic",
	"Magnite":                      "magnite",
	"Taboola":                      "taboola",
	"Outbrain":                     "outbrain",
	"Casale Media":                 "index-exchange",
	"openx.net":                    "openx",
	"The Tradedesk":                "the-trade-desk",
	"Mediamath":                    "mediamath",
	"MediaMath":                    "mediamath",
	"BlueKai":                      "oracle-bluekai",
	"ComScore":                     "comscore",
	"comScore":                     "comscore",
	"Yahoo":                        "yahoo",
	"Criteo":                       "criteo",
	"Bit.ly":                       "bitly",
	"Segment":                      "segment",
	"Exponea":                      "bloomreach",
	"Dotomi":                       "epsilon",
	"Blueconic.com":                "blueconic",
	"Unrulymedia.com":              "unruly",
	"bidswitch.net":                "bidswitch",
	"CHEQ AI Technologies":         "clickcease",
	"adscale.de":                   "adscale",
	"Parse.ly":                     "parsely",
	"Wix.com":                      "wix",
	"Convert Insights":             "convert",
	"Hu-manity.co":                 "cookie-notice",
	"SAP":                          "sap",
	"ZOHO":                         "zoho",
	"Smartadserver":                "smartadserver",
	"Totvs":                        "tailtarget",
	"betweendigital.com":           "betweendigital",
	"Akamai Botmanager":            "akamai",
	"PHP.net":                      "web-frameworks",
	"ASP.net":                      "web-frameworks",
	"semasio.net":                  "semasio",
	"justpremium.com":              "justpremium",
	"PowerLinks Media Limited":     "powerlinks",
	"WooCommerce / Jetpack":        "woocommerce",
	"Bazaar Voice":                 "bazaarvoice",
	"SpotX":                        "magnite",
	"Bouncex":                      "bounce-exchange",
	"Mediaplex":                    "epsilon",
	"Mopinion.com":                 "mopinion",
	"Oracle":                       "oracle",
}

// categories maps OCD categories to trackscan's.
var categories = map[string]kb.Category{
	"Functional":      kb.Functional,
	"Analytics":       kb.Analytics,
	"Marketing":       kb.Advertising,
	"Security":        kb.Essential,
	"Necessary":       kb.Essential,
	"Personalization": kb.Functional,
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func vendorID(platform string) string {
	if id, ok := platformIDs[platform]; ok {
		return id
	}
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(platform), "-"), "-")
}

var durRe = regexp.MustCompile(`(?i)(\d+(?:\.\d+)?)\s*(sec|second|min|minute|hour|day|week|month|year)s?\b`)

// days converts a published retention ("13 months", "session") to days;
// -1 is a session cookie, 0 is unknown or open-ended.
func days(retention string) float64 {
	r := strings.ToLower(strings.TrimSpace(retention))
	if strings.HasPrefix(r, "session") || strings.HasPrefix(r, "seesion") || strings.HasPrefix(r, "end of session") {
		return -1
	}
	m := durRe.FindStringSubmatch(r)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	unit := map[string]float64{"sec": 1.0 / 86400, "second": 1.0 / 86400, "min": 1.0 / 1440, "minute": 1.0 / 1440,
		"hour": 1.0 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365}[strings.ToLower(m[2])]
	d := n * unit
	return float64(int64(d*10000+0.5)) / 10000
}

// hand is what the hand-written files already say: who owns a cookie
// name, and which hosts are taken.
type hand struct {
	cookieOwner map[string]string
	hosts       map[string]bool
}

func readHand(dir string) (*hand, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	h := &hand{cookieOwner: map[string]string{}, hosts: map[string]bool{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		var vs []kb.Vendor
		if err := json.Unmarshal(j, &vs); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, v := range vs {
			for _, c := range v.Cookies {
				if _, ok := h.cookieOwner[c.Name]; !ok {
					h.cookieOwner[c.Name] = v.ID
				}
			}
			for _, s := range v.Storage {
				if _, ok := h.cookieOwner[s]; !ok {
					h.cookieOwner[s] = v.ID
				}
			}
			for _, d := range v.Domains {
				h.hosts[strings.ToLower(d)] = true
			}
		}
	}
	return h, nil
}

// taken reports whether host or one of its parent domains is claimed.
func (h *hand) taken(host string) bool {
	for s := host; s != ""; {
		if h.hosts[s] {
			return true
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
	return false
}

var hostRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// cleanDomain turns the database's domain column (".t.example.com",
// "example.com (3rd party)") into a host, or "" when it is not one.
func cleanDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimSpace(strings.TrimSuffix(d, "(3rd party)"))
	d = strings.Trim(d, ".\u200b ")
	if !hostRe.MatchString(d) {
		return ""
	}
	return d
}

type entry struct {
	name, platform, category, retention, controller, domain string
	prefix, storage                                         bool
}

func main() {
	csvPath := flag.String("csv", "", "path to open-cookie-database.csv")
	handDir := flag.String("vendors", "data/vendors", "directory of the hand-written vendor files")
	out := flag.String("out", "data/ocd.json", "output file")
	flag.Parse()
	if err := run(*csvPath, *handDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen-ocd:", err)
		os.Exit(1)
	}
}

func run(csvPath, handDir, out string) error {
	b, entries, vendors, err := generate(csvPath, handDir)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen-ocd: %d entries -> %d vendors in %s\n", entries, vendors, out)
	return nil
}

// generate returns the content of ocd.json, the number of entries read and
// the number of vendors written.
func generate(csvPath, handDir string) ([]byte, int, int, error) {
	hand, err := readHand(handDir)
	if err != nil {
		return nil, 0, 0, err
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	entries, err := read(f)
	if err != nil {
		return nil, 0, 0, err
	}
	vendors, err := build(entries, hand)
	if err != nil {
		return nil, 0, 0, err
	}
	b, err := json.MarshalIndent(vendors, "", " ")
	if err != nil {
		return nil, 0, 0, err
	}
	return append(b, '\n'), len(entries), len(vendors), nil
}

func read(r io.Reader) ([]entry, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"Domain", "Platform", "Category", "Cookie / Data Key name", "Retention period", "Data Controller", "Wildcard match"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("column %q missing", need)
		}
	}
	var es []entry
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return es, nil
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimSpace(rec[col["Cookie / Data Key name"]])
		e := entry{
			platform:   strings.TrimSpace(rec[col["Platform"]]),
			category:   strings.TrimSpace(rec[col["Category"]]),
			retention:  strings.TrimSpace(rec[col["Retention period"]]),
			controller: strings.TrimSpace(rec[col["Data Controller"]]),
			domain:     cleanDomain(rec[col["Domain"]]),
			prefix:     rec[col["Wildcard match"]] == "1",
		}
		// A trailing '*' in the name is the database's other way of saying
		// "prefix".
		if strings.HasSuffix(name, "*") {
			name, e.prefix = strings.TrimRight(name, "*"), true
		}
		e.name = name
		e.storage = strings.EqualFold(e.retention, "local storage")
		if name == "" {
			return nil, fmt.Errorf("line %d: empty name", len(es)+2)
		}
		if _, ok := categories[e.category]; !ok {
			return nil, fmt.Errorf("line %d: unknown category %q", len(es)+2, e.category)
		}
		es = append(es, e)
	}
}

// pattern is the trackscan name syntax: exact, "prefix*", or "/regexp/"
// for an exact name that would otherwise read as one of the others.
func (e entry) pattern() string {
	switch {
	case e.prefix:
		return e.name + "*"
	case strings.HasSuffix(e.name, "*") || (strings.HasPrefix(e.name, "/") && strings.HasSuffix(e.name, "/")):
		return "/^" + regexp.QuoteMeta(e.name) + "$/"
	}
	return e.name
}

// build groups the entries by vendor. A name the hand-written files already
// attribute goes to that vendor whatever the platform column says; the
// curated attribution is the more precise one (the database files _gcl_au
// under "Google", trackscan under Google Ads).
func build(es []entry, h *hand) ([]*kb.Vendor, error) {
	claimed := map[string]string{} // host -> generated vendor id
	byID := map[string]*kb.Vendor{}
	owners := map[string]map[string]int{}
	cats := map[string]map[kb.Category]int{}
	names := map[string]map[string]bool{} // pattern -> vendor ids, for unique samples
	var order []string
	for _, e := range es {
		id := vendorID(e.platform)
		if owner, ok := h.cookieOwner[e.pattern()]; ok {
			id = owner
		}
		v := byID[id]
		if v == nil {
			name := e.platform
			if name == "" {
				name = "Web application frameworks"
			}
			v = &kb.Vendor{ID: id, Name: name}
			byID[id] = v
			owners[id] = map[string]int{}
			cats[id] = map[kb.Category]int{}
			order = append(order, id)
		}
		if e.controller != "" {
			owners[id][e.controller]++
		}
		cat := categories[e.category]
		cats[id][cat]++
		if d := e.domain; d != "" && !h.taken(d) {
			if other, ok := claimed[d]; !ok {
				claimed[d] = id
				v.Domains = append(v.Domains, d)
			} else if other != id {
				// Two platforms name the same host: neither gets it.
				claimed[d] = ""
			}
		}
		p := e.pattern()
		if e.storage {
			if !contains(v.Storage, p) {
				v.Storage = append(v.Storage, p)
			}
			continue
		}
		if names[p] == nil {
			names[p] = map[string]bool{}
		}
		names[p][id] = true
		dup := false
		for _, c := range v.Cookies {
			dup = dup || c.Name == p
		}
		if !dup {
			v.Cookies = append(v.Cookies, kb.Cookie{Name: p, Category: cat, Lifetime: e.retention, Days: days(e.retention)})
		}
	}
	sort.Strings(order)
	out := make([]*kb.Vendor, 0, len(order))
	for _, id := range order {
		v := byID[id]
		v.Domains = keepClaimed(v.Domains, claimed, id)
		v.Owner = top(owners[id])
		v.Category = topCat(cats[id])
		v.Samples = samples(v, names)
		out = append(out, v)
	}
	return out, nil
}

func keepClaimed(ds []string, claimed map[string]string, id string) []string {
	var out []string
	for _, d := range ds {
		if claimed[d] == id {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func top(m map[string]int) string {
	best, n := "", 0
	for k, c := range m {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

func topCat(m map[kb.Category]int) kb.Category {
	best, n := kb.Unknown, 0
	for _, c := range kb.Categories { // stable tie-break
		if m[c] > n {
			best, n = c, m[c]
		}
	}
	return best
}

// samples picks a name only this vendor uses as the positive sample and a
// near miss (the name cut short) as the negative one.
func samples(v *kb.Vendor, names map[string]map[string]bool) *kb.Samples {
	s := &kb.Samples{}
	for _, c := range v.Cookies {
		if len(names[c.Name]) == 1 && !strings.HasPrefix(c.Name, "/") {
			s.Match = []string{"cookie:" + instance(c.Name)}
			break
		}
	}
	if len(v.Domains) > 0 {
		s.Match = append(s.Match, v.Domains[0])
		s.NoMatch = append(s.NoMatch, "not"+v.Domains[0])
	}
	if len(s.Match) == 0 && len(v.Storage) > 0 {
		s.Match = []string{"storage:" + instance(v.Storage[0])}
	}
	for _, c := range append(cookieNames(v), v.Storage...) {
		if strings.HasPrefix(c, "/") {
			continue
		}
		base := strings.TrimSuffix(c, "*")
		for _, cand := range []string{base[:len(base)-1], base + "~0"} {
			if cand != "" && !ownMatch(v, cand) {
				kind := "cookie:"
				if contains(v.Storage, c) {
					kind = "storage:"
				}
				s.NoMatch = append(s.NoMatch, kind+cand)
				return s
			}
		}
	}
	if len(s.NoMatch) == 0 {
		s.NoMatch = []string{"cookie:not-a-" + v.ID + "-cookie"}
	}
	return s
}

func cookieNames(v *kb.Vendor) []string {
	out := make([]string, len(v.Cookies))
	for i, c := range v.Cookies {
		out[i] = c.Name
	}
	return out
}

// instance turns a pattern into a name it matches.
func instance(p string) string {
	if strings.HasSuffix(p, "*") {
		return strings.TrimSuffix(p, "*") + "123abc"
	}
	return p
}

func ownMatch(v *kb.Vendor, name string) bool {
	for _, p := range append(cookieNames(v), v.Storage...) {
		if p == name || (strings.HasSuffix(p, "*") && strings.HasPrefix(name, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}
