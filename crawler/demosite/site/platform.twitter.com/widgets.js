// Stand-in for X's share button script: replaces the link with a button iframe.
(function () {
  var links = document.querySelectorAll('a.twitter-share-button');
  for (var i = 0; i < links.length; i++) {
    var f = document.createElement('iframe');
    f.src = 'https://platform.twitter.com/widgets/tweet_button.html?url=' + encodeURIComponent(location.href);
    f.width = 76; f.height = 20; f.style.border = '0';
    links[i].parentNode.replaceChild(f, links[i]);
  }
})();
