// Lists the page's forms that hold a value of the test identity (passed as
// the argument's values) and says which are safe to submit in a test:
// never a payment form, a password form (login or password change) or one
// that deletes or cancels something. Returns [{index, form, action,
// method, skip, detail}] in page order; index is the form's place in
// document.forms.
(function (id) {
  var values = Object.keys(id).map(function (k) { return id[k]; });
  values.push(id.firstName + ' ' + id.lastName);
  var payment = /card.?(num|no|holder)|cc.?(num|no|exp|csc)|\bcvc\b|\bcvv|\bcsc\b|credit.?card|\biban\b|security.?code/;
  var deletion = /delete|remove|deactivat|close.?(my.?)?account|cancel.?(my.?)?(account|subscription|order|membership)|unsubscribe|erase|l[öo]schen|k[üu]ndigen|supprimer|eliminar|cancella/;
  function words(el) {
    return [el.name, el.id, el.getAttribute('autocomplete'), el.placeholder, el.getAttribute('aria-label')].join(' ').toLowerCase();
  }
  // getAttribute, not f.id or f.action: a field named "id" or "action"
  // shadows those properties.
  function label(f) { return f.getAttribute('id') || f.getAttribute('name') || f.getAttribute('action') || ''; }
  function action(f) { try { return new URL(f.getAttribute('action') || '', document.baseURI).href; } catch (e) { return ''; } }
  function method(f) { return (f.getAttribute('method') || 'get').toLowerCase(); }
  var out = [];
  for (var i = 0; i < document.forms.length; i++) {
    var f = document.forms[i], filled = false, skip = '', detail = '';
    var els = f.elements;
    for (var j = 0; j < els.length; j++) {
      if (els[j].value && values.indexOf(els[j].value) >= 0) filled = true;
    }
    if (!filled) continue;
    for (var j = 0; j < els.length && !skip; j++) {
      var el = els[j], t = (el.type || '').toLowerCase(), w = words(el);
      if (/^cc-/.test((el.getAttribute('autocomplete') || '').toLowerCase()) || payment.test(w)) { skip = 'payment'; detail = 'field ' + (el.name || el.id || el.getAttribute('autocomplete')); }
      else if (t === 'password') { skip = 'password'; detail = 'field ' + (el.name || el.id || 'password'); }
    }
    if (!skip) {
      var buttons = f.querySelectorAll('button, input[type=submit], input[type=image]'), said = [f.getAttribute('action') || '', f.getAttribute('id') || '', f.getAttribute('name') || ''];
      for (var j = 0; j < buttons.length; j++) said.push(buttons[j].textContent || buttons[j].value || '');
      for (var j = 0; j < said.length; j++) {
        var m = deletion.exec((said[j] || '').toLowerCase());
        if (m) { skip = 'deletion'; detail = JSON.stringify(said[j].trim().slice(0, 60)); break; }
      }
    }
    if (!skip && method(f) === 'dialog') { skip = 'dialog'; detail = 'method=dialog closes a dialog, sends nothing'; }
    if (!skip && !f.checkValidity()) {
      var bad = f.querySelector(':invalid');
      skip = 'invalid'; detail = 'field ' + (bad ? (bad.name || bad.id || bad.type) : '?') + ' not valid with the test identity';
    }
    out.push({index: i, form: label(f), action: action(f), method: method(f).toUpperCase(), skip: skip, detail: detail});
  }
  return out;
})
