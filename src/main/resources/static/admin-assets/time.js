// Pavilion admin console: writes a time the way the server writes it ("2026-12-03 15:24:07 UTC",
// "2026-12-03 16:24:07 UTC+01:00"), in the zone of pavilion.time-zone named by
// <meta name="pavilion-time-zone">, so times a script updates read like the rest of the page.
window.PavilionTime = (function () {
  'use strict';
  var meta = document.querySelector('meta[name="pavilion-time-zone"]');
  var options = { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' };
  var zone = meta ? meta.content : undefined;
  // The first this browser can make: the server's zone with its offset; else (a zone id or 'longOffset' it does
  // not know) its own zone with the offset; else its own zone with a short zone name.
  var format = [
    function () { return new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: zone }, options)); },
    function () { return new Intl.DateTimeFormat('en-US', options); },
    function () { return new Intl.DateTimeFormat('en-US', Object.assign({}, options, { timeZoneName: 'short' })); }
  ].reduce(function (made, make) {
    if (made) { return made; }
    try { return make(); } catch (e) { return null; }
  }, null);

  /** An ISO-8601 time (or a Date) as "2026-12-03 15:24:07 UTC"; "–" for none; text that is no time as is. */
  function time(iso) {
    if (!iso) { return '\u2013'; }
    var d = iso instanceof Date ? iso : new Date(iso);
    if (isNaN(d.getTime())) { return String(iso); }
    var p = {};
    format.formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
    // As the server writes it: "UTC" at offset zero (a browser may say "GMT" or "GMT+00:00"), else "UTC+01:00".
    var name = String(p.timeZoneName || 'GMT').replace(/^GMT/, 'UTC').replace(/^UTC[+-]00:00$/, 'UTC');
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second + ' ' + name;
  }

  return { time: time };
})();
