// Stand-in for the Meta pixel: writes _fbp and fires a PageView.
(function () {
  document.cookie = '_fbp=fb.1.1700000000000.987654321; Max-Age=7776000; Path=/; SameSite=Lax';
  new Image().src = 'https://www.facebook.com/tr/?id=1234567890&ev=PageView&fbp=fb.1.1700000000000.987654321';
})();
