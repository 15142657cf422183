package reports

import (
	"slices"
	"strings"
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

func TestRejectNotPossible(t *testing.T) {
	page := func(u string, phase capture.Phase, c *capture.Consent) Page {
		return Page{URL: u, Phase: phase, Consent: c}
	}
	r := &Report{Pages: []Page{
		page("https://a.example/", capture.AfterReject, &capture.Consent{BannerFound: true, Action: "reject", Reason: capture.ReasonNotOffered}),
		page("https://a.example/x", capture.AfterReject, nil),
		page("https://b.example/", capture.AfterReject, &capture.Consent{BannerFound: true, Action: "reject", Clicked: true, Layer: 2}),
		page("https://b.example/x", capture.AfterReject, &capture.Consent{BannerFound: true, Action: "reject", Reason: capture.ReasonNotFound}),
		page("https://c.example/", capture.AfterReject, &capture.Consent{Action: "reject", Note: "no consent banner found"}),
		page("https://d.example/", capture.AfterReject, &capture.Consent{BannerFound: true, Action: "reject"}),
		page("https://e.example/", capture.AfterAccept, &capture.Consent{BannerFound: true, Action: "accept"}),
	}}
	got := rejectNotPossible(r)
	want := []string{"a.example: reject-not-offered", "d.example: reject-not-found"}
	if !slices.Equal(got, want) {
		t.Errorf("rejectNotPossible = %q, want %q", got, want)
	}
	if s := consentText(r.Pages[0]); !strings.Contains(s, "reject not possible (reject-not-offered)") {
		t.Errorf("consentText = %q", s)
	}
	if s := consentText(r.Pages[2]); !strings.Contains(s, "reject clicked, not verified; through the settings layer") {
		t.Errorf("consentText = %q", s)
	}
	r.Kind, r.Target = KindSite, "https://a.example/"
	if table := string(render(t, "table", r)); !strings.Contains(table, "reject not possible: a.example: reject-not-offered; d.example: reject-not-found") {
		t.Errorf("table lacks the reject-not-possible line:\n%s", table)
	}
	if html := string(render(t, "html", r)); !strings.Contains(html, "Reject not possible") || !strings.Contains(html, "a.example: reject-not-offered") {
		t.Error("HTML summary lacks reject not possible")
	}
}
