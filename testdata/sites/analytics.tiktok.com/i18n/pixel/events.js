// Stand-in for the TikTok pixel: one Pageview event as a JSON beacon.
(function () {
  var body = JSON.stringify({event: 'Pageview', message_id: 'evid-1', context: {page: {url: location.href}, user: {}}});
  navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel', body);
})();
