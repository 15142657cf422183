// The demo shop's cookie banner, built like a OneTrust banner. Its bugs are
// deliberate: analytics and the session recorder load whatever the visitor
// chooses; only the advertising pixel waits for "accept all".
(function () {
  function choice() {
    var m = document.cookie.match(/(?:^|; )demo_consent=(accept|reject)/);
    return m ? m[1] : '';
  }
  function load(src) {
    var s = document.createElement('script');
    s.src = src; s.async = true;
    document.head.appendChild(s);
  }
  function gated() {
    if (choice() === 'accept') load('https://connect.facebook.net/en_US/fbevents.js');
  }
  function store(value) {
    document.cookie = 'demo_consent=' + value + '; Max-Age=15552000; Path=/; SameSite=Lax';
    var b = document.getElementById('onetrust-banner-sdk');
    if (b) b.style.display = 'none';
    gated();
  }
  window.addEventListener('DOMContentLoaded', function () {
    if (choice()) { gated(); return; }
    var b = document.getElementById('onetrust-banner-sdk');
    b.style.display = 'block';
    document.getElementById('onetrust-reject-all-handler').onclick = function () { store('reject'); };
    document.getElementById('onetrust-accept-btn-handler').onclick = function () { store('accept'); };
  });
})();
