package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/reports/golden")

const fixtureDir = "../testdata/reports"

// fixtures are the three saved scans every format is checked against.
var fixtures = []string{"site", "email", "policy"}

// extensions names each format's golden file.
var extensions = map[string]string{
	"table": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "html": "html",
}

func loadFixture(t testing.TB, name string) *Report {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ReadJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep
}

// testReporter returns a format's reporter configured for stable output:
// no colour, screenshots resolved against the fixture directory.
func testReporter(t testing.TB, format string) Reporter {
	t.Helper()
	r, err := ByName(format)
	if err != nil {
		t.Fatal(err)
	}
	switch v := r.(type) {
	case *Table:
		v.Color = ColorNever
	case HTML:
		v.BaseDir = fixtureDir
		return v
	}
	return r
}

func render(t testing.TB, format string, rep *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := testReporter(t, format).Report(&buf, rep); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, format := range Formats() {
			t.Run(fx+"/"+format, func(t *testing.T) {
				got := render(t, format, loadFixture(t, fx))
				path := filepath.Join(fixtureDir, "golden", fx+"."+extensions[format])
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./reports -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s; run go test ./reports -update and review the diff\n%s", format, path, firstDiff(got, want))
				}
			})
		}
	}
}

// firstDiff shows the first line where two outputs differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}
