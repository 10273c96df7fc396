/*
 * The waiting room page (/waiting_task): Pavilion's own use of pavilion.js. The page says where the worker
 * stands at every step, one state at a time: connecting, confirming, waiting (the task has not started),
 * reserve (the task has started and this worker waits for a free place), moving to the task, job full,
 * returned (the marketplace reported the HIT returned or abandoned), stopped (the researcher ended the job:
 * the page submits), submitting. The heading, the explanation, the status line and the notice all come
 * from that state, so no two of them say the same thing and none contradicts another.
 */
(function () {
  'use strict';
  var page = document.getElementById('pavilion-page');
  var $ = function (id) { return document.getElementById(id); };
  var submitButton = $('submit');
  var rate = Pavilion.formatRate(Number(page.dataset.centsPerHour || 0));
  var PAID = ' You are paid for the time you wait (' + rate + ').';
  var p;

  function say(id, text) {
    var el = $(id);
    el.textContent = text || '';
    el.hidden = !text;
  }

  // heading, explanation, status line, notice; whether the page is done (no more waiting, no button).
  var STATES = {
    connecting: { heading: 'Joining the waiting room', status: 'Connecting…',
      explain: 'Keep this page open. When enough workers have joined, it takes you to the task by itself.' + PAID },
    confirming: { heading: 'Joining the waiting room', status: 'Confirming your assignment with MTurk…',
      explain: 'This takes a few seconds after you accept the HIT. Keep this page open.' },
    waiting: { heading: 'Please wait: the task starts when enough workers have joined',
      status: 'Connected. You are in the waiting room.',
      explain: 'Keep this page open. When enough workers have joined, it takes you to the task by itself.' + PAID },
    reserve: { heading: 'The task has started: you are on the reserve list',
      status: 'Connected. You are waiting in reserve.',
      explain: 'The task is running with as many workers as it needs right now. Keep this page open: when a '
        + 'place frees up, it takes you to the task by itself.' + PAID },
    reconnecting: { status: 'Connection lost. Reconnecting… (your place is kept for a short while)' },
    moving: { heading: 'The task is starting', done: true, status: '',
      explain: 'Your place on the task is ready.', notice: 'Taking you to the task…' },
    full: { heading: 'This job is full', done: true, status: '', ended: true, noFigures: true,
      explain: 'You did not join this task, and there is nothing to wait for.' },
    notEligible: { heading: 'You cannot take part in this HIT', done: true, status: '', ended: true, noFigures: true,
      explain: 'You did not join this task, and there is nothing to wait for.' },
    returned: { heading: 'You returned this HIT', done: true, status: '', ended: true, noFigures: true,
      explain: 'You have left the waiting room; there is nothing more to do on this page. '
        + 'Pay for the time you waited, if any, is shown on the page linked below.' },
    stopped: { heading: 'The job has ended', done: true, status: '', ended: true,
      explain: 'The researcher has ended the job before your turn came.',
      notice: 'Submitting your HIT so that you are paid for the time you waited…' },
    submitting: { heading: 'You stopped waiting', done: true, status: '', ended: true,
      explain: 'You chose to stop waiting.', notice: 'Submitting your HIT so that you are paid for the time you waited…' }
  };

  var state = 'connecting';
  var started = false;   // the session's task has started (pay_status, or someone is on the task)
  var joined = false;    // the server took this page in (an update_worker_count or pay_status after connecting)
  var connected = false;

  function show(next, notice) {
    var s = STATES[next];
    if (next !== 'reconnecting') { state = next; }
    if (s.heading) { $('state-heading').textContent = s.heading; }
    if (s.explain) { $('explain').textContent = s.explain; }
    say('connection', s.status);
    if (s.done) {
      submitButton.disabled = true;
      submitButton.hidden = true;
      clearInterval(ticker);
      say('notice', notice || s.notice);
    }
    if (s.noFigures) {
      $('figures').hidden = true;
      // Never joined (full): there is no pay to look up either.
      if ((next === 'full' || next === 'notEligible') && $('my-pay-link')) { $('my-pay-link').parentNode.hidden = true; }
    }
    if (s.ended) {
      page.classList.add('ended');
      p.stopPay();
    }
  }

  function finished() {
    return STATES[state].done === true;
  }

  // The one place that decides between waiting and reserve while the worker is in the waiting room.
  function waitingState() {
    if (finished() || !connected || !joined) { return; }
    show(started ? 'reserve' : 'waiting');
  }

  function showTime() {
    var w = p && p.waited();
    if (w) {
      $('time-waited').textContent = Pavilion.formatDuration(w.seconds);
      $('pay-earned').textContent = Pavilion.formatCents(w.cents);
    }
  }

  try {
    p = Pavilion.join(Pavilion.fromElement(page));
  } catch (e) {
    say('error', e.message);
    submitButton.disabled = true;
    return;
  }
  var ticker = setInterval(showTime, 1000);

  p.on('connect', function () {
    connected = true;
    if (!finished()) { say('connection', joined ? STATES[started ? 'reserve' : 'waiting'].status : 'Connected. Joining…'); }
  });
  p.on('disconnect', function () {
    connected = false;
    if (!finished()) { show('reconnecting'); }
  });
  p.on('connect_error', function (e) {
    if (!finished()) { say('connection', 'Cannot connect: ' + e.message + '. Retrying…'); }
  });
  p.on('awaiting_confirmation', function (d) {
    if (finished()) { return; }
    show('confirming');
    if (d && d.message) { say('connection', d.message); }
  });
  // update_worker_count is the seed's figure: the waiting queue out of maxWaiting (SPEC §5).
  p.on('update_worker_count', function (d) {
    $('waiting-count').textContent = d.count;
    $('max-waiting').textContent = d.max_count;
    joined = true;
    waitingState();
  });
  // workers_status, sent with it, adds how many are on the task: someone on it means it has started.
  p.on('workers_status', function (d) {
    $('active-count').textContent = d.active;
    if (d.active > 0) { started = true; }
    waitingState();
  });
  // pay_status (every 10 s) also says where this worker stands, e.g. after a return on the marketplace.
  p.on('pay_status', function (d) {
    showTime();
    if (!d || typeof d.status !== 'string') { return; }
    started = d.started === true || started;
    if (d.status === 'returned' || d.status === 'abandoned') {
      if (!finished()) { show('returned'); }
    } else if (d.status === 'waiting') {
      joined = true;
      waitingState();
    }
  });
  p.on('error', function (e) {
    if (e && e.code === 'not_eligible') { // who may work: this worker may not join; it should return the HIT
      show('notEligible', 'You cannot take part in this HIT: ' + e.message + '.');
      return;
    }
    say('error', 'Note: ' + (e.message || e.code || 'something went wrong'));
  });

  p.on('start_your_task', function () {
    if (finished()) { return; }
    show('moving');
    p.ready().then(function () { location.replace(page.dataset.mainUrl); });
  });

  p.on('job_is_full', function (d) {
    if (finished()) { return; }
    show('full', Pavilion.jobFullText(d));
  });

  p.on('stop', function () {
    if (finished()) { return; }
    show('stopped');
    p.submitWaiting();
  });

  submitButton.addEventListener('click', function () {
    if (finished()) { return; }
    show('submitting');
    p.submitWaiting();
  });

  p.watchPay(10000);
})();
