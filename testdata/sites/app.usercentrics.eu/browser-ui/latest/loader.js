// Test stand-in for a Usercentrics banner (not Usercentrics' code): the UI
// lives in an open shadow root of #usercentrics-root with Usercentrics'
// data-testid buttons; the choice is stored in localStorage uc_settings
// (and uc_user_interaction), and <script type="text/plain"
// data-usercentrics="Service name"> tags run only for accepted services.
(function () {
  var SERVICES = [
    {id: 'ko1w5PpFl', name: 'Facebook Pixel'},
    {id: 'S1pcEj_jZX', name: 'Hotjar'}
  ];

  function stored() {
    try { return JSON.parse(localStorage.getItem('uc_settings') || 'null'); } catch (e) { return null; }
  }
  function store(allow) {
    var now = Date.now();
    var settings = {
      controllerId: 'c2b7e0f4a9d1e6b3c8f5a2d7e0b4c9f1a6d3e8b5c2f7a0d4e9b6c3f8a5d2e7b0',
      id: 'Xk29fLq_pR', language: 'en', version: '3.14.2',
      services: SERVICES.map(function (s) {
        return {id: s.id, processorId: 'p-' + s.id, status: allow,
          history: [{action: allow ? 'onAcceptAllServices' : 'onDenyAllServices', language: 'en', status: allow, timestamp: now, type: 'explicit', versions: {application: '3.14.2', service: '1.0.0', settings: '12'}}]};
      })
    };
    localStorage.setItem('uc_settings', JSON.stringify(settings));
    localStorage.setItem('uc_user_interaction', 'true');
    return settings;
  }
  function run(settings) {
    var on = {};
    SERVICES.forEach(function (s, i) { on[s.name] = !!(settings && settings.services[i] && settings.services[i].status); });
    var tags = document.querySelectorAll('script[type="text/plain"][data-usercentrics]');
    Array.prototype.forEach.call(tags, function (old) {
      if (!on[old.getAttribute('data-usercentrics')]) return;
      var s = document.createElement('script');
      if (old.src) s.src = old.src; else s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
  }

  var css = '.uc-banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483647;background:#fff;border-top:1px solid #ccc;padding:16px;font:14px sans-serif}' +
    '.uc-banner button{margin-right:8px}';
  var ui =
    '<div id="uc-main-banner" data-testid="uc-default-banner" class="uc-banner" role="dialog" aria-modal="true" aria-labelledby="uc-privacy-title">' +
    '<div data-testid="uc-banner-content"><h2 id="uc-privacy-title">Privacy settings</h2>' +
    '<div data-testid="uc-message-container">Green Thumb uses services from ourselves and third parties to measure how the site ' +
    'is used and to show adverts. Your consent covers all listed services; you can refuse it or change it at any time.</div></div>' +
    '<div data-testid="uc-buttons-container">' +
    '<button role="button" data-testid="uc-more-button">Settings</button>' +
    '<button role="button" data-testid="uc-deny-all-button">Deny</button>' +
    '<button role="button" data-testid="uc-accept-all-button">Accept All</button>' +
    '</div></div>';

  function start() {
    var root = document.createElement('div');
    root.id = 'usercentrics-root';
    root.setAttribute('data-created-at', String(Date.now()));
    document.body.appendChild(root);
    var s = stored();
    if (s) { run(s); return; }
    var shadow = root.attachShadow({mode: 'open'});
    shadow.innerHTML = '<style>' + css + '</style>' + ui;
    function choose(allow) {
      var settings = store(allow);
      shadow.getElementById('uc-main-banner').remove();
      run(settings);
    }
    shadow.querySelector('[data-testid="uc-deny-all-button"]').addEventListener('click', function () { choose(false); });
    shadow.querySelector('[data-testid="uc-accept-all-button"]').addEventListener('click', function () { choose(true); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
