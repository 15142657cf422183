// Stand-in for Cookiebot's cookie declaration script (cd.js): it writes the
// declaration the site configured into #CookieDeclaration, one table per
// category under a "CookieDeclarationTypeHeader" paragraph, as Cookiebot
// renders it. The shop filed the Meta pixel's cookie under Necessary.
(function () {
  var groups = [
    ['Necessary', [
      ['cart', 'policyshop.example', 'Keeps your basket between pages.', '30 days', 'HTTP'],
      ['_fbp', 'Meta Pixel', 'Keeps the checkout working.', '3 months', 'HTTP']
    ]],
    ['Statistics', [
      ['_ga', 'Google Analytics', 'Distinguishes visitors.', '1 day', 'HTTP'],
      ['_ga_*', 'Google Analytics', 'Keeps the session state.', '2 years', 'HTTP']
    ]]
  ];
  var html = '';
  groups.forEach(function (g) {
    html += '<div class="CookieDeclarationType"><p class="CookieDeclarationTypeHeader">' + g[0] + ' (' + g[1].length + ')</p>' +
      '<table class="CookieDeclarationTable"><tr><th>Name</th><th>Provider</th><th>Purpose</th><th>Expiry</th><th>Type</th></tr>';
    g[1].forEach(function (r) { html += '<tr><td>' + r.join('</td><td>') + '</td></tr>'; });
    html += '</table></div>';
  });
  var el = document.getElementById('CookieDeclaration');
  if (el) el.innerHTML = html;
})();
