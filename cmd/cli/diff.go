package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/reports"
)

// DiffItem is one vendor, cookie or finding that appeared or went away.
type DiffItem struct {
	Key    string `json:"key"` // vendor id, cookie name@domain, or finding fingerprint
	Label  string `json:"label"`
	Detail string `json:"detail,omitempty"`
}

// DiffSet is what is new and what is gone in one kind of item.
type DiffSet struct {
	New  []DiffItem `json:"new"`
	Gone []DiffItem `json:"gone"`
}

// Diff compares two saved scans.
type Diff struct {
	Old      string  `json:"old"`
	New      string  `json:"new"`
	Vendors  DiffSet `json:"vendors"`
	Cookies  DiffSet `json:"cookies"`
	Findings DiffSet `json:"findings"`
	// Suppressed counts the findings of each side a baseline suppressed;
	// they are still present, so they are neither new nor gone.
	Suppressed struct {
		Old int `json:"old"`
		New int `json:"new"`
	} `json:"suppressed"`
	// Unmatched says a side counts suppressed findings without naming their
	// fingerprints (a report of an older trackscan), so "gone" may include them.
	Unmatched []string `json:"unmatched,omitempty"`
}

// errNewItems is returned with --fail-on-new when anything appeared.
var errNewItems = fmt.Errorf("%w: new vendors, cookies or findings since the old scan", ErrFindings)

func newDiffCmd(e *stdio) *cobra.Command {
	var format string
	var failOnNew bool
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "List the vendors, cookies and findings that are new or gone between two saved scans",
		Example: `  trackscan diff yesterday.json today.json
  trackscan diff old.json new.json --format json --fail-on-new`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErr("diff needs two saved JSON reports: OLD.json NEW.json")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return usageErr("--format: want table or json, not %q", format)
			}
			if args[0] == "-" && args[1] == "-" {
				return usageErr("only one of OLD and NEW can be stdin")
			}
			oldRep, err := e.readReport(args[0])
			if err != nil {
				return err
			}
			newRep, err := e.readReport(args[1])
			if err != nil {
				return err
			}
			if oldRep.Kind != newRep.Kind {
				return usageErr("cannot diff a %s report (%s) against a %s report (%s): compare reports of the same kind",
					oldRep.Kind, args[0], newRep.Kind, args[1])
			}
			d := diffReports(oldRep, newRep)
			d.Old, d.New = args[0], args[1]
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				err = enc.Encode(d)
			} else {
				err = writeDiffTable(e.stdout, d)
			}
			if err != nil {
				return err
			}
			if failOnNew && (len(d.Vendors.New)+len(d.Cookies.New)+len(d.Findings.New) > 0) {
				return errNewItems
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().BoolVar(&failOnNew, "fail-on-new", false, "exit 1 when a vendor, cookie or finding is new")
	return cmd
}

// diffReports compares by identity: vendor id, cookie name and domain, and
// finding fingerprint. Output is sorted by key.
func diffReports(oldRep, newRep *reports.Report) *Diff {
	items := func(r *reports.Report) (v, c, f map[string]DiffItem) {
		v, c, f = map[string]DiffItem{}, map[string]DiffItem{}, map[string]DiffItem{}
		for _, x := range r.Vendors {
			v[x.ID] = DiffItem{Key: x.ID, Label: x.Name, Detail: string(x.Category)}
		}
		for _, x := range r.Cookies {
			k := x.Name + "@" + strings.TrimPrefix(x.Domain, ".")
			c[k] = DiffItem{Key: k, Label: x.Name, Detail: textfmt.JoinNonEmpty(" ", x.Vendor, string(x.Category))}
		}
		for _, x := range r.Findings {
			f[x.Fingerprint] = DiffItem{Key: x.Fingerprint, Label: string(x.Severity) + " " + x.Rule,
				Detail: textfmt.JoinNonEmpty(" ", x.Vendor, x.Subject, x.Target)}
		}
		return
	}
	ov, oc, of := items(oldRep)
	nv, nc, nf := items(newRep)
	d := &Diff{Vendors: diffSet(ov, nv, nil, nil), Cookies: diffSet(oc, nc, nil, nil),
		Findings: diffSet(of, nf, suppressedSet(oldRep), suppressedSet(newRep))}
	d.Suppressed.Old, d.Suppressed.New = len(oldRep.SuppressedFingerprints), len(newRep.SuppressedFingerprints)
	for _, side := range []struct {
		name string
		r    *reports.Report
	}{{"old", oldRep}, {"new", newRep}} {
		if side.r.Suppressed > len(side.r.SuppressedFingerprints) {
			d.Unmatched = append(d.Unmatched, side.name)
		}
	}
	return d
}

func suppressedSet(r *reports.Report) map[string]bool {
	m := map[string]bool{}
	for _, fp := range r.SuppressedFingerprints {
		m[fp] = true
	}
	return m
}

// diffSet lists the items of cur not in old (new) and of old not in cur
// (gone); an item a side suppressed counts as present on that side.
func diffSet(old, cur map[string]DiffItem, oldSup, curSup map[string]bool) DiffSet {
	s := DiffSet{New: []DiffItem{}, Gone: []DiffItem{}}
	for k, it := range cur {
		if _, ok := old[k]; !ok && !oldSup[k] {
			s.New = append(s.New, it)
		}
	}
	for k, it := range old {
		if _, ok := cur[k]; !ok && !curSup[k] {
			s.Gone = append(s.Gone, it)
		}
	}
	byKey := func(a, b DiffItem) int { return strings.Compare(a.Key, b.Key) }
	slices.SortFunc(s.New, byKey)
	slices.SortFunc(s.Gone, byKey)
	return s
}

func writeDiffTable(w io.Writer, d *Diff) error {
	var b strings.Builder
	for _, sec := range []struct {
		name string
		set  DiffSet
	}{{"vendors", d.Vendors}, {"cookies", d.Cookies}, {"findings", d.Findings}} {
		fmt.Fprintf(&b, "%s: %d new, %d gone", sec.name, len(sec.set.New), len(sec.set.Gone))
		if sec.name == "findings" {
			b.WriteString(suppressedNote(d))
		}
		b.WriteString("\n")
		for _, it := range sec.set.New {
			fmt.Fprintf(&b, "  + %s\n", diffLine(sec.name, it))
		}
		for _, it := range sec.set.Gone {
			fmt.Fprintf(&b, "  - %s\n", diffLine(sec.name, it))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func diffLine(section string, it DiffItem) string {
	switch section {
	case "vendors":
		return textfmt.JoinNonEmpty("  ", it.Key, it.Label, it.Detail)
	case "cookies":
		return textfmt.JoinNonEmpty("  ", it.Key, it.Detail)
	}
	return textfmt.JoinNonEmpty("  ", it.Label, it.Detail, "["+it.Key+"]")
}

// suppressedNote says how many findings a baseline hid on each side, which
// diff counts as still present.
func suppressedNote(d *Diff) string {
	var parts []string
	if d.Suppressed.Old > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed by a baseline in OLD", d.Suppressed.Old))
	}
	if d.Suppressed.New > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed by a baseline in NEW", d.Suppressed.New))
	}
	note := ""
	if len(parts) > 0 {
		note = " (" + strings.Join(parts, ", ") + "; counted as present)"
	}
	if len(d.Unmatched) > 0 {
		note += "; " + strings.Join(d.Unmatched, " and ") + " suppressed findings without fingerprints: some \"gone\" may only be suppressed"
	}
	return note
}
