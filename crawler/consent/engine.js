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

// A button is any of these, or a custom element (a hyphenated tag name)
// with a short label and nothing clickable inside: web-component banners
// draw their own buttons.
const BUTTONS = 'button, [role="button"], [role="link"], input[type="button"], input[type="submit"], a, [onclick], [tabindex]:not([tabindex="-1"])';
const TOGGLES = 'input[type="checkbox"], [role="switch"], [role="checkbox"], [aria-checked]';
const MEANINGS = ['reject', 'accept', 'settings', 'save'];
let genericRes = null;
function genericRegexps() {
  if (!genericRes) {
    const mk = (list) => (list || []).map((p) => { try { return new RegExp(p, 'iu'); } catch (e) { return null; } }).filter(Boolean);
    const one = (p) => { try { return new RegExp(p || '(?!)', 'iu'); } catch (e) { return /(?!)/u; } };
    const g = RULES.generic;
    genericRes = {words: one(g.words), reject: mk(g.reject), accept: mk(g.accept), settings: mk(g.settings), save: mk(g.save),
      necessary: one(g.necessary), legit: one(g.legitimateInterest)};
  }
  return genericRes;
}

// meaningOf classifies one label as Go's consent.Classify does: reject
// first, then accept, settings, save; the rank is the pattern's index.
function meaningOf(label) {
  const re = genericRegexps();
  if (!label || [...label].length > 60) return null;
  for (const m of MEANINGS) {
    const list = re[m];
    for (let i = 0; i < list.length; i++) if (list[i].test(label)) return {meaning: m, rank: i};
  }
  return null;
}

function classifyLabel(text) {
  const m = meaningOf(norm(text));
  return m ? m.meaning : '';
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

// deepText is an element's text including the open shadow roots and
// same-origin frames inside it: a host's innerText leaves them out.
function deepText(el) {
  let t = (el.getAttribute('aria-label') || '') + ' ' + (el.innerText || el.textContent || '');
  const all = rootsUnder(el);
  for (const r of all.slice(1)) {
    for (const c of r.children) t += ' ' + (c.innerText || c.textContent || '');
  }
  // A web component's words often sit in the light DOM, shown through a
  // <slot>: innerText inside the shadow tree leaves them out.
  for (const slot of queryAll('slot', all)) {
    for (const n of slot.assignedNodes({flatten: true})) t += ' ' + (n.innerText || n.textContent || '');
  }
  return t;
}

// rootsUnder lists el (as a query root) and the open shadow roots and
// same-origin frame documents under it, its own shadow root included.
function rootsUnder(el) {
  const out = [el];
  if (el.shadowRoot) out.push(...roots(el.shadowRoot));
  for (const r of roots(el).slice(1)) if (!out.includes(r)) out.push(r);
  return out;
}

// candidates are the clickable-looking elements under the given roots.
function candidates(rootList) {
  const out = new Set(queryAll(BUTTONS, rootList));
  for (const r of rootList) {
    const walker = (r.ownerDocument || r).createTreeWalker(r, NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.tagName.includes('-') && !out.has(n) && !n.querySelector(BUTTONS) &&
          (!n.shadowRoot || !n.shadowRoot.querySelector(BUTTONS))) out.add(n);
    }
  }
  return [...out];
}

// classify finds, among visible cookie banners, the best button of each
// meaning: the earliest pattern wins, then document order. Settings and
// save buttons count only in the banner that holds the reject or accept
// unless anyBox is set (a second layer may open in a container of its own).
function classify(anyBox) {
  const re = genericRegexps();
  const best = {};
  for (const m of MEANINGS) best[m] = {el: null, rank: Infinity, box: null};
  for (const el of candidates(roots())) {
    const labels = labelsOf(el);
    if (!labels.length) continue;
    let hit = null;
    for (const s of labels) {
      const m = meaningOf(s);
      if (m && (!hit || MEANINGS.indexOf(m.meaning) < MEANINGS.indexOf(hit.meaning))) hit = m;
    }
    if (!hit || hit.rank >= best[hit.meaning].rank) continue;
    if (!clickable(el)) continue; // after the text test: layout is the costly part
    const box = bannerContainer(el);
    if (!box || !re.words.test(norm(deepText(box)))) continue;
    best[hit.meaning] = {el, rank: hit.rank, box};
  }
  const out = {boxes: {}};
  for (const m of MEANINGS) { out[m] = best[m].el; out.boxes[m] = best[m].box; }
  const boxOf = best.reject.box || best.accept.box;
  if (!anyBox) {
    // A choice is made in one banner: buttons of another one do not count.
    for (const m of ['settings', 'save']) if (out[m] && boxOf && best[m].box !== boxOf) out[m] = null;
  }
  out.container = boxOf;
  return out;
}

// offered lists what a first layer lets the visitor do.
function offered(g) {
  return MEANINGS.filter((m) => g[m]);
}

// ---- banner design ------------------------------------------------------

function luminance(rgb) {
  const c = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

function parseColor(s) {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(s || '');
  if (!m) return null;
  return {rgb: [+m[1], +m[2], +m[3]], a: m[4] === undefined ? 1 : +m[4]};
}

// backgroundOf is the first opaque background at or above el.
function backgroundOf(el) {
  for (let n = el; n; n = parentAcross(n)) {
    if (n.nodeType !== 1) continue;
    const c = parseColor(getComputedStyle(n).backgroundColor);
    if (c && c.a > 0.5) return c.rgb;
  }
  return [255, 255, 255];
}

function contrast(a, b) {
  const la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// prominence measures a button as a visitor sees it: its area, and how
// much its own fill stands out from the banner behind it (1 = no fill).
function prominence(el) {
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const fill = backgroundOf(el);
  const behind = parentAcross(el) ? backgroundOf(parentAcross(el)) : [255, 255, 255];
  return {area: Math.round(r.width * r.height), fill: Math.round(contrast(fill, behind) * 100) / 100,
    text: Math.round(contrast(parseColor(getComputedStyle(el).color)?.rgb || [0, 0, 0], fill) * 100) / 100};
}

// ---- second layer -------------------------------------------------------

function toggleOn(t) {
  if (t.tagName === 'INPUT') return t.checked;
  return t.getAttribute('aria-checked') === 'true' || t.getAttribute('aria-pressed') === 'true';
}

// toggleLabel is the text naming a toggle: its <label>, aria-label, or
// the text of the nearest ancestor that says more than the toggle.
function toggleLabel(t) {
  const parts = [];
  if (t.labels) for (const l of t.labels) parts.push(l.innerText || l.textContent || '');
  for (const a of ['aria-label', 'title', 'name', 'value', 'id']) { const v = t.getAttribute(a); if (v && v !== 'on') parts.push(v); }
  let n = parentAcross(t);
  for (let i = 0; n && i < 4; i++, n = parentAcross(n)) {
    const txt = (n.innerText || n.textContent || '').trim();
    if (txt) { parts.push(txt.slice(0, 200)); break; }
  }
  return norm(parts.join(' '));
}

// toggles lists the visible, enabled toggles of a second layer with what
// each is about.
function toggles(rootList) {
  const re = genericRegexps();
  const out = [];
  for (const t of queryAll(TOGGLES, rootList)) {
    if (t.tagName === 'INPUT' && t.type !== 'checkbox') continue;
    if (t.disabled || t.getAttribute('aria-disabled') === 'true') continue;
    // A styled switch hides its input behind a label: the label must show.
    const shown = visible(t) || (t.labels && [...t.labels].some(visible));
    if (!shown) continue;
    const label = toggleLabel(t);
    out.push({el: t, label, on: toggleOn(t), necessary: re.necessary.test(label), legit: re.legit.test(label)});
  }
  return out;
}

function switchOff(t) {
  if (!toggleOn(t.el)) return;
  const target = (t.el.tagName === 'INPUT' && !visible(t.el) && t.el.labels && t.el.labels[0]) || t.el;
  realClick(target);
  if (t.el.tagName === 'INPUT' && t.el.checked) {
    // Some switches ignore clicks on a hidden input; set it as a user would.
    t.el.checked = false;
    t.el.dispatchEvent(new Event('input', {bubbles: true}));
    t.el.dispatchEvent(new Event('change', {bubbles: true}));
  }
}

async function waitFor(fn) {
  const end = Date.now() + STEP_WAIT_MS;
  for (;;) {
    const v = fn();
    if (v || Date.now() >= end) return v;
    await sleep(POLL_MS);
  }
}

// secondLayer opens the settings layer of a banner whose first layer has
// no reject, and rejects there: "reject all" / "necessary only" when the
// layer has one, else every non-essential toggle off and "save". The
// settings click is reported in res.steps; the final click is left to
// the caller in res.pending (see act).
async function secondLayer(g, res) {
  const first = g.settings;
  res.steps.push('settings "' + labelsOf(first)[0] + '"');
  const box = g.container;
  realClick(first);
  await sleep(AFTER_CLICK_MS);
  // The layer may replace the first one, open beside it or open in a new
  // container; look in the whole page but never click the first layer's
  // buttons again.
  const layer = await waitFor(() => {
    const h = classify(true);
    const rj = h.reject && h.reject !== first ? h.reject : null;
    const sv = h.save;
    if (rj || sv) return {h, rj, sv};
    return null;
  });
  if (!layer) {
    res.reason = 'reject-not-found';
    res.note = 'generic banner: the settings layer showed no reject and no save button';
    return;
  }
  const container = (layer.rj ? layer.h.boxes.reject : layer.h.boxes.save) || box;
  const ts = toggles(container ? rootsUnder(container) : roots());
  res.preTicked = ts.filter((t) => t.on && !t.necessary).map((t) => t.label.slice(0, 80));
  res.legitimateInterestOn = ts.filter((t) => t.on && t.legit).map((t) => t.label.slice(0, 80));
  if (layer.rj) {
    res.pending = layer.rj;
    res.steps.push('reject "' + labelsOf(layer.rj)[0] + '"');
    res.note = 'generic reject through the settings layer';
    return;
  }
  let off = 0;
  for (const t of ts) {
    if (!t.on || (t.necessary && !t.legit)) continue;
    switchOff(t);
    off++;
  }
  if (off) {
    res.steps.push('switched off ' + off + ' toggle' + (off > 1 ? 's' : ''));
    await sleep(POLL_MS);
  }
  const still = toggles(container ? rootsUnder(container) : roots()).filter((t) => t.on && !t.necessary);
  if (still.length) {
    res.reason = 'reject-not-found';
    res.note = 'generic banner: ' + still.length + ' non-essential toggle(s) would not switch off';
    return;
  }
  res.pending = layer.sv;
  res.steps.push('save "' + labelsOf(layer.sv)[0] + '"');
  res.note = 'generic reject through the settings layer: non-essential toggles off, then save';
}

// ---- Consent-O-Matic rules (long tail) ---------------------------------

// COM holds Consent-O-Matic's CMP rules (MIT, see consentomatic/LICENSE),
// used as data: a rule detects its CMP with CSS matchers and makes a choice
// by opening the options, setting every consent toggle and saving. This
// interpreter is trackscan's own; it runs a rule only when neither a
// built-in rule nor the generic pass knows the banner.
const COM_RULES = (typeof COM === 'object' && COM) || {};
const COM_WAIT_MS = 250;

// comQuery finds the elements a Consent-O-Matic target names below
// base (a parent element, or every root of the page).
function comQuery(t, base) {
  if (!t || !t.selector) return [];
  let found;
  if (t.selector.trim() === ':scope') {
    found = base ? [base] : [document.documentElement];
  } else if (base) {
    const start = base.shadowRoot ? [base, base.shadowRoot] : [base];
    found = queryAll(t.selector, start);
  } else {
    found = queryAll(t.selector, roots());
  }
  if (t.textFilter != null) {
    const wants = (Array.isArray(t.textFilter) ? t.textFilter : [t.textFilter]).map((w) => String(w).toLowerCase().replace(/\s{2,}/g, ' '));
    found = found.filter((el) => {
      const txt = (el.textContent || '').toLowerCase().replace(/\s{2,}/g, ' ');
      return wants.some((w) => txt.includes(w));
    });
  }
  if (Array.isArray(t.styleFilters)) {
    found = found.filter((el) => {
      const st = getComputedStyle(el);
      return t.styleFilters.every((f) => (st[f.option] === f.value) !== !!f.negated);
    });
  }
  if (t.displayFilter != null) found = found.filter((el) => (el.offsetHeight !== 0) === !!t.displayFilter);
  if (t.iframeFilter != null) found = found.filter(() => (window.top !== window) === !!t.iframeFilter);
  if (t.childFilter) {
    found = found.filter((el) => (comFind(t.childFilter, el).length > 0) !== !!t.childFilterNegated);
  }
  return found;
}

// comFind resolves {parent, target} specs to the matching targets.
function comFind(spec, base) {
  if (!spec) return [];
  if (!spec.parent) return comQuery(spec.target, base);
  const out = [];
  for (const p of comQuery(spec.parent, base)) out.push(...comQuery(spec.target, p));
  return out;
}

// comMatches tests a matcher (or a list of them, all must hold); with
// shown, a CSS matcher also needs one of its elements visible.
function comMatches(m, base, shown) {
  const list = Array.isArray(m) ? m : [m];
  return list.every((one) => {
    if (!one) return true;
    const found = comFind(one, base);
    if (one.type === 'checkbox') return found.length > 0 && !!found[0].checked;
    if (one.type === 'url') return true; // URL conditions are about the site, not the banner
    return shown ? found.some(visible) : found.length > 0;
  });
}

// comShowing: the CMP is present and its banner visible. A detector without
// a showing matcher cannot tell a stored choice from an open banner, so
// then the present elements themselves must show.
function comShowing(d) {
  try {
    if (!comMatches(d.presentMatcher)) return false;
    const sm = Array.isArray(d.showingMatcher) ? d.showingMatcher.filter(Boolean) : d.showingMatcher;
    if (!sm || (Array.isArray(sm) && !sm.length)) return comMatches(d.presentMatcher, null, true);
    return comMatches(sm, null, true);
  } catch (e) {
    return false;
  }
}

function comDetect() {
  for (const name of Object.keys(COM_RULES)) {
    const rule = COM_RULES[name];
    if (!rule || !Array.isArray(rule.detectors)) continue;
    for (const d of rule.detectors) {
      if (comShowing(d)) return {name, rule, detector: d};
    }
  }
  return null;
}

// comRun performs one action; want is the value every consent toggle is
// set to (false for reject). Clicks are counted in st.clicks.
async function comRun(a, want, st, base) {
  if (!a || st.clicks > 40) return;
  switch (a.type) {
    case 'list':
      for (const x of a.actions || []) await comRun(x, want, st, base);
      return;
    case 'click': {
      const els = comFind(a, base);
      const targets = a.target && a.target.selector && a.clickAll ? els : els.slice(0, 1);
      for (const el of targets) { realClick(el); st.clicks++; st.steps.push('click ' + describe(el)); }
      if (targets.length) await sleep(COM_WAIT_MS);
      return;
    }
    case 'ifcss': {
      const hit = comFind(a, base).length > 0;
      return comRun(hit ? a.trueAction : a.falseAction, want, st, base);
    }
    case 'waitcss': {
      const tries = a.retries || 10;
      for (let i = 0; i < tries; i++) {
        if ((comFind(a, base).length > 0) !== !!a.negated) return;
        await sleep(a.waitTime || COM_WAIT_MS);
      }
      return;
    }
    case 'foreach':
      for (const el of comFind(a, base)) await comRun(a.action, want, st, el);
      return;
    case 'wait':
      await sleep(Math.min(a.waitTime || COM_WAIT_MS, 2000));
      return;
    case 'consent':
      for (const c of a.consents || []) {
        if (c.toggleAction && c.matcher) {
          if (comMatches(c.matcher, base) !== want) await comRun(c.toggleAction, want, st, base);
        } else {
          await comRun(want ? c.trueAction : c.falseAction, want, st, base);
        }
      }
      return;
    default:
      return; // hide, close, slide: about how the page looks, not the choice
  }
}

async function actCom(action, res) {
  const {name, rule} = last;
  if (!Array.isArray(rule.methods)) {
    // DetectScript leaves the steps out; the caller evaluates Script first.
    res.reason = 'click-failed';
    res.note = name + ' (Consent-O-Matic rule): its steps are not loaded in this frame';
    return res;
  }
  const want = action === 'accept';
  const st = {clicks: 0, steps: []};
  const method = (n) => (rule.methods || []).find((m) => m.name === n);
  for (const n of ['OPEN_OPTIONS', 'DO_CONSENT', 'SAVE_CONSENT']) {
    const m = method(n);
    if (m) await comRun(m.action, want, st, null);
  }
  res.steps = st.steps;
  res.selector = st.steps.map((s) => s.replace(/^click /, '')).join(' then ');
  res.note = name + ' (Consent-O-Matic rule): ' + action + ' through its options';
  res.clicked = st.clicks > 0;
  res.layer = res.clicked ? 2 : 0;
  if (!res.clicked) {
    res.reason = action === 'reject' ? 'reject-not-found' : 'accept-not-found';
    res.note = name + ' (Consent-O-Matic rule): no step of the rule found its element';
  }
  return res;
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
    let note = 'generic cookie banner';
    if (!g.reject) note += g.settings ? '; reject needs the settings layer' : ' without a reject button';
    return {cmp: 'generic', found: true, rejectSelector: g.reject ? describe(g.reject) : '', acceptSelector: g.accept ? describe(g.accept) : '', note};
  }
  // A built-in rule whose CMP is present, banner hidden, knows this page
  // better than any Consent-O-Matic rule (Sourcepoint's top frame holds
  // only the iframe its message shows in).
  const c = hidden ? null : comDetect();
  if (c) {
    last = {kind: 'com', name: c.name, rule: c.rule, detector: c.detector};
    return {cmp: 'com:' + c.name, found: true, rejectSelector: '', acceptSelector: '', note: c.name + ' (Consent-O-Matic rule) banner shown'};
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

// design describes the first layer for the banner design findings.
function design(res, rejectEl, acceptEl) {
  res.acceptProminence = prominence(acceptEl);
  res.rejectProminence = prominence(rejectEl);
}

async function act(action) {
  const res = {cmp: '', found: false, clicked: false, selector: '', note: '', steps: [], offered: [], layer: 0, reason: '',
    preTicked: [], legitimateInterestOn: [], acceptProminence: null, rejectProminence: null};
  if (action !== 'reject' && action !== 'accept') {
    res.note = 'unknown action ' + action;
    return res;
  }
  const d = detect();
  Object.assign(res, {cmp: d.cmp, found: d.found, note: d.note});
  if (!d.found) return res;
  if (last.kind === 'generic') return actGeneric(action, res);
  if (last.kind === 'com') return actCom(action, res);
  const rule = last.rule;
  const rootFn = () => (last.kind === 'rule' ? ruleRoots(rule) : roots());
  const rj = firstClickable(rule.reject, rootFn());
  const ac = firstClickable(rule.accept, rootFn());
  res.offered = [rj ? 'reject' : '', ac ? 'accept' : '', rule.rejectSteps ? 'settings' : ''].filter(Boolean);
  design(res, rj, ac);
  const el = action === 'reject' ? rj : ac;
  if (el) {
    res.selector = describe(el);
    res.clicked = true;
    res.layer = 1;
    res.steps = [action + ' ' + res.selector];
    realClick(el);
    return res;
  }
  const steps = rule[action + 'Steps'];
  if (!steps || !steps.length) {
    // The rule knows no path; the generic pass may still read the banner
    // (a "necessary only" button, a settings layer).
    const g = classify();
    if (g[action] || (action === 'reject' && g.settings)) {
      last = {kind: 'generic', container: g.container};
      const r = await actGeneric(action, res);
      r.cmp = rule.id;
      return r;
    }
    res.note = rule.name + ': no visible ' + action + ' button';
    res.reason = action === 'reject' && ac ? 'reject-not-offered' : 'reject-not-found';
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
      res.steps = done.slice();
      res.note = rule.name + ': step "' + step.css + '" did not appear';
      res.reason = 'reject-not-found';
      return res;
    }
    done.push(describe(pending));
  }
  res.selector = done.join(' then ');
  res.steps = done.slice();
  res.clicked = true;
  res.layer = 2;
  res.note = rule.name + ': ' + action + ' through the settings layer';
  realClick(pending);
  return res;
}

async function actGeneric(action, res) {
  const g = classify();
  res.offered = offered(g);
  design(res, g.reject, g.accept);
  const el = g[action];
  if (el) {
    res.selector = describe(el);
    res.note = 'generic ' + action + ' button "' + labelsOf(el)[0] + '"';
    res.steps = [action + ' "' + labelsOf(el)[0] + '"'];
    res.clicked = true;
    res.layer = 1;
    realClick(el);
    return res;
  }
  if (action !== 'reject' || !g.settings) {
    res.note = 'generic banner has no ' + action + ' button';
    res.reason = action === 'reject' ? (g.accept ? 'reject-not-offered' : 'reject-not-found') : 'accept-not-found';
    return res;
  }
  res.pending = null;
  await secondLayer(g, res);
  const el2 = res.pending;
  delete res.pending;
  if (!el2) return res;
  res.selector = describe(g.settings) + ' then ' + describe(el2);
  res.clicked = true;
  res.layer = 2;
  realClick(el2);
  return res;
}

// gone says whether an element no longer shows: detached, hidden,
// transparent, zero-size or entirely off-screen.
function gone(el) {
  if (!el || !el.isConnected || !visible(el)) return true;
  const r = el.getBoundingClientRect();
  const win = el.ownerDocument.defaultView || window;
  return r.bottom <= 0 || r.right <= 0 || r.top >= win.innerHeight || r.left >= win.innerWidth;
}

function verify() {
  if (!last) return {bannerVisible: detect().found};
  if (last.kind === 'generic') {
    const c = last.container;
    if (c && c.isConnected && c !== c.ownerDocument.documentElement) return {bannerVisible: !gone(c) && detect().found};
    return {bannerVisible: detect().found};
  }
  if (last.kind === 'com') return {bannerVisible: comShowing(last.detector)};
  if (last.kind === 'config') {
    const all = roots();
    const r = firstClickable(last.rule.reject, all), a = firstClickable(last.rule.accept, all);
    return {bannerVisible: !!((r && !gone(r)) || (a && !gone(a)))};
  }
  const m = matchRule(last.rule);
  if (!m || !m.shown) return {bannerVisible: false};
  const banners = (last.rule.banner && last.rule.banner.length) ? last.rule.banner : last.rule.detect;
  return {bannerVisible: banners.some((css) => queryAll(css, m.inner).some((el) => !gone(el)))};
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

window.__trackscanConsent = {detect, act: (a) => act(a), verify, signals, classifyLabel, version: 2};
