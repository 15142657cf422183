// The shop's own consent banner: the choice goes into a first-party
// cookie, and the banner stays hidden once one is stored.
(function () {
  if (/(^|; )steep_consent=/.test(document.cookie)) return;
  var banner = document.getElementById('steep-cookies');
  function choose(v) {
    document.cookie = 'steep_consent=' + v + '; Max-Age=3600; Path=/; SameSite=Lax';
    banner.hidden = true;
  }
  banner.hidden = false;
  document.getElementById('steep-reject').onclick = function () { choose('reject'); };
  document.getElementById('steep-accept').onclick = function () { choose('accept'); };
})();
