// Package sariftest checks SARIF logs against the SARIF 2.1.0 JSON Schema
// kept in testdata/reports, for the tests of every package that writes
// SARIF. It is imported by tests only.
package sariftest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	once    sync.Once
	schema  *jsonschema.Schema
	errLoad error
)

// Validate reports whether raw is a SARIF 2.1.0 log the schema accepts.
func Validate(raw []byte) error {
	once.Do(func() { schema, errLoad = load() })
	if errLoad != nil {
		return errLoad
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return schema.Validate(inst)
}

func load() (*jsonschema.Schema, error) {
	_, here, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(here), "..", "..", "testdata", "reports", "sarif-schema-2.1.0.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("sarif-schema-2.1.0.json")
}
