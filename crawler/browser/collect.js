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
  // Anchors that may lead to the privacy or cookie policy, for discovery
  // (crawler/policyfind decides): those in the footer or naming a policy.
  out.anchors = [];
  const policyStem = /priva|datenschutz|cookie|confidential|donn[ée]es|gdpr|dsgvo|rgpd|legal|protec|protez|gegevens|prote[çc]|impressum/i;
  for (const a of document.querySelectorAll('a[href], link[rel~="privacy-policy"][href]')) {
    if (out.anchors.length >= 200) break;
    const href = abs(a.getAttribute('href'));
    if (!href) continue;
    const text = (a.tagName === 'A' ? (a.innerText || a.textContent || '') : '').replace(/\s+/g, ' ').trim().slice(0, 120);
    const label = (a.getAttribute('aria-label') || '').slice(0, 120);
    const title = (a.getAttribute('title') || '').slice(0, 120);
    const rel = (a.getAttribute('rel') || '').slice(0, 60);
    const footer = a.tagName === 'A' && !!a.closest('footer, [role="contentinfo"], #footer, .footer, [class*="footer"], [id*="footer"]');
    if (footer || a.tagName === 'LINK' || policyStem.test(text + ' ' + label + ' ' + title + ' ' + href)) {
      out.anchors.push({href, text, label, title, rel, footer, tag: a.tagName.toLowerCase()});
    }
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
