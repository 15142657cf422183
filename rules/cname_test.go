package rules

import (
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
	"github.com/trackscan/trackscan/detectors/kb"
	"github.com/trackscan/trackscan/rules/policy"
)

func cloaked(vendorID, confidence string, firstParty bool, phases ...string) []detectors.Detection {
	var out []detectors.Detection
	for _, p := range phases {
		out = append(out, detectors.Detection{Kind: detectors.KindCNAMECloaking, Vendor: vendorID, Phase: phaseOf(p), Page: site,
			Host: "metrics.shop.example", FirstParty: firstParty, Confidence: confidence,
			Evidence: "metrics.shop.example is a DNS alias of " + vendorID + " (CNAME metrics.shop.example -> shop.example.eulerian.net)"})
	}
	return out
}

func phaseOf(s string) (p capture.Phase) {
	switch s {
	case "pre":
		return pre
	case "reject":
		return reject
	}
	return accept
}

func eulerian(phases ...capture.Phase) detectors.Vendor {
	v := vendor("eulerian", "Eulerian", "Eulerian Technologies", kb.Analytics, phases...)
	v.Hosts = []string{"metrics.shop.example"}
	return v
}

func init() {
	ruleCases = append(ruleCases,
		ruleCase{rule: RuleCNAMECloakedTracker, name: "cloaked tracker sets a cookie before consent", fires: true, severity: High,
			vendor: "eulerian", subject: "metrics.shop.example",
			in: Input{Vendors: []detectors.Vendor{eulerian(pre, accept)}, Detections: cloaked("eulerian", "", true, "pre", "accept"),
				Cookies: []detectors.Cookie{cookie("etuix", "eulerian", kb.Analytics, 390, pre, accept)}}},
		ruleCase{rule: RuleCNAMECloakedTracker, name: "cloaked tracker only after accept, disclosed", fires: true, severity: Medium,
			vendor: "eulerian", subject: "metrics.shop.example", disc: detectors.DisclosureNamed, quote: "Eulerian",
			in: Input{Vendors: []detectors.Vendor{eulerian(accept)}, Detections: cloaked("eulerian", "", true, "accept"),
				Cookies: []detectors.Cookie{cookie("etuix", "eulerian", kb.Analytics, 390, accept)},
				Policy:  pol(aff(policy.VendorPractice, "eulerian", "We measure the audience with Eulerian."))}},
		ruleCase{rule: RuleCNAMECloakedTracker, name: "cloaked tracker undisclosed", fires: true, severity: High,
			vendor: "eulerian", subject: "metrics.shop.example", disc: detectors.DisclosureUndisclosed,
			in: Input{Vendors: []detectors.Vendor{eulerian(accept)}, Detections: cloaked("eulerian", "", true, "accept"), Policy: pol(unrelated)}},
		ruleCase{rule: RuleCNAMECloakedTracker, name: "suspicion with a pre-consent cookie is one level lower", fires: true, severity: Medium,
			vendor: "unknown:unknown-metrics.net", subject: "metrics.shop.example",
			in: Input{Detections: cloaked("unknown:unknown-metrics.net", "low", true, "pre"),
				Cookies: []detectors.Cookie{cookie("uid", "unknown:unknown-metrics.net", kb.Unknown, 390, pre)}}},
		ruleCase{rule: RuleCNAMECloakedTracker, name: "third-party alias is no cloaking of the site",
			in: Input{Vendors: []detectors.Vendor{eulerian(pre)}, Detections: cloaked("eulerian", "", false, "pre")}},
		ruleCase{rule: RuleCNAMECloakedTracker, name: "no cname detection",
			in: Input{Vendors: []detectors.Vendor{eulerian(pre)}, Cookies: []detectors.Cookie{cookie("etuix", "eulerian", kb.Analytics, 390, pre)}}},
	)
}
