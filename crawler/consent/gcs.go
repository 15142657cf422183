package consent

import (
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Consent Mode states.
const (
	Granted = "granted"
	Denied  = "denied"
)

// ConsentMode is the Google Consent Mode state a Google request carried.
// Each field is Granted, Denied or "" when the request did not say.
type ConsentMode struct {
	GCS               string `json:"gcs,omitempty"` // raw gcs parameter, e.g. "G100"
	GCD               string `json:"gcd,omitempty"` // raw gcd parameter, e.g. "13r3r3r2r7"
	AdStorage         string `json:"ad_storage,omitempty"`
	AnalyticsStorage  string `json:"analytics_storage,omitempty"`
	AdUserData        string `json:"ad_user_data,omitempty"`
	AdPersonalization string `json:"ad_personalization,omitempty"`
	// Default is true when gcd shows a signal was only ever set by default
	// (no update after a choice) for at least one of the four types.
	DefaultOnly bool `json:"default_only,omitempty"`
}

// googleHosts are the registrable domains whose requests carry Consent
// Mode parameters (gtag.js, GA4, Google Ads, Floodlight).
var googleHosts = []string{
	"google-analytics.com", "googletagmanager.com", "doubleclick.net", "googleadservices.com",
	"googlesyndication.com", "google.com", "analytics.google.com",
}

func isGoogleHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range googleHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	// Country domains: www.google.de/ads/..., www.google.co.uk/pagead/...
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	return err == nil && strings.HasPrefix(d, "google.")
}

// DecodeGCS reads the Consent Mode parameters gcs and gcd of a request to
// a Google host. ok is false for other hosts and for requests with neither
// parameter.
//
// gcs is "G1" followed by one character for ad_storage and one for
// analytics_storage: '1' granted, '0' denied ('-' unknown). gcd encodes all
// four types as letters (in the order ad_storage, analytics_storage,
// ad_user_data, ad_personalization) separated by digits; each letter says
// the default and the update: l none, p denied by default, q denied and
// denied, t granted by default, r denied then granted, m denied by update,
// n granted by update, u granted then denied, v granted and granted. gcs
// wins where both speak, as it is the state the tag applied.
func DecodeGCS(rawURL string) (ConsentMode, bool) {
	var cm ConsentMode
	u, err := url.Parse(rawURL)
	if err != nil || !isGoogleHost(u.Hostname()) {
		return cm, false
	}
	q := u.Query()
	cm.GCS, cm.GCD = q.Get("gcs"), q.Get("gcd")
	if cm.GCS == "" && cm.GCD == "" {
		return cm, false
	}
	if cm.GCD != "" {
		states := []*string{&cm.AdStorage, &cm.AnalyticsStorage, &cm.AdUserData, &cm.AdPersonalization}
		i := 0
		// The first two characters are a version and a prefix digit.
		gcd := strings.TrimSpace(cm.GCD)
		for _, c := range gcd[min(2, len(gcd)):] {
			if c >= '0' && c <= '9' {
				continue
			}
			if i == len(states) {
				break
			}
			state, defaultOnly := gcdLetter(c)
			*states[i] = state
			cm.DefaultOnly = cm.DefaultOnly || defaultOnly
			i++
		}
	}
	if len(cm.GCS) >= 4 && strings.HasPrefix(cm.GCS, "G1") {
		if s := gcsChar(cm.GCS[2]); s != "" {
			cm.AdStorage = s
		}
		if s := gcsChar(cm.GCS[3]); s != "" {
			cm.AnalyticsStorage = s
		}
	}
	return cm, true
}

// Stated reports whether the request said anything about a storage or
// data type; a gcs of "G1--" without gcd says nothing.
func (cm ConsentMode) Stated() bool {
	return cm.AdStorage != "" || cm.AnalyticsStorage != "" || cm.AdUserData != "" || cm.AdPersonalization != ""
}

// String is the evidence a report shows: the raw parameter (gcs when the
// request carried it, else gcd) and the states it gives, "unset" where it
// gives none, e.g. "gcs=G100 ad_storage=denied analytics_storage=denied".
// ad_user_data and ad_personalization appear only when gcd set them.
func (cm ConsentMode) String() string {
	state := func(s string) string {
		if s == "" {
			return "unset"
		}
		return s
	}
	var b strings.Builder
	if cm.GCS != "" {
		b.WriteString("gcs=" + cm.GCS)
	} else {
		b.WriteString("gcd=" + cm.GCD)
	}
	b.WriteString(" ad_storage=" + state(cm.AdStorage) + " analytics_storage=" + state(cm.AnalyticsStorage))
	if cm.AdUserData != "" {
		b.WriteString(" ad_user_data=" + cm.AdUserData)
	}
	if cm.AdPersonalization != "" {
		b.WriteString(" ad_personalization=" + cm.AdPersonalization)
	}
	return b.String()
}

func gcsChar(c byte) string {
	switch c {
	case '1':
		return Granted
	case '0':
		return Denied
	}
	return ""
}

// gcdLetter returns the effective state of one gcd letter and whether it
// came from a default alone.
func gcdLetter(c rune) (state string, defaultOnly bool) {
	switch c {
	case 'p':
		return Denied, true
	case 't':
		return Granted, true
	case 'q', 'm', 'u':
		return Denied, false
	case 'r', 'n', 'v':
		return Granted, false
	}
	return "", false // 'l': not set, or a letter we do not know
}
