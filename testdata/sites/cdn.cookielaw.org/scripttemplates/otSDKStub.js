// Test stand-in for a OneTrust cookie banner (not OneTrust's code). It
// renders the banner and preference centre with the ids and classes the
// real SDK uses, stores the choice in OptanonConsent / OptanonAlertBoxClosed,
// and activates <script type="text/plain" class="optanon-category-Cxxxx">
// tags only for the groups the visitor allowed, on every later page too.
(function () {
  var GROUPS = ['C0001', 'C0002', 'C0003', 'C0004'];
  var YEAR = 31536000;

  function readCookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function writeCookie(name, value) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; Max-Age=' + YEAR + '; Path=/; SameSite=Lax';
  }
  // groups parses "C0001:1,C0002:0" from the OptanonConsent cookie.
  function storedGroups() {
    var raw = readCookie('OptanonConsent');
    var out = {C0001: true};
    if (!raw) return out;
    var m = raw.match(/(?:^|&)groups=([^&]*)/);
    if (!m) return out;
    decodeURIComponent(m[1]).split(',').forEach(function (g) {
      var kv = g.split(':');
      if (kv.length === 2) out[kv[0]] = kv[1] === '1';
    });
    return out;
  }
  function save(groups, interactions) {
    var list = GROUPS.map(function (g) { return g + ':' + (groups[g] ? '1' : '0'); }).join(',');
    writeCookie('OptanonConsent', 'isGpcEnabled=0&datestamp=' + encodeURIComponent(new Date().toString()) +
      '&version=202411.1.0&isIABGlobal=false&hosts=&consentId=5d0c5e1a-7b7e-4c40-9b53-2f6a3f0d1e42' +
      '&interactionCount=' + interactions + '&landingPath=NotLandingPage&groups=' + encodeURIComponent(list));
  }
  function activeGroups(groups) {
    return ',' + GROUPS.filter(function (g) { return groups[g]; }).join(',') + ',';
  }
  // activate swaps each blocked tag whose categories are all allowed for a
  // live copy, the way the real SDK unblocks tags after consent.
  function activate(groups) {
    var blocked = document.querySelectorAll('script[type="text/plain"][class*="optanon-category-"]');
    Array.prototype.forEach.call(blocked, function (old) {
      var cats = old.className.match(/optanon-category-[A-Z0-9-]+/)[0].replace('optanon-category-', '').split('-');
      if (!cats.every(function (c) { return groups[c]; })) return;
      var s = document.createElement('script');
      if (old.src) s.src = old.src; else s.text = old.text;
      s.async = true;
      old.parentNode.replaceChild(s, old);
    });
  }
  function apply(groups) {
    window.OnetrustActiveGroups = activeGroups(groups);
    window.OptanonActiveGroups = window.OnetrustActiveGroups;
    activate(groups);
    if (typeof window.OptanonWrapper === 'function') window.OptanonWrapper();
  }

  var html =
    '<div class="onetrust-pc-dark-filter ot-hide ot-fade-in"></div>' +
    '<div id="onetrust-banner-sdk" class="otFlat" tabindex="0" role="region" aria-label="Cookie banner" ' +
    'style="position:fixed;bottom:0;left:0;right:0;z-index:2147483645;background:#fff;border-top:1px solid #ccc;padding:12px 24px">' +
    '<div role="dialog" aria-label="Privacy" aria-describedby="onetrust-policy-text">' +
    '<div class="ot-sdk-container"><div class="ot-sdk-row">' +
    '<div id="onetrust-group-container" class="ot-sdk-eight ot-sdk-columns"><div id="onetrust-policy">' +
    '<h2 id="onetrust-policy-title">Your privacy choices</h2>' +
    '<div id="onetrust-policy-text">The Daily Loop and selected partners store cookies on your device to count visits ' +
    'and to show advertising that fits your interests. You can allow all of them, refuse all optional ones, ' +
    'or pick by category. <a class="ot-cookie-policy-link" href="/privacy.html">Cookie policy</a></div></div></div>' +
    '<div id="onetrust-button-group-parent" class="ot-sdk-three ot-sdk-columns"><div id="onetrust-button-group">' +
    '<button id="onetrust-pc-btn-handler">Customise settings</button>' +
    '<button id="onetrust-reject-all-handler">Reject All</button>' +
    '<button id="onetrust-accept-btn-handler">Accept All Cookies</button>' +
    '</div></div></div></div></div></div>' +
    '<div id="onetrust-pc-sdk" class="otPcCenter ot-hide ot-fade-in" role="dialog" aria-modal="true" aria-label="Preference center" ' +
    'style="display:none;position:fixed;top:10%;left:20%;right:20%;z-index:2147483646;background:#fff;border:1px solid #999;padding:16px">' +
    '<h2 id="ot-pc-title">Cookie preferences</h2>' +
    '<div id="ot-pc-desc">Choose which categories may be used. Strictly necessary cookies are always on.</div>' +
    '<button id="accept-recommended-btn-handler">Allow All</button>' +
    '<div class="ot-pc-footer"><div class="ot-btn-container">' +
    '<button class="ot-pc-refuse-all-handler">Reject All</button>' +
    '<button class="save-preference-btn-handler onetrust-close-btn-handler">Confirm My Choices</button>' +
    '</div></div></div>';

  function render() {
    var sdk = document.createElement('div');
    sdk.id = 'onetrust-consent-sdk';
    sdk.innerHTML = html;
    document.body.appendChild(sdk);
    var banner = document.getElementById('onetrust-banner-sdk');
    var pc = document.getElementById('onetrust-pc-sdk');
    function close(groups) {
      save(groups, 1);
      writeCookie('OptanonAlertBoxClosed', new Date().toISOString());
      banner.style.display = 'none';
      pc.style.display = 'none';
      apply(groups);
    }
    function all(v) {
      var g = {C0001: true};
      GROUPS.slice(1).forEach(function (k) { g[k] = v; });
      return g;
    }
    document.getElementById('onetrust-reject-all-handler').addEventListener('click', function () { close(all(false)); });
    document.getElementById('onetrust-accept-btn-handler').addEventListener('click', function () { close(all(true)); });
    document.getElementById('onetrust-pc-btn-handler').addEventListener('click', function () {
      setTimeout(function () { pc.style.display = 'block'; }, 150);
    });
    pc.querySelector('#accept-recommended-btn-handler').addEventListener('click', function () { close(all(true)); });
    pc.querySelector('.ot-pc-refuse-all-handler').addEventListener('click', function () { close(all(false)); });
    pc.querySelector('.save-preference-btn-handler').addEventListener('click', function () { close(all(false)); });
  }

  function start() {
    var groups = storedGroups();
    if (readCookie('OptanonAlertBoxClosed')) {
      apply(groups);
      return;
    }
    if (!readCookie('OptanonConsent')) save(groups, 0);
    apply(groups); // strictly necessary only until the visitor chooses
    render();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
