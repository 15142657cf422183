package policy

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/trackscan/trackscan/detectors/kb"
)

// seedLabel is what we labelled in one seed policy (testdata/policy/seed-labels.yaml).
type seedLabel struct {
	Practices map[Practice]Polarity `yaml:"practices"`
	Vendors   []string              `yaml:"vendors"`
	Roles     map[string]string     `yaml:"roles"`
}

// seedDir is ../shared/seeds beside the repository, or $TRACKSCAN_SEEDS.
func seedDir() string {
	if d := os.Getenv("TRACKSCAN_SEEDS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "seeds")
}

// nameable reports whether the knowledge base holds the vendor under a name
// the text uses, so the label can be checked at all.
func nameable(v *kb.Vendor, text string) bool {
	lt := strings.ToLower(stripMarks(text))
	for _, n := range append([]string{v.Name}, v.Aliases...) {
		if len(n) >= 3 && strings.Contains(lt, strings.ToLower(n)) {
			return true
		}
	}
	for _, d := range v.Domains {
		if strings.Contains(lt, strings.ToLower(d)) {
			return true
		}
	}
	return false
}

// scoreVendors compares the vendors a policy names with the labelled ones.
// Every labelled vendor counts: one the knowledge base lacks fails the check
// rather than leaving the recall.
func scoreVendors(t *testing.T, name string, p *Parser, pol *Policy, labelled []string, text string) (tp, fp, fn int, found map[string]bool) {
	t.Helper()
	expected := map[string]bool{}
	for _, id := range labelled {
		if p.KB.Vendor(id) == nil {
			t.Errorf("%s: labelled vendor %q is not in the knowledge base", name, id)
		}
		expected[id] = true
	}
	found = map[string]bool{}
	for _, id := range pol.Vendors() {
		found[id] = true
		if expected[id] {
			tp++
		} else {
			fp++
			t.Logf("%s: vendor %s named but not labelled%s", name, id, vendorQuote(pol, id))
		}
	}
	for id := range expected {
		if found[id] {
			continue
		}
		fn++
		if v := p.KB.Vendor(id); v != nil && !nameable(v, text) {
			t.Logf("%s: labelled vendor %s not found (the text uses none of its names or domains)", name, id)
		} else {
			t.Logf("%s: labelled vendor %s not found", name, id)
		}
	}
	return tp, fp, fn, found
}

// readLabels reads a YAML file of labels keyed by policy file name and
// returns them with the names sorted.
func readLabels[T any](t *testing.T, path string) (map[string]T, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var labels map[string]T
	if err := yaml.UnmarshalWithOptions(b, &labels, yaml.Strict()); err != nil {
		t.Fatal(yaml.FormatError(err, false, true))
	}
	names := slices.Sorted(maps.Keys(labels))
	return labels, names
}

// TestSeedPolicies is the labelled check over the real policies in
// ../shared/seeds: practice accuracy, every denial read as a denial, and
// named-vendor recall and precision, printed and held to 90%.
func TestSeedPolicies(t *testing.T) {
	dir := seedDir()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("seed policies not present (%s)", dir)
	}
	labels, names := readLabels[seedLabel](t, filepath.Join("..", "..", "testdata", "policy", "seed-labels.yaml"))

	p := Default()
	practices := Practices()
	practices = practices[:len(practices)-1] // vendor is scored by recall/precision
	var tally practiceTally
	var tp, fp, fn, rolesOK, rolesAll int
	for _, name := range names {
		label := labels[name]
		text, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		pol, err := p.Parse(name, text, "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, m := range tally.add(practices, label.Practices, pol.Summary()) {
			t.Logf("%s: %s read as %s, labelled %s", name, m.practice, m.got, m.want)
			if m.want == Denied {
				t.Errorf("%s: the denial of %s was read as %s", name, m.practice, m.got)
			}
		}
		checkLabelledPractices(t, name, practices, label.Practices)

		vtp, vfp, vfn, found := scoreVendors(t, name, p, pol, label.Vendors, string(text))
		tp, fp, fn = tp+vtp, fp+vfp, fn+vfn
		roles := map[string]string{}
		for _, d := range pol.Declarations {
			if d.Practice == VendorPractice && d.Vendor != "" && d.Role != "" && d.Role != RoleFirstParty {
				roles[d.Vendor] = d.Role
			}
		}
		for id, role := range label.Roles {
			if p.KB.Vendor(id) == nil {
				t.Errorf("%s: labelled %s provider %q is not in the knowledge base", name, role, id)
			}
			rolesAll++
			if roles[id] == role && !found[id] {
				rolesOK++
			} else {
				t.Errorf("%s: %s should be named only as a %s provider, got role %q", name, id, role, roles[id])
			}
		}
	}

	var report strings.Builder
	fmt.Fprintf(&report, "seed policies: %d, knowledge base: %d vendors\n", len(names), len(p.KB.Vendors()))
	for _, pr := range practices {
		c := tally.perPractice[pr]
		fmt.Fprintf(&report, "  %-30s %d/%d\n", pr, c[0], c[1])
	}
	acc := ratio(tally.correct, tally.total)
	recall := ratio(tp, tp+fn)
	precision := ratio(tp, tp+fp)
	fmt.Fprintf(&report, "practice accuracy %.1f%% (%d/%d)\n", 100*acc, tally.correct, tally.total)
	fmt.Fprintf(&report, "vendor recall %.1f%% (%d/%d), precision %.1f%% (%d/%d)\n", 100*recall, tp, tp+fn, 100*precision, tp, tp+fp)
	fmt.Fprintf(&report, "payment/hosting roles %d/%d\n", rolesOK, rolesAll)
	fmt.Print(report.String()) // printed on every run: these are the numbers we report

	if acc < 0.9 {
		t.Errorf("practice accuracy %.1f%% is below 90%%", 100*acc)
	}
	if recall < 0.9 || precision < 0.9 {
		t.Errorf("vendor recall %.1f%% / precision %.1f%% below 90%%", 100*recall, 100*precision)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
