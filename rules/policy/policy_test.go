package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trackscan/trackscan/detectors/kb"
)

// testKB is a small knowledge base, so these tests do not move when the
// embedded one grows.
func testKB(t testing.TB) *kb.KB {
	t.Helper()
	vs := []*kb.Vendor{
		{ID: "google-analytics", Name: "Google Analytics", Owner: "Google", Category: kb.Analytics,
			Domains: []string{"google-analytics.com"},
			Cookies: []kb.Cookie{{Name: "_ga", Category: kb.Analytics, Days: 730}, {Name: "_gid", Category: kb.Analytics, Days: 1}}},
		{ID: "google-ads", Name: "Google Ads", Owner: "Google", Category: kb.Advertising, Domains: []string{"googleadservices.com"}},
		{ID: "facebook", Name: "Facebook", Owner: "Meta", Aliases: []string{"Meta Pixel"}, Category: kb.Advertising,
			Domains: []string{"facebook.com", "facebook.net"}, Cookies: []kb.Cookie{{Name: "_fbp", Category: kb.Advertising}}},
		{ID: "hotjar", Name: "Hotjar", Owner: "Contentsquare", Category: kb.SessionReplay, Domains: []string{"hotjar.com"},
			Cookies: []kb.Cookie{{Name: "_hjSessionUser_*", Category: kb.SessionReplay}}},
		{ID: "segment", Name: "Segment", Owner: "Twilio", Category: kb.Analytics, Domains: []string{"segment.com", "segment.io"}},
		{ID: "drift", Name: "Drift", Category: kb.Functional, Domains: []string{"drift.com"}},
		{ID: "vwo", Name: "Visual Website Optimizer", Aliases: []string{"VWO"}, Category: kb.Analytics},
		{ID: "customerio", Name: "Customer.io", Category: kb.EmailTracking},
		{ID: "stripe", Name: "Stripe", Category: kb.Essential, Domains: []string{"stripe.com"}},
		{ID: "amazon-web-services", Name: "Amazon Web Services", Aliases: []string{"AWS"}, Owner: "Amazon", Category: kb.Essential},
		{ID: "cloudflare", Name: "Cloudflare", Category: kb.Essential},
		{ID: "twitter", Name: "X", Aliases: []string{"Twitter"}, Category: kb.Social},
		{ID: "lumen", Name: "Lumen", Category: kb.Analytics},
		{ID: "etracker", Name: "etracker", Category: kb.Analytics},
		{ID: "matomo", Name: "Matomo", Category: kb.Analytics},
		{ID: "linkedin", Name: "LinkedIn", Aliases: []string{"LinkedIn Insight Tag"}, Owner: "Microsoft", Category: kb.Advertising},
		{ID: "mailchimp", Name: "Mailchimp", Owner: "Intuit", Category: kb.EmailTracking},
		{ID: "youtube", Name: "YouTube", Owner: "Google", Category: kb.Social},
		{ID: "fullstory", Name: "FullStory", Category: kb.SessionReplay},
		{ID: "adyen", Name: "Adyen", Category: kb.Essential},
	}
	k, err := kb.New(vs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testParser(t testing.TB) *Parser { return NewParser(testKB(t)) }

func parseString(t *testing.T, p *Parser, text, format string) *Policy {
	t.Helper()
	pol, err := p.Parse("test."+format, []byte(text), format)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"simple", "We use cookies. We do not sell data!", []string{"We use cookies.", "We do not sell data!"}},
		{"e.g. and i.e.", "We use trackers, e.g. pixels. We keep logs, i.e. IP addresses. Done.",
			[]string{"We use trackers, e.g. pixels.", "We keep logs, i.e. IP addresses.", "Done."}},
		{"company suffixes", "Acme, Inc. (based in Ohio) and Beta Ltd. are processors. Both agree.",
			[]string{"Acme, Inc. (based in Ohio) and Beta Ltd. are processors.", "Both agree."}},
		{"U.S. and No.", "Data goes to the U.S. Servers are in No. 4 Dock Road. We say so.",
			[]string{"Data goes to the U.S. Servers are in No. 4 Dock Road.", "We say so."}},
		{"decimals and URLs", "Version 2.5 applies to www.example.com/privacy.html today. See https://example.com/a.b?c=d. Thanks.",
			[]string{"Version 2.5 applies to www.example.com/privacy.html today.", "See https://example.com/a.b?c=d.", "Thanks."}},
		{"etc. mid-sentence", "Posts, pages, etc. will stay. Etc.", []string{"Posts, pages, etc. will stay.", "Etc."}},
		{"etc. at sentence end", "We store names, emails, etc. We never sell them.", []string{"We store names, emails, etc.", "We never sell them."}},
		{"quotes close a sentence", `He said "we use cookies." Then he left.`, []string{`He said "we use cookies."`, "Then he left."}},
		{"initials", "Ask J. Smith about it. He knows.", []string{"Ask J. Smith about it.", "He knows."}},
		{"question", "Who are we? We are a shop.", []string{"Who are we?", "We are a shop."}},
		{"no end mark", "A heading without a stop", []string{"A heading without a stop"}},
		{"empty", "   ", []string{}},
		{"email address", "Write to privacy@example.com. We answer.", []string{"Write to privacy@example.com.", "We answer."}},
		{"company suffix ends a sentence", "Cookies are set by Google LLC. We also use Stripe, Inc. You can opt out.",
			[]string{"Cookies are set by Google LLC.", "We also use Stripe, Inc.", "You can opt out."}},
		{"inline list numbers", "1. Cookies. We use them. 2. Beacons. We use them too.",
			[]string{"1. Cookies.", "We use them.", "2. Beacons.", "We use them too."}},
		{"article reference", "See Art. 6 GDPR. We rely on consent.", []string{"See Art. 6 GDPR.", "We rely on consent."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitSentences(tt.in)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitSentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// polarityOf reads one sentence and returns the polarity (and scope) of
// each declaration of practice, in order.
func polarityOf(t *testing.T, p *Parser, text string, practice Practice) []Polarity {
	t.Helper()
	pol := parseString(t, p, text, FormatText)
	var out []Polarity
	for _, d := range pol.Declarations {
		if d.Practice != practice {
			continue
		}
		s := d.Polarity
		if d.Scope != "" {
			s += Polarity("/" + d.Scope)
		}
		out = append(out, s)
	}
	return out
}

func TestNegation(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		text     string
		practice Practice
		want     []Polarity
	}{
		// Plain affirmations and hedges.
		{"We use cookies to remember your basket.", Cookies, []Polarity{Affirmed}},
		{"We may use web beacons from time to time.", WebBeacons, []Polarity{Affirmed}},
		{"Our partners might place cookies on your device.", Cookies, []Polarity{Affirmed}},
		// Triggers.
		{"We do not use cookies.", Cookies, []Polarity{Denied}},
		{"We don't use any analytics services.", Analytics, []Polarity{Denied}},
		{"We never use device fingerprinting.", Fingerprinting, []Polarity{Denied}},
		{"We will not sell your personal data.", SaleOfData, []Polarity{Denied}},
		{"We won’t rent your email address to anyone.", SaleOfData, []Polarity{Denied}},
		{"This site cannot use local storage.", LocalStorage, []Polarity{Denied}},
		{"No cookies are set on this site.", Cookies, []Polarity{Denied}},
		{"Our emails contain no tracking pixels.", WebBeacons, []Polarity{Denied}},
		{"We neither sell nor rent your personal information.", SaleOfData, []Polarity{Denied}},
		{"We operate the site without setting any cookies.", Cookies, []Polarity{Denied}},
		{"In no case do we sell your contact lists.", SaleOfData, []Polarity{Denied}},
		{"Under no circumstances do we share your data with third parties.", ThirdPartySharing, []Polarity{Denied}},
		{"Cookies are not used on this site.", Cookies, []Polarity{Denied}},
		// Scope ends at but/except/however/although/";".
		{"We do not sell your data, but we use cookies.", Cookies, []Polarity{Affirmed}},
		{"We do not sell your data; cookies help us count visits.", Cookies, []Polarity{Affirmed}},
		{"We do not track you, however analytics cookies are set.", Cookies, []Polarity{Affirmed}},
		{"We do not sell your data, although advertising partners may see it.", Advertising, []Polarity{Affirmed}},
		// Exceptions: the main clause is denied, the exception affirmed.
		{"We do not use cookies, except strictly necessary cookies.", Cookies, []Polarity{Denied, Affirmed + "/" + ScopeException}},
		{"We do not set cookies (with the exception of cookies needed to run the site).", Cookies, []Polarity{Denied, Affirmed + "/" + ScopeException}},
		{"Except as described here, we do not share your data with third parties.", ThirdPartySharing, []Polarity{Denied}},
		// Pseudo-negations.
		{"We not only use cookies but also local storage.", Cookies, []Polarity{Affirmed}},
		{"We collect data, including but not limited to analytics events.", Analytics, []Polarity{Affirmed}},
		{"Whether or not you log in, we use cookies.", Cookies, []Polarity{Affirmed}},
		{"We delete logs no later than 30 days after collection; we use cookies.", Cookies, []Polarity{Affirmed}},
		// The reader as subject, and triggers that do not reach the noun.
		{"If you do not want cookies, you can block them.", Cookies, []Polarity{Affirmed}},
		{"Visitors who do not wish to have cookies placed should change their settings.", Cookies, []Polarity{Affirmed}},
		{"Some features may not work without cookies.", Cookies, []Polarity{Affirmed}},
		{"Cookies are not used to identify you personally.", Cookies, []Polarity{Affirmed}},
		// An example has the polarity of what it exemplifies.
		{"We never use session replay tools such as Hotjar.", VendorPractice, []Polarity{Denied}},
		{"We use session replay tools such as Hotjar.", VendorPractice, []Polarity{Affirmed}},
		{"We do not sell your data to advertisers who use cookies.", Cookies, []Polarity{Affirmed}},
		// Conditioned on consent: a promise to ask, not a denial.
		{"We will not share your data with third parties without your consent.", ThirdPartySharing, []Polarity{Affirmed + "/" + ScopeWithConsent}},
		// Do Not Track is a name, not a negation.
		{"We honor Do Not Track signals.", DoNotTrack, []Polarity{Affirmed}},
		{"We do not respond to Do Not Track signals.", DoNotTrack, []Polarity{Denied}},
		{"We do not track whether you opened our emails.", EmailOpenTracking, []Polarity{Denied}},
		{"We do not track whether you opened our emails.", DoNotTrack, nil},
		// A purpose or object exception affirms; a legal condition does not.
		{"We don't use cookies, except to remember your language.", Cookies, []Polarity{Denied, Affirmed + "/" + ScopeException}},
		{"We set no cookies (other than strictly necessary ones).", Cookies, []Polarity{Denied, Affirmed + "/" + ScopeException}},
		{"We do not share your data with third parties, except where required by law.", ThirdPartySharing, []Polarity{Denied}},
		{"We do not share your data with third parties, except as described above.", ThirdPartySharing, []Polarity{Denied}},
		{"We do not share data with third parties, except with your consent.", ThirdPartySharing, []Polarity{Affirmed + "/" + ScopeWithConsent}},
		// A new clause after ", yet we" or ", so we" is out of the negation's reach.
		{"We do not sell data, yet we use cookies.", Cookies, []Polarity{Affirmed}},
		{"We collect, without limitation, cookies and web beacons.", WebBeacons, []Polarity{Affirmed}},
		// Switched off is a denial; a customer switching it off is not ours.
		{"We have turned off open tracking and click tracking in our mailer.", EmailOpenTracking, []Polarity{Denied}},
		{"We have turned off open tracking and click tracking in our mailer.", EmailClickTracking, []Polarity{Denied}},
		{"Customers can switch off open tracking for a publication.", EmailOpenTracking, []Polarity{Affirmed}},
		{"We have turned off click tracking in Mailchimp.", VendorPractice, []Polarity{Affirmed}},
		{"We do not know whether you read a newsletter.", EmailOpenTracking, []Polarity{Denied}},
		{"Our service is paid for by its customers, not by advertisers.", Advertising, []Polarity{Denied}},
		// Limited sharing is sharing; a sale of the company is no sale of data.
		{"We disclose personal data only when the law requires it.", ThirdPartySharing, []Polarity{Affirmed}},
		{"We share your details with the couriers who deliver your order.", ThirdPartySharing, []Polarity{Affirmed}},
		{"If Acme is sold or merged, your data would move to the new owner.", SaleOfData, nil},
		{`Use the "Do Not Sell or Share My Personal Information" link.`, SaleOfData, nil},
		{`Ad cookies may count as a "sale" of personal information under state law.`, SaleOfData, []Polarity{Affirmed}},
		{"By continuing to use the website after the cookie notice has been shown, you agree to our use of cookies.", ConsentBeforeNonEssential, []Polarity{Denied}},
		{"If you say yes, the app sends usage statistics to our analytics provider.", ConsentBeforeNonEssential, []Polarity{Affirmed}},
		{"Many articles include videos from YouTube; when a page with such an embed loads, cookies may be set.", SocialWidgets, []Polarity{Affirmed}},
		// Cookies named as the means of a denied purpose: the purpose is denied, not cookies.
		{"We do not use cookies for advertising purposes.", Advertising, []Polarity{Denied}},
		{"We do not use cookies for advertising purposes.", Cookies, nil},
		{"We never use advertising cookies.", Advertising, []Polarity{Denied}},
		{"We never use advertising cookies.", Cookies, nil},
		{"We do not use cookies to measure traffic.", Analytics, []Polarity{Denied}},
		{"We do not use cookies to measure traffic.", Cookies, nil},
		{"We do not use cookies.", Cookies, []Polarity{Denied}},
		{"We do not use third-party cookies.", Cookies, []Polarity{Denied}},
		{"We do not use cookies, and we do not show advertising.", Cookies, []Polarity{Denied}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := polarityOf(t, p, tt.text, tt.practice)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.practice, got, tt.want)
			}
		})
	}
}

func TestPracticePhrases(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		text     string
		practice Practice
	}{
		{"Technologies such as cookies, tags and scripts are used on our site.", WebBeacons},
		{"Our emails include clear gifs.", WebBeacons},
		{"We embed pixel tags in pages.", WebBeacons},
		{"Single-pixel gifs count our visitors.", WebBeacons},
		{"We keep settings in HTML5 storage.", LocalStorage},
		{"The app writes to localStorage.", LocalStorage},
		{"Audience measurement helps us improve.", Analytics},
		{"We show interest-based ads.", Advertising},
		{"Our partners use retargeting.", Advertising},
		{"Pages include social plugins.", SocialWidgets},
		{`Articles show a "Like" button.`, SocialWidgets},
		{"We use session replay to find bugs.", SessionRecording},
		{"Heatmaps show where visitors click.", SessionRecording},
		{"We use device fingerprints to stop fraud.", Fingerprinting},
		{"We measure open rates of our newsletters.", EmailOpenTracking},
		{"Our newsletter software records whether you opened the email.", EmailOpenTracking},
		{"We record the links you click in our emails.", EmailClickTracking},
		{"We measure click-through rates.", EmailClickTracking},
		{"We share your data with our service providers.", ThirdPartySharing},
		{"We may sell your personal information to partners.", SaleOfData},
		{"We will only set non-essential cookies with your consent.", ConsentBeforeNonEssential},
		{"We only place non-essential cookies on your device after you have given your consent through our cookie banner.", ConsentBeforeNonEssential},
		{"By default, cookies are not installed automatically.", ConsentBeforeNonEssential},
		{"We ask for your consent before setting analytics cookies.", ConsentBeforeNonEssential},
		{"You can set your browser to refuse cookies.", BrowserOptOut},
		{"You may opt out of interest-based advertising at youronlinechoices.", BrowserOptOut},
		{"Our site responds to Global Privacy Control.", DoNotTrack},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := polarityOf(t, p, tt.text, tt.practice); len(got) == 0 || got[0] != Affirmed {
				t.Errorf("want %s affirmed, got %v", tt.practice, got)
			}
		})
	}
	// Phrases that must not be read as the practice.
	negatives := []struct {
		text     string
		practice Practice
	}{
		{"The sale of stock or assets in a merger may transfer your data.", SaleOfData},
		{"We may transfer all or part of our business to a third party.", ThirdPartySharing},
		{"Price tags are shown in euros.", WebBeacons},
		{"We ask that you read this notice carefully.", EmailOpenTracking},
		{"We do not track whether you opened our emails.", DoNotTrack},
		{"Paris Trade and Companies Register number 123.", SaleOfData},
	}
	for _, tt := range negatives {
		if got := polarityOf(t, p, tt.text, tt.practice); len(got) != 0 {
			t.Errorf("%q read as %s %v", tt.text, tt.practice, got)
		}
	}
}

func vendorDecls(pol *Policy) map[string]string {
	out := map[string]string{}
	for _, d := range pol.Declarations {
		if d.Practice != VendorPractice {
			continue
		}
		key := d.Vendor
		if key == "" {
			key = "owner:" + d.Owner
		}
		out[key] = d.Role
	}
	return out
}

func TestVendorNames(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		name, text string
		want       map[string]string // vendor id (or owner:NAME) -> role
	}{
		{"list of services", "We embed services such as Drift, VWO, Segment™ and Google® Analytics.",
			map[string]string{"drift": "", "vwo": "", "segment": "", "google-analytics": ""}},
		{"common word lower case", "We divide each segment of users and watch the drift of prices.", map[string]string{}},
		{"common word at sentence start", "Segment the audience by country.", map[string]string{}},
		{"plain name at sentence start", "Hotjar records sessions on our site.", map[string]string{"hotjar": ""}},
		{"brand names need a capital", "we use hotjar here.", map[string]string{}},
		{"acronym exact", "We use vwo here and VWO there.", map[string]string{"vwo": ""}},
		{"punctuated name", "Customer.io sends our emails, not customer io.", map[string]string{"customerio": ""}},
		{"owner only", "We share data with Meta.", map[string]string{"owner:Meta": ""}},
		{"owner that is a vendor name is not an owner", "Google Ads and Google measure it.", map[string]string{"google-ads": "", "owner:Google": ""}},
		{"alias", "We used to call it Twitter.", map[string]string{"twitter": ""}},
		{"one-letter names never match", "X marks the spot.", map[string]string{}},
		{"domain", "Scripts load from www.google-analytics.com and stats.example.org.", map[string]string{"google-analytics": ""}},
		{"cookie name", "The _fbp cookie lasts three months.", map[string]string{"facebook": ""}},
		{"cookie prefix", "Hotjar's _hjSessionUser_1234 cookie keeps a visitor id.", map[string]string{"hotjar": ""}},
		{"possessive", "Cloudflare's network carries our pages.", map[string]string{"cloudflare": ""}},
		{"payment role", "Payments are processed by Stripe.", map[string]string{"stripe": RolePayment}},
		{"hosting role", "Our servers are hosted by Amazon Web Services in Ireland.", map[string]string{"amazon-web-services": RoleHosting}},
		{"acronym hosting", "We host the platform on AWS® data centers.", map[string]string{"amazon-web-services": RoleHosting}},
		{"tracking sentence keeps no role", "We let Stripe set cookies to track fraud.", map[string]string{"stripe": ""}},
		{"heading", "Drift", map[string]string{}},
		{"common word at sentence start as the subject", "Drift runs the chat window.", map[string]string{"drift": ""}},
		{"common word at sentence start, imperative", "Drift slowly towards the end.", map[string]string{}},
		{"several words keep their capitals", "We read google analytics reports; Google Analytics counts visits.", map[string]string{"google-analytics": ""}},
		{"lower-case brand", "Consent is stored by etracker and Etracker.", map[string]string{"etracker": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := vendorDecls(parseString(t, p, tt.text, FormatText))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%q: got %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestVendorRoleFromSection(t *testing.T) {
	p := testParser(t)
	pol := parseString(t, p, "## Payment processors\n\nWe use Stripe.\n\n## Analytics\n\nWe use Segment for product statistics.\n", FormatMarkdown)
	got := vendorDecls(pol)
	want := map[string]string{"stripe": RolePayment, "segment": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if v := pol.Vendors(); !reflect.DeepEqual(v, []string{"segment"}) {
		t.Errorf("Vendors() = %v, want only the tracker disclosure", v)
	}
}

func TestFirstParty(t *testing.T) {
	p := testParser(t)
	text := "Lumen Privacy Policy\nThis policy explains how Lumen (collectively, “Lumen”, “we”, “us”) uses your data. Lumen uses Hotjar.\n"
	pol := parseString(t, p, text, FormatText)
	got := vendorDecls(pol)
	want := map[string]string{"lumen": RoleFirstParty, "hotjar": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	n := 0
	for _, d := range pol.Declarations {
		if d.Vendor == "lumen" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the policy's own company is declared %d times, want once", n)
	}
}

// fixtureWant is what a test policy in testdata/policy declares.
type fixtureWant struct {
	summary map[Practice]Polarity
	vendors map[string]string
	cookies map[string]float64
	// disclosed, when set, is Policy.Vendors(): affirmed, without a role.
	disclosed []string
}

func TestFixtures(t *testing.T) {
	p := testParser(t)
	tests := map[string]fixtureWant{
		"affirm.txt": {
			summary: map[Practice]Polarity{Cookies: Affirmed, WebBeacons: Affirmed, LocalStorage: Affirmed, Analytics: Affirmed,
				Advertising: Affirmed, SocialWidgets: Affirmed, SessionRecording: Affirmed, EmailOpenTracking: Affirmed,
				EmailClickTracking: Affirmed, ThirdPartySharing: Affirmed, BrowserOptOut: Affirmed},
			vendors: map[string]string{"google-analytics": "", "facebook": "", "hotjar": ""},
			cookies: map[string]float64{"_ga": 730, "_gid": 1},
		},
		"denials.md": {
			summary: map[Practice]Polarity{Cookies: Affirmed, Advertising: Denied, Analytics: Denied, EmailOpenTracking: Denied,
				Fingerprinting: Denied, WebBeacons: Denied, SaleOfData: Denied, ThirdPartySharing: Affirmed,
				SocialWidgets: Denied, DoNotTrack: Affirmed},
			vendors: map[string]string{},
		},
		"hedges.txt": {
			summary: map[Practice]Polarity{Cookies: Affirmed, WebBeacons: Affirmed, EmailOpenTracking: Affirmed,
				LocalStorage: Affirmed, Analytics: Affirmed, BrowserOptOut: Affirmed},
			vendors: map[string]string{},
		},
		"nothing.txt": {summary: map[Practice]Polarity{}, vendors: map[string]string{}},
		"modern.md": {
			summary: map[Practice]Polarity{Cookies: Affirmed, WebBeacons: Affirmed, LocalStorage: Affirmed, Analytics: Affirmed,
				Advertising: Affirmed, ConsentBeforeNonEssential: Affirmed, EmailOpenTracking: Affirmed,
				EmailClickTracking: Affirmed, SaleOfData: Denied, DoNotTrack: Denied, SessionRecording: Denied,
				ThirdPartySharing: Denied,    // "we don't share it for cross-context behavioral advertising"
				SocialWidgets:     Affirmed}, // "Some of our pages embed YouTube videos"
			vendors: map[string]string{"google-analytics": "", "matomo": "", "facebook": "", "linkedin": "", "mailchimp": "",
				"youtube": "", "cloudflare": RoleHosting, "hotjar": "", "fullstory": "", "adyen": RolePayment},
			disclosed: []string{"facebook", "google-analytics", "linkedin", "mailchimp", "matomo", "youtube"},
		},
		"consent.html": {
			summary: map[Practice]Polarity{Cookies: Affirmed, ConsentBeforeNonEssential: Affirmed, Analytics: Affirmed, Advertising: Affirmed},
			vendors: map[string]string{"google-analytics": "", "facebook": "", "stripe": RolePayment,
				"amazon-web-services": RoleHosting, "cloudflare": RoleHosting},
			cookies: map[string]float64{"session_id": -1, "_ga": 395.4167, "_fbp": 91.25},
		},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "policy", name))
			if err != nil {
				t.Fatal(err)
			}
			pol, err := p.Parse(name, b, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := pol.Summary(); !reflect.DeepEqual(got, want.summary) {
				t.Errorf("summary\n got %v\nwant %v", got, want.summary)
			}
			if got := vendorDecls(pol); !reflect.DeepEqual(got, want.vendors) {
				t.Errorf("vendors\n got %v\nwant %v", got, want.vendors)
			}
			if want.disclosed != nil && !reflect.DeepEqual(pol.Vendors(), want.disclosed) {
				t.Errorf("disclosed vendors\n got %v\nwant %v", pol.Vendors(), want.disclosed)
			}
			gotCookies := map[string]float64{}
			for _, c := range pol.Cookies {
				gotCookies[c.Name] = c.Days
			}
			if len(want.cookies) > 0 || len(gotCookies) > 0 {
				if !reflect.DeepEqual(gotCookies, want.cookies) {
					t.Errorf("cookies\n got %v\nwant %v", gotCookies, want.cookies)
				}
			}
			for _, d := range pol.Declarations {
				if d.Quote == "" || !strings.Contains(string(b), firstWords(d.Quote)) && !strings.HasSuffix(name, ".html") && !strings.HasSuffix(name, ".md") {
					t.Errorf("quote %q is not a sentence of the source", d.Quote)
				}
				if !strings.HasSuffix(name, ".html") && d.Line == 0 {
					t.Errorf("declaration without a line: %+v", d)
				}
			}
		})
	}
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}

func TestQuoteIsExactSentence(t *testing.T) {
	p := testParser(t)
	text := "Intro line here.\nWe use cookies, e.g. _ga, to count visits. We do not sell data.\n"
	pol := parseString(t, p, text, FormatText)
	for _, d := range pol.Declarations {
		if d.Practice == Cookies && d.Quote != "We use cookies, e.g. _ga, to count visits." {
			t.Errorf("cookies quote = %q", d.Quote)
		}
		if d.Practice == SaleOfData && (d.Quote != "We do not sell data." || d.Line != 2) {
			t.Errorf("sale quote = %q line %d", d.Quote, d.Line)
		}
	}
}

func TestMarkdown(t *testing.T) {
	src := "# Privacy *Policy*\n\nSome **bold** and _emphasised words_ with a [link](https://example.com/x) and `code`.\n" +
		"A wrapped line that goes on\nand on until it ends.\n\n" +
		"Section Two\n-----------\n\n* first item\n* second item with the _ga cookie\n1\\. numbered item\n\n" +
		"| Cookie | Expiry |\n|---|---|\n| _ga | 2 years |\n"
	blocks, tables := parseText(src)
	var got []string
	for _, b := range blocks {
		prefix := ""
		if b.heading {
			prefix = "H:"
		}
		got = append(got, prefix+b.text+"@"+b.section)
	}
	want := []string{
		"H:Privacy Policy@Privacy Policy",
		"Some bold and emphasised words with a link and code.@Privacy Policy",
		"A wrapped line that goes on and on until it ends.@Privacy Policy",
		"H:Section Two@Section Two",
		"first item@Section Two",
		"second item with the _ga cookie@Section Two",
		"numbered item@Section Two",
		"Cookie, Expiry@Section Two",
		"_ga, 2 years@Section Two",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("blocks\n got %q\nwant %q", got, want)
	}
	if len(tables) != 1 || len(tables[0].rows) != 2 {
		t.Fatalf("tables = %+v", tables)
	}
	if c := cookiesFromTable(tables[0]); len(c) != 1 || c[0].Name != "_ga" || c[0].Days != 730 {
		t.Errorf("cookies from table = %+v", c)
	}
	// Wrapped lines keep their own line numbers.
	if b := blocks[2]; b.line != 4 || b.lineAt(strings.Index(b.text, "and on")) != 5 {
		t.Errorf("lines of wrapped text = %d, %d, want 4, 5", b.line, b.lineAt(strings.Index(b.text, "and on")))
	}
}

func TestHTMLMainText(t *testing.T) {
	src := `<html><head><title>T</title><script>var cookies = "sold";</script></head><body>
<nav>We sell cookies</nav><header>Header text</header><div id="onetrust-consent-sdk">We use cookies. Accept all</div>
<div role="dialog">Manage cookie settings</div>
<article><h2>Cookies</h2><p>We use <b>cookies</b>.<br>Second line.</p>
<ul><li>One item</li><li>Two item</li></ul><aside>Ads here</aside><form>Email</form></article>
<footer>Footer text</footer></body></html>`
	blocks, _, err := parseHTML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range blocks {
		got = append(got, b.text+"@"+b.section)
	}
	want := []string{"Cookies@Cookies", "We use cookies.@Cookies", "Second line.@Cookies", "One item@Cookies", "Two item@Cookies"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseLifetime(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"2 years", 730, true}, {"13 months", 395.4167, true}, {"1 year", 365, true}, {"24 hours", 1, true},
		{"30 days", 30, true}, {"1 day", 1, true}, {"two weeks", 14, true}, {"a year", 365, true},
		{"session", -1, true}, {"Session", -1, true}, {"end of session", -1, true}, {"when the browser is closed", -1, true},
		{"30 minutes", 0.0208, true}, {"90", 90, true}, {"1.5 years", 547.5, true}, {"2y", 730, true},
		{"and", 0, false}, {"an hour", 0.0417, true}, {"3d", 3, true},
		{"forever", 0, false}, {"", 0, false}, {"-5", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLifetime(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLifetime(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCookiesFromSentence(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]float64
	}{
		{"_ga, 2 years", map[string]float64{"_ga": 730}},
		{"The _ga cookie expires after 2 years and _gid after 24 hours.", map[string]float64{"_ga": 730, "_gid": 1}},
		{"_fbp (Facebook): 3 months", map[string]float64{"_fbp": 91.25}},
		{"__utmz – 6 months", map[string]float64{"__utmz": 182.5}},
		{"PHPSESSID lasts for the session", map[string]float64{}}, // no underscore, not in the KB: not a cookie name
		{"We keep 2 years of logs.", map[string]float64{}},
		{"Google's __gads cookie, which caps how often you see the same ad, expires after 13 months.", map[string]float64{"__gads": 395.4167}},
		{"We keep only a pw_token and the last four digits.", map[string]float64{}}, // "and" is not "a" + "d"
	}
	for _, tt := range tests {
		got := map[string]float64{}
		for _, c := range cookiesFromSentence(tt.in, nil) {
			got[c.Name] = c.Days
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct{ source, text, want string }{
		{"p.yml", "", FormatYAML}, {"p.YAML", "", FormatYAML}, {"p.html", "", FormatHTML}, {"p.md", "", FormatMarkdown},
		{"p.txt", "<!DOCTYPE html><html>", FormatHTML}, {"p", "# comment\nversion: 1\n", FormatYAML},
		{"p", "vendors:\n  - hotjar\n", FormatYAML}, {"p", "We use cookies.", FormatText},
		{"https://example.com/privacy.html?x=1", "", FormatHTML}, {"https://example.com/privacy", "Text", FormatText},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.source, []byte(tt.text)); got != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %q, want %q", tt.source, tt.text, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	p := testParser(t)
	for _, tt := range []struct{ text, format string }{
		{"a\x00b", FormatText},
		{"We use cookies.", "pdf"},
	} {
		_, err := p.Parse("x", []byte(tt.text), tt.format)
		if !errors.Is(err, ErrUnreadable) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q, %q) error = %v, want one line wrapping ErrUnreadable", tt.text, tt.format, err)
		}
	}
}

func TestPractices(t *testing.T) {
	got := Practices()
	want := []Practice{Cookies, WebBeacons, LocalStorage, Analytics, Advertising, SocialWidgets, SessionRecording,
		Fingerprinting, EmailOpenTracking, EmailClickTracking, ThirdPartySharing, SaleOfData, ConsentBeforeNonEssential,
		BrowserOptOut, DoNotTrack, VendorPractice}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Practices() = %v", got)
	}
	// Every practice but vendor has at least one pattern.
	have := map[Practice]bool{}
	for _, p := range patterns {
		have[p.practice] = true
	}
	var missing []string
	for _, pr := range want[:len(want)-1] {
		if !have[pr] {
			missing = append(missing, string(pr))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("practices without patterns: %v", missing)
	}
}

func TestLegacyEncoding(t *testing.T) {
	p := testParser(t)
	html := []byte("<html><head><meta charset=\"iso-8859-1\"></head><body><p>Nous utilisons des cookies \xe0 des fins de mesure d'audience.</p></body></html>")
	pol := parseString(t, p, string(html), FormatHTML)
	if len(pol.Declarations) == 0 || !strings.Contains(pol.Declarations[0].Quote, "à des fins") {
		t.Errorf("declarations = %+v", pol.Declarations)
	}
	txt := []byte("We use cookies \x96 small files \x96 to count visits.")
	pol = parseString(t, p, string(txt), FormatText)
	if len(pol.Declarations) == 0 || !utf8.ValidString(pol.Declarations[0].Quote) || !strings.Contains(pol.Declarations[0].Quote, "–") {
		t.Errorf("declarations = %+v", pol.Declarations)
	}
}
