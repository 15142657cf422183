package reports

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestJSONStreamedBytes: the streamed writer gives exactly the bytes of
// encoding/json with the same indent and escaping, for every fixture and
// for reports with empty, nil and zero fields.
func TestJSONStreamedBytes(t *testing.T) {
	reps := map[string]*Report{
		"empty":   {Kind: KindSite, Target: "x"},
		"started": {Kind: KindEmail, Target: "a<b>&c", Started: time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC), Errors: []string{}, Notes: []string{"n & <m>"}},
	}
	for _, fx := range fixtures {
		reps[fx] = loadFixture(t, fx)
	}
	for name, rep := range reps {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(normalized(rep)); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := (JSON{}).Report(&got, rep); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: streamed JSON differs from encoding/json:\n%s", name, firstDiff(got.Bytes(), want.Bytes()))
		}
	}
}
