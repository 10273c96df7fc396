// Pavilion admin console, the task page's Go live dialog: when the marketplace or a threshold changes, the
// balance and cost figures are drawn again by the server for those choices (one place writes them), and the
// "go live anyway" checkbox and the confirmation question follow. Without script the figures are the task's.
(function () {
  'use strict';
  var form = document.getElementById('go-live-form');
  var figures = document.getElementById('go-live-figures');
  if (!form || !figures) { return; }
  var url = form.getAttribute('data-estimate');
  var timer = null;
  var asked = 0;

  function refresh() {
    var params = new URLSearchParams();
    ['marketplace', 'minActive', 'maxActive', 'minWaiting', 'maxWaiting'].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value !== '') { params.set(name, field.value); }
    });
    var mine = ++asked;
    fetch(url + '?' + params.toString(), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.ok || r.status === 400 ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== asked) { return; } // an older answer arriving late
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('go-live-figures');
        if (!next) { return; }
        figures.replaceWith(next);
        figures = next;
        var required = next.getAttribute('data-confirmation-required') === 'true';
        var box = document.getElementById('confirm-low-balance');
        var field = document.getElementById('confirm-low-balance-field');
        if (box && field) {
          field.hidden = !required;
          box.disabled = !required;
          box.required = required;
        }
        form.setAttribute('data-confirm', next.getAttribute('data-confirm-question') || form.getAttribute('data-confirm'));
      })
      .catch(function () { /* the figures stay as they were; going live checks again */ });
  }

  form.addEventListener('input', function (event) {
    if (event.target && event.target.name === 'name') { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener('change', function (event) {
    if (event.target && event.target.name === 'name') { return; }
    clearTimeout(timer);
    refresh();
  });
})();
