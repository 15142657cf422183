package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/trackscan/trackscan/detectors/email"
	"github.com/trackscan/trackscan/detectors/filterlist"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/internal/textfmt"
)

type vendorsFlags struct {
	check   bool
	lookups []string
	format  string
	lists   []string // --filter-list
	dbs     []string // --tracker-db
}

func newVendorsCmd(e *stdio) *cobra.Command {
	var f vendorsFlags
	cmd := &cobra.Command{
		Use:   "vendors [QUERY]",
		Short: "Show, look up and validate the vendor knowledge base",
		Long: `vendors shows what trackscan knows about a vendor (by id, name or alias),
lists every vendor when no QUERY is given, answers which vendor and category
a host, URL or cookie name belongs to (--lookup), and validates the whole
knowledge base (--check: exit 2 when a problem is found).`,
		Example: `  trackscan vendors hotjar
  trackscan vendors --check
  trackscan vendors --lookup static.hotjar.com --lookup _hjSessionUser_123 --format json
  trackscan vendors --lookup https://px.example.net/p.gif --filter-list easyprivacy.txt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "table" && f.format != "json" {
				return usageErr("--format must be table or json, not %q", f.format)
			}
			switch {
			case f.check:
				if len(args) > 0 || len(f.lookups) > 0 {
					return usageErr("--check takes no QUERY or --lookup")
				}
				return e.vendorsCheck()
			case len(f.lookups) > 0:
				if len(args) > 0 {
					return usageErr("give either a QUERY or --lookup, not both")
				}
				return e.vendorsLookup(f)
			case len(args) == 1:
				return e.vendorsShow(args[0], f.format)
			}
			return e.vendorsList(f.format)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.check, "check", false, "validate the knowledge base: ids, patterns, and every sample")
	fs.StringArrayVar(&f.lookups, "lookup", nil, "host, URL or cookie name to attribute (repeatable); prefix cookie: or storage: to be explicit")
	fs.StringVarP(&f.format, "format", "f", "table", "output format: table, json")
	fs.StringArrayVar(&f.lists, "filter-list", nil, "Adblock Plus filter list consulted after the base by --lookup (repeatable)")
	fs.StringArrayVar(&f.dbs, "tracker-db", nil, "DuckDuckGo tds.json or Disconnect services.json consulted after the base by --lookup (repeatable)")
	return cmd
}

func (e *stdio) vendorsCheck() error {
	k, err := kb.Load()
	if err != nil {
		fmt.Fprintln(e.stdout, "FAIL", err)
		return usageErr("vendor knowledge base does not load: %v", err)
	}
	probs := append(k.Check(), email.CheckESPs(email.DefaultESPs())...)
	for _, p := range probs {
		fmt.Fprintln(e.stdout, "FAIL", p)
	}
	if len(probs) > 0 {
		return usageErr("vendor knowledge base check failed: %d problems", len(probs))
	}
	samples := 0
	for _, v := range k.Vendors() {
		if v.Samples != nil {
			samples += len(v.Samples.Match) + len(v.Samples.NoMatch)
		}
	}
	espSamples := 0
	for _, esp := range email.DefaultESPs().ESPs {
		sm := esp.Samples
		espSamples += len(sm.Open) + len(sm.Click) + len(sm.Headers) + len(sm.Hosts) + len(sm.Not)
	}
	fmt.Fprintf(e.stdout, "ok: %d vendors, %d samples checked; %d email platforms, %d samples checked\n",
		len(k.Vendors()), samples, len(email.DefaultESPs().ESPs), espSamples)
	return nil
}

// lookupResult is one --lookup answer; the JSON field names are a contract.
type lookupResult struct {
	Input    string      `json:"input"`
	Vendor   string      `json:"vendor"`
	Name     string      `json:"name"`
	Owner    string      `json:"owner"`
	Category kb.Category `json:"category"`
	Source   string      `json:"source"`
}

func (e *stdio) vendorsLookup(f vendorsFlags) error {
	k := kb.Default()
	for _, path := range append(append([]string(nil), f.lists...), f.dbs...) {
		l, warns, err := filterlist.Load(path)
		if err != nil {
			return usageErr("%v", err)
		}
		for _, w := range warns {
			fmt.Fprintln(e.stderr, "warning:", w)
		}
		k = k.WithLists(l)
	}
	results := make([]lookupResult, 0, len(f.lookups))
	for _, in := range f.lookups {
		r := lookupResult{Input: in, Category: kb.Unknown}
		m, ok := k.Lookup(in)
		if !ok {
			// Hosts and URLs the base does not know go to the user's lists.
			u := in
			if !strings.Contains(u, "://") {
				u = "https://" + strings.TrimPrefix(u, "//")
			}
			if !strings.HasPrefix(in, "cookie:") && !strings.HasPrefix(in, "storage:") {
				m, ok = k.MatchRequest(u, "", "")
			}
		}
		if ok {
			r.Vendor, r.Name, r.Owner, r.Category, r.Source = m.Vendor.ID, m.Vendor.Name, m.Vendor.Owner, m.Category, m.Source
		}
		results = append(results, r)
	}
	if f.format == "json" {
		return writeVendorsJSON(e.stdout, results)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INPUT\tVENDOR\tNAME\tOWNER\tCATEGORY\tSOURCE")
	for _, r := range results {
		if r.Vendor == "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t%s\tnot known\n", r.Input, r.Category)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Input, r.Vendor, r.Name, textfmt.OrDash(r.Owner), r.Category, r.Source)
	}
	return tw.Flush()
}

// findVendors resolves a query: an exact id, else an exact name or alias
// (any case), else every vendor whose id, name or alias contains it.
func findVendors(k *kb.KB, q string) []*kb.Vendor {
	if v := k.Vendor(q); v != nil {
		return []*kb.Vendor{v}
	}
	lq := strings.ToLower(strings.TrimSpace(q))
	var exact, partial []*kb.Vendor
	for _, v := range k.Vendors() {
		names := append([]string{v.ID, v.Name}, v.Aliases...)
		hitExact, hitPart := false, false
		for _, n := range names {
			ln := strings.ToLower(n)
			hitExact = hitExact || ln == lq
			hitPart = hitPart || strings.Contains(ln, lq)
		}
		if hitExact {
			exact = append(exact, v)
		} else if hitPart {
			partial = append(partial, v)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

func (e *stdio) vendorsShow(q, format string) error {
	vs := findVendors(kb.Default(), q)
	switch {
	case len(vs) == 0:
		return usageErr("no vendor matches %q (try trackscan vendors --lookup %s)", q, q)
	case len(vs) > 1:
		if format == "json" {
			return writeVendorsJSON(e.stdout, vs)
		}
		fmt.Fprintf(e.stdout, "%d vendors match %q:\n", len(vs), q)
		return writeVendorList(e.stdout, vs)
	}
	v := vs[0]
	if format == "json" {
		return writeVendorsJSON(e.stdout, v)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	cats := v.Categories
	if len(cats) == 0 {
		cats = []kb.Category{v.Category}
	}
	catNames := make([]string, len(cats))
	for i, c := range cats {
		catNames[i] = string(c)
	}
	fmt.Fprintf(tw, "id:\t%s\n", v.ID)
	fmt.Fprintf(tw, "name:\t%s\n", v.Name)
	fmt.Fprintf(tw, "owner:\t%s\n", textfmt.OrDash(v.Owner))
	fmt.Fprintf(tw, "category:\t%s\n", v.Category)
	fmt.Fprintf(tw, "categories:\t%s\n", strings.Join(catNames, ", "))
	fmt.Fprintf(tw, "aliases:\t%s\n", textfmt.OrDash(strings.Join(v.Aliases, ", ")))
	fmt.Fprintf(tw, "domains:\t%s\n", textfmt.OrDash(strings.Join(v.Domains, ", ")))
	if len(v.Scripts) > 0 {
		fmt.Fprintf(tw, "scripts:\t%s\n", strings.Join(v.Scripts, ", "))
	}
	if len(v.Storage) > 0 {
		fmt.Fprintf(tw, "storage:\t%s\n", strings.Join(v.Storage, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.Cookies) == 0 {
		fmt.Fprintln(e.stdout, "cookies:    -")
		return nil
	}
	fmt.Fprintf(e.stdout, "cookies (%d):\n", len(v.Cookies))
	cs := append([]kb.Cookie(nil), v.Cookies...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tCATEGORY\tLIFETIME")
	for _, c := range cs {
		cat := c.Category
		if cat == "" {
			cat = v.Category
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, cat, textfmt.OrDash(c.Lifetime))
	}
	return tw.Flush()
}

func (e *stdio) vendorsList(format string) error {
	vs := kb.Default().Vendors()
	if format == "json" {
		return writeVendorsJSON(e.stdout, vs)
	}
	return writeVendorList(e.stdout, vs)
}

func writeVendorList(w io.Writer, vs []*kb.Vendor) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tOWNER\tCATEGORY")
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.ID, v.Name, textfmt.OrDash(v.Owner), v.Category)
	}
	return tw.Flush()
}

func writeVendorsJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
