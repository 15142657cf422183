// Test harness appended to every consent sample: a click on an element with
// data-choice="reject"|"accept" records the choice on <html data-choice>
// and hides every [data-banner] (in shadow roots too), the way CMPs close;
// data-choice="open:SELECTOR" shows the hidden second layer after 200 ms,
// as a CMP loading its preference centre would.
(function () {
  function allRoots(root, out) {
    out.push(root);
    root.querySelectorAll('*').forEach(function (n) { if (n.shadowRoot) allRoots(n.shadowRoot, out); });
    return out;
  }
  document.addEventListener('click', function (e) {
    var path = e.composedPath();
    var el = null;
    for (var i = 0; i < path.length; i++) {
      if (path[i].nodeType === 1 && path[i].hasAttribute('data-choice')) { el = path[i]; break; }
    }
    if (!el) return;
    e.preventDefault();
    var choice = el.getAttribute('data-choice');
    var log = document.documentElement.getAttribute('data-clicks') || '';
    document.documentElement.setAttribute('data-clicks', (log ? log + ' ' : '') + choice);
    if (choice === 'reject' || choice === 'accept') {
      document.documentElement.setAttribute('data-choice', choice);
      allRoots(document, []).forEach(function (r) {
        r.querySelectorAll('[data-banner]').forEach(function (b) { b.style.display = 'none'; });
      });
    } else if (choice.indexOf('open:') === 0) {
      var sel = choice.slice(5);
      setTimeout(function () {
        allRoots(document, []).forEach(function (r) {
          r.querySelectorAll(sel).forEach(function (n) { n.hidden = false; });
        });
      }, 200);
    }
  }, true);
})();
