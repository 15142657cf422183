package rules

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the rule catalogue as the Markdown of docs/rules.md.
func WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# trackscan rules\n\n")
	b.WriteString("<!-- Generated from rules/catalogue.go: go test ./rules -run TestRulesDoc -update -->\n\n")
	b.WriteString("Every finding names one of these rules. The id is stable: CI configurations, baselines and\n")
	b.WriteString("`.trackscanignore.yml` refer to it. Rules marked *needs a policy* only run when `--policy` (or\n")
	b.WriteString("`policy:` in `.trackscan.yml`) is given. Severities are the default; where a rule reports\n")
	b.WriteString("some findings lower, the rule says so. `trackscan rules` prints the same list.\n\n")
	b.WriteString("## Disclosure levels\n\n")
	b.WriteString("With a policy, every observed vendor gets one disclosure level, decided in this order:\n\n")
	b.WriteString("1. `contradicted`: a denial covers the vendor (by name, or its category when it is not named\n")
	b.WriteString("   elsewhere), or the policy claims nothing non-essential runs before consent while the vendor\n")
	b.WriteString("   wrote cookies or storage, or read the device, in the pre-consent phase. A claim sentence that\n")
	b.WriteString("   names only other vendors, or speaks only of another kind of processing (\"analytics cookies\n")
	b.WriteString("   are only placed after you accept\" for an advertising pixel), makes no claim about it. With a\n")
	b.WriteString("   structured policy: the vendor was seen in a phase whose `allowed` list leaves its category\n")
	b.WriteString("   out, and that phase's list is quoted.\n")
	b.WriteString("2. `named`: an affirmed sentence names the vendor or a knowledge-base alias (one-word names\n")
	b.WriteString("   case-sensitively), or the structured policy lists its id.\n")
	b.WriteString("3. `owner-named`: only the parent company is named, on its own and not as the first word of\n")
	b.WriteString("   another vendor's name (\"Google Analytics\" does not name Google for Google Ads), or the vendor\n")
	b.WriteString("   is named in a role that does not fit what it was seen doing (\"log in with Facebook\" for an\n")
	b.WriteString("   advertising pixel).\n")
	b.WriteString("4. `category-only`: only a generic practice covers it (analytics, advertising, social widgets,\n")
	b.WriteString("   session recording, fingerprinting, web beacons; cookies or local storage when it wrote them),\n")
	b.WriteString("   in a sentence that names no other vendor.\n")
	b.WriteString("5. `undisclosed`: nothing in the policy covers it. A structured policy's `allowed` lists say\n")
	b.WriteString("   when categories may run, not who runs them: a vendor missing from its `vendors` list is\n")
	b.WriteString("   undisclosed.\n\n")
	b.WriteString("The vendor's level is what the vendor table shows. The naming rules (`undisclosed-vendor`,\n")
	b.WriteString("`category-only-disclosure`) judge only how the policy names the vendor and leave the consent\n")
	b.WriteString("claim aside: a vendor that breaks the claim and is also missing from the policy has two gaps and\n")
	b.WriteString("two findings, so fixing one never makes the other appear as new in a baseline run.\n\n")
	b.WriteString("Each finding carries the policy sentence it relied on, the most relevant one (the claim naming\n")
	b.WriteString("the vendor, then one about its kind of processing, then a general one); when none matched, its\n")
	b.WriteString("evidence says so. A denied practice (session recording, fingerprinting, email open or click\n")
	b.WriteString("tracking) is reported by `contradicted-practice`, not by the rule for an undeclared practice.\n")
	b.WriteString("The consent claim is quoted against cookies, storage and device reads before consent, not\n")
	b.WriteString("against requests alone. Rules that do not need a policy (the 13-month limit, Consent Mode) carry\n")
	b.WriteString("no disclosure level.\n\n")
	b.WriteString("## Fingerprints\n\n")
	b.WriteString("A finding's fingerprint hashes the rule, the page path (no host, no query; the file name for\n")
	b.WriteString("emails), the vendor id and the subject (a cookie name or a host). Values, query strings and\n")
	b.WriteString("lifetimes never enter it, so the same problem keeps its fingerprint from run to run.\n\n")
	b.WriteString("## Summary\n\n| id | severity | needs a policy | title |\n|---|---|---|---|\n")
	for _, r := range catalogue {
		np := "no"
		if r.NeedsPolicy {
			np = "yes"
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", r.ID, r.ID, r.Severity, np, r.Title)
	}
	for _, r := range catalogue {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** · severity `%s`", r.ID, r.Title, r.Severity)
		if r.NeedsPolicy {
			b.WriteString(" · needs a policy")
		}
		fmt.Fprintf(&b, "\n\n**Why it matters.** %s\n\n**How to fix.** %s\n\n**References.**\n\n", r.Why, r.Fix)
		for _, ref := range r.References {
			fmt.Fprintf(&b, "- %s\n", ref)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
