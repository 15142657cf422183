// Stand-in for a session recorder: storage probes, its cookie, and a
// recording upload.
(function () {
  try { localStorage.setItem('_hjLocalStorageTest', '1'); sessionStorage.setItem('_hjSessionStorageTest', '1'); } catch (e) {}
  localStorage.setItem('_hjSessionUser_3000000', '{"id":"demo"}');
  document.cookie = '_hjSessionUser_3000000=eyJpZCI6ImRlbW8ifQ==; Max-Age=31536000; Path=/; SameSite=Lax';
  document.cookie = '_hjSession_3000000=eyJpZCI6InMifQ==; Max-Age=1800; Path=/; SameSite=Lax';
  fetch('https://static.hotjar.com/c/record?site=3000000', {method: 'POST', body: 'events=[]', mode: 'no-cors'});
})();
