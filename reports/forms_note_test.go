package reports

import (
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestFormsNote(t *testing.T) {
	tests := []struct {
		name  string
		forms []capture.FormSubmit
		want  string
	}{
		{"none considered", nil, ""},
		{"one submitted, two skipped", []capture.FormSubmit{
			{Form: "newsletter", Submitted: true},
			{Form: "pay", Skipped: "payment", Detail: "field card"},
			{Form: "", Skipped: "password", Detail: "field new"},
		}, "forms on https://shop.example/ (pre-consent): submitted newsletter; not submitted pay (payment: field card), (unnamed form) (password: field new)"},
		{"all skipped", []capture.FormSubmit{{Form: "erase", Skipped: "deletion"}},
			"forms on https://shop.example/ (pre-consent): not submitted erase (deletion)"},
	}
	for _, tt := range tests {
		p := capture.Page{URL: "https://shop.example/", Phase: capture.PreConsent, FormsSubmitted: tt.forms}
		if got := formsNote(p); got != tt.want {
			t.Errorf("%s: %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
