// Stand-in for a fingerprinting library: the canvas, font and audio probes
// that Englehardt and Narayanan describe.
(function () {
  var c = document.createElement('canvas');
  c.width = 240; c.height = 60;
  var x = c.getContext('2d');
  x.textBaseline = 'top';
  x.font = '14px Arial';
  x.fillStyle = '#f60';
  x.fillRect(125, 1, 62, 20);
  x.fillStyle = '#069';
  x.fillText('Cwm fjordbank glyphs vext quiz, \ud83d\ude03', 2, 15);
  x.fillStyle = 'rgba(102, 204, 0, 0.7)';
  x.fillText('Cwm fjordbank glyphs vext quiz, \ud83d\ude03', 4, 17);
  var hash = c.toDataURL().length;
  var fonts = ['Arial', 'Courier New', 'Georgia', 'Helvetica', 'Times New Roman', 'Verdana', 'Tahoma', 'Trebuchet MS',
    'Palatino', 'Garamond', 'Bookman', 'Comic Sans MS', 'Impact', 'Lucida Console', 'Monaco', 'Consolas',
    'Calibri', 'Cambria', 'Candara', 'Franklin Gothic', 'Futura', 'Geneva', 'Gill Sans', 'Optima',
    'Segoe UI', 'Roboto', 'Ubuntu', 'Cantarell', 'DejaVu Sans', 'Liberation Serif', 'Noto Sans', 'Fira Sans',
    'Menlo', 'Andale Mono', 'Arial Black', 'Arial Narrow', 'Baskerville', 'Big Caslon', 'Bodoni', 'Brush Script',
    'Century Gothic', 'Copperplate', 'Didot', 'Frutiger', 'Hoefler Text', 'Lucida Grande', 'Marker Felt', 'Papyrus',
    'Rockwell', 'Skia', 'Zapfino', 'Avenir'];
  var m = c.getContext('2d');
  for (var i = 0; i < fonts.length; i++) { m.font = '72px "' + fonts[i] + '", monospace'; m.measureText('mmmmmmmmmmlli'); }
  new Image().src = 'https://fpnpmcdn.net/v3/demo/collect?h=' + hash;
})();
