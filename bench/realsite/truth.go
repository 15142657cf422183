package realsite

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/trackscan/trackscan/crawler/capture"
)

var (
	pre    = capture.PreConsent
	reject = capture.AfterReject
	accept = capture.AfterAccept
	all    = []capture.Phase{pre, reject, accept}
)

// Kinds of ground-truth items.
const (
	KindVendor  = "vendor"
	KindCookie  = "cookie"
	KindStorage = "storage"
)

// Item is one thing a scan must find in exactly the phases listed: a vendor
// (trackscan's vendor id), a cookie name or a Web Storage key. Cookie and
// key names carry per-site hashes (Snowplow's domain hash), so they are
// matched by an anchored pattern.
type Item struct {
	Kind    string
	Pattern string
	Phases  []capture.Phase
	// Source says why the item is expected where it is: the SDK
	// documentation or code it comes from, and any fix after verification.
	Source string
}

func (it Item) String() string { return it.Kind + " " + it.Pattern }

// Truth is the ground truth of the shop, written from the SDKs'
// documentation and code for the configuration in shop.go (after one smoke
// scan that only checked that the SDKs send), then checked in Chromium
// without trackscan by verify.js (docs/bench-site.md lists the one fix).
// Pre-consent and after "reject all" no analytics or replay SDK runs
// and Snowplow tracks without identifiers; after "accept all" every SDK
// writes its identifiers.
var Truth = []Item{
	{KindVendor, "snowplow", all, "pixel loaded for every visitor, anonymous until consent (anonymousTracking)"},
	{KindVendor, "posthog", []capture.Phase{accept}, "gated by data-category=analytics"},
	{KindVendor, "mixpanel", []capture.Phase{accept}, "gated by data-category=analytics"},
	{KindVendor, "amplitude", []capture.Phase{accept}, "gated by data-category=analytics"},

	{KindCookie, "shop_session", all, "the shop's cart session, strictly necessary"},
	{KindCookie, "cc_cookie", []capture.Phase{reject, accept}, "vanilla-cookieconsent stores the choice in cc_cookie (cookie.name default)"},
	{KindCookie, "ph_" + PostHogToken + "_posthog", []capture.Phase{accept}, "posthog-js persistence localStorage+cookie keeps ids in ph_<token>_posthog"},
	{KindCookie, "mp_" + MixpanelToken + "_mixpanel", []capture.Phase{accept}, "mixpanel-browser persistence cookie: mp_<token>_mixpanel"},
	{KindCookie, "AMP_" + AmplitudeKey[:10], []capture.Phase{accept}, "Amplitude Browser SDK 2: AMP_<first 10 chars of the API key>"},
	{KindCookie, "AMP_MKTG_" + AmplitudeKey[:10], []capture.Phase{accept}, "Amplitude attribution (web attribution on by default): AMP_MKTG_<key10>"},
	{KindCookie, `_sp_id\.[0-9a-f]{4}`, []capture.Phase{accept}, "Snowplow domain user id cookie _sp_id.<domain hash>, only with identifiers"},
	{KindCookie, `_sp_ses\.[0-9a-f]{4}`, []capture.Phase{accept}, "Snowplow session cookie _sp_ses.<domain hash>, only with identifiers"},

	{KindStorage, "ph_" + PostHogToken + "_posthog", []capture.Phase{accept}, "posthog-js localStorage+cookie: the rest of the properties in localStorage"},
	{KindStorage, "ph_" + PostHogToken + "_window_id", []capture.Phase{accept}, "posthog-js session replay: window id in sessionStorage"},
	{KindStorage, "__mpq_" + MixpanelToken + "_ev", []capture.Phase{accept}, "mixpanel-browser batch_requests: event queue in localStorage"},
	{KindStorage, "AMP_unsent_" + AmplitudeKey[:10], []capture.Phase{accept}, "Amplitude: unsent events in localStorage"},
	{KindStorage, "snowplowOutQueue_sp", []capture.Phase{accept}, "Snowplow outbound queue with stateStorageStrategy cookieAndLocalStorage; fixed after verification (drafted as snowplowOutQueue_sp_get)"},
}

// Found is what a scan saw: for each kind, name -> phases.
type Found map[string]map[string][]capture.Phase

// Add records that a scan saw kind/name in phases.
func (f Found) Add(kind, name string, phases []capture.Phase) {
	if f[kind] == nil {
		f[kind] = map[string][]capture.Phase{}
	}
	for _, p := range phases {
		if !slices.Contains(f[kind][name], p) {
			f[kind][name] = append(f[kind][name], p)
		}
	}
}

// seen reports whether any name of the item's kind matching it was seen in phase.
func (f Found) seen(it Item, re *regexp.Regexp, phase capture.Phase) bool {
	for name, phases := range f[it.Kind] {
		if re.MatchString(name) && slices.Contains(phases, phase) {
			return true
		}
	}
	return false
}

// PhaseScore is the recall of one kind in one phase, and what leaked: items
// seen in a phase where the truth says they must not be.
type PhaseScore struct {
	Expected, Found int
	Missing, Leaked []string
}

// Score compares what a scan found with the truth, per kind and phase, for
// the phases the scan ran.
func Score(f Found, phases []capture.Phase) map[string]map[capture.Phase]*PhaseScore {
	out := map[string]map[capture.Phase]*PhaseScore{}
	for _, it := range Truth {
		re := regexp.MustCompile("^(?:" + it.Pattern + ")$")
		if out[it.Kind] == nil {
			out[it.Kind] = map[capture.Phase]*PhaseScore{}
		}
		for _, p := range phases {
			s := out[it.Kind][p]
			if s == nil {
				s = &PhaseScore{}
				out[it.Kind][p] = s
			}
			want, got := slices.Contains(it.Phases, p), f.seen(it, re, p)
			switch {
			case want && got:
				s.Expected++
				s.Found++
			case want:
				s.Expected++
				s.Missing = append(s.Missing, it.Pattern)
			case got:
				s.Leaked = append(s.Leaked, it.Pattern)
			}
		}
	}
	return out
}

// Recall formats found/expected, "-" when nothing is expected.
func (s *PhaseScore) Recall() string {
	if s == nil || s.Expected == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", s.Found, s.Expected)
}
