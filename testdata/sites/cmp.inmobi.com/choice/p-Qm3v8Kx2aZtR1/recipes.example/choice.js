// Test stand-in for an InMobi (Quantcast) Choice banner (not InMobi's code):
// the qc-cmp2 dialog with Choice's ids, classes and button modes, and an
// IAB TCF v2.2 API: __tcfapi ping / getTCData / addEventListener /
// removeEventListener, with eventStatus cmpuishown before the choice,
// useractioncomplete when the visitor chooses and tcloaded on later pages.
// The choice is a real TC string in the euconsent-v2 cookie.
(function () {
  var CMP_ID = 10, CMP_VERSION = 61, GVL_VERSION = 80, POLICY = 5;
  var ALL_PURPOSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  var VENDORS = [755, 793]; // Google Advertising Products, Amazon Advertising

  // ---- TC string (core segment only) ------------------------------------
  function encode(tc) {
    var bits = '';
    function put(v, n) { var s = v.toString(2); while (s.length < n) s = '0' + s; bits += s.slice(-n); }
    function letters(s) { put(s.charCodeAt(0) - 65, 6); put(s.charCodeAt(1) - 65, 6); }
    function field(ids, n) { for (var i = 1; i <= n; i++) bits += ids.indexOf(i) >= 0 ? '1' : '0'; }
    function vendors(ids) {
      var max = ids.length ? Math.max.apply(null, ids) : 0;
      put(max, 16); put(0, 1); field(ids, max);
    }
    var ds = Math.round(tc.time / 100);
    put(2, 6); put(ds, 36); put(ds, 36);
    put(CMP_ID, 12); put(CMP_VERSION, 12); put(1, 6); letters('EN');
    put(GVL_VERSION, 12); put(POLICY, 6); put(1, 1); put(0, 1);
    field([], 12); field(tc.purposes, 24); field([], 24); put(0, 1); letters('DE');
    vendors(tc.vendors); vendors([]); put(0, 12);
    while (bits.length % 8) bits += '0';
    var bytes = '';
    for (var i = 0; i < bits.length; i += 8) bytes += String.fromCharCode(parseInt(bits.slice(i, i + 8), 2));
    return btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  // decode reads back the purposes and vendors of a string encode wrote.
  function decode(s) {
    try {
      var bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
      var bits = '';
      for (var i = 0; i < bin.length; i++) bits += ('0000000' + bin.charCodeAt(i).toString(2)).slice(-8);
      var pos = 0;
      function get(n) { var v = parseInt(bits.slice(pos, pos + n), 2); pos += n; return v; }
      if (get(6) !== 2) return null;
      pos += 36 + 36 + 12 + 12 + 6 + 12 + 12 + 6 + 1 + 1 + 12;
      var purposes = [];
      for (var p = 1; p <= 24; p++) if (get(1)) purposes.push(p);
      pos += 24 + 1 + 12;
      var max = get(16), vendors = [];
      if (get(1)) return null; // range encoding is never written here
      for (var v = 1; v <= max; v++) if (get(1)) vendors.push(v);
      return {purposes: purposes, vendors: vendors, tcString: s};
    } catch (e) { return null; }
  }

  // ---- state and the API ------------------------------------------------
  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  var saved = cookie('euconsent-v2');
  var state = saved ? decode(saved) : null;
  var status = state ? 'tcloaded' : 'cmpuishown';
  var listeners = {}, nextId = 0;

  function tcData(listenerId) {
    var pc = {}, vc = {};
    ALL_PURPOSES.forEach(function (p) { pc[p] = !!state && state.purposes.indexOf(p) >= 0; });
    VENDORS.forEach(function (v) { vc[v] = !!state && state.vendors.indexOf(v) >= 0; });
    return {
      tcString: state ? state.tcString : '', tcfPolicyVersion: POLICY, cmpId: CMP_ID, cmpVersion: CMP_VERSION,
      gdprApplies: true, eventStatus: status, cmpStatus: 'loaded', listenerId: listenerId,
      isServiceSpecific: true, useNonStandardTexts: false, publisherCC: 'DE', purposeOneTreatment: false,
      purpose: {consents: pc, legitimateInterests: {}}, vendor: {consents: vc, legitimateInterests: {}},
      specialFeatureOptins: {}, publisher: {consents: {}, legitimateInterests: {}, customPurpose: {consents: {}, legitimateInterests: {}}, restrictions: {}}
    };
  }
  function api(command, version, callback, param) {
    if (typeof callback !== 'function') return;
    switch (command) {
      case 'ping':
        callback({gdprApplies: true, cmpLoaded: true, cmpStatus: 'loaded', displayStatus: state ? 'hidden' : 'visible',
          apiVersion: '2.2', cmpVersion: CMP_VERSION, cmpId: CMP_ID, gvlVersion: GVL_VERSION, tcfPolicyVersion: POLICY}, true);
        break;
      case 'getTCData':
        callback(tcData(undefined), true);
        break;
      case 'addEventListener':
        var id = ++nextId;
        listeners[id] = callback;
        callback(tcData(id), true);
        break;
      case 'removeEventListener':
        var ok = !!listeners[param];
        delete listeners[param];
        callback(ok);
        break;
      default:
        callback(null, false);
    }
  }
  // Calls queued by the page's inline stub before this file loaded.
  var queued = (window.__tcfapi && window.__tcfapi.a) || [];
  window.__tcfapi = api;
  queued.forEach(function (args) { api.apply(null, args); });

  function choose(allow) {
    var tc = {time: Date.now(), purposes: allow ? ALL_PURPOSES : [], vendors: allow ? VENDORS : []};
    var s = encode(tc);
    document.cookie = 'euconsent-v2=' + s + '; Max-Age=33696000; Path=/; SameSite=Lax';
    document.cookie = 'addtl_consent=' + encodeURIComponent(allow ? '1~89.2008' : '1~') + '; Max-Age=33696000; Path=/; SameSite=Lax';
    state = decode(s);
    status = 'useractioncomplete';
    var box = document.getElementById('qc-cmp2-container');
    if (box) box.remove();
    Object.keys(listeners).forEach(function (id) { listeners[id](tcData(+id), true); });
  }

  var ui =
    '<div class="qc-cmp2-container" data-nosnippet=""><div class="qc-cmp2-main">' +
    '<div id="qc-cmp2-ui" role="dialog" aria-label="qc-cmp2-ui" aria-modal="true" tabindex="0" class=" css-1yu1ui7" ' +
    'style="position:fixed;left:10%;right:10%;bottom:24px;z-index:2147483647;background:#fff;border:1px solid #aaa;padding:18px">' +
    '<div class="qc-cmp2-summary-section"><div class="qc-cmp2-consent-info">' +
    '<h2 class=" css-1hrh6iy">We value your privacy</h2>' +
    '<div class="qc-cmp2-summary-info"><p>Slow Pot Recipes and our partners store and access information on your device, such as cookies, ' +
    'and process personal data such as unique identifiers for personalised advertising and content, ad and content measurement, ' +
    'audience research and services development. You can accept, refuse, or choose by purpose.</p></div></div>' +
    '<div class="qc-cmp2-footer qc-cmp2-footer-overlay qc-cmp2-footer-scrolled"><div class="qc-cmp2-summary-buttons">' +
    '<button mode="secondary" size="large" class=" css-47sehv"><span>MORE OPTIONS</span></button>' +
    '<button mode="secondary" size="large" class=" css-47sehv"><span>DISAGREE</span></button>' +
    '<button mode="primary" size="large" class=" css-47sehv"><span>AGREE</span></button>' +
    '</div></div></div></div></div></div>';

  function start() {
    if (state) return;
    var c = document.createElement('div');
    c.id = 'qc-cmp2-container';
    c.setAttribute('data-nosnippet', '');
    c.innerHTML = ui;
    document.body.appendChild(c);
    var buttons = c.querySelectorAll('.qc-cmp2-summary-buttons button');
    buttons[1].addEventListener('click', function () { choose(false); });
    buttons[2].addEventListener('click', function () { choose(true); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
