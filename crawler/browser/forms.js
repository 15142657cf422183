// Fills the visible fields of the page's forms with the test identity
// (passed as the argument), one character at a time with the key and input
// events a person's typing fires, and never submits. Returns what it
// filled: [{form, name, kind}].
(function (id) {
  var filled = [];
  function visible(el) {
    if (el.disabled || el.readOnly) return false;
    var r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
  }
  function label(el) {
    var parts = [el.type, el.name, el.id, el.getAttribute('autocomplete'), el.placeholder, el.getAttribute('aria-label')];
    if (el.labels) for (var i = 0; i < el.labels.length; i++) parts.push(el.labels[i].textContent);
    return parts.join(' ').toLowerCase();
  }
  function kindOf(el) {
    var t = (el.type || '').toLowerCase(), l = label(el);
    if (t === 'password' || t === 'hidden' || t === 'checkbox' || t === 'radio' || t === 'submit' || t === 'button' || t === 'file') return null;
    if (t === 'email' || /e-?mail/.test(l)) return ['email', id.email];
    if (t === 'tel' || /phone|mobile|\btel\b/.test(l)) return ['phone', id.phone];
    if (/zip|postal|postcode|post code|plz/.test(l)) return ['postcode', id.postcode];
    if (/last.?name|surname|family|lname/.test(l)) return ['name', id.lastName];
    if (/first.?name|given|fname/.test(l)) return ['name', id.firstName];
    if (/name/.test(l) && !/user|company|login/.test(l)) return ['name', id.firstName + ' ' + id.lastName];
    return null;
  }
  function key(el, type, ch) {
    el.dispatchEvent(new KeyboardEvent(type, {key: ch, bubbles: true, cancelable: true}));
  }
  var fields = document.querySelectorAll('input, textarea');
  for (var i = 0; i < fields.length && filled.length < 30; i++) {
    var el = fields[i], k = kindOf(el);
    if (!k || !visible(el)) continue;
    el.focus();
    el.value = '';
    for (var j = 0; j < k[1].length; j++) {
      var ch = k[1][j];
      key(el, 'keydown', ch); key(el, 'keypress', ch);
      el.value += ch;
      el.dispatchEvent(new InputEvent('input', {data: ch, inputType: 'insertText', bubbles: true}));
      key(el, 'keyup', ch);
    }
    el.dispatchEvent(new Event('change', {bubbles: true}));
    el.blur();
    var f = el.form;
    filled.push({form: f ? (f.id || f.getAttribute('name') || f.getAttribute('action') || '') : '', name: el.name || el.id || el.type, kind: k[0]});
  }
  return filled;
})
