// Lists what a frame's origin keeps beyond cookies and Web Storage:
// IndexedDB databases and their object stores, Cache Storage caches and
// service worker registrations. Names only, never contents. Every step has
// a deadline: a page can keep a database open or a promise pending.
(async function () {
  const within = (p, ms) => Promise.race([p, new Promise((res) => setTimeout(() => res(null), ms))]);
  const out = {idb: [], caches: [], workers: []};
  try {
    const dbs = (await within(indexedDB.databases(), 1000)) || [];
    for (const d of dbs.slice(0, 50)) {
      if (!d.name) continue;
      const stores = await within(new Promise((res) => {
        const req = indexedDB.open(d.name);
        req.onsuccess = () => { const db = req.result; const names = Array.from(db.objectStoreNames); db.close(); res(names); };
        req.onerror = () => res([]);
        req.onupgradeneeded = () => { req.transaction.abort(); res([]); };
      }), 3000); // an open waits for the page's own upgrade to finish, slow on a busy machine
      out.idb.push({name: d.name, stores: (stores || []).slice(0, 50)});
    }
  } catch (e) {}
  try { out.caches = ((await within(caches.keys(), 1000)) || []).slice(0, 50); } catch (e) {}
  try {
    const regs = (await within(navigator.serviceWorker.getRegistrations(), 1000)) || [];
    for (const r of regs.slice(0, 20)) {
      const w = r.active || r.waiting || r.installing;
      out.workers.push({scope: r.scope, script: w ? w.scriptURL : ''});
    }
  } catch (e) {}
  return out;
})()
