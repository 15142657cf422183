package scan

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadTargets(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Site
		wantErr string // substring; "" means no error
	}{
		{
			name: "lines with comments and a bare host",
			in:   "# audit Q4\n\nhttps://a.example/\n  http://b.example/shop  # the shop\nc.example\n",
			want: []Site{
				{ID: "https://a.example/", URL: "https://a.example/", Line: 3},
				{ID: "http://b.example/shop", URL: "http://b.example/shop", Line: 4},
				{ID: "c.example", URL: "https://c.example/", Line: 5},
			},
		},
		{
			name: "csv with policy column and comments",
			in:   "# brands\nid,url,policy\nacme,https://acme.example/,https://acme.example/privacy\n# skip\nbeta, beta.example,\n",
			want: []Site{
				{ID: "acme", URL: "https://acme.example/", Policy: "https://acme.example/privacy", Line: 3},
				{ID: "beta", URL: "https://beta.example/", Line: 5},
			},
		},
		{name: "csv column order", in: "url,id\nhttps://x.example/,x\n", want: []Site{{ID: "x", URL: "https://x.example/", Line: 2}}},
		{name: "bad url names its line", in: "https://a.example/\n\nftp://b.example/\n", wantErr: "t.txt:3: not an http(s) URL"},
		{name: "bad csv row", in: "id,url\nx,https://x.example/\ny\n", wantErr: "t.txt:3:"},
		{name: "empty id", in: "id,url\n,https://x.example/\n", wantErr: "t.txt:2: empty id"},
		{name: "duplicate id", in: "https://a.example/\nhttps://a.example/\n", wantErr: "t.txt:2: site \"https://a.example/\" is already on line 1"},
		{name: "only comments", in: "# nothing\n\n", wantErr: "no site"},
		{name: "empty", in: "", wantErr: "no site"},
		{name: "no newline at end", in: "https://a.example/", want: []Site{{ID: "https://a.example/", URL: "https://a.example/", Line: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTargets(strings.NewReader(tt.in), "t.txt")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrTargets) {
					t.Fatalf("err %v, want one containing %q wrapping ErrTargets", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzReadTargets(f *testing.F) {
	for _, s := range []string{"https://a.example/\n# c\nb.example\n", "id,url\nx,https://x.example/\n", "id,url,policy\n\"a,b\",http://q.example/,p\n", "\ufeffid,url\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sites, err := ReadTargets(strings.NewReader(in), "f")
		if err != nil {
			if !errors.Is(err, ErrTargets) {
				t.Fatalf("error does not wrap ErrTargets: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, s := range sites {
			if s.ID == "" || seen[s.ID] || s.Line < 1 {
				t.Fatalf("bad site %+v", s)
			}
			seen[s.ID] = true
			o := Options{Targets: []string{s.URL}}
			if err := o.Validate(); err != nil {
				t.Fatalf("site URL %q fails Validate: %v", s.URL, err)
			}
		}
	})
}

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		in      string
		env     func(string) string
		want    Shard
		wantErr string
	}{
		{"", env(), All, ""},
		{"3/16", env(), Shard{3, 16}, ""},
		{"0/1", env(), Shard{0, 1}, ""},
		{"16/16", env(), Shard{}, "index must be from 0 to 15"},
		{"-1/4", env(), Shard{}, "index must be from 0 to 3"},
		{"1/0", env(), Shard{}, "count must be at least 1"},
		{"a/4", env(), Shard{}, "whole numbers"},
		{"3", env(), Shard{}, "wants i/N"},
		{"auto", env("JOB_COMPLETION_INDEX", "2", "TRACKSCAN_SHARDS", "8"), Shard{2, 8}, ""},
		{"auto", env("TRACKSCAN_SHARDS", "8"), Shard{}, "JOB_COMPLETION_INDEX is not set"},
		{"auto", env("JOB_COMPLETION_INDEX", "2"), Shard{}, "TRACKSCAN_SHARDS is not set"},
		{"auto", env("JOB_COMPLETION_INDEX", "8", "TRACKSCAN_SHARDS", "8"), Shard{}, "index must be from 0 to 7"},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.in, tt.env)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestShardsPartition: every site lands in exactly one shard, all pages of
// a registrable domain in the same one, whatever the list order.
func TestShardsPartition(t *testing.T) {
	var sites []Site
	for i := range 200 {
		sites = append(sites, Site{ID: string(rune('a'+i%26)) + strings.Repeat("x", i/26), URL: "https://" + strings.Repeat("s", i%7+1) + string(rune('a'+i%26)) + ".example/"})
	}
	sites = append(sites, Site{ID: "www", URL: "https://www.sssa.example/"}, Site{ID: "shop", URL: "https://shop.sssa.example/"})
	const n = 5
	counts := map[string]int{}
	for i := range n {
		for _, s := range (Shard{i, n}).Select(sites) {
			counts[s.ID]++
		}
	}
	for _, s := range sites {
		if counts[s.ID] != 1 {
			t.Errorf("site %s in %d shards", s.ID, counts[s.ID])
		}
	}
	for i := range n {
		a, b := (Shard{i, n}).Has(sites[len(sites)-1]), (Shard{i, n}).Has(sites[len(sites)-2])
		if a != b {
			t.Errorf("shard %d: two hosts of one registrable domain split", i)
		}
	}
	if got := (Shard{3, 16}).FileName(); got != "shard-03-of-16.jsonl" {
		t.Errorf("file name %q", got)
	}
	if got := All.FileName(); got != "shard-0-of-1.jsonl" {
		t.Errorf("file name %q", got)
	}
}
