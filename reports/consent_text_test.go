package reports

import (
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/rules"
)

func TestConsentText(t *testing.T) {
	tests := []struct {
		name string
		c    *capture.Consent
		want string
	}{
		{"no consent data", nil, "-"},
		{"no banner, engine's note kept", &capture.Consent{Note: "OneTrust present, banner hidden"}, "OneTrust present, banner hidden"},
		{"no banner, no note", &capture.Consent{}, "no banner found"},
		{"clicked and verified, display name", &capture.Consent{BannerFound: true, CMP: "onetrust", Action: "reject", Clicked: true, Verified: true},
			"banner (OneTrust); reject clicked, verified"},
		{"clicked, not verified", &capture.Consent{BannerFound: true, Action: "accept", Clicked: true},
			"banner; accept clicked, not verified"},
		{"carried, banner stayed hidden", &capture.Consent{Carried: true, CarriedFrom: "http://shop.example/", CMP: "cookiebot", Action: "reject",
			Verified: true, Note: "no consent banner found"},
			"reject carried from http://shop.example/; Cookiebot; banner stayed hidden"},
		{"pre-consent with TCF", &capture.Consent{BannerFound: true, CMP: "quantcast", TCF: &capture.TCF{EventStatus: "cmpuishown"}},
			"banner (Quantcast Choice (InMobi)); TCF cmpuishown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := consentText(Page{Consent: tt.c}); got != tt.want {
				t.Errorf("consentText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTargetLine(t *testing.T) {
	tests := []struct {
		r    Report
		want string
	}{
		{Report{Target: "https://a.example/"}, "https://a.example/"},
		{Report{Target: "https://a.example/", Targets: []string{"https://a.example/"}}, "https://a.example/"},
		{Report{Target: "https://a.example/", Targets: []string{"https://a.example/", "https://b.example/"}}, "https://a.example/, https://b.example/"},
	}
	for _, tt := range tests {
		if got := tt.r.TargetLine(); got != tt.want {
			t.Errorf("TargetLine(%v) = %q, want %q", tt.r.Targets, got, tt.want)
		}
	}
}

func TestGroupFindingsKeepsSitesApart(t *testing.T) {
	f := func(target string) rules.Finding {
		return rules.Finding{Rule: "pre-consent-tracking", Severity: "high", Vendor: "hotjar", Phase: "pre-consent", Target: target, Evidence: "seen"}
	}
	groups := groupFindings([]rules.Finding{
		f("http://bakery.example/"), f("http://bakery.example/bread.html"), f("http://garden.example/"),
	})
	if len(groups) != 2 {
		t.Fatalf("%d groups, want one per site: %+v", len(groups), groups)
	}
	if got := groups[0].Targets; len(got) != 2 || got[0] != "http://bakery.example/" {
		t.Errorf("bakery group pages %v", got)
	}
	if got := groups[1].Targets; len(got) != 1 || got[0] != "http://garden.example/" {
		t.Errorf("garden group pages %v", got)
	}
}
