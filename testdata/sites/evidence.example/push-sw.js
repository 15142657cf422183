// Push-notification worker: on install it syncs with the ad platform's
// endpoint, and again whenever the page says hello; each answer sets a
// cookie, without the page ever asking for that host.
self.addEventListener('install', function (e) {
  self.skipWaiting();
  e.waitUntil(fetch('https://bat.bing.com/sw/sync?src=install', {credentials: 'include'}));
});
self.addEventListener('activate', function (e) {
  e.waitUntil(self.clients.claim());
});
self.addEventListener('message', function (e) {
  e.waitUntil(fetch('https://bat.bing.com/sw/ping?src=' + encodeURIComponent(e.data), {credentials: 'include'}));
});
