/* The live task page (/main_task) with the sample group chat: Pavilion's own use of pavilion.js. */
(function () {
  'use strict';
  var page = document.getElementById('pavilion-page');
  var $ = function (id) { return document.getElementById(id); };
  var submitButton = $('submit');
  var form = $('chat-form');
  var input = $('chat-text');
  var messages = $('messages');
  var p;

  function say(id, text) {
    var el = $(id);
    el.textContent = text;
    el.hidden = !text;
  }

  function disable() {
    submitButton.disabled = true;
    input.disabled = true;
    $('chat-send').disabled = true;
  }

  try {
    p = Pavilion.join(Pavilion.fromElement(page));
  } catch (e) {
    say('error', e.message);
    disable();
    return;
  }
  var readySent = page.dataset.ready === 'true';
  var done = false;

  p.on('connect', function () { say('connection', 'Connected.'); });
  p.on('disconnect', function () {
    if (!done) { say('connection', 'Connection lost. Reconnecting… (your place is kept for a short while)'); }
  });
  p.on('connect_error', function (e) { say('connection', 'Cannot connect: ' + e.message + '. Retrying…'); });
  p.on('error', function (e) { say('error', 'Note: ' + (e.message || e.code || 'something went wrong')); });

  // The server answers an active worker's `connected` with start_your_task again.
  p.on('start_your_task', function () {
    say('connection', 'You are in the live task.');
    page.classList.add('active');
    if (!readySent) {
      readySent = true;
      p.ready();
    }
  });

  p.on('chat_message', function (m) {
    var li = document.createElement('li');
    if (m.mine) { li.className = 'mine'; }
    var who = document.createElement('span');
    who.className = 'from';
    who.textContent = (m.mine ? 'You' : String(m.from || 'Worker')) + ': ';
    var text = document.createElement('span');
    text.className = 'text';
    text.textContent = String(m.text == null ? '' : m.text);
    li.appendChild(who);
    li.appendChild(text);
    messages.appendChild(li);
    messages.scrollTop = messages.scrollHeight;
  });

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (p.chat(input.value)) {
      input.value = '';
    }
    input.focus();
  });

  p.on('job_is_full', function (d) {
    done = true;
    disable();
    say('connection', '');
    say('notice', Pavilion.jobFullText(d));
  });

  function submit(text) {
    if (done) { return; }
    done = true;
    disable();
    say('connection', '');
    say('notice', text);
    p.submitActive();
  }

  p.on('stop', function () { submit('The researcher has ended the job. Submitting your HIT…'); });
  submitButton.addEventListener('click', function () { submit('Submitting your HIT…'); });
})();
