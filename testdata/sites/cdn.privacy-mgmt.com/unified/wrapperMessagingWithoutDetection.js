// Test stand-in for Sourcepoint's messaging wrapper (not Sourcepoint's
// code). Like the real one it puts the first-layer message in a
// cross-origin iframe (#sp_message_iframe_<id> in
// #sp_message_container_<id>), hears the visitor's choice by postMessage,
// stores it (consentUUID cookie, _sp_user_consent_<property> in
// localStorage) and removes the container. Tags marked
// <script type="text/plain" data-sp-vendor="..."> run only after "accept".
(function () {
  var cfg = (window._sp_ && window._sp_.config) || {};
  var PROPERTY = cfg.propertyId || 0;
  var KEY = '_sp_user_consent_' + PROPERTY;
  var MESSAGE_ID = 873654;

  function stored() {
    try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { return null; }
  }
  function run(state) {
    if (!state || !state.gdpr || !state.gdpr.consentAll) return;
    document.querySelectorAll('script[type="text/plain"][data-sp-vendor]').forEach(function (old) {
      var s = document.createElement('script');
      if (old.src) s.src = old.src; else s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
  }
  function choose(type) {
    var all = type === 11;
    var state = {gdpr: {consentAll: all, rejectedAny: !all, uuid: '0b1e5c6a-8f2d-4e7b-b3a9-52c4d1e0f7a6',
      grants: {'5f1aada6b8e05c306c0597d7': {vendorGrant: all, purposeGrants: {'608bad95d08d3112188e0e36': all}}},
      dateCreated: new Date().toISOString()}};
    localStorage.setItem(KEY, JSON.stringify(state));
    document.cookie = 'consentUUID=' + state.gdpr.uuid + '_29; Max-Age=31536000; Path=/; SameSite=Lax';
    var box = document.getElementById('sp_message_container_' + MESSAGE_ID);
    if (box) box.remove();
    document.documentElement.classList.remove('sp-message-open');
    run(state);
  }
  window.addEventListener('message', function (e) {
    if (e.origin !== 'https://cdn.privacy-mgmt.com' || !e.data || e.data.name !== 'sp.choice') return;
    choose(e.data.choiceType);
  });
  function start() {
    var s = stored();
    if (s) { run(s); return; }
    var box = document.createElement('div');
    box.id = 'sp_message_container_' + MESSAGE_ID;
    box.className = 'sp_message_container';
    box.setAttribute('style', 'position:fixed;left:0;right:0;bottom:0;height:200px;z-index:2147483647');
    var f = document.createElement('iframe');
    f.id = 'sp_message_iframe_' + MESSAGE_ID;
    f.title = 'SP Consent Message';
    f.src = 'https://cdn.privacy-mgmt.com/index.html?message_id=' + MESSAGE_ID + '&consentUUID=null&consent_origin=' +
      encodeURIComponent('https://cdn.privacy-mgmt.com/consent/tcfv2') + '&preload_message=true&version=v1';
    f.setAttribute('style', 'width:100%;height:100%;border:0');
    box.appendChild(f);
    document.body.appendChild(box);
    document.documentElement.classList.add('sp-message-open');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
