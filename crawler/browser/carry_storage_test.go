package browser

import (
	"reflect"
	"testing"

	"github.com/trackscan/trackscan/crawler/capture"
)

func TestDiffCarryStorage(t *testing.T) {
	store := func(version int, records ...[2]string) idbStore {
		s := idbStore{DB: "cmp", Version: version, Store: "choices", Schema: `{"keyPath":"id"}`}
		for _, r := range records {
			s.Records = append(s.Records, struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			}{r[0], r[1]})
		}
		return s
	}
	keep := func(kind, name, domain string) bool { return name != "_hjSession" && name != "tracker/queue" }
	tests := []struct {
		name          string
		before, after carryStorage
		wantSession   []capture.StateItem
		wantIDB       []capture.StateRecord
	}{
		{"nothing changed",
			carryStorage{Session: map[string]string{"cart": "1"}, IDB: []idbStore{store(1, [2]string{`"site"`, `{"c":"r"}`})}},
			carryStorage{Session: map[string]string{"cart": "1"}, IDB: []idbStore{store(1, [2]string{`"site"`, `{"c":"r"}`})}},
			nil, nil},
		{"a new session key and a new record",
			carryStorage{Session: map[string]string{"cart": "1"}, IDB: []idbStore{store(2)}},
			carryStorage{Session: map[string]string{"cart": "1", "choice": "reject"}, IDB: []idbStore{store(2, [2]string{`"site"`, `{"c":"r"}`})}},
			[]capture.StateItem{{Key: "choice", Value: "reject"}},
			[]capture.StateRecord{{Database: "cmp", Version: 2, Store: "choices", Schema: `{"keyPath":"id"}`, Key: `"site"`, Value: `{"c":"r"}`}}},
		{"a changed record; tracker keys left out",
			carryStorage{Session: map[string]string{"choice": "none"}, IDB: []idbStore{store(1, [2]string{`1`, `"a"`})}},
			carryStorage{Session: map[string]string{"choice": "accept", "_hjSession": "x"},
				IDB: []idbStore{store(1, [2]string{`1`, `"b"`}), {DB: "tracker", Version: 1, Store: "queue", Records: []struct {
					Key   string `json:"key"`
					Value string `json:"value"`
				}{{`1`, `"event"`}}}}},
			[]capture.StateItem{{Key: "choice", Value: "accept"}},
			[]capture.StateRecord{{Database: "cmp", Version: 1, Store: "choices", Schema: `{"keyPath":"id"}`, Key: `1`, Value: `"b"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &capture.ConsentState{}
			diffCarryStorage(tt.before, tt.after, "shop.example", keep, st)
			if !reflect.DeepEqual(st.SessionStorage, tt.wantSession) || !reflect.DeepEqual(st.IndexedDB, tt.wantIDB) {
				t.Errorf("got %+v %+v\nwant %+v %+v", st.SessionStorage, st.IndexedDB, tt.wantSession, tt.wantIDB)
			}
			if stateEmpty(st) != (len(tt.wantSession)+len(tt.wantIDB) == 0) {
				t.Errorf("stateEmpty = %t", stateEmpty(st))
			}
		})
	}
}
