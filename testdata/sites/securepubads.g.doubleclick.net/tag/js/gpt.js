// Stand-in for Google Publisher Tag: asks for an ad, passing the TCF
// consent string along as real ad requests do.
(function () {
  var tc = (document.cookie.match(/(?:^|; )euconsent-v2=([^;]*)/) || [])[1] || '';
  new Image().src = 'https://securepubads.g.doubleclick.net/gampad/ads?iu=/21775744923/recipes/top&sz=728x90&gdpr=1&gdpr_consent=' + tc;
})();
