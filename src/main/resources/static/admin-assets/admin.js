// Pavilion admin console: asks for confirmation before submitting a form marked
// data-confirm="question" (delete, stop, expire, ...). Without script the form submits as is.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute('data-confirm')) {
    if (!window.confirm(form.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
  }
});
