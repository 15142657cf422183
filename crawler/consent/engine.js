// trackscan consent engine. Go's consent.Script wraps this file in a
// function that receives RULES (rules.json) and CONFIG (user selectors).
// It defines window.__trackscanConsent = {detect, act, verify, signals}.
// It runs in an isolated world as well as in the page's own one, so it
// only touches the DOM and never relies on page globals except in signals().

const STEP_WAIT_MS = 3000; // longest wait for one step's element to appear
const POLL_MS = 100;
const AFTER_CLICK_MS = 400; // lets a second layer open or the banner close
const SIGNAL_TIMEOUT_MS = 1500;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// roots lists the document, every open shadow root and the documents of
// same-origin iframes, in document order. Inside one synchronous detect()
// the DOM cannot change, so the walk is done once (cachedRoots).
let cachedRoots = null;
function roots(start) {
  if (!start && cachedRoots) return cachedRoots;
  const out = [];
  const visit = (root) => {
    out.push(root);
    const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.shadowRoot) visit(n.shadowRoot);
      if (n.tagName === 'IFRAME' || n.tagName === 'FRAME') {
        let doc = null;
        try { doc = n.contentDocument; } catch (e) { doc = null; }
        if (doc && doc.documentElement) visit(doc);
      }
    }
  };
  visit(start || document);
  return out;
}

function queryAll(css, rootList) {
  const out = [];
  for (const r of rootList) {
    let found;
    try { found = r.querySelectorAll(css); } catch (e) { return []; }
    for (const el of found) out.push(el);
  }
  return out;
}

function visible(el) {
  if (!el || !el.isConnected) return false;
  if (typeof el.checkVisibility === 'function' &&
      !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  // An element inside a hidden iframe or shadow host is hidden too.
  const win = el.ownerDocument.defaultView;
  if (win && win.frameElement && win !== window && !visible(win.frameElement)) return false;
  const root = el.getRootNode();
  if (root && root.host && !visibleHost(root.host)) return false;
  return true;
}

// visibleHost: a shadow host can have zero size (display: contents) while
// its shadow content shows; only CSS hiding counts for it.
function visibleHost(host) {
  if (typeof host.checkVisibility === 'function' &&
      !host.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) {
    return getComputedStyle(host).display === 'contents';
  }
  return true;
}

function clickable(el) {
  return visible(el) && !el.disabled && el.getAttribute('aria-disabled') !== 'true';
}

function textOf(el) {
  const t = (el.innerText || el.value || el.textContent || '');
  return norm(t);
}

function norm(t) {
  return String(t).replace(/\s+/g, ' ').trim().toLowerCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

function labelsOf(el) {
  const out = [textOf(el)];
  for (const a of ['aria-label', 'title']) {
    const v = el.getAttribute(a);
    if (v) out.push(norm(v));
  }
  return out.filter((s) => s !== '');
}

function textMatches(el, pattern) {
  if (!pattern) return true;
  let re;
  try { re = new RegExp(pattern, 'iu'); } catch (e) { return false; }
  return labelsOf(el).some((s) => re.test(s));
}

// describe names an element for the report: a CSS path inside its root,
// after the paths of the shadow hosts (">>>") and same-origin frames ("|>")
// it sits in, outermost first.
function describe(el) {
  let s = cssPath(el);
  let node = el;
  for (;;) {
    const root = node.getRootNode();
    if (root && root.host) { node = root.host; s = cssPath(node) + ' >>> ' + s; continue; }
    const win = node.ownerDocument.defaultView;
    if (win && win !== window && win.frameElement) { node = win.frameElement; s = cssPath(node) + ' |> ' + s; continue; }
    return s;
  }
}

function cssPath(el) {
  if (el.id && /^[A-Za-z][\w-]*$/.test(el.id)) return '#' + el.id;
  const seg = [];
  let n = el;
  while (n && n.nodeType === 1 && seg.length < 6) {
    if (n.id && /^[A-Za-z][\w-]*$/.test(n.id)) { seg.unshift('#' + n.id); break; }
    let s = n.tagName.toLowerCase();
    const cls = [...n.classList].filter((c) => /^[A-Za-z][\w-]*$/.test(c)).slice(0, 2);
    if (cls.length) s += '.' + cls.join('.');
    const parent = n.parentElement;
    if (parent) {
      const same = [...parent.children].filter((c) => c.tagName === n.tagName);
      if (same.length > 1) s += ':nth-of-type(' + (same.indexOf(n) + 1) + ')';
    }
    seg.unshift(s);
    n = parent;
  }
  return seg.join(' > ');
}

function ruleRoots(rule) {
  const all = roots();
  if (!rule.shadowHost) return all;
  const out = [];
  for (const host of queryAll(rule.shadowHost, all)) {
    if (host.shadowRoot) out.push(...roots(host.shadowRoot));
  }
  return out;
}

function firstClickable(targets, rootList) {
  for (const t of targets || []) {
    for (const el of queryAll(t.css, rootList)) {
      if (clickable(el) && textMatches(el, t.text)) return el;
    }
  }
  return null;
}

function realClick(el) {
  try { el.scrollIntoView({block: 'center'}); } catch (e) { /* detached */ }
  el.click();
}

// ---- CMP rules ----------------------------------------------------------

function matchRule(rule) {
  const all = roots();
  const present = rule.detect.some((css) => queryAll(css, all).length > 0);
  if (!present) return null;
  const inner = ruleRoots(rule);
  const banners = (rule.banner && rule.banner.length) ? rule.banner : rule.detect;
  const shown = banners.some((css) => queryAll(css, inner).some(visible));
  return {rule, shown, inner};
}

// ---- user selectors -----------------------------------------------------

function configRule() {
  const reject = (CONFIG.reject || []).map((css) => ({css}));
  const accept = (CONFIG.accept || []).map((css) => ({css}));
  if (!reject.length && !accept.length) return null;
  return {id: 'config', name: 'configured selectors', reject, accept};
}

// ---- generic fallback ---------------------------------------------------

const BUTTONS = 'button, [role="button"], input[type="button"], input[type="submit"], a';
let genericRes = null;
function genericRegexps() {
  if (!genericRes) {
    const mk = (list) => list.map((p) => { try { return new RegExp(p, 'iu'); } catch (e) { return null; } }).filter(Boolean);
    genericRes = {words: new RegExp(RULES.generic.words, 'iu'), reject: mk(RULES.generic.reject), accept: mk(RULES.generic.accept)};
  }
  return genericRes;
}

function parentAcross(el) {
  if (el.parentElement) return el.parentElement;
  const root = el.getRootNode();
  return root && root.host ? root.host : null;
}

// bannerContainer returns the closest ancestor that is laid out like a
// banner: fixed or sticky, a dialog, or the whole document of a subframe.
function bannerContainer(el) {
  for (let n = el; n; n = parentAcross(n)) {
    if (n.nodeType !== 1) continue;
    const role = n.getAttribute('role');
    if (n.tagName === 'DIALOG' || role === 'dialog' || role === 'alertdialog' || n.getAttribute('aria-modal') === 'true') return n;
    const pos = getComputedStyle(n).position;
    if (pos === 'fixed' || pos === 'sticky') return n;
    if (n === n.ownerDocument.documentElement && n.ownerDocument.defaultView !== window.top) return n;
  }
  return null;
}

// classify finds the best reject and accept buttons of visible banners:
// the earliest pattern in each list wins, then document order.
function classify() {
  const re = genericRegexps();
  const best = {reject: null, rejectRank: Infinity, rejectBox: null, accept: null, acceptRank: Infinity, acceptBox: null};
  for (const el of queryAll(BUTTONS, roots())) {
    const labels = labelsOf(el);
    if (!labels.length || labels[0].length > 60) continue;
    const rank = (list) => {
      for (let i = 0; i < list.length; i++) if (labels.some((s) => list[i].test(s))) return i;
      return Infinity;
    };
    const rj = rank(re.reject);
    const ac = rj === Infinity ? rank(re.accept) : Infinity;
    if (rj >= best.rejectRank && ac >= best.acceptRank) continue;
    if (!clickable(el)) continue; // after the text test: layout is the costly part
    const box = bannerContainer(el);
    if (!box || !re.words.test(norm(box.innerText || box.textContent || ''))) continue;
    if (rj < best.rejectRank) Object.assign(best, {reject: el, rejectRank: rj, rejectBox: box});
    if (ac < best.acceptRank) Object.assign(best, {accept: el, acceptRank: ac, acceptBox: box});
  }
  best.container = best.rejectBox || best.acceptBox;
  return best;
}

// ---- the API ------------------------------------------------------------

let last = null; // what detect() found: {kind, rule, container}

function detect() {
  cachedRoots = roots();
  try {
    return detectOnce();
  } finally {
    cachedRoots = null;
  }
}

function detectOnce() {
  const cfg = configRule();
  if (cfg) {
    const all = roots();
    const r = firstClickable(cfg.reject, all);
    const a = firstClickable(cfg.accept, all);
    if (r || a) {
      last = {kind: 'config', rule: cfg};
      return {cmp: 'config', found: true, rejectSelector: r ? describe(r) : '', acceptSelector: a ? describe(a) : '', note: 'banner matched the configured selectors'};
    }
  }
  let hidden = null;
  for (const rule of RULES.rules) {
    const m = matchRule(rule);
    if (!m) continue;
    if (!m.shown) { hidden = hidden || rule; continue; }
    last = {kind: 'rule', rule};
    const r = firstClickable(rule.reject, m.inner);
    const a = firstClickable(rule.accept, m.inner);
    let note = rule.name + ' banner shown';
    if (!r && rule.rejectSteps) note += '; reject needs the settings layer';
    return {cmp: rule.id, found: true, rejectSelector: r ? describe(r) : '', acceptSelector: a ? describe(a) : '', note};
  }
  const g = classify();
  if (g.reject || g.accept) {
    last = {kind: 'generic', container: g.container};
    return {cmp: 'generic', found: true, rejectSelector: g.reject ? describe(g.reject) : '', acceptSelector: g.accept ? describe(g.accept) : '',
      note: 'generic cookie banner' + (g.reject ? '' : ' without a reject button')};
  }
  last = null;
  if (hidden) {
    return {cmp: hidden.id, found: false, rejectSelector: '', acceptSelector: '', note: hidden.name + ' present, banner not shown (choice stored or not triggered)'};
  }
  return {cmp: '', found: false, rejectSelector: '', acceptSelector: '', note: 'no consent banner found'};
}

async function waitClickable(target, rootFn) {
  const end = Date.now() + STEP_WAIT_MS;
  for (;;) {
    const el = firstClickable([target], rootFn());
    if (el || Date.now() >= end) return el;
    await sleep(POLL_MS);
  }
}

async function act(action) {
  if (action !== 'reject' && action !== 'accept') {
    return {cmp: '', found: false, clicked: false, selector: '', note: 'unknown action ' + action};
  }
  const d = detect();
  const res = {cmp: d.cmp, found: d.found, clicked: false, selector: '', note: d.note};
  if (!d.found) return res;
  if (last.kind === 'generic') {
    const g = classify();
    const el = g[action];
    if (!el) { res.note = 'generic banner has no ' + action + ' button'; return res; }
    res.selector = describe(el);
    res.note = 'generic ' + action + ' button "' + labelsOf(el)[0] + '"';
    res.clicked = true;
    realClick(el);
    return res;
  }
  const rule = last.rule;
  const rootFn = () => (last.kind === 'rule' ? ruleRoots(rule) : roots());
  const el = firstClickable(rule[action], rootFn());
  if (el) {
    res.selector = describe(el);
    res.clicked = true;
    realClick(el);
    return res;
  }
  const steps = rule[action + 'Steps'];
  if (!steps || !steps.length) {
    res.note = rule.name + ': no visible ' + action + ' button';
    return res;
  }
  // The last click may close the banner together with the frame this runs
  // in (Sourcepoint removes its message iframe), so nothing may be awaited
  // after it: the result is ready before the click.
  const done = [];
  let pending = null;
  for (const step of steps) {
    if (pending) {
      realClick(pending);
      await sleep(AFTER_CLICK_MS);
    }
    pending = await waitClickable(step, rootFn);
    if (!pending) {
      res.selector = done.join(' then ');
      res.note = rule.name + ': step "' + step.css + '" did not appear';
      return res;
    }
    done.push(describe(pending));
  }
  res.selector = done.join(' then ');
  res.clicked = true;
  res.note = rule.name + ': ' + action + ' through the settings layer';
  realClick(pending);
  return res;
}

function verify() {
  if (!last) return {bannerVisible: detect().found};
  if (last.kind === 'generic') {
    const c = last.container;
    if (c && c.isConnected && c !== c.ownerDocument.documentElement) return {bannerVisible: visible(c) && detect().found};
    return {bannerVisible: detect().found};
  }
  if (last.kind === 'config') {
    const all = roots();
    return {bannerVisible: !!(firstClickable(last.rule.reject, all) || firstClickable(last.rule.accept, all))};
  }
  const m = matchRule(last.rule);
  return {bannerVisible: !!(m && m.shown)};
}

function bools(obj) {
  const out = {};
  if (obj && typeof obj === 'object') {
    for (const k of Object.keys(obj)) if (typeof obj[k] === 'boolean') out[k] = obj[k];
  }
  return out;
}

function tcfSignal() {
  return new Promise((resolve) => {
    if (typeof window.__tcfapi !== 'function') { resolve(null); return; }
    const timer = setTimeout(() => resolve(null), SIGNAL_TIMEOUT_MS);
    try {
      window.__tcfapi('addEventListener', 2, (tc, ok) => {
        if (!ok || !tc) return;
        clearTimeout(timer);
        if (tc.listenerId !== undefined) {
          try { window.__tcfapi('removeEventListener', 2, () => {}, tc.listenerId); } catch (e) { /* CMP quirk */ }
        }
        resolve({
          cmpId: Number(tc.cmpId) || 0,
          eventStatus: String(tc.eventStatus || ''),
          gdprApplies: tc.gdprApplies === true,
          purposeConsents: bools(tc.purpose && tc.purpose.consents),
          vendorConsents: bools(tc.vendor && tc.vendor.consents),
          tcString: typeof tc.tcString === 'string' ? tc.tcString : '',
        });
      });
    } catch (e) {
      clearTimeout(timer);
      resolve(null);
    }
  });
}

function gppSignal() {
  return new Promise((resolve) => {
    if (typeof window.__gpp !== 'function') { resolve(null); return; }
    const timer = setTimeout(() => resolve(null), SIGNAL_TIMEOUT_MS);
    const take = (d) => {
      if (d && typeof d.gppString === 'string') { clearTimeout(timer); resolve(d.gppString); return true; }
      return false;
    };
    try {
      // GPP 1.1 answers ping through the callback; 1.0 also returned it.
      const sync = window.__gpp('ping', (d, ok) => { if (ok !== false) take(d); });
      take(sync);
    } catch (e) {
      clearTimeout(timer);
      resolve(null);
    }
  });
}

async function signals() {
  const [tcf, gpp] = await Promise.all([tcfSignal(), gppSignal()]);
  return {tcf, gpp, gpc: navigator.globalPrivacyControl === true};
}

window.__trackscanConsent = {detect, act: (a) => act(a), verify, signals, version: 1};
