// The shop's own banner keeps the visitor's choice only in sessionStorage
// (no cookie, no localStorage): a later page of the same tab reads it from
// there, and Hotjar loads only after an accept.
(function () {
  var KEY = 'inkwell-consent';
  function apply(choice) {
    if (choice !== 'accept') return;
    var s = document.createElement('script');
    s.src = 'https://static.hotjar.com/c/hotjar-3.js?sv=6';
    document.head.appendChild(s);
  }
  var stored = sessionStorage.getItem(KEY);
  if (stored) { apply(stored); return; }
  var banner = document.getElementById('inkwell-cookies');
  function choose(v) {
    sessionStorage.setItem(KEY, v);
    banner.hidden = true;
    apply(v);
  }
  banner.hidden = false;
  document.getElementById('inkwell-reject').onclick = function () { choose('reject'); };
  document.getElementById('inkwell-accept').onclick = function () { choose('accept'); };
})();
