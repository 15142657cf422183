// Package filterlist reads the tracker lists a user supplies at run time:
// Adblock Plus filter lists (EasyPrivacy, EasyList), DuckDuckGo's tds.json
// and Disconnect's services.json. Their licences forbid embedding them, so
// trackscan never ships them; each loads into a kb.ListMatcher consulted
// after the embedded knowledge base.
package filterlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/trackscan/trackscan/detectors/kb"
)

// Load reads a list file and detects its format from the content: a JSON
// object with "trackers" is a tds.json, one with "categories" a Disconnect
// services.json, anything else Adblock Plus filter syntax. Warnings are
// things the user should know (rules skipped) but that do not stop a scan.
func Load(path string) (kb.ListMatcher, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return Parse(filepath.Base(path), b)
}

// LoadTrackerDB reads a tds.json or a services.json, and nothing else: a
// tracker database given as a filter list (or any text file, which Adblock
// Plus syntax would read as substring rules) is an error.
func LoadTrackerDB(path string) (kb.ListMatcher, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	name := filepath.Base(path)
	if t := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))); len(t) == 0 || t[0] != '{' {
		return nil, nil, fmt.Errorf("%s: not a tds.json or services.json (not a JSON object); Adblock Plus lists go in --filter-list", name)
	}
	return Parse(name, b)
}

// jsonProblem says in one short line what is wrong with a JSON document:
// where it stops being JSON, or which field has the wrong kind of value,
// without the Go types behind it.
func jsonProblem(b []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: %s", lineAt(b, syn.Offset), syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the top level"
		} else {
			field = strconv.Quote(field)
		}
		return fmt.Sprintf("line %d: %s is %s, want %s", lineAt(b, typ.Offset), field, article(typ.Value), jsonKind(typ.Type))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "ends too early"
	}
	return err.Error()
}

func lineAt(b []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(b)))
	return 1 + bytes.Count(b[:offset], []byte("\n"))
}

func article(v string) string {
	switch v {
	case "object", "array":
		return "an " + v
	case "":
		return "a value"
	}
	if n, _, ok := strings.Cut(v, " "); ok && n == "number" {
		v = "number"
	}
	return "a " + v
}

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Interface:
		return "any value"
	}
	return "a number"
}

// Parse is Load on bytes already read; name is used in match sources.
func Parse(name string, b []byte) (kb.ListMatcher, []string, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &top); err != nil {
			return nil, nil, fmt.Errorf("%s: not valid JSON: %s", name, jsonProblem(trimmed, err))
		}
		switch {
		case top["trackers"] != nil:
			return ParseTDS(name, trimmed)
		case top["categories"] != nil:
			m, err := ParseDisconnect(name, trimmed)
			return m, nil, err
		}
		return nil, nil, fmt.Errorf("%s: JSON list is neither a tds.json (no \"trackers\") nor a services.json (no \"categories\")", name)
	}
	m, warns := ParseABP(name, trimmed)
	if m.rules == 0 {
		return nil, warns, fmt.Errorf("%s: no network rules found", name)
	}
	return m, warns, nil
}

// vendorCache hands out one synthetic vendor per (list, site) so matches do
// not allocate a vendor each time.
type vendorCache struct {
	m   sync.Map // site -> *kb.Vendor
	cat kb.Category
}

func (c *vendorCache) get(site string) *kb.Vendor {
	if v, ok := c.m.Load(site); ok {
		return v.(*kb.Vendor)
	}
	v, _ := c.m.LoadOrStore(site, &kb.Vendor{ID: site, Name: site, Category: c.cat, Domains: []string{site}})
	return v.(*kb.Vendor)
}

// hostOf returns the lower-case host of a URL without allocating in the
// common case, or "" when there is none. Kept apart from capture.HostOf,
// which parses the whole URL: this runs for every request against every
// list, where that parse would be most of the matching time.
func hostOf(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	s := u[i+3:]
	if j := strings.IndexAny(s, "/?#"); j >= 0 {
		s = s[:j]
	}
	if j := strings.LastIndexByte(s, '@'); j >= 0 {
		s = s[j+1:]
	}
	if strings.HasPrefix(s, "[") {
		if j := strings.IndexByte(s, ']'); j > 0 {
			return s[1:j]
		}
	}
	if j := strings.LastIndexByte(s, ':'); j >= 0 {
		s = s[:j]
	}
	return strings.TrimSuffix(strings.ToLower(s), ".")
}
