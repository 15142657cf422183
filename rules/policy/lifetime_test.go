package policy

import (
	"reflect"
	"testing"
)

// TestDeclaredLifetimeProse reads cookie lifetimes written into prose the
// way policies phrase them, through the whole parser (with the knowledge
// base), and leaves data retention that is not about a cookie alone.
func TestDeclaredLifetimeProse(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]float64
	}{
		{"Cookies we use: _ga, 2 years.", map[string]float64{"_ga": 730}},
		{"The _ga cookie from Google Analytics expires after 2 years.", map[string]float64{"_ga": 730}},
		{"We use the _ga cookie (2 years) from Google Analytics.", map[string]float64{"_ga": 730}},
		{"We use _ga (2 years) and _gid (24 hours) from Google Analytics.", map[string]float64{"_ga": 730, "_gid": 1}},
		{"The _ga cookie is kept for 13 months.", map[string]float64{"_ga": 395.4167}},
		{"The _ga cookie lasts 1 year.", map[string]float64{"_ga": 365}},
		{"The _ga cookie has a lifetime of 24 months.", map[string]float64{"_ga": 730}},
		{"The _ga cookie is retained for up to 2 years.", map[string]float64{"_ga": 730}},
		{"The _fbp cookie set by Meta is stored for 3 months.", map[string]float64{"_fbp": 91.25}},
		{"Our _hjSessionUser cookie has a duration of one year.", map[string]float64{"_hjSessionUser": 365}},
		{"The _ga cookie, set by Google Analytics, expires after 2 years.", map[string]float64{"_ga": 730}},
		// Data retention that is not about a cookie declares nothing.
		{"We keep your order data for 10 years.", map[string]float64{}},
		{"Invoices are retained for up to 10 years.", map[string]float64{}},
		{"Your account data has a lifetime of 2 years after closure.", map[string]float64{}},
		{"We use the _ga cookie and keep your order data for 10 years.", map[string]float64{}},
		{"We use the _ga cookie from Google Analytics and keep your order data for 10 years.", map[string]float64{}},
		{"We store the order_id from Shopify for 10 years.", map[string]float64{}},
	}
	p := Default()
	for _, tt := range tests {
		pol, err := p.Parse("p.txt", []byte(tt.in), FormatText)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		got := map[string]float64{}
		for _, c := range pol.Cookies {
			got[c.Name] = c.Days
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
	}
}
