package site

import (
	"net/url"
	"strings"
)

// consentMode decodes Google Consent Mode's gcs parameter on Google
// measurement and ads requests: gcs=G1xy, x = ad_storage, y =
// analytics_storage, 1 granted and 0 denied (FIELD-NOTES §5).
func consentMode(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if !isGoogleTagHost(u.Hostname()) {
		return "", false
	}
	gcs := u.Query().Get("gcs")
	if len(gcs) != 4 || !strings.HasPrefix(gcs, "G1") {
		return "", false
	}
	state := func(b byte) string {
		switch b {
		case '1':
			return "granted"
		case '0':
			return "denied"
		}
		return "unset"
	}
	return "gcs=" + gcs + " ad_storage=" + state(gcs[2]) + " analytics_storage=" + state(gcs[3]), true
}

func isGoogleTagHost(host string) bool {
	for _, d := range []string{"google-analytics.com", "googletagmanager.com", "doubleclick.net", "googleadservices.com", "googlesyndication.com", "google.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
