// Stand-in for a tag-manager container: it loads the tags configured in
// it, here the TikTok pixel.
(function (d) {
  var s = d.createElement('script');
  s.src = 'https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=CEVID42';
  d.head.appendChild(s);
})(document);
