package email

import (
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/mailbox"
	"github.com/trackscan/trackscan/detectors"
)

// The ids the knowledge base carries for ESPs; each must have data here.
var requiredESPs = []string{"mailchimp", "mandrill", "sendgrid", "mailgun", "mailjet", "mautic",
	"dotdigital", "hubspot", "salesforce-marketing-cloud", "marketo", "pardot", "klaviyo",
	"customerio", "brevo", "constant-contact", "campaign-monitor", "amazon-ses", "postmark",
	"sparkpost", "cleverreach", "eloqua", "mailerlite", "activecampaign", "convertkit"}

func TestESPDataCoversRequiredIDs(t *testing.T) {
	s := DefaultESPs()
	if len(s.ESPs) < 80 {
		t.Fatalf("%d ESPs, want at least 80", len(s.ESPs))
	}
	for _, id := range requiredESPs {
		if s.ByID(id) == nil {
			t.Errorf("ESP %s missing from esps.yaml", id)
		}
	}
}

// Every ESP's own samples (the check vendors --check runs).
func TestESPSamples(t *testing.T) {
	for _, p := range CheckESPs(DefaultESPs()) {
		t.Error(p)
	}
}

// The check finds what is wrong with bad data.
func TestCheckESPsFindsProblems(t *testing.T) {
	s, err := LoadESPs([]byte(`
- id: a
  name: Alpha
  names: [AB]
  domains: [alpha.example]
  open: [{host: "t.alpha.example", path: '^/o/'}]
  samples:
    open: ["https://t.alpha.example/c/1"]
    hosts: [beta.example]
    not: ["https://t.alpha.example/o/2", t.alpha.example]
- id: b
  name: Beta
  domains: [beta.example]
`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(CheckESPs(s), "\n")
	for _, want := range []string{
		"esp a: name \"AB\" is too short",
		"esp a: https://t.alpha.example/c/1 matches nothing",
		"esp a: host beta.example is owned by b",
		"esp a: negative https://t.alpha.example/o/2 matches a (open)",
		"esp a: negative host t.alpha.example is owned by it",
		"esp b: no sample that must match",
		"esp b: no sample that must not match",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

func TestHostGlob(t *testing.T) {
	tests := []struct {
		glob, host string
		want       bool
	}{
		{"*.list-manage.com", "us5.list-manage.com", true},
		{"*.list-manage.com", "list-manage.com", true},
		{"*.list-manage.com", "evil-list-manage.com", false},
		{"email.*", "email.mg.brand.example", true},
		{"email.*", "myemail.brand.example", false},
		{"trk.klclick*.com", "trk.klclick3.com", true},
		{"*.sendibt*.com", "abc.r.sendibt3.com", true},
		{"*.sendibt*.com", "sendibt3.com", true},
		{"*.sendibt*.com", "sendibt3.co", false},
		{"*.r.*.awstrack.me", "abc.r.us-east-1.awstrack.me", true},
		{"*.r.*.awstrack.me", "r.awstrack.me", false},
		{"a*b*c", "abc", true},
		{"a*bc*c", "abc", false},
		{"mandrillapp.com", "mandrillapp.com", true},
		{"mandrillapp.com", "x.mandrillapp.com", false},
	}
	for _, tt := range tests {
		if got := hostGlob(tt.glob, tt.host); got != tt.want {
			t.Errorf("hostGlob(%q, %q) = %v, want %v", tt.glob, tt.host, got, tt.want)
		}
	}
}

func TestOwner(t *testing.T) {
	s := DefaultESPs()
	for host, want := range map[string]string{
		"mail12.atl91.mcsv.net": "mailchimp", "bounce.hubspotemail.net": "hubspot",
		"email.amazonses.com": "amazon-ses", "shop.cmail20.com": "campaign-monitor", "shop.example": "",
	} {
		if got := s.Owner(host); idOf(got) != want && !(got == nil && want == "") {
			t.Errorf("Owner(%s) = %s, want %q", host, idOf(got), want)
		}
	}
}

func TestLoadESPsRejectsBadData(t *testing.T) {
	for name, data := range map[string]string{
		"duplicate id":  "- id: a\n- id: a\n",
		"bad regexp":    "- id: a\n  open: [{path: '('}]\n",
		"empty pattern": "- id: a\n  click: [{}]\n",
		"not yaml list": "id: a\n",
	} {
		if _, err := LoadESPs([]byte(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// analyzeMessage analyzes an HTML email from the shop to jane with these
// extra headers (each ending in CRLF) and this body.
func analyzeMessage(t *testing.T, headers, body string) detectors.Email {
	t.Helper()
	raw := "From: Shop <news@shop.example>\r\nTo: jane@example.com\r\nSubject: Hi\r\n" + headers +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body + "\r\n"
	rs := mailbox.Parse("h.eml", []byte(raw))
	if rs[0].Err != nil || rs[0].Msg == nil {
		t.Fatalf("parse: %v", rs[0].Err)
	}
	return Analyze(rs[0].Msg, Options{})
}

// Every header the scope names attributes the ESP on its own, with no
// tracking URL in the body; the source says which header it was.
func TestESPFromHeaders(t *testing.T) {
	tests := []struct {
		name, headers, esp, source string
	}{
		{"X-Mailer", "X-Mailer: MailChimp Mailer - **CID71be0d9f3a**", "mailchimp", "header X-Mailer"},
		{"X-Mailer with vendor words", "X-Mailer: Roving Constant Contact 2012 (http://www.constantcontact.com)", "constant-contact", "header X-Mailer"},
		{"Feedback-ID sender", "Feedback-ID: 4719:1204:newsletter:mailjet", "mailjet", "header Feedback-Id"},
		{"Feedback-ID SES", "Feedback-ID: 1.eu-west-1.Zk9sQ2Fy=:AmazonSES", "amazon-ses", "header Feedback-Id"},
		{"DKIM d=", "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n d=mcsv.net; s=k2; b=QmFz", "mailchimp", "DKIM d=mcsv.net"},
		{"Return-Path", "Return-Path: <bounce-7781@bounces.mktomail.com>", "marketo", "Return-Path bounces.mktomail.com"},
		{"List-Unsubscribe URL", "List-Unsubscribe: <https://shop.us5.list-manage.com/unsubscribe?u=9f3a2c&id=71be0d>", "mailchimp", "List-Unsubscribe shop.us5.list-manage.com"},
		{"List-Unsubscribe mailto", "List-Unsubscribe: <mailto:unsub-0a1b2c@sendgrid.net?subject=unsubscribe>", "sendgrid", "List-Unsubscribe sendgrid.net"},
		{"ESP header", "X-Mailgun-Sid: WyI0ZjQ2NSJd", "mailgun", "header X-Mailgun-Sid"},
		{"ordinary mailer", "X-Mailer: Microsoft Outlook 16.0", "", ""},
		{"own DKIM", "DKIM-Signature: v=1; d=shop.example; s=s1; b=QmFz", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := analyzeMessage(t, tt.headers+"\r\n", `<p><a href="https://shop.example/">Shop</a></p>`)
			if e.ESP != tt.esp || e.ESPSource != tt.source {
				t.Errorf("ESP %q from %q, want %q from %q", e.ESP, e.ESPSource, tt.esp, tt.source)
			}
		})
	}
}

// The platform that built a message is named, not the infrastructure that
// delivered it; the infrastructure is reported as the delivery.
func TestPlatformOverInfrastructure(t *testing.T) {
	tests := []struct {
		name, headers, body                 string
		esp, espSource, delivery, delSource string
	}{
		{"Klaviyo over SendGrid",
			"X-SG-EID: u001.Bq9Zy\r\nX-Kmail-Account: W7Aufs\r\nReturn-Path: <bounces+3714-00a2@send.ksd2.klaviyomail.com>\r\n",
			`<a href="https://trk.klclick1.com/ls/click?upn=7ZpdBophAwrZEeo9o6yKdFTuap">Shop</a><img src="https://trk.klclick1.com/wf/open?upn=Zk9sQ2FtcGFp" width="1" height="1">`,
			"klaviyo", "header X-Kmail-Account", "sendgrid", "header X-Sg-Eid"},
		{"Klaviyo over SendGrid, links only",
			"X-SG-EID: u001.Bq9Zy\r\n",
			`<a href="https://trk.klclick1.com/ls/click?upn=7ZpdBophAwrZEeo9o6yKdFTuap">Shop</a>`,
			"klaviyo", "link URL", "sendgrid", "header X-Sg-Eid"},
		{"Customer.io over Mailgun",
			"X-Mailer: Customer.io (dgSz4QYDAJypyQ==; +https://whatis.customeriomail.com)\r\nX-Mailgun-Sid: WyJlN2Y3MyJd\r\n",
			`<img src="https://e.customeriomail.com/e/o/eyJlbWFpbF9pZCI6ImRnU3o0UVlE" width="1" height="1">`,
			"customerio", "header X-Mailer", "mailgun", "header X-Mailgun-Sid"},
		{"beehiiv over SendGrid on beehiiv's link host",
			"X-SG-EID: u001.fkD27\r\nDKIM-Signature: v=1; d=mail.beehiiv.com; s=s1; b=QmFz\r\n",
			`<img src="https://link.mail.beehiiv.com/wf/open?upn=u001.s4A7ZqC-2Ftxqw36qkcPzhAm" width="1" height="1">`,
			"beehiiv", "DKIM d=mail.beehiiv.com", "sendgrid", "header X-Sg-Eid"},
		{"Iterable over Amazon SES",
			"Feedback-ID: 1.us-east-1.lCJVkz6+3S71=:AmazonSES\r\nX-Feedback-ID: 8360313:6224940:4374:iterable\r\n",
			`<img src="https://links.iterable.com/e/eo?_t=3e212efd1737&_m=c1102b21ae52&_e=koxYW5" width="1" height="1">`,
			"iterable", "header X-Feedback-Id", "amazon-ses", "header Feedback-Id"},
		{"SendGrid alone is both",
			"X-SG-EID: u001.Bq9Zy\r\n",
			`<img src="https://u123.ct.sendgrid.net/wf/open?upn=Zk9sQ2FtcGFp" width="1" height="1">`,
			"sendgrid", "header X-Sg-Eid", "sendgrid", "header X-Sg-Eid"},
		{"a platform sending itself",
			"X-Mailer: Mailchimp Mailer - **CID2f3fffa5a1**\r\n",
			`<img src="https://shop.us2.list-manage.com/track/open.php?u=f61c&id=2f3f&e=be5e" width="1" height="1">`,
			"mailchimp", "header X-Mailer", "mailchimp", "header X-Mailer"},
		{"a forwarded newsletter: platform from the body, no delivery",
			"",
			`<img src="https://djcaice.r.bh.d.sendibt3.com/tr/op/NhCzc-KU6Kq-tjC5Vi9TNiH5Jx0" width="1" height="1">`,
			"brevo", "open pixel URL", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := analyzeMessage(t, tt.headers, tt.body)
			if e.ESP != tt.esp || e.ESPSource != tt.espSource {
				t.Errorf("ESP %q from %q, want %q from %q", e.ESP, e.ESPSource, tt.esp, tt.espSource)
			}
			if e.Delivery != tt.delivery || e.DeliverySource != tt.delSource {
				t.Errorf("delivery %q from %q, want %q from %q", e.Delivery, e.DeliverySource, tt.delivery, tt.delSource)
			}
			if e.ESP != "" && e.ESPName == "" {
				t.Error("no ESP name")
			}
		})
	}
}

// ByID returns the ESP with this id, or nil.
func (s *ESPSet) ByID(id string) *ESP {
	for _, e := range s.ESPs {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// hostGlob matches a host against a glob (see compileGlob).
func hostGlob(glob, host string) bool { return compileGlob(glob)(host) }
