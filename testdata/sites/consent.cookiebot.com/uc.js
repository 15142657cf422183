// Test stand-in for a Cookiebot banner (not Cookiebot's code): the dialog
// with Cookiebot's ids and classes, the CookieConsent cookie in Cookiebot's
// format, window.Cookiebot, and tags written as
// <script type="text/plain" data-cookieconsent="marketing"> that run only
// once their categories are allowed, on later pages too.
(function () {
  var CATS = ['preferences', 'statistics', 'marketing'];

  function readConsent() {
    var m = document.cookie.match(/(?:^|; )CookieConsent=([^;]*)/);
    if (!m) return null;
    var raw = decodeURIComponent(m[1]);
    var out = {necessary: true};
    CATS.forEach(function (c) { out[c] = new RegExp(c + ':true').test(raw); });
    return out;
  }
  function writeConsent(c) {
    var value = '{stamp:%27bH7k2Qm9xTzP4vWc1sYa5NdE3gJ8rLfU0oKiMnBq6%27%2Cnecessary:true' +
      CATS.map(function (k) { return '%2C' + k + ':' + (c[k] ? 'true' : 'false'); }).join('') +
      '%2Cmethod:%27explicit%27%2Cver:1%2Cutc:' + Date.now() + '%2Cregion:%27de%27}';
    document.cookie = 'CookieConsent=' + value + '; Max-Age=31536000; Path=/; SameSite=Lax';
  }
  function run(c) {
    var blocked = document.querySelectorAll('script[type="text/plain"][data-cookieconsent]');
    Array.prototype.forEach.call(blocked, function (old) {
      var need = old.getAttribute('data-cookieconsent').split(',').map(function (s) { return s.trim(); });
      if (!need.every(function (k) { return k === 'necessary' || c[k]; })) return;
      var s = document.createElement('script');
      if (old.src) s.src = old.src; else s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
  }
  var cb = window.Cookiebot = {consent: {necessary: true, preferences: false, statistics: false, marketing: false},
    consented: false, declined: false, hasResponse: false};

  var dialog =
    '<div class="CybotCookiebotDialogContentWrapper">' +
    '<div id="CybotCookiebotDialogHeader"><div id="CybotCookiebotDialogPoweredbyLink">Consent banner</div></div>' +
    '<div id="CybotCookiebotDialogBody"><div id="CybotCookiebotDialogBodyContent">' +
    '<h2 id="CybotCookiebotDialogBodyContentTitle">This website uses cookies</h2>' +
    '<div id="CybotCookiebotDialogBodyContentText">Hazel &amp; Rye Bakery uses cookies to keep the shop working, ' +
    'to learn how the site is used and to measure our advertising. Marketing cookies are only set if you allow them.</div>' +
    '</div></div>' +
    '<div id="CybotCookiebotDialogFooter"><div id="CybotCookiebotDialogBodyButtonsWrapper">' +
    '<button id="CybotCookiebotDialogBodyButtonDecline" class="CybotCookiebotDialogBodyButton">Deny</button>' +
    '<button id="CybotCookiebotDialogBodyLevelButtonCustomize" class="CybotCookiebotDialogBodyButton">Customize</button>' +
    '<button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowallSelection" class="CybotCookiebotDialogBodyButton" style="display:none">Allow selection</button>' +
    '<button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll" class="CybotCookiebotDialogBodyButton">Allow all</button>' +
    '</div></div></div>';

  function decide(allow) {
    var c = {necessary: true, preferences: allow, statistics: allow, marketing: allow};
    writeConsent(c);
    cb.consent = c; cb.hasResponse = true; cb.consented = allow; cb.declined = !allow;
    document.getElementById('CybotCookiebotDialog').style.display = 'none';
    run(c);
    window.dispatchEvent(new Event(allow ? 'CookiebotOnAccept' : 'CookiebotOnDecline'));
  }
  function start() {
    var c = readConsent();
    if (c) {
      cb.consent = c; cb.hasResponse = true; cb.consented = c.marketing; cb.declined = !c.marketing;
      run(c);
      return;
    }
    var d = document.createElement('div');
    d.id = 'CybotCookiebotDialog';
    d.setAttribute('name', 'CybotCookiebotDialog');
    d.setAttribute('role', 'dialog');
    d.setAttribute('aria-modal', 'true');
    d.setAttribute('aria-labelledby', 'CybotCookiebotDialogBodyContentTitle');
    d.className = 'CybotCookiebotDialogActive CybotEdge';
    d.setAttribute('style', 'display:flex;position:fixed;bottom:16px;left:16px;right:16px;z-index:2147483631;background:#fff;border:1px solid #ccc;padding:16px');
    d.innerHTML = dialog;
    document.body.appendChild(d);
    document.getElementById('CybotCookiebotDialogBodyButtonDecline').addEventListener('click', function () { decide(false); });
    document.getElementById('CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll').addEventListener('click', function () { decide(true); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
