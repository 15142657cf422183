package consent

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

//go:embed engine.js
var engineJS string

// comRulesJSON is Consent-O-Matic's rule collection (MIT, see
// consentomatic/LICENSE), run by the engine after its own rules.
//
//go:embed consentomatic/rules.json
var comRulesJSON string

var (
	loadOnce   sync.Once
	builtIn    RuleSet
	rulesData  string // builtIn as compact JSON for the script
	rulesError error
)

// loaded decodes the embedded rules once.
func loaded() (RuleSet, string, error) {
	loadOnce.Do(func() {
		rs, err := LoadRules()
		if err != nil {
			rulesError = err
			return
		}
		b, err := json.Marshal(rs)
		builtIn, rulesData, rulesError = rs, string(b), err
	})
	return builtIn, rulesData, rulesError
}

// Script returns self-contained JavaScript that defines
// window.__trackscanConsent with:
//
//	detect()         -> {cmp, found, rejectSelector, acceptSelector, note}
//	act("reject"|"accept") -> Promise of {cmp, found, clicked, selector, note}
//	verify()         -> {bannerVisible}
//	signals()        -> Promise of {tcf, gpp, gpc}
//
// The user's selectors are tried first, then the CMP rules in their fixed
// order, then the generic fallback, then Consent-O-Matic's rules. The script is a statement ending in
// ";", so callers may append an expression that uses the API. Evaluating it
// again replaces the API (and forgets what detect() found).
func Script(cfg Config) string {
	return build(cfg, strings.TrimSpace(comRulesJSON))
}

// DetectScript is Script with only the detectors of Consent-O-Matic's
// rules, a fifth of its size: a scan evaluates the engine in every frame of
// every page it asks about a banner, and the steps of a rule are needed only
// to click a banner that rule detected (a cmp of "com:NAME"); evaluate
// Script in that frame before act(). Its act() on such a banner clicks
// nothing and says so.
func DetectScript(cfg Config) string {
	return build(cfg, comDetectors())
}

func build(cfg Config, com string) string {
	_, rules, err := loaded()
	conf, _ := json.Marshal(cfg) // a struct of string slices always marshals
	if err != nil {
		// Still define the API so a caller gets a clear note, not a TypeError.
		msg, _ := json.Marshal(err.Error())
		return `(function(){const n=` + string(msg) + `;const r={cmp:'',found:false,clicked:false,selector:'',rejectSelector:'',acceptSelector:'',note:n};` +
			`window.__trackscanConsent={detect:()=>r,act:async()=>r,verify:()=>({bannerVisible:false}),signals:async()=>({tcf:null,gpp:null,gpc:navigator.globalPrivacyControl===true})};})();`
	}
	var b strings.Builder
	b.Grow(len(engineJS) + len(rules) + len(com) + len(conf) + 100)
	b.WriteString("(function(){'use strict';\nconst RULES = ")
	b.WriteString(rules)
	b.WriteString(";\nconst COM = ")
	b.WriteString(com)
	b.WriteString(";\nconst CONFIG = ")
	b.Write(conf)
	b.WriteString(";\n")
	b.WriteString(engineJS)
	b.WriteString("\n})();\n")
	return b.String()
}

// comDetectors is Consent-O-Matic's rules with their detectors only, in the
// file's order (the engine tries them in that order).
var comDetectors = sync.OnceValue(func() string {
	dec := json.NewDecoder(strings.NewReader(comRulesJSON))
	var b strings.Builder
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "{}"
	}
	b.WriteByte('{')
	for dec.More() {
		t, err := dec.Token()
		name, ok := t.(string)
		if err != nil || !ok {
			return "{}"
		}
		var rule struct {
			Detectors json.RawMessage `json:"detectors"`
		}
		if err := dec.Decode(&rule); err != nil {
			return "{}"
		}
		if len(rule.Detectors) == 0 {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(name)
		var det bytes.Buffer
		if json.Compact(&det, rule.Detectors) != nil {
			return "{}"
		}
		b.Write(key)
		b.WriteString(`:{"detectors":`)
		b.Write(det.Bytes())
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.String()
})
