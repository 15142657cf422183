package reports

import (
	"fmt"
	"strings"
)

// formats is the registry of output formats, in the order they are listed
// to users. Each entry builds a fresh reporter so callers may configure it.
var formats = []struct {
	name string
	make func() Reporter
}{
	{"table", func() Reporter { return &Table{} }},
	{"json", func() Reporter { return JSON{} }},
	{"sarif", func() Reporter { return SARIF{} }},
	{"junit", func() Reporter { return JUnit{} }},
	{"markdown", func() Reporter { return Markdown{} }},
	{"html", func() Reporter { return HTML{} }},
}

// Formats lists the names ByName accepts.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// ByName returns the reporter of a format; names are case-insensitive.
func ByName(name string) (Reporter, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	for _, f := range formats {
		if f.name == want {
			return f.make(), nil
		}
	}
	return nil, fmt.Errorf("unknown report format %q (valid: %s)", name, strings.Join(Formats(), ", "))
}
