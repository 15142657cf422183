package policy

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// heldoutDir holds policies we wrote ourselves, with labels written from
// reading them, so the parser is measured on text its patterns were not
// written from.
var heldoutDir = filepath.Join("..", "..", "testdata", "policies", "heldout")

type heldoutLabel struct {
	Practices map[Practice]Polarity `yaml:"practices"`
	Vendors   []string              `yaml:"vendors"`
	Roles     map[string]string     `yaml:"roles"`
	Cookies   map[string]float64    `yaml:"cookies"`
}

// practiceTally counts the practices read as labelled, per practice and in
// all, and the denials read as denials.
type practiceTally struct {
	perPractice          map[Practice][2]int // correct, total
	correct, total       int
	denials, denialsRead int
}

// practiceMiss is a practice read otherwise than labelled.
type practiceMiss struct {
	practice  Practice
	got, want Polarity
}

// add scores one policy's practices (what Summary read) against its labels;
// a practice neither names counts as "absent". It returns the misses in
// practice order.
func (pt *practiceTally) add(practices []Practice, labelled, got map[Practice]Polarity) []practiceMiss {
	if pt.perPractice == nil {
		pt.perPractice = map[Practice][2]int{}
	}
	var misses []practiceMiss
	for _, pr := range practices {
		want, g := labelled[pr], got[pr]
		if want == "" {
			want = "absent"
		}
		if g == "" {
			g = "absent"
		}
		c := pt.perPractice[pr]
		c[1]++
		pt.total++
		if g == want {
			c[0]++
			pt.correct++
		} else {
			misses = append(misses, practiceMiss{pr, g, want})
		}
		pt.perPractice[pr] = c
		if want == Denied {
			pt.denials++
			if g == Denied {
				pt.denialsRead++
			}
		}
	}
	return misses
}

// checkLabelledPractices fails on a label naming a practice the parser
// does not score.
func checkLabelledPractices(t *testing.T, name string, practices []Practice, labelled map[Practice]Polarity) {
	t.Helper()
	for pr := range labelled {
		if !slices.Contains(practices, pr) {
			t.Errorf("%s: unknown practice %q in labels", name, pr)
		}
	}
}

// score is what one labelled check adds up.
type score struct {
	practiceTally
	tp, fp, fn                    int
	rolesOK, rolesAll             int
	cookiesOK, cookiesAll, extraC int
}

// TestHeldoutPolicies prints per-practice accuracy, denial recall, vendor
// recall and precision, payment/hosting roles and declared lifetimes over
// the held-out policies, and holds them to the aims.
func TestHeldoutPolicies(t *testing.T) {
	labels, names := readLabels[heldoutLabel](t, filepath.Join(heldoutDir, "labels.yaml"))
	if len(names) < 5 {
		t.Fatalf("%d held-out policies, want at least 5", len(names))
	}

	p := Default()
	practices := Practices()
	practices = practices[:len(practices)-1] // vendor is scored by recall/precision
	var sc score
	for _, name := range names {
		label := labels[name]
		text, err := os.ReadFile(filepath.Join(heldoutDir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := len(strings.Fields(string(text))); n < 800 || n > 2600 {
			t.Errorf("%s: %d words, want 800 to 2500", name, n)
		}
		pol, err := p.Parse(name, text, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkLabelledPractices(t, name, practices, label.Practices)
		for _, m := range sc.add(practices, label.Practices, pol.Summary()) {
			t.Logf("%s: %s read as %s, labelled %s%s", name, m.practice, m.got, m.want, quoteOf(pol, m.practice))
		}

		tp, fp, fn, found := scoreVendors(t, name, p, pol, label.Vendors, string(text))
		sc.tp, sc.fp, sc.fn = sc.tp+tp, sc.fp+fp, sc.fn+fn
		roles := map[string]string{}
		for _, d := range pol.Declarations {
			if d.Practice == VendorPractice && d.Vendor != "" && d.Role != "" && d.Role != RoleFirstParty {
				roles[d.Vendor] = d.Role
			}
		}
		for id, role := range label.Roles {
			sc.rolesAll++
			if roles[id] == role && !found[id] {
				sc.rolesOK++
			} else {
				t.Logf("%s: %s should be named only as a %s provider, got role %q (tracker: %v)", name, id, role, roles[id], found[id])
			}
		}

		declared := map[string]float64{}
		for _, c := range pol.Cookies {
			declared[c.Name] = c.Days
		}
		for n, days := range label.Cookies {
			sc.cookiesAll++
			d, ok := declared[n]
			if ok && math.Abs(d-days) < 0.01 {
				sc.cookiesOK++
			} else {
				t.Logf("%s: cookie %s declared %v days, read %v (found %v)", name, n, days, d, ok)
			}
		}
		for n := range declared {
			if _, ok := label.Cookies[n]; !ok {
				sc.extraC++
				t.Logf("%s: cookie %s read but not labelled", name, n)
			}
		}
	}

	var report strings.Builder
	fmt.Fprintf(&report, "held-out policies: %d, knowledge base: %d vendors\n", len(names), len(p.KB.Vendors()))
	for _, pr := range practices {
		c := sc.perPractice[pr]
		fmt.Fprintf(&report, "  %-30s %d/%d\n", pr, c[0], c[1])
	}
	acc := ratio(sc.correct, sc.total)
	recall := ratio(sc.tp, sc.tp+sc.fn)
	precision := ratio(sc.tp, sc.tp+sc.fp)
	fmt.Fprintf(&report, "practice accuracy %.1f%% (%d/%d)\n", 100*acc, sc.correct, sc.total)
	fmt.Fprintf(&report, "denial recall %.1f%% (%d/%d)\n", 100*ratio(sc.denialsRead, sc.denials), sc.denialsRead, sc.denials)
	fmt.Fprintf(&report, "vendor recall %.1f%% (%d/%d), precision %.1f%% (%d/%d)\n", 100*recall, sc.tp, sc.tp+sc.fn, 100*precision, sc.tp, sc.tp+sc.fp)
	fmt.Fprintf(&report, "payment/hosting roles %d/%d\n", sc.rolesOK, sc.rolesAll)
	fmt.Fprintf(&report, "declared cookie lifetimes %d/%d, unlabelled cookies read %d\n", sc.cookiesOK, sc.cookiesAll, sc.extraC)
	fmt.Print(report.String()) // printed on every run: these are the numbers we report

	if acc < 0.9 {
		t.Errorf("practice accuracy %.1f%% is below 90%%", 100*acc)
	}
	if sc.denialsRead != sc.denials {
		t.Errorf("%d of %d denials not read as denials", sc.denials-sc.denialsRead, sc.denials)
	}
	if recall < 0.9 || precision < 0.9 {
		t.Errorf("vendor recall %.1f%% / precision %.1f%% below 90%%", 100*recall, 100*precision)
	}
	if sc.rolesOK != sc.rolesAll {
		t.Errorf("payment/hosting roles %d/%d", sc.rolesOK, sc.rolesAll)
	}
	if sc.cookiesOK != sc.cookiesAll {
		t.Errorf("declared cookie lifetimes %d/%d", sc.cookiesOK, sc.cookiesAll)
	}
}

// quoteOf returns the quotes of a practice's declarations, for the log.
func quoteOf(pol *Policy, practice Practice) string {
	var qs []string
	for _, d := range pol.Declarations {
		if d.Practice == practice {
			qs = append(qs, fmt.Sprintf("%s %q", d.Polarity, shortQuote(d.Quote)))
		}
	}
	if len(qs) == 0 {
		return ""
	}
	return ": " + strings.Join(qs, "; ")
}

func vendorQuote(pol *Policy, id string) string {
	for _, d := range pol.Declarations {
		if d.Vendor == id && d.Role == "" {
			return fmt.Sprintf(" (%q in %q)", d.Term, shortQuote(d.Quote))
		}
	}
	return ""
}

func shortQuote(s string) string {
	if len(s) > 140 {
		return s[:140] + "..."
	}
	return s
}
