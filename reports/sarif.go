package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trackscan/trackscan/internal/textfmt"
	"github.com/trackscan/trackscan/rules"
)

// SARIF writes a SARIF 2.1.0 log that GitHub code scanning accepts: one
// reporting descriptor per rule seen and one result per finding. Rule text
// comes from the rules catalogue; a rule the catalogue does not know (a
// report from another version) is described from its findings.
type SARIF struct{}

const (
	sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion   = "2.1.0"
	toolInfoURI    = "https://github.com/trackscan/trackscan"
	rulesDocURI    = "https://github.com/trackscan/trackscan/blob/main/docs/rules.md"
	// fingerprintKey names the partial fingerprint; bump the suffix when
	// the fingerprint recipe changes so GitHub does not match old alerts.
	fingerprintKey = "trackscanFingerprint/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity"`
	Precision        string   `json:"precision"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               int                    `json:"id,omitempty"`
	PhysicalLocation sarifPhysical          `json:"physicalLocation"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *sarifText             `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// sarifLevel maps a severity to the three SARIF levels GitHub shows.
func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Critical, rules.High:
		return "error"
	case rules.Medium, rules.Low:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's 0-10 score; its bands are critical > 9.0,
// high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
func securitySeverity(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return "9.5"
	case rules.High:
		return "8.0"
	case rules.Medium:
		return "5.5"
	case rules.Low:
		return "3.0"
	}
	return "0.0"
}

// Report implements Reporter. The log around the results is encoded
// whole (it is small: one descriptor per rule), the results one by one into
// its empty results array, so a report with a hundred thousand findings is
// never held as one encoded document; the bytes are those json.Encoder
// writes for the whole log with a two-space indent.
func (s SARIF) Report(w io.Writer, in *Report) error {
	r := normalized(in)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "trackscan",
			Version:        r.Tool.Version,
			InformationURI: toolInfoURI,
			Rules:          []sarifRule{},
		}},
		Results:    []sarifResult{},
		Properties: map[string]any{"kind": r.Kind, "target": r.Target},
	}
	index := map[string]int{}
	// Findings are sorted most severe first, so a rule's first finding
	// carries its highest severity.
	for _, f := range r.Findings {
		if _, seen := index[f.Rule]; !seen {
			index[f.Rule] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, s.rule(f))
		}
	}
	var frame bytes.Buffer
	enc := json.NewEncoder(&frame)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchemaURI, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return err
	}
	if len(r.Findings) == 0 {
		_, err := w.Write(frame.Bytes())
		return err
	}
	// The log has one run, so the first empty results array at the run's
	// indent is its results; a string value cannot hold it unescaped.
	const emptyResults = "\n      \"results\": []"
	head, tail, ok := bytes.Cut(frame.Bytes(), []byte(emptyResults))
	if !ok {
		return fmt.Errorf("sarif report: no results array in the encoded log")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head)
	bw.WriteString("\n      \"results\": [")
	var elem bytes.Buffer
	resEnc := json.NewEncoder(&elem)
	resEnc.SetIndent("        ", "  ")
	resEnc.SetEscapeHTML(false)
	for i, f := range r.Findings {
		elem.Reset()
		if err := resEnc.Encode(sarifResultOf(f, index[f.Rule])); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n        ")
		bw.Write(bytes.TrimSuffix(elem.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n      ]")
	bw.Write(tail)
	return bw.Flush()
}

func (SARIF) rule(f rules.Finding) sarifRule {
	title, why, fix, severity := f.Title, "", "", f.Severity
	var refs []string
	if r, ok := rules.Lookup(f.Rule); ok {
		title, why, fix, severity, refs = r.Title, r.Why, r.Fix, r.Severity, r.References
	}
	if title == "" {
		title = f.Rule
	}
	if why == "" {
		why = title + "."
	}
	if fix == "" {
		fix = "See rule " + f.Rule + " in the trackscan rule catalogue (trackscan rules)."
	}
	helpURI := rulesDocURI + "#" + f.Rule
	var md strings.Builder
	md.WriteString(fix)
	if len(refs) > 0 {
		md.WriteString("\n\n**References**\n")
		for _, ref := range refs {
			md.WriteString("\n- " + ref)
		}
	}
	fmt.Fprintf(&md, "\n\n[Rule %s in the trackscan catalogue](%s)", f.Rule, helpURI)
	tags := []string{"privacy", "compliance", "security"}
	if f.Category != "" {
		tags = append(tags, string(f.Category))
	}
	return sarifRule{
		ID:                   f.Rule,
		Name:                 ruleName(f.Rule),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: why},
		Help:                 sarifText{Text: fix, Markdown: md.String()},
		HelpURI:              helpURI,
		DefaultConfiguration: sarifConfig{Level: sarifLevel(severity)},
		Properties: sarifRuleProps{
			Tags:             tags,
			SecuritySeverity: securitySeverity(severity),
			Precision:        "high",
		},
	}
}

// ruleName turns "undisclosed-vendor" into "UndisclosedVendor", the
// PascalCase form SARIF viewers expect in rule names.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		rs := []rune(part)
		b.WriteString(strings.ToUpper(string(rs[0])) + string(rs[1:]))
	}
	return b.String()
}

func sarifResultOf(f rules.Finding, ruleIndex int) sarifResult {
	msg := f.Title
	if f.Evidence != "" {
		msg += ": " + oneLineText(f.Evidence)
	}
	if f.PolicyQuote != "" {
		msg += " Policy says: \u201c" + oneLineText(f.PolicyQuote) + "\u201d"
	}
	res := sarifResult{
		RuleID:    f.Rule,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: msg},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: textfmt.OrDash(f.Target)},
			Region:           sarifRegion{StartLine: 1},
		}}},
		Properties: map[string]string{"severity": string(f.Severity)},
	}
	sarifLoadedBy(&res, f)
	if f.Fingerprint != "" {
		res.PartialFingerprints = map[string]string{fingerprintKey: f.Fingerprint}
	}
	for k, v := range map[string]string{"phase": string(f.Phase), "vendor": f.Vendor, "disclosure": string(f.Disclosure), "category": string(f.Category)} {
		if v != "" {
			res.Properties[k] = v
		}
	}
	return res
}
