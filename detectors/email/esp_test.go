package email

import (
	"net/url"
	"strings"
	"testing"
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
