/* The waiting room page (/waiting_task): Pavilion's own use of pavilion.js. */
(function () {
  'use strict';
  var page = document.getElementById('pavilion-page');
  var $ = function (id) { return document.getElementById(id); };
  var submitButton = $('submit');
  var p;

  function say(id, text) {
    var el = $(id);
    el.textContent = text;
    el.hidden = !text;
  }

  function showTime() {
    var w = p && p.waited();
    if (w) {
      $('time-waited').textContent = Pavilion.formatDuration(w.seconds);
      $('pay-earned').textContent = Pavilion.formatCents(w.cents);
    }
  }

  function finish(text) {
    submitButton.disabled = true;
    clearInterval(ticker);
    say('notice', text);
  }

  try {
    p = Pavilion.join(Pavilion.fromElement(page));
  } catch (e) {
    say('error', e.message);
    submitButton.disabled = true;
    return;
  }
  var ticker = setInterval(showTime, 1000);
  var leaving = false;

  p.on('connect', function () { say('connection', 'Connected. Waiting for the task to start…'); });
  p.on('disconnect', function () {
    if (!leaving) { say('connection', 'Connection lost. Reconnecting… (your place is kept for a short while)'); }
  });
  p.on('connect_error', function (e) { say('connection', 'Cannot connect: ' + e.message + '. Retrying…'); });
  p.on('awaiting_confirmation', function (d) {
    say('connection', (d && d.message) || 'Confirming your assignment with MTurk…');
  });
  p.on('update_worker_count', function () { say('connection', 'Connected. Waiting for the task to start…'); });
  p.on('pay_status', showTime);
  // update_worker_count is the seed's figure: the waiting queue out of maxWaiting (SPEC §5).
  // workers_status, sent with it, adds how many are on the task.
  p.on('update_worker_count', function (d) {
    $('waiting-count').textContent = d.count;
    $('max-waiting').textContent = d.max_count;
  });
  p.on('workers_status', function (d) {
    $('active-count').textContent = d.active;
  });
  p.on('error', function (e) {
    if (e && e.code === 'not_eligible') { // who may work: this worker may not join; it should return the HIT
      leaving = true;
      p.stopPay();
      finish('You cannot take part in this HIT: ' + e.message + '.');
      page.classList.add('ended');
      return;
    }
    say('error', 'Note: ' + (e.message || e.code || 'something went wrong'));
  });

  p.on('start_your_task', function () {
    if (leaving) { return; }
    leaving = true;
    finish('The task is starting. Taking you there…');
    p.ready().then(function () { location.replace(page.dataset.mainUrl); });
  });

  p.on('job_is_full', function (d) {
    leaving = true;
    p.stopPay();
    finish('This job is full' + (d && d.message ? ': ' + d.message : '') +
      '. Please return the HIT (do not submit it).');
    page.classList.add('ended');
  });

  p.on('stop', function () {
    if (leaving) { return; }
    leaving = true;
    finish('The researcher has ended the job. Submitting your HIT…');
    p.submitWaiting();
  });

  submitButton.addEventListener('click', function () {
    if (leaving) { return; }
    leaving = true;
    finish('Submitting your HIT…');
    p.submitWaiting();
  });

  p.watchPay(10000);
})();
