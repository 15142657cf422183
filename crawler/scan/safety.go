package scan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/frontier"
	"github.com/trackscan/trackscan/crawler/resolve"
	"github.com/trackscan/trackscan/crawler/scope"
	"github.com/trackscan/trackscan/internal/textfmt"
)

// newScope is what the scan may load and fetch: the targets' sites and
// --include patterns, never a private address that is not a target's
// unless AllowPrivate.
func newScope(o *Options) (*scope.Scope, error) {
	rules, err := resolve.Parse(o.Browser.ResolveRules)
	if err != nil {
		return nil, err
	}
	return scope.New(scope.Config{Targets: o.Targets, Include: o.Include, Rules: rules, AllowPrivate: o.AllowPrivate})
}

// maxListed is how many URLs one note names; the JSON pages have them all.
const maxListed = 5

// noteRefusals says what the browser and the crawl refused or cut short:
// navigations out of scope or to private addresses, robots.txt and sitemap
// redirects refused, dialogs dismissed, in-page events past their budget.
func (e *engine) noteRefusals(pages []capture.Page) {
	refused := map[string]bool{}
	dialogs := map[string]int{}
	dropped := map[string]int{}
	var droppedOn []string
	for _, p := range pages {
		for _, nb := range p.NavigationsBlocked {
			refused[fmt.Sprintf("%s (%s %s from %s)", nb.URL, nb.Kind, nb.Reason, nb.From)] = true
		}
		for _, d := range p.Dialogs {
			dialogs[d.Type]++
		}
		if len(p.EventsDropped) > 0 {
			droppedOn = append(droppedOn, fmt.Sprintf("%s (%s)", p.URL, p.Phase))
			for k, n := range p.EventsDropped {
				dropped[k] += n
			}
		}
	}
	if fr, ok := e.src.(*frontier.Frontier); ok {
		for _, s := range fr.Skipped() {
			if s.Reason == scope.ReasonPrivate || s.Reason == scope.ReasonScheme || strings.HasPrefix(s.Detail, "robots.txt:") || strings.HasPrefix(s.Detail, "sitemap:") {
				refused[fmt.Sprintf("%s (%s: %s)", s.URL, s.Reason, s.Detail)] = true
			}
		}
	}
	if len(refused) > 0 {
		list := slices.Sorted(maps.Keys(refused))
		e.note(fmt.Sprintf("navigations and fetches refused (out of the scan's scope or on a private address): %d: %s", len(list), listed(list)))
	}
	if len(dialogs) > 0 {
		var parts []string
		total := 0
		for _, k := range slices.Sorted(maps.Keys(dialogs)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, dialogs[k]))
			total += dialogs[k]
		}
		e.note(fmt.Sprintf("%d JavaScript %s dismissed at once (%s)", total, textfmt.Plural(total, "dialog"), strings.Join(parts, ", ")))
	}
	if len(dropped) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(dropped)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, dropped[k]))
		}
		e.note(fmt.Sprintf("in-page events past their budget were counted, not kept (first and last of each kind kept): %s; on %s",
			strings.Join(parts, ", "), listed(droppedOn)))
	}
}

// listed joins at most maxListed items and says how many more there are.
func listed(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:maxListed], "; ") + fmt.Sprintf("; and %d more", len(items)-maxListed)
}
