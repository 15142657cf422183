package keyshape

import "testing"

func TestOf(t *testing.T) {
	for in, want := range map[string]string{
		"__mplss_23rkq52a": "__mplss_*",
		"__mprec_mixpanel_5e1f0c2b9a8d47e6b3c21f0a9d8e7c6b_x:Y": "__mprec_mixpanel_*_x:Y",
		"_ga":                   "_ga",
		"_ga_ABC123":            "_ga_*",
		"consent_analytics":     "consent_analytics",
		"AMP_unsent_a1b2c3d4e5": "AMP_unsent_*",
		"cart_item_12":          "cart_item_12",
		"":                      "",
	} {
		if got := Of(in); got != want {
			t.Errorf("Of(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommon(t *testing.T) {
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"__mplss_23rkq52a", "__mplss_iwqitwdx", "__mplss_sm41ustd"}, "__mplss_*"},
		{[]string{"__mprec_mixpanel_5e1f0c2b_9f8e7d6c-1b2a-4c3d-9e8f-0a1b2c3d4e5f:X", "__mprec_mixpanel_5e1f0c2b_0a1b2c3d-4e5f-4a6b-8c7d-9e8f0a1b2c3d:X"},
			"__mprec_mixpanel_5e1f0c2b_*-*-*-*-*:X"},
		{[]string{"_sp_root_domain_test_1796671755959", "_sp_root_domain_test_1796671757103"}, "_sp_root_domain_test_*"},
		{[]string{"a_123456", "a-123456-b"}, "a_*"},
		{[]string{"only"}, "only"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := Common(tt.keys); got != tt.want {
			t.Errorf("Common(%q) = %q, want %q", tt.keys, got, tt.want)
		}
	}
}

func TestFamilyOf(t *testing.T) {
	for in, want := range map[string]string{
		"__mplss_iwqitwdx": "__mplss_*",
		"consent":          "",
		"trailing_":        "",
		"a:b":              "a:*",
	} {
		if got := FamilyOf(in); got != want {
			t.Errorf("FamilyOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCommon(f *testing.F) {
	f.Add("__mplss_23rkq52a", "__mplss_iwqitwdx")
	f.Add("a-b", "a_b")
	f.Fuzz(func(t *testing.T, a, b string) {
		got := Common([]string{a, b})
		if a == b && got != a {
			t.Fatalf("Common of one key twice = %q, want it unchanged", got)
		}
		_ = Of(a)
		_ = FamilyOf(b)
	})
}
