package rules

import "github.com/trackscan/trackscan/detectors"

func refusedNavigation(url, host, reason, detail string) detectors.Detection {
	return detectors.Detection{Kind: detectors.KindNavigationOutOfScope, Phase: pre, Page: site, URL: url, Host: host,
		Evidence: "redirect to " + url + " refused: " + reason + " (" + detail + ")"}
}

func init() {
	ruleCases = append(ruleCases,
		ruleCase{rule: RuleNavigationOutOfScope, name: "redirect to the metadata address", fires: true, severity: Medium,
			subject: "169.254.169.254",
			in: Input{Detections: []detectors.Detection{refusedNavigation("http://169.254.169.254/latest/meta-data/", "169.254.169.254",
				"private-address", "169.254.169.254 is link-local, where cloud metadata services answer")}}},
		ruleCase{rule: RuleNavigationOutOfScope, name: "redirect to another site", fires: true, severity: Info,
			subject: "partner.example",
			in: Input{Detections: []detectors.Detection{refusedNavigation("https://partner.example/landing", "partner.example",
				"out-of-scope", "another site than the scan's")}}},
		ruleCase{rule: RuleNavigationOutOfScope, name: "no refused navigation",
			in: Input{Detections: []detectors.Detection{{Kind: detectors.KindThirdPartyFrame, Phase: pre, Page: site,
				URL: "https://www.youtube.com/embed/x", Host: "www.youtube.com", Evidence: "iframe"}}}},
	)
}
