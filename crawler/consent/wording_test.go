package consent

import "testing"

func TestClassifyBannerLabels(t *testing.T) {
	langs := map[string]int{}
	rejects, others := 0, 0
	for _, tc := range bannerLabels {
		langs[tc.lang]++
		if tc.want == MeaningReject {
			rejects++
		} else {
			others++
		}
		if got := Classify(tc.label); got != tc.want {
			t.Errorf("%s %q classified %q, want %q", tc.lang, tc.label, got, tc.want)
		}
	}
	if len(bannerLabels) < 100 || len(langs) < 10 || rejects < 50 || others < 50 {
		t.Errorf("label table too thin: %d labels, %d languages, %d rejects, %d others", len(bannerLabels), len(langs), rejects, others)
	}
}

// An accept is never a reject, whatever it is padded with.
func TestClassifyAcceptNeverReject(t *testing.T) {
	for _, tc := range bannerLabels {
		if tc.want != MeaningAccept {
			continue
		}
		for _, v := range []string{tc.label, "  " + tc.label + " ", "» " + tc.label + " «", tc.label + "!"} {
			if got := Classify(v); got == MeaningReject {
				t.Errorf("accept label %q classified as reject", v)
			}
		}
	}
}

func TestNormLabel(t *testing.T) {
	for in, want := range map[string]string{
		"  Accept\n all  ": "accept all", "» Tout refuser «": "tout refuser", "OK!": "ok", "": "", "...": "",
		"Nur notwendige\tCookies": "nur notwendige cookies",
	} {
		if got := NormLabel(in); got != want {
			t.Errorf("NormLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestActionValid(t *testing.T) {
	for a, want := range map[Action]bool{Reject: true, Accept: true, "": false, "Reject": false, "save": false} {
		if a.Valid() != want {
			t.Errorf("%q.Valid() = %v", a, !want)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, tc := range bannerLabels {
		f.Add(tc.label)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Classify(s)
		// Classification depends on the normalised label only.
		if Classify(NormLabel(s)) != m {
			t.Errorf("%q and its normal form classify differently", s)
		}
	})
}
