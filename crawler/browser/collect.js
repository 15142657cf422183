// Evaluated in an isolated world of every frame at the end of a visit:
// the DOM inventory and the Web Storage keys of that frame.
(() => {
  const abs = (u) => { try { return new URL(u, document.baseURI).href; } catch (e) { return ''; } };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.display !== 'none' && st.visibility !== 'hidden' && parseFloat(st.opacity || '1') > 0;
  };
  const box = (el) => { const r = el.getBoundingClientRect(); return {w: Math.round(r.width * 100) / 100, h: Math.round(r.height * 100) / 100}; };
  const out = {scripts: [], iframes: [], images: [], links: [], storage: []};
  for (const s of document.scripts) if (s.src) out.scripts.push({src: abs(s.src)});
  for (const f of document.querySelectorAll('iframe[src], frame[src]')) {
    const b = box(f); out.iframes.push({src: abs(f.getAttribute('src')), w: b.w, h: b.h, visible: visible(f)});
  }
  for (const img of document.images) {
    const src = img.currentSrc || img.src;
    if (!src || src.startsWith('data:')) continue;
    const b = box(img); out.images.push({src: abs(src), w: b.w, h: b.h, visible: visible(img)});
  }
  const seen = new Set();
  for (const a of document.querySelectorAll('a[href]')) {
    const h = abs(a.getAttribute('href'));
    if (h && !seen.has(h) && seen.size < 2000) { seen.add(h); out.links.push(h); }
  }
  for (const kind of ['localStorage', 'sessionStorage']) {
    try {
      const st = window[kind];
      for (let i = 0; i < st.length; i++) {
        const k = st.key(i);
        out.storage.push({kind, key: k, len: (st.getItem(k) || '').length});
      }
    } catch (e) { /* storage disabled for this frame */ }
  }
  return out;
})()
