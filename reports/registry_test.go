package reports

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestByName(t *testing.T) {
	tests := []struct {
		name    string
		want    Reporter
		wantErr string
	}{
		{"table", &Table{}, ""},
		{"JSON", JSON{}, ""},
		{" sarif ", SARIF{}, ""},
		{"junit", JUnit{}, ""},
		{"markdown", Markdown{}, ""},
		{"html", HTML{}, ""},
		{"pdf", nil, `unknown report format "pdf" (valid: table, json, sarif, junit, markdown, html)`},
		{"", nil, "unknown report format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ByName(tt.name)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ByName(%q) error = %v, want %q", tt.name, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(tt.want) {
				t.Errorf("ByName(%q) = %T, want %T", tt.name, got, tt.want)
			}
		})
	}
}

func TestFormatsAllResolve(t *testing.T) {
	fs := Formats()
	if len(fs) != len(extensions) {
		t.Fatalf("Formats() = %v; every format needs a golden extension", fs)
	}
	for _, f := range fs {
		if _, err := ByName(f); err != nil {
			t.Errorf("ByName(%q): %v", f, err)
		}
	}
	// Callers may keep and change the slice; the registry must not see it.
	fs[0] = "changed"
	if Formats()[0] != "table" {
		t.Error("Formats exposes the registry's own storage")
	}
}

// Every format must give the same bytes whatever order the scan listed
// things in, and must leave the report as it was.
func TestDeterministicAndPure(t *testing.T) {
	for _, fx := range fixtures {
		base := loadFixture(t, fx)
		shuffled := loadFixture(t, fx)
		slices.Reverse(shuffled.Findings)
		slices.Reverse(shuffled.Vendors)
		slices.Reverse(shuffled.Cookies)
		slices.Reverse(shuffled.Pages)
		slices.Reverse(shuffled.Storage)
		slices.Reverse(shuffled.Emails)
		slices.Reverse(shuffled.Detections)
		for i := range shuffled.Emails {
			slices.Reverse(shuffled.Emails[i].Trackers)
		}
		before := loadFixture(t, fx)
		slices.Reverse(before.Findings)
		slices.Reverse(before.Vendors)
		for _, format := range Formats() {
			a := render(t, format, base)
			b := render(t, format, shuffled)
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s: output depends on input order:\n%s", fx, format, firstDiff(a, b))
			}
		}
		if !reflect.DeepEqual(shuffled.Findings, before.Findings) || !reflect.DeepEqual(shuffled.Vendors, before.Vendors) {
			t.Errorf("%s: a reporter reordered the caller's report", fx)
		}
	}
}
