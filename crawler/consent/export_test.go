package consent

// LabelCase is one row of bannerLabels with exported fields.
type LabelCase struct {
	Lang, Label string
	Want        Meaning
}

// BannerLabels gives the label table to the Chromium test, which lives in
// package consent_test: it uses browsertest, and browsertest imports
// crawler/browser, which imports this package.
func BannerLabels() []LabelCase {
	out := make([]LabelCase, len(bannerLabels))
	for i, tc := range bannerLabels {
		out[i] = LabelCase{Lang: tc.lang, Label: tc.label, Want: tc.want}
	}
	return out
}
