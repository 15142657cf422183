// Corner Co-op's own privacy strip, built in-house: no CMP product, and
// its choices are <span>s with wording no generic pattern knows, so only
// the selectors in the site's .trackscan.yml can answer it. The choice is
// kept in the coop_privacy cookie; the ad pixel loads only with "all".
(function () {
  function choice() {
    var m = document.cookie.match(/(?:^|; )coop_privacy=(basic|all)/);
    return m ? m[1] : '';
  }
  function ads() {
    if (choice() !== 'all' || window.__coopAds) return;
    window.__coopAds = true;
    var s = document.createElement('script');
    s.src = 'https://connect.facebook.net/en_US/fbevents.js';
    document.head.appendChild(s);
  }
  function start() {
    if (choice()) { ads(); return; }
    var strip = document.getElementById('coop-privacy');
    strip.hidden = false;
    strip.querySelectorAll('.pc-choice').forEach(function (el) {
      el.addEventListener('click', function () {
        document.cookie = 'coop_privacy=' + el.getAttribute('data-level') + '; Max-Age=15552000; Path=/; SameSite=Lax';
        strip.hidden = true;
        ads();
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
