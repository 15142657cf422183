// Stand-in for the Meta pixel with advanced matching: the init call's
// email is normalised (trimmed, lower-cased) and sent as its SHA-256 in
// ud[em] with every event, as the real pixel does.
(function () {
  var queue = (window.fbq && window.fbq.queue) || [];
  var id = '', email = '', events = [];
  for (var i = 0; i < queue.length; i++) {
    var a = queue[i];
    if (a[0] === 'init') { id = a[1]; email = ((a[2] || {}).em || '').trim().toLowerCase(); }
    if (a[0] === 'track') { events.push(a[1]); }
  }
  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  crypto.subtle.digest('SHA-256', new TextEncoder().encode(email)).then(function (h) {
    events.forEach(function (ev) {
      new Image().src = 'https://www.facebook.com/tr/?id=' + id + '&ev=' + ev + '&ud[em]=' + hex(h);
    });
  });
})();
