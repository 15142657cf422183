package reports

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trackscan/trackscan/detectors"
)

// tracker completes a tracker with a URL on its host.
func tracker(t detectors.EmailTracker) detectors.EmailTracker {
	t.URL = "https://" + t.Host + "/x"
	return t
}

func TestEmailSummaryRows(t *testing.T) {
	mc := detectors.Email{File: "news/mailchimp.eml", ESP: "mailchimp", ESPName: "Mailchimp", Delivery: "mailchimp",
		Trackers: []detectors.EmailTracker{
			tracker(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "shop.us5.list-manage.com"}),
			tracker(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "shop.us5.list-manage.com"}),
			tracker(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "www.shop.example"}),
			tracker(detectors.EmailTracker{Kind: detectors.KindThirdPartyContent, Host: "shop.us5.list-manage.com"}),
			tracker(detectors.EmailTracker{Kind: detectors.KindThirdPartyContent, Host: "cdn.images.example"}),
		}}
	kl := detectors.Email{File: "news/klaviyo.eml", ESP: "klaviyo", ESPName: "Klaviyo", Delivery: "sendgrid", DeliveryName: "SendGrid"}
	leaky := detectors.Email{File: "news/leaks.html"}
	for _, enc := range []string{"plain", "base64", "md5", "sha256"} {
		tr := tracker(detectors.EmailTracker{Kind: detectors.KindAddressLeak, Host: "t.adnet.example"})
		tr.LeakEncoding, tr.ThirdParty = enc, true
		leaky.Trackers = append(leaky.Trackers, tr)
	}
	broken := detectors.Email{File: "news/bad.eml", Error: "empty file"}
	header, rows := EmailSummary([]detectors.Email{mc, kl, leaky, broken})
	if len(header) != 7 || len(rows) != 4 {
		t.Fatalf("header %q, %d rows", header, len(rows))
	}
	tests := []struct {
		name string
		row  []string
		want []string
	}{
		{"platform delivering itself", rows[0], []string{"mailchimp.eml", "Mailchimp", "1 (list-manage.com)",
			"2 (list-manage.com,\nshop.example)", "-", "-", "2"}},
		{"platform over infrastructure", rows[1], []string{"klaviyo.eml", "Klaviyo\nvia SendGrid", "-", "-", "-", "-", "0"}},
		{"leaks cut after three", rows[2], []string{"leaks.html", "-", "-", "-", "-",
			"base64 to adnet.example (3rd party)\nmd5 to adnet.example (3rd party)\nplain to adnet.example (3rd party)\n+1 more", "0"}},
		{"error", rows[3], []string{"bad.eml", "error: empty file", "-", "-", "-", "-", "0"}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.row, tt.want) {
			t.Errorf("%s row = %q, want %q", tt.name, tt.row, tt.want)
		}
	}
}

// The table stays narrow: names relative to the directory the emails
// share, long names and errors cut.
func TestEmailSummaryStaysNarrow(t *testing.T) {
	mc := detectors.Email{File: "campaigns/2026/spring/mailchimp.eml"}
	long := detectors.Email{File: "campaigns/2026/spring/a-very-long-campaign-name-for-the-autumn-sale.eml",
		Error: `unknown charset "x-klingon-8" in a part that declares something long and unusual`}
	other := detectors.Email{File: "campaigns/2026/summer/welcome.eml"}
	_, rows := EmailSummary([]detectors.Email{mc, long, other})
	for _, tt := range []struct{ name, got, want string }{
		{"relative name", rows[0][0], "spring/mailchimp.eml"},
		{"long name keeps its end", rows[1][0], "…-name-for-the-autumn-sale.eml"},
		{"error cut", rows[1][1], `error: unknown charset "x…`},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: cell %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if _, rows := EmailSummary([]detectors.Email{mc}); rows[0][0] != "…gns/2026/spring/mailchimp.eml" {
		t.Errorf("single email row %q", rows[0][0])
	}
}

// The table format draws the email summary with tablewriter, with control
// characters from the email neutralised.
func TestEmailTableReport(t *testing.T) {
	rep := &Report{Schema: Schema, Kind: KindEmail, Target: "news", Emails: []detectors.Email{
		{File: "news/a.eml", ESP: "klaviyo", ESPName: "Klaviyo\x1b[31m", Delivery: "sendgrid", DeliveryName: "SendGrid"},
	}}
	var b bytes.Buffer
	if err := (&Table{Color: ColorNever}).Report(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"trackscan email: news (1 email)", "CSS TRACKERS", "via SendGrid", "a.eml"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape sequence from the email reached the terminal:\n%q", out)
	}
}

// After --compare the table, the Markdown and the HTML say which URL part
// differs per recipient and whether it encodes the address.
func TestEmailDifferences(t *testing.T) {
	px := tracker(detectors.EmailTracker{Kind: detectors.KindOpenPixel, Host: "t.shop.example"})
	px.Differs = []detectors.URLDifference{{Part: "path segment 2", Value: "YW5uQGV4YW1wbGUub3Jn", Address: "base64"}}
	ln := tracker(detectors.EmailTracker{Kind: detectors.KindClickTracking, Host: "t.shop.example"})
	ln.Differs = []detectors.URLDifference{{Part: "query parameter r", Value: "3f9c1a7e"}}
	rep := &Report{Schema: Schema, Kind: KindEmail, Target: "a.eml b.eml", Findings: nil, Emails: []detectors.Email{
		{File: "a.eml", Trackers: []detectors.EmailTracker{px, ln}}, {File: "b.eml"},
	}}
	header, rows := EmailSummary(rep.Emails)
	if header[len(header)-1] != "DIFFERS PER RECIPIENT" {
		t.Fatalf("header %q", header)
	}
	if got, want := rows[0][len(header)-1], "pixel path/2=YW5uQGV4YW1wbGUu… (address, base64)\nlink ?r=3f9c1a7e"; got != want {
		t.Errorf("cell %q, want %q", got, want)
	}
	if got := rows[1][len(header)-1]; got != "-" {
		t.Errorf("copy without differences: %q", got)
	}
	for name, r := range map[string]Reporter{"markdown": &Markdown{}, "html": &HTML{}} {
		var b bytes.Buffer
		if err := r.Report(&b, rep); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"What differs per recipient", "path segment 2", "YW5uQGV4YW1wbGUub3Jn", "base64", "query parameter r"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}

// An email read despite a problem is a note, not an error: the scan is
// complete.
func TestNewEmailWarningsAreNotes(t *testing.T) {
	rep := NewEmail("mail", []detectors.Email{
		{File: "a.eml", Warnings: []string{`unknown Content-Transfer-Encoding "8bit+" read as 8bit`}},
		{File: "b.eml", Error: "truncated or malformed MIME"},
	}, time.Time{}, time.Time{}, Tool{Name: "trackscan"})
	if len(rep.Errors) != 1 || rep.Errors[0] != "b.eml: truncated or malformed MIME" {
		t.Errorf("errors %q", rep.Errors)
	}
	if len(rep.Notes) != 1 || rep.Notes[0] != `a.eml: warning: unknown Content-Transfer-Encoding "8bit+" read as 8bit` {
		t.Errorf("notes %q", rep.Notes)
	}
}
