// Reads the top frame's sessionStorage and the records of its IndexedDB
// databases (at most 10 databases, 20 stores each, 50 records a store,
// values and keys that survive JSON), with each store's schema, so that a
// consent record kept there can be carried to the next page of a phase.
// A database whose open never answers (queued behind an upgrade another
// connection blocks) must not hold the visit: after 2 s, what was read
// so far is the answer.
(() => {
  const out = {session: {}, idb: []};
  const read = (async () => {
    try {
      for (let i = 0; i < sessionStorage.length; i++) {
        const k = sessionStorage.key(i);
        out.session[k] = sessionStorage.getItem(k);
      }
    } catch (e) {}
    let dbs = [];
    try { dbs = await indexedDB.databases(); } catch (e) {}
    const json = (v) => {
      if (v === undefined || v instanceof Date || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Blob) return null;
      try { const s = JSON.stringify(v); return s !== undefined && s.length <= 8192 ? s : null; } catch (e) { return null; }
    };
    const done = (req) => new Promise((res) => { req.onsuccess = () => res(req.result); req.onerror = () => res(null); });
    for (const info of dbs.slice(0, 10)) {
      if (!info.name) continue;
      const db = await new Promise((res) => {
        let r;
        try { r = indexedDB.open(info.name); } catch (e) { return res(null); }
        // It went since databases() listed it: do not create it again.
        r.onupgradeneeded = () => { try { r.transaction.abort(); } catch (e) {} };
        r.onsuccess = () => res(r.result);
        r.onerror = () => res(null);
        r.onblocked = () => res(null);
      });
      if (!db) continue;
      try {
        for (const name of Array.from(db.objectStoreNames).slice(0, 20)) {
          const tx = db.transaction(name, 'readonly'), st = tx.objectStore(name);
          const indexes = Array.from(st.indexNames).map((n) => {
            const ix = st.index(n);
            return {name: n, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry};
          });
          // Both requests go out before the first await: a transaction with
          // nothing pending may commit between tasks.
          const kr = done(st.getAllKeys(null, 50)), vr = done(st.getAll(null, 50));
          const keys = (await kr) || [], values = (await vr) || [];
          const records = [];
          for (let i = 0; i < keys.length && i < values.length; i++) {
            const k = json(keys[i]), v = json(values[i]);
            if (k !== null && v !== null) records.push({key: k, value: v});
          }
          out.idb.push({db: db.name, version: db.version, store: name,
            schema: JSON.stringify({keyPath: st.keyPath, autoIncrement: st.autoIncrement, indexes: indexes}), records: records});
        }
      } catch (e) {}
      db.close();
    }
    return out;
  })();
  return Promise.race([read, new Promise((res) => setTimeout(() => res(out), 2000))]);
})()
