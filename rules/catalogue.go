package rules

// Rule is one entry of the catalogue: a stable id CI configurations and
// ignore files refer to, and the text a report shows beside a finding.
type Rule struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"` // default; a finding may be lower (see Why)
	// NeedsPolicy rules compare with a declared policy and do not run without one.
	NeedsPolicy bool     `json:"needs_policy"`
	Why         string   `json:"why"`
	Fix         string   `json:"fix"`
	References  []string `json:"references"`

	check func(*evaluation, *Rule) []Finding
}

// Rule ids.
const (
	RulePreConsentTracking       = "pre-consent-tracking"
	RuleTrackingAfterReject      = "tracking-after-reject"
	RuleConsentBeforeChoice      = "consent-before-choice"
	RuleConsentModeDeniedFiring  = "consent-mode-denied-firing"
	RuleUndisclosedVendor        = "undisclosed-vendor"
	RuleCategoryOnlyDisclosure   = "category-only-disclosure"
	RuleContradictedPractice     = "contradicted-practice"
	RuleCookieLifetimeDeclared   = "cookie-lifetime-exceeds-declared"
	RuleCookieLifetime13Months   = "cookie-lifetime-over-13-months"
	RuleSessionRecordingUndecl   = "session-recording-undeclared"
	RuleFingerprintingUndeclared = "fingerprinting-undeclared"
	RuleCNAMECloakedTracker      = "cname-cloaked-tracker"
	RuleEmailOpenUndeclared      = "email-open-tracking-undeclared"
	RuleEmailClickUndeclared     = "email-click-tracking-undeclared"
	RuleRecipientAddressLeak     = "recipient-address-leak"
)

// Reference names, kept in one place so docs and reports spell them alike.
const (
	refGDPR6     = "GDPR Art. 6(1)(a) (consent as the lawful basis)"
	refGDPR7     = "GDPR Art. 7 (conditions for consent, withdrawal as easy as giving it)"
	refGDPR13    = "GDPR Art. 13(1)(e) (recipients of personal data must be named)"
	refGDPR5     = "GDPR Art. 5(1)(a) (lawfulness, fairness and transparency)"
	refGDPR5e    = "GDPR Art. 5(1)(e) (storage limitation)"
	refEPrivacy  = "ePrivacy Directive Art. 5(3) (storing or reading information on the terminal needs consent)"
	refEDPB052   = "EDPB Guidelines 05/2020 on consent"
	refEDPB022   = "EDPB Guidelines 2/2023 on the technical scope of Art. 5(3) ePrivacy"
	refCNIL2020  = "CNIL guidelines and recommendation on cookies and other trackers (2020)"
	refCNIL13    = "CNIL recommendation on trackers: 13-month maximum lifetime"
	refWP29Trans = "Article 29 WP Guidelines on transparency (WP260 rev.01), endorsed by the EDPB"
	refEDPBTask  = "EDPB Cookie Banner Taskforce report (2023)"
)

// catalogue is the explicit list of rules, in the order they are documented.
var catalogue = []Rule{
	{
		ID: RulePreConsentTracking, Title: "Non-essential tracking before consent", Severity: High,
		Why: "Cookies, storage or requests of analytics, advertising, social, session-replay or fingerprinting vendors " +
			"appeared on first load, before the visitor made any choice. Storing or reading such identifiers needs " +
			"prior consent, and silence or continued browsing is not consent. A vendor that only received requests " +
			"(no cookie, no storage) is reported as medium.",
		Fix: "Load these tags only after an affirmative opt-in: gate them in the tag manager or CMP, or block the " +
			"scripts until the consent signal arrives. Declare categories that truly need no consent in the " +
			"structured policy's allowed.pre-consent list.",
		References: []string{refEPrivacy, refGDPR6, refEDPB052, refCNIL2020},
		check:      checkPhase(PhasePre),
	},
	{
		ID: RuleTrackingAfterReject, Title: "Tracking continues after \"reject all\"", Severity: Critical,
		Why: "Non-essential cookies, storage or requests were still present after the visitor rejected all " +
			"non-essential purposes, so the choice is ignored. Refusing must be as easy and as effective as " +
			"accepting. A vendor that only received requests is reported as high.",
		Fix: "Make the reject action reach every tag: check the CMP's vendor and purpose mapping, remove " +
			"hard-coded tags that bypass the CMP, and delete cookies set before the choice.",
		References: []string{refEPrivacy, refGDPR7, refEDPBTask, refCNIL2020},
		check:      checkPhase(PhaseReject),
	},
	{
		ID: RuleConsentBeforeChoice, Title: "TCF consent stored before any choice", Severity: High,
		Why: "The IAB TCF API reported purposes as consented on a page where the visitor had not interacted " +
			"with the banner. Pre-ticked or implied consent is not valid consent, and vendors reading this " +
			"string will act on it.",
		Fix: "Configure the CMP so that no purpose consent is set until the visitor chooses; do not pre-select " +
			"purposes or vendors.",
		References: []string{refGDPR7, refEDPB052, refEPrivacy},
		check:      checkConsentBeforeChoice,
	},
	{
		ID: RuleConsentModeDeniedFiring, Title: "Google Consent Mode signal not honoured", Severity: Medium,
		Why: "Google requests carried Consent Mode parameters that either claimed consent (gcs=G1x1 or G11x) " +
			"before the visitor chose or after a rejection, or said storage was denied while the same Google " +
			"service still set identifier cookies. Either way the consent state Google receives does not " +
			"match the visitor's choice.",
		Fix: "Set the Consent Mode default to denied before any Google tag loads, update it only from the CMP's " +
			"callback, and remove tags that write cookies regardless of ad_storage/analytics_storage.",
		References: []string{refEPrivacy, refGDPR7, refEDPB022},
		check:      checkConsentMode,
	},
	{
		ID: RuleUndisclosedVendor, Title: "Vendor not disclosed in the policy", Severity: High, NeedsPolicy: true,
		Why: "A non-essential third party received data from the site but neither it, its parent company nor " +
			"its kind of processing appears in the privacy policy. Visitors must be told who receives their " +
			"data before they can consent to it.",
		Fix:        "Name the vendor (or its parent company) and the purpose in the privacy policy, or remove the tag.",
		References: []string{refGDPR13, refGDPR5, refWP29Trans},
		check:      checkDisclosure(DisclosureUndisclosed),
	},
	{
		ID: RuleCategoryOnlyDisclosure, Title: "Vendor disclosed only by category", Severity: Low, NeedsPolicy: true,
		Why: "The policy mentions the kind of processing (\"analytics providers\", \"web beacons\", \"cookies\") " +
			"but never names this vendor or its parent company. Regulators expect recipients to be named, or " +
			"at least precise categories with a way to learn the names.",
		Fix:        "Add the vendor's name and purpose to the policy's list of recipients.",
		References: []string{refGDPR13, refWP29Trans},
		check:      checkDisclosure(DisclosureCategoryOnly),
	},
	{
		ID: RuleContradictedPractice, Title: "Observed practice contradicts the policy", Severity: High, NeedsPolicy: true,
		Why: "The policy denies something the scan observed: it says a vendor or a kind of tracking is not used, " +
			"or it claims no non-essential cookies are set before consent while the pre-consent phase showed " +
			"them. A false statement makes any consent obtained on its basis uninformed.",
		Fix:        "Either stop the practice or correct the policy; then rescan.",
		References: []string{refGDPR5, refGDPR7, refWP29Trans},
		check:      checkContradicted,
	},
	{
		ID: RuleCookieLifetimeDeclared, Title: "Cookie lives longer than declared", Severity: Medium, NeedsPolicy: true,
		Why: "A cookie's expiry is more than 1.5 times the lifetime the policy declares for it (the threshold " +
			"used by the CookieBlock study), or the policy declares a session cookie that persists. The " +
			"declared lifetime is part of what visitors consent to.",
		Fix:        "Shorten the cookie's expiry in the tag's configuration or correct the declared lifetime.",
		References: []string{refGDPR5e, refGDPR13, refCNIL2020},
		check:      checkDeclaredLifetime,
	},
	{
		ID: RuleCookieLifetime13Months, Title: "Non-essential cookie lives longer than 13 months", Severity: Low,
		Why: "CNIL recommends that trackers needing consent expire at most 13 months (about 395 days) after " +
			"they are set, after which consent must be asked again. Longer lifetimes are common defaults " +
			"(two years for several analytics cookies).",
		Fix:        "Configure the tag's cookie expiry to 13 months or less.",
		References: []string{refCNIL13, refGDPR5e},
		check:      checkThirteenMonths,
	},
	{
		ID: RuleSessionRecordingUndecl, Title: "Session recording not declared", Severity: High, NeedsPolicy: true,
		Why: "A session-replay script records clicks, scrolling and often typed text, but the policy neither " +
			"mentions session recording nor names the recording vendor. Recording the whole visit is an " +
			"intrusive practice visitors must be told about specifically.",
		Fix: "Declare session recording and the vendor in the policy, mask form fields, and load the recorder " +
			"only after consent.",
		References: []string{refGDPR13, refEPrivacy, refWP29Trans},
		check:      checkPractice(practiceSessionRecording),
	},
	{
		ID: RuleFingerprintingUndeclared, Title: "Browser fingerprinting not declared", Severity: High, NeedsPolicy: true,
		Why: "A script read device characteristics (canvas, fonts, audio, WebGL) in a way used to recognise the " +
			"browser without cookies, and the policy does not mention fingerprinting. Reading information " +
			"from the device needs consent just as cookies do.",
		Fix:        "Remove the fingerprinting script or declare it and obtain consent before it runs.",
		References: []string{refEDPB022, refEPrivacy, refGDPR13},
		check:      checkPractice(practiceFingerprinting),
	},
	{
		ID: RuleCNAMECloakedTracker, Title: "Tracker hidden behind a first-party subdomain (CNAME cloaking)", Severity: High,
		Why: "A subdomain of the site is a DNS alias (CNAME) of a tracking vendor's host, so the vendor's requests " +
			"and cookies look first party: browsers' third-party cookie protections, filter lists and the " +
			"visitor's own expectations all miss it, and cookies on the site's domain are sent to the vendor. " +
			"High when it sets cookies before consent or the policy does not disclose the vendor, medium " +
			"otherwise; one level lower when the target is not a known tracker but its traffic looks like one " +
			"(a suspicion).",
		Fix: "Load the vendor from its own domain, or treat the alias exactly as the vendor: gate it behind " +
			"consent, name the vendor in the policy, and scope its cookies to the alias host rather than the " +
			"whole site.",
		References: []string{refEPrivacy, refGDPR13, refEDPB022, refCNIL2020},
		check:      checkCNAMECloaking,
	},
	{
		ID: RuleEmailOpenUndeclared, Title: "Email open tracking not declared", Severity: Medium, NeedsPolicy: true,
		Why: "The email contains an open pixel or CSS tracker that tells the sender when, and often where, each " +
			"recipient opened it, but the policy does not mention open tracking or web beacons in emails.",
		Fix:        "Declare open tracking in the policy and ask for consent, or turn off open tracking in the ESP.",
		References: []string{refEPrivacy, refGDPR13, refCNIL2020},
		check:      checkEmail(practiceEmailOpen),
	},
	{
		ID: RuleEmailClickUndeclared, Title: "Email click tracking not declared", Severity: Medium, NeedsPolicy: true,
		Why: "Links in the email go through a tracking redirect that records which recipient clicked what, but " +
			"the policy does not mention click tracking.",
		Fix:        "Declare click tracking in the policy, or turn off link tracking in the ESP.",
		References: []string{refGDPR13, refGDPR5},
		check:      checkEmail(practiceEmailClick),
	},
	{
		ID: RuleRecipientAddressLeak, Title: "Recipient address sent in a tracking URL", Severity: High,
		Why: "The recipient's email address (plain, encoded or hashed) appears in a URL the email loads or links " +
			"to. Sent to a third party it is a disclosure of personal data that lets the third party join the " +
			"open or click with its own profile (high); sent to the sender's own host it is low. When the email " +
			"names no sender (no From, DKIM or Return-Path domain, no --first-party), every host is a third party.",
		Fix:        "Use opaque per-recipient tokens instead of the address or its hash in tracking URLs.",
		References: []string{refGDPR5, refGDPR6, refGDPR13},
		check:      checkAddressLeak,
	},
}

// Rules returns the catalogue in documentation order.
func Rules() []Rule {
	return append([]Rule(nil), catalogue...)
}

// Lookup returns the rule with this id.
func Lookup(id string) (Rule, bool) {
	for _, r := range catalogue {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ParseSeverity parses a --fail-on value; "none" gives "" and true.
func ParseSeverity(s string) (Severity, bool) {
	switch v := Severity(s); v {
	case Info, Low, Medium, High, Critical:
		return v, true
	case "none", "":
		return "", true
	}
	return "", false
}

// emailRules are the rules an email report can fire; contradicted-practice
// is the only one both kinds share (a policy denying email tracking).
var emailRules = map[string]bool{
	RuleEmailOpenUndeclared: true, RuleEmailClickUndeclared: true, RuleRecipientAddressLeak: true,
	RuleContradictedPractice: true,
}

// AppliesTo reports whether the rule can fire on a report of this kind
// ("site" or "email") with or without a policy. A rule the email rules do
// not list is a site rule.
func (r Rule) AppliesTo(kind string, hasPolicy bool) bool {
	if r.NeedsPolicy && !hasPolicy {
		return false
	}
	switch kind {
	case "email":
		return emailRules[r.ID]
	case "site":
		return !emailRules[r.ID] || r.ID == RuleContradictedPractice
	}
	return false
}

func init() { catalogue = append(catalogue, evidenceRules...) } // rules/evidence.go
