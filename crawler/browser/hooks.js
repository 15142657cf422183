// Instrumentation added to every document before any page script runs. It
// reports through the CDP binding __trackscanReport: document.cookie writes
// with the writing script, Web Storage writes, canvas / audio / WebGL reads
// used for fingerprinting, and navigator.sendBeacon calls.
(() => {
  if (window.__trackscanHooked) return;
  Object.defineProperty(window, '__trackscanHooked', {value: true});
  const report = window.__trackscanReport;
  if (typeof report !== 'function') return;
  // Repeats are dropped, and each kind has its own budget: the first
  // FIRST events of a kind are sent as they happen, then only the latest
  // LAST are held and sent a moment later with the count of the ones in
  // between. A flood of one kind (junk cookie writes, text measured in a
  // loop) neither floods the protocol connection nor hides another kind.
  // Page scripts run after this one: the timer and JSON are ours.
  const FIRST = 500, LAST = 50, SEEN = 5000;
  const setTimer = window.setTimeout.bind(window);
  const stringify = JSON.stringify.bind(JSON);
  const kinds = new Map();
  let flushing = false;
  const flush = () => {
    flushing = false;
    for (const [kind, k] of kinds) {
      if (k.dropped > 0) report(stringify({kind: 'overflow', detail: kind, count: k.dropped}));
      k.dropped = 0;
      for (const msg of k.held) report(msg);
      k.held = [];
    }
  };
  addEventListener('pagehide', () => { try { flush(); } catch (e) {} }, true);
  const send = (kind, detail, extra) => {
    try {
      const stack = scriptFromStack();
      const d = String(detail).slice(0, 4096);
      let k = kinds.get(kind);
      if (!k) { k = {sent: 0, dropped: 0, held: [], seen: new Set()}; kinds.set(kind, k); }
      const key = d + '\u0000' + stack;
      if (k.seen.has(key)) return;
      if (k.seen.size < SEEN) k.seen.add(key);
      const msg = stringify(Object.assign({kind, detail: d, frame: location.href, stack}, extra || {}));
      if (k.sent < FIRST) { k.sent++; report(msg); return; }
      k.held.push(msg);
      if (k.held.length > LAST) { k.held.shift(); k.dropped++; }
      if (!flushing) { flushing = true; setTimer(flush, 100); }
    } catch (e) {}
  };
  // The calling script is the first stack frame that is not this file.
  const scriptFromStack = () => {
    const lines = (new Error().stack || '').split('\n');
    for (const line of lines) {
      const m = line.match(/(https?:\/\/[^\s)]+?)(?::\d+){1,2}\)?\s*$/);
      if (m && !line.includes('__trackscan')) return m[1];
    }
    return '';
  };

  const cookieDesc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (cookieDesc && cookieDesc.set) {
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true, enumerable: cookieDesc.enumerable,
      get() { return cookieDesc.get.call(this); },
      set(v) { send('cookie', v); return cookieDesc.set.call(this, v); },
    });
  }

  const wrap = (proto, name, kind, describe) => {
    if (!proto || typeof proto[name] !== 'function') return;
    const orig = proto[name];
    Object.defineProperty(proto, name, {configurable: true, writable: true, value: function (...args) {
      try { send(kind, describe ? describe.call(this, args) : '', {api: name}); } catch (e) {}
      return orig.apply(this, args);
    }});
  };

  // A scan visits pages, never popups: window.open opens nothing, so no
  // request leaves for a popup's URL, and the URL is reported for the
  // scope to judge. It stays writable as the original is: a page whose
  // script declares a global named open (var open = indexedDB.open(...))
  // must keep working, and a popup that opens anyway is closed by the tab
  // guard as soon as Chromium announces it.
  if (typeof window.open === 'function') {
    Object.defineProperty(window, 'open', {configurable: true, writable: true, enumerable: true, value: function open(u) {
      try { send('popup', new URL(String(u === undefined ? '' : u), location.href).href); } catch (e) {}
      return null;
    }});
  }

  wrap(Storage.prototype, 'setItem', 'storage', function (args) {
    return (this === window.localStorage ? 'localStorage' : 'sessionStorage') + ' ' + args[0];
  });
  wrap(Navigator.prototype, 'sendBeacon', 'beacon', (args) => args[0]);

  const canvasSize = (c) => c ? (c.width + 'x' + c.height) : '';
  wrap(HTMLCanvasElement.prototype, 'toDataURL', 'canvas-read', function () { return canvasSize(this); });
  wrap(HTMLCanvasElement.prototype, 'toBlob', 'canvas-read', function () { return canvasSize(this); });
  if (window.CanvasRenderingContext2D) {
    const c2d = CanvasRenderingContext2D.prototype;
    wrap(c2d, 'getImageData', 'canvas-read', function () { return canvasSize(this.canvas); });
    wrap(c2d, 'fillText', 'canvas-write', function (args) { return String(args[0]) + '|' + this.fillStyle; });
    wrap(c2d, 'strokeText', 'canvas-write', function (args) { return String(args[0]) + '|' + this.strokeStyle; });
    wrap(c2d, 'measureText', 'font-probe', function () { return this.font; });
  }
  if (window.WebGLRenderingContext) {
    wrap(WebGLRenderingContext.prototype, 'getParameter', 'webgl-param', (args) => args[0]);
  }
  if (window.OfflineAudioContext) {
    wrap(OfflineAudioContext.prototype, 'startRendering', 'audio-fingerprint', () => '');
  }
})();
