/* Pavilion admin: every form with data-confirm asks before it posts (one click, one confirmation). */
(function () {
  'use strict';
  function message(form) {
    var text = form.getAttribute('data-confirm');
    var count = form.querySelector('input[name="count"]');
    if (count) {
      text = text.replace('{count}', count.value);
      var force = form.querySelector('input[name="force"]');
      if (force && force.checked) { text += ' (forced past maxActive)'; }
    }
    return text;
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-confirm')) { return; }
    if (!window.confirm(message(form))) {
      e.preventDefault();
    }
  }, true);
})();
