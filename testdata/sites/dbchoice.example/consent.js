// The shop's own banner keeps the visitor's choice only in IndexedDB (no
// cookie, no Web Storage): every page opens the database, and Hotjar
// loads only after an accept.
(function () {
  var banner = document.getElementById('loom-cookies');
  function apply(choice) {
    if (choice !== 'accept') return;
    var s = document.createElement('script');
    s.src = 'https://static.hotjar.com/c/hotjar-3.js?sv=6';
    document.head.appendChild(s);
  }
  var open = indexedDB.open('loom-privacy', 2);
  open.onupgradeneeded = function () {
    open.result.createObjectStore('choices', {keyPath: 'scope'});
  };
  open.onsuccess = function () {
    var db = open.result;
    var get = db.transaction('choices').objectStore('choices').get('site');
    get.onsuccess = function () {
      if (get.result) { apply(get.result.choice); return; }
      function choose(v) {
        db.transaction('choices', 'readwrite').objectStore('choices').put({scope: 'site', choice: v, version: 3});
        banner.hidden = true;
        apply(v);
      }
      banner.hidden = false;
      document.getElementById('loom-reject').onclick = function () { choose('reject'); };
      document.getElementById('loom-accept').onclick = function () { choose('accept'); };
    };
  };
})();
