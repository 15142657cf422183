package browser

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"slices"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
)

// A consent choice kept in sessionStorage or IndexedDB is carried like the
// cookie and localStorage ones: read before and after the click, the
// difference set in the next page's fresh context before its scripts run.

//go:embed carry_storage.js
var readCarryStorageJS string

// idbStore is one object store as carry_storage.js reads it.
type idbStore struct {
	DB      string `json:"db"`
	Version int    `json:"version"`
	Store   string `json:"store"`
	Schema  string `json:"schema"`
	Records []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"records"`
}

// carryStorage is the top frame's sessionStorage and IndexedDB records at
// one moment.
type carryStorage struct {
	Session map[string]string `json:"session"`
	IDB     []idbStore        `json:"idb"`
}

// readCarryStorage reads sessionStorage and IndexedDB of a frame; empty
// when the frame cannot answer.
func readCarryStorage(ctx context.Context, frame cdp.FrameID) carryStorage {
	s, err := evalInFrame[carryStorage](ctx, frame, readCarryStorageJS, true)
	if err != nil {
		return carryStorage{}
	}
	return s
}

// records maps "database\x00store\x00key" to the record's value and store.
func (s carryStorage) records() map[string]capture.StateRecord {
	out := map[string]capture.StateRecord{}
	for _, st := range s.IDB {
		for _, r := range st.Records {
			out[st.DB+"\x00"+st.Store+"\x00"+r.Key] = capture.StateRecord{Database: st.DB, Version: st.Version, Store: st.Store,
				Schema: st.Schema, Key: r.Key, Value: r.Value}
		}
	}
	return out
}

// diffCarryStorage adds to st the sessionStorage keys and IndexedDB records
// the click added or changed on the page's origin, as keep allows (an
// IndexedDB record is asked about as "database/store").
func diffCarryStorage(before, after carryStorage, host string, keep func(kind, name, domain string) bool, st *capture.ConsentState) {
	for k, v := range after.Session {
		if old, ok := before.Session[k]; ok && old == v {
			continue
		}
		if keep != nil && !keep("sessionStorage", k, host) {
			continue
		}
		st.SessionStorage = append(st.SessionStorage, capture.StateItem{Key: k, Value: v})
	}
	old := before.records()
	for k, r := range after.records() {
		if o, ok := old[k]; ok && o.Value == r.Value {
			continue
		}
		if keep != nil && !keep(KindIndexedDB, r.Database+"/"+r.Store, host) {
			continue
		}
		st.IndexedDB = append(st.IndexedDB, r)
	}
	slices.SortFunc(st.SessionStorage, func(a, b capture.StateItem) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(st.IndexedDB, func(a, b capture.StateRecord) int {
		return cmp.Or(strings.Compare(a.Database, b.Database), strings.Compare(a.Store, b.Store), strings.Compare(a.Key, b.Key))
	})
}

// stateEmpty says a consent state holds nothing to carry.
func stateEmpty(st *capture.ConsentState) bool {
	return st == nil || len(st.Cookies)+len(st.LocalStorage)+len(st.SessionStorage)+len(st.IndexedDB) == 0
}

// carryStorageNames lists the sessionStorage keys and IndexedDB records of
// a state, for Consent.State.
func carryStorageNames(st *capture.ConsentState) []string {
	var out []string
	for _, it := range st.SessionStorage {
		out = append(out, "sessionStorage "+it.Key)
	}
	for _, r := range st.IndexedDB {
		out = append(out, "indexedDB "+r.Database+"/"+r.Store+" "+r.Key)
	}
	return out
}

// idbCarry is what presetCarryStorage's script creates: per database its
// version, per store its schema and records.
type idbCarry struct {
	Version int                       `json:"version"`
	Stores  map[string]*idbCarryStore `json:"stores"`
}

type idbCarryStore struct {
	Schema  json.RawMessage      `json:"schema"`
	Records [][2]json.RawMessage `json:"records"`
}

// presetCarryScript restores sessionStorage keys and IndexedDB records in
// every new document of the state's origin, before the page's scripts.
// sessionStorage is written at once, only for keys the page does not have
// (a reload must not undo a later choice). IndexedDB is written inside the
// upgrade that creates the database at the recorded version: the page's own
// open of that database queues behind it (open requests of one database are
// served in order), so it finds the record; a database that exists already
// is left as it is.
const presetCarryScript = `(() => { if (location.origin !== %ORIGIN%) return;
  try { for (const [k, v] of %SESSION%) if (sessionStorage.getItem(k) === null) sessionStorage.setItem(k, v); } catch (e) {}
  const dbs = %IDB%;
  for (const name of Object.keys(dbs)) {
    const d = dbs[name];
    let r;
    try { r = indexedDB.open(name, d.version); } catch (e) { continue; }
    r.onupgradeneeded = () => {
      const db = r.result;
      for (const sn of Object.keys(d.stores)) {
        const s = d.stores[sn];
        try {
          let st;
          if (db.objectStoreNames.contains(sn)) st = r.transaction.objectStore(sn);
          else {
            st = db.createObjectStore(sn, {keyPath: s.schema.keyPath, autoIncrement: s.schema.autoIncrement});
            for (const ix of s.schema.indexes || []) { try { st.createIndex(ix.name, ix.keyPath, {unique: ix.unique, multiEntry: ix.multiEntry}); } catch (e) {} }
          }
          for (const [k, v] of s.records) { try { if (st.keyPath === null) st.put(v, k); else st.put(v); } catch (e) {} }
        } catch (e) {}
      }
    };
    r.onsuccess = () => r.result.close();
    r.onerror = () => {};
  }
})();`

// presetCarryStorage installs presetCarryScript for st, when it holds
// sessionStorage or IndexedDB state.
func presetCarryStorage(ctx context.Context, st *capture.ConsentState) error {
	if st == nil || st.Origin == "" || len(st.SessionStorage)+len(st.IndexedDB) == 0 {
		return nil
	}
	session := make([][2]string, len(st.SessionStorage))
	for i, it := range st.SessionStorage {
		session[i] = [2]string{it.Key, it.Value}
	}
	dbs := map[string]*idbCarry{}
	for _, r := range st.IndexedDB {
		d := dbs[r.Database]
		if d == nil {
			d = &idbCarry{Version: r.Version, Stores: map[string]*idbCarryStore{}}
			dbs[r.Database] = d
		}
		s := d.Stores[r.Store]
		if s == nil {
			s = &idbCarryStore{Schema: json.RawMessage(cmp.Or(r.Schema, "{}"))}
			d.Stores[r.Store] = s
		}
		s.Records = append(s.Records, [2]json.RawMessage{json.RawMessage(r.Key), json.RawMessage(r.Value)})
	}
	rawSession, _ := json.Marshal(session)
	rawIDB, err := json.Marshal(dbs)
	if err != nil {
		return err // a key or value that is not JSON: never from carry_storage.js
	}
	src := strings.NewReplacer("%ORIGIN%", jsString(st.Origin), "%SESSION%", string(rawSession), "%IDB%", string(rawIDB)).Replace(presetCarryScript)
	_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
	return err
}
