package email

import (
	"net/url"
	"strings"
	"testing"

	"github.com/trackscan/trackscan/crawler/mailbox"
)

// The ids the knowledge base carries for ESPs; each must have data here.
var requiredESPs = []string{"mailchimp", "mandrill", "sendgrid", "mailgun", "mailjet", "mautic",
	"dotdigital", "hubspot", "salesforce-marketing-cloud", "marketo", "pardot", "klaviyo",
	"customerio", "brevo", "constant-contact", "campaign-monitor", "amazon-ses", "postmark",
	"sparkpost", "cleverreach", "eloqua", "mailerlite", "activecampaign", "convertkit"}

func TestESPDataCoversRequiredIDs(t *testing.T) {
	s := DefaultESPs()
	if len(s.ESPs) < 24 {
		t.Fatalf("%d ESPs, want at least 24", len(s.ESPs))
	}
	for _, id := range requiredESPs {
		if s.ByID(id) == nil {
			t.Errorf("ESP %s missing from esps.yaml", id)
		}
	}
}

// Every ESP's own samples: positives match as their kind and name that
// ESP, negatives match no ESP at all.
func TestESPSamples(t *testing.T) {
	s := DefaultESPs()
	for _, e := range s.ESPs {
		t.Run(e.ID, func(t *testing.T) {
			if len(e.Samples.Open)+len(e.Samples.Click) == 0 || len(e.Samples.Not) == 0 {
				t.Fatal("needs positive and negative samples")
			}
			check := func(raw string, kinds ...string) {
				u, err := url.Parse(raw)
				if err != nil {
					t.Fatalf("bad sample %q: %v", raw, err)
				}
				got, kind := s.MatchURL(u)
				if got == nil || got.ID != e.ID {
					t.Errorf("%s: matched %v, want %s", raw, idOf(got), e.ID)
					return
				}
				for _, k := range kinds {
					if k == kind {
						return
					}
				}
				t.Errorf("%s: kind %q, want one of %v", raw, kind, kinds)
			}
			for _, raw := range e.Samples.Open {
				check(raw, matchOpen, matchTrack)
			}
			for _, raw := range e.Samples.Click {
				check(raw, matchClick, matchTrack)
			}
			for _, raw := range e.Samples.Not {
				u, _ := url.Parse(raw)
				if got, kind := s.MatchURL(u); got != nil {
					t.Errorf("negative %s matched %s (%s)", raw, got.ID, kind)
				}
			}
			for _, h := range e.Samples.Headers {
				name, value, _ := strings.Cut(h, ":")
				if got := s.MatchHeader(name, strings.TrimSpace(value)); got == nil || got.ID != e.ID {
					t.Errorf("header %q: matched %v, want %s", h, idOf(got), e.ID)
				}
			}
		})
	}
}

func idOf(e *ESP) string {
	if e == nil {
		return "nothing"
	}
	return e.ID
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
			raw := "From: Shop <news@shop.example>\r\nTo: jane@example.com\r\nSubject: Hi\r\n" + tt.headers +
				"\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p><a href=\"https://shop.example/\">Shop</a></p>\r\n"
			rs := mailbox.Parse("h.eml", []byte(raw))
			if rs[0].Err != nil || rs[0].Msg == nil {
				t.Fatalf("parse: %v", rs[0].Err)
			}
			e := Analyze(rs[0].Msg, Options{})
			if e.ESP != tt.esp || e.ESPSource != tt.source {
				t.Errorf("ESP %q from %q, want %q from %q", e.ESP, e.ESPSource, tt.esp, tt.source)
			}
		})
	}
}
