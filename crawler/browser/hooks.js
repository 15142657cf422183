// Instrumentation added to every document before any page script runs. It
// reports through the CDP binding __trackscanReport: document.cookie writes
// with the writing script, Web Storage writes, canvas / audio / WebGL reads
// used for fingerprinting, and navigator.sendBeacon calls.
(() => {
  if (window.__trackscanHooked) return;
  Object.defineProperty(window, '__trackscanHooked', {value: true});
  const report = window.__trackscanReport;
  if (typeof report !== 'function') return;
  // Repeats are dropped and the total is capped: a page that measures text
  // in a loop must not flood the protocol connection.
  const seen = new Set();
  let budget = 2000;
  const send = (kind, detail, extra) => {
    try {
      const stack = scriptFromStack();
      const d = String(detail).slice(0, 4096);
      const key = kind + '\u0000' + d + '\u0000' + stack;
      if (seen.has(key) || budget <= 0) return;
      seen.add(key);
      budget--;
      report(JSON.stringify(Object.assign({kind, detail: d, frame: location.href, stack}, extra || {})));
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
