package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors/kb"
)

// fileYAML is the structured policy file as written (docs/policy.md).
type fileYAML struct {
	Version       int                 `yaml:"version"`
	Vendors       []string            `yaml:"vendors"`
	Allowed       map[string][]string `yaml:"allowed"`
	Cookies       []cookieYAML        `yaml:"cookies"`
	EmailTracking *emailTrackingYAML  `yaml:"email_tracking"`
}

type cookieYAML struct {
	Name     string   `yaml:"name"`
	Category string   `yaml:"category"`
	Lifetime string   `yaml:"lifetime"`
	Days     *float64 `yaml:"days"`
}

type emailTrackingYAML struct {
	OpenTracking  *bool    `yaml:"open_tracking"`
	ClickTracking *bool    `yaml:"click_tracking"`
	ESPs          []string `yaml:"esps"`
}

// fileError builds an ErrUnreadable error at a position of the file.
func fileError(source string, line, col int, format string, args ...any) error {
	return fmt.Errorf("%w: %s:%d:%d: %s", ErrUnreadable, source, line, col, fmt.Sprintf(format, args...))
}

// parseFile decodes and validates a structured policy file and turns what
// it says into declarations.
func (p *Parser) parseFile(source string, text []byte) (*File, []Declaration, error) {
	astFile, err := parser.ParseBytes(text, 0)
	if err != nil {
		return nil, nil, yamlError(source, err)
	}
	var raw fileYAML
	if len(astFile.Docs) == 0 || astFile.Docs[0].Body == nil {
		return nil, nil, unreadable(source, "empty structured policy file")
	}
	if len(astFile.Docs) > 1 {
		return nil, nil, unreadable(source, "one YAML document expected, found %d", len(astFile.Docs))
	}
	if err := decodeNode(source, astFile.Docs[0].Body, &raw); err != nil {
		return nil, nil, err
	}
	at := func(pathStr string) (int, int) {
		pth, err := yaml.PathString(pathStr)
		if err != nil {
			return 0, 0
		}
		n, err := pth.FilterFile(astFile)
		if err != nil || n == nil {
			return 0, 0
		}
		return nodePos(n)
	}
	// keyAt is the position of key in the mapping at pathStr.
	keyAt := func(pathStr, key string) (int, int) {
		pth, err := yaml.PathString(pathStr)
		if err != nil {
			return 0, 0
		}
		n, err := pth.FilterFile(astFile)
		if err != nil || n == nil {
			return 0, 0
		}
		if m, ok := n.(*ast.MappingNode); ok {
			for _, kv := range m.Values {
				if kv.Key != nil && kv.Key.String() == key {
					return nodePos(kv.Key)
				}
			}
		}
		return nodePos(n)
	}
	fail := func(pathStr, format string, args ...any) error {
		l, c := at(pathStr)
		return fileError(source, l, c, format, args...)
	}

	if raw.Version != 0 && raw.Version != 1 {
		return nil, nil, fail("$.version", "version %d is not supported (want 1)", raw.Version)
	}
	f := &File{Version: raw.Version, Allowed: map[string][]string{}}
	var decls []Declaration
	decl := func(practice Practice, pol Polarity, vendor, pathStr, quote string) {
		l, _ := at(pathStr)
		decls = append(decls, Declaration{Practice: practice, Polarity: pol, Vendor: vendor, Quote: quote, Line: l, Section: "structured policy"})
	}

	for i, id := range raw.Vendors {
		if p.KB.Vendor(id) == nil {
			return nil, nil, fail(fmt.Sprintf("$.vendors[%d]", i), "unknown vendor id %q (see trackscan vendors)", id)
		}
		f.Vendors = append(f.Vendors, id)
		decl(VendorPractice, Affirmed, id, fmt.Sprintf("$.vendors[%d]", i), "vendors: "+id)
	}

	phases := map[string]bool{}
	for _, ph := range capture.Phases {
		phases[string(ph)] = true
	}
	cats := map[string]bool{}
	for _, c := range kb.Categories {
		cats[string(c)] = true
	}
	phaseNames := slices.Sorted(maps.Keys(raw.Allowed))
	allowedAnywhere := map[string]bool{}
	for _, ph := range phaseNames {
		if !phases[ph] {
			l, c := keyAt("$.allowed", ph)
			return nil, nil, fileError(source, l, c, "unknown phase %q (want pre-consent, after-reject or after-accept)", ph)
		}
		for i, c := range raw.Allowed[ph] {
			if !cats[c] {
				return nil, nil, fail(fmt.Sprintf("$.allowed.%s[%d]", ph, i), "unknown category %q (want one of %s)", c, categoryList())
			}
			allowedAnywhere[c] = true
		}
		f.Allowed[ph] = append([]string{}, raw.Allowed[ph]...)
	}
	if len(raw.Allowed) > 0 {
		for _, pc := range []struct {
			practice Practice
			cat      string
		}{
			{Analytics, string(kb.Analytics)}, {Advertising, string(kb.Advertising)}, {SocialWidgets, string(kb.Social)},
			{SessionRecording, string(kb.SessionReplay)}, {Fingerprinting, string(kb.Fingerprinting)},
		} {
			pol := Denied
			if allowedAnywhere[pc.cat] {
				pol = Affirmed
			}
			decl(pc.practice, pol, "", "$.allowed", fmt.Sprintf("allowed: %s %s", pc.cat, map[Polarity]string{Affirmed: "in some phase", Denied: "in no phase"}[pol]))
		}
		if pre, ok := raw.Allowed[string(capture.PreConsent)]; ok {
			pol := Affirmed
			for _, c := range pre {
				if kb.Category(c).NonEssential() {
					pol = Denied
				}
			}
			decl(ConsentBeforeNonEssential, pol, "", "$.allowed.pre-consent", "allowed.pre-consent: ["+strings.Join(pre, ", ")+"]")
		}
	} else {
		f.Allowed = nil
	}

	for i, c := range raw.Cookies {
		pth := fmt.Sprintf("$.cookies[%d]", i)
		if strings.TrimSpace(c.Name) == "" {
			return nil, nil, fail(pth, "cookie without a name")
		}
		if c.Category != "" && !cats[c.Category] {
			return nil, nil, fail(pth+".category", "unknown category %q (want one of %s)", c.Category, categoryList())
		}
		dc := DeclaredCookie{Name: c.Name, Category: c.Category, Lifetime: c.Lifetime}
		switch {
		case c.Days != nil && c.Lifetime != "":
			return nil, nil, fail(pth, "give lifetime or days, not both")
		case c.Days != nil:
			if *c.Days < -1 {
				return nil, nil, fail(pth+".days", "days must be -1 (session) or more")
			}
			dc.Days = *c.Days
		case c.Lifetime != "":
			d, err := ParseLifetime(c.Lifetime)
			if err != nil {
				return nil, nil, fail(pth+".lifetime", "%v", err)
			}
			dc.Days = d
		}
		f.Cookies = append(f.Cookies, dc)
	}
	if len(raw.Cookies) > 0 {
		decl(Cookies, Affirmed, "", "$.cookies", fmt.Sprintf("cookies: %d declared", len(raw.Cookies)))
	}

	if et := raw.EmailTracking; et != nil {
		f.EmailTracking = &EmailTracking{}
		if et.OpenTracking != nil {
			f.EmailTracking.OpenTracking = *et.OpenTracking
			decl(EmailOpenTracking, boolPolarity(*et.OpenTracking), "", "$.email_tracking.open_tracking", fmt.Sprintf("email_tracking.open_tracking: %v", *et.OpenTracking))
		}
		if et.ClickTracking != nil {
			f.EmailTracking.ClickTracking = *et.ClickTracking
			decl(EmailClickTracking, boolPolarity(*et.ClickTracking), "", "$.email_tracking.click_tracking", fmt.Sprintf("email_tracking.click_tracking: %v", *et.ClickTracking))
		}
		for i, id := range et.ESPs {
			if p.KB.Vendor(id) == nil {
				return nil, nil, fail(fmt.Sprintf("$.email_tracking.esps[%d]", i), "unknown vendor id %q (see trackscan vendors)", id)
			}
			f.EmailTracking.ESPs = append(f.EmailTracking.ESPs, id)
			decl(VendorPractice, Affirmed, id, fmt.Sprintf("$.email_tracking.esps[%d]", i), "email_tracking.esps: "+id)
		}
	}
	return f, decls, nil
}

// tagless finds a YAML tag ("!foo"). A policy file has no use for one, and
// some ("cookies:\n  !") make go-yaml's decoder dereference nil.
type tagless struct{ found ast.Node }

func (v *tagless) Visit(n ast.Node) ast.Visitor {
	if v.found != nil {
		return nil
	}
	if t, ok := n.(*ast.TagNode); ok {
		v.found = t
		return nil
	}
	return v
}

// decodeNode decodes the document body strictly. Input the decoder cannot
// take is reported at its position, never as a panic.
func decodeNode(source string, body ast.Node, raw *fileYAML) (err error) {
	v := &tagless{}
	ast.Walk(v, body)
	if v.found != nil {
		l, c := nodePos(v.found)
		return fileError(source, l, c, "YAML tags (!...) are not used in a policy file")
	}
	defer func() {
		if r := recover(); r != nil {
			l, c := nodePos(body)
			err = fileError(source, l, c, "malformed YAML the decoder cannot read")
		}
	}()
	if err := yaml.NodeToValue(body, raw, yaml.Strict()); err != nil {
		return yamlError(source, err)
	}
	return nil
}

func boolPolarity(b bool) Polarity {
	if b {
		return Affirmed
	}
	return Denied
}

func categoryList() string {
	var s []string
	for _, c := range kb.Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

func nodePos(n ast.Node) (int, int) {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0].Key != nil {
		n = m.Values[0].Key // a mapping starts at its first key
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// yamlError turns a go-yaml error into one line with its position.
func yamlError(source string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg := strings.TrimSpace(ye.GetMessage())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return fileError(source, tk.Position.Line, tk.Position.Column, "%s", msg)
		}
		return unreadable(source, "%s", msg)
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return unreadable(source, "%s", msg)
}
