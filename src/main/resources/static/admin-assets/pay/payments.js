/*
 * Pavilion admin: the payments view. Kept current like the live session view: a session's page listens
 * on the session's admin room over Socket.IO (/chat, with a signed admin token) and, on update_worker_count /
 * workers_status / stop, fetches the view's JSON (debounced); a periodic refresh backs that up, and carries
 * the page alone where there is no room to listen to (a project, an ended session) while pay is still
 * settling (bonuses on their way, approvals). Rows are updated in place, so a feedback being typed in a
 * review form is never lost; everything is rendered with textContent (no HTML from data).
 */
(function () {
  'use strict';
  var root = document.getElementById('payments-view');
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var apiUrl = root.getAttribute('data-api');
  var tokenUrl = root.getAttribute('data-token-url');
  var scope = root.getAttribute('data-scope');
  var watchedId = root.getAttribute('data-id');
  var sessionsBase = root.getAttribute('data-sessions-base'); // ends with '/'
  var isSession = scope === 'session';

  var DEBOUNCE_MS = 250;
  var SLOW_REFRESH_MS = 15000;    // with a live connection
  var FALLBACK_REFRESH_MS = 5000; // without one, while pay is settling
  var SETTLED_REFRESH_MS = 30000; // nothing left to happen by itself

  var socket = null;
  var connected = false;
  var pending = null;
  var inFlight = false;
  var again = false;
  var timer = null;
  var settling = true;
  var expired = root.getAttribute('data-expired') === 'true';

  // ---- fetching ------------------------------------------------------------------------------

  function refreshSoon() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; refresh(); }, DEBOUNCE_MS);
  }

  function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    fetch(apiUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(render)
      .catch(function (e) { setLive('Live updates: could not refresh (' + e.message + '); retrying'); })
      .then(function () {
        inFlight = false;
        if (again) { again = false; refreshSoon(); }
      });
  }

  function interval() {
    if (connected) { return SLOW_REFRESH_MS; }
    return settling ? FALLBACK_REFRESH_MS : SETTLED_REFRESH_MS;
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { refresh(); schedule(); }, interval());
  }

  // ---- the real-time connection (a session that has not ended) --------------------------------

  function setLive(text) { $('live-status').textContent = text; }

  function describe() {
    if (connected) { return 'Live updates: connected'; }
    return 'Live updates: refreshing every ' + (interval() / 1000) + ' s';
  }

  function connect() {
    if (!isSession || expired || !tokenUrl || typeof io !== 'function') {
      setLive(describe());
      return;
    }
    fetch(tokenUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (t) {
        socket = io('/chat', { auth: { adminToken: t.token, session: String(t.session || watchedId) } });
        socket.on('connect', function () {
          connected = true;
          setLive(describe());
          schedule();
          refreshSoon();
        });
        socket.on('disconnect', function () {
          connected = false;
          setLive(expired ? describe() : 'Live updates: reconnecting…');
          schedule();
        });
        socket.on('connect_error', function () {
          connected = false;
          setLive('Live updates: cannot connect; refreshing every ' + (interval() / 1000) + ' s');
        });
        socket.on('error', function () { connected = false; setLive(describe()); });
        socket.on('workers_status', refreshSoon);
        socket.on('update_worker_count', refreshSoon);
        socket.on('stop', refreshSoon);
      })
      .catch(function (e) {
        setLive('Live updates: no live connection (' + e.message + '); refreshing every ' + (interval() / 1000) + ' s');
      });
  }

  // ---- rendering -----------------------------------------------------------------------------

  function setText(id, value) {
    var el = $(id);
    var text = value === null || value === undefined ? '' : String(value);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function setCell(td, text, cls, title) {
    var t = text === null || text === undefined ? '' : String(text);
    if (td.textContent !== t) { td.textContent = t; }
    if (cls !== undefined && td.className !== cls) { td.className = cls; }
    if (title !== undefined) { td.title = title; }
  }

  /** The cells of a row: [text, class, title]; the actions cell is handled apart. */
  function cells(r) {
    var list = [[r.payoutId, 'num']];
    if (!isSession) { list.push(null); } // the session link, built once
    list.push([r.worker, 'mono'], [r.assignmentId, 'mono'], [r.endingText, ''], [r.waited, 'num'],
      [r.waitingPay.display, 'num'],
      [r.taskBonuses.display + (!r.bonusFixed && r.taskBonuses.cents > 0 ? ' so far' : ''), 'num'],
      [r.bonus.display, 'num'], [r.reward.display, 'num'],
      [r.fees.display, 'num', 'bonus ' + r.bonusFee.display + ' + reward ' + r.rewardFee.display
        + ' (HIT of ' + r.hitAssignments + ')'],
      [r.bonusStatus, 'state state-' + r.bonusState], [r.approvalStatus, 'state state-' + r.approvalState],
      [r.feedback || '', '']);
    return list;
  }

  function sessionLink(r) {
    var td = document.createElement('td');
    var a = document.createElement('a');
    a.href = sessionsBase + encodeURIComponent(r.sessionId) + '/payments';
    a.textContent = String(r.sessionId);
    td.appendChild(a);
    return td;
  }

  function newRow(r) {
    var tr = document.createElement('tr');
    tr.id = 'payout-' + r.payoutId;
    tr.setAttribute('data-payout-id', r.payoutId);
    tr.setAttribute('data-session-id', r.sessionId);
    cells(r).forEach(function (c) {
      tr.appendChild(c === null ? sessionLink(r) : document.createElement('td'));
    });
    var actions = document.createElement('td');
    actions.className = 'actions-cell';
    tr.appendChild(actions);
    return tr;
  }

  function updateRow(tr, r) {
    var list = cells(r);
    list.forEach(function (c, i) {
      if (c !== null) { setCell(tr.cells[i], c[0], c[1], c[2]); }
    });
    var actions = tr.cells[list.length];
    var kind = r.canReview ? 'review' : r.canRetry ? 'retry' : 'none';
    // Rebuilt only when what can be done changes: a feedback being typed stays.
    if (actions.getAttribute('data-kind') !== kind) {
      actions.setAttribute('data-kind', kind);
      actions.replaceChildren();
      if (kind === 'review') { actions.appendChild(form('review-form-template', r)); }
      if (kind === 'retry') { actions.appendChild(form('retry-form-template', r)); }
    }
  }

  /** A row's form, from the page's template (it carries the CSRF token), named for this payout. */
  function form(templateId, r) {
    var f = $(templateId).content.firstElementChild.cloneNode(true);
    var base = sessionsBase + encodeURIComponent(r.sessionId) + '/payments/';
    var pid = String(r.payoutId);
    if (templateId === 'review-form-template') {
      f.id = 'review-' + pid;
      f.action = base + 'approve';
      f.querySelector('input[name=payoutId]').value = pid;
      var input = f.querySelector('input[name=feedback]');
      input.id = 'feedback-' + pid;
      f.querySelector('label').htmlFor = input.id;
      f.querySelector('button.approve').id = 'approve-' + pid;
      var reject = f.querySelector('button.reject');
      reject.id = 'reject-' + pid;
      reject.setAttribute('formaction', base + 'reject');
    } else {
      f.id = 'retry-form-' + pid;
      f.action = base + encodeURIComponent(pid) + '/retry';
      f.querySelector('button.retry').id = 'retry-' + pid;
    }
    return f;
  }

  function render(v) {
    settling = v.settling;
    if (isSession) {
      var status = $('session-status');
      if (status) {
        status.textContent = v.status;
        status.className = 'status status-' + v.status;
      }
      if (v.status === 'expired' && !expired) {
        expired = true;
        if (socket) { socket.close(); socket = null; connected = false; }
      }
    }
    var asOf = $('as-of');
    asOf.setAttribute('datetime', v.serverTime);
    asOf.textContent = PavilionTime.time(v.serverTime);

    setText('total-paid', v.totals.paid.display);
    setText('total-due', v.totals.due.display);
    setText('total-owed', v.totals.owed.display);
    setText('total-fees', v.totals.fees.display);
    setText('total-grand', v.totals.grandTotal.display);
    var c = v.counts;
    setText('counts', c.payouts + ' payouts · ' + c.review + ' awaiting review · ' + c.failed + ' failed · '
      + c.owed + ' owed');
    var reviewAll = $('review-all');
    if (reviewAll) {
      reviewAll.hidden = c.review === 0;
      setText('review-count', c.review);
    }
    var owed = $('owed');
    if (owed) {
      owed.hidden = c.owed === 0;
      setText('owed-count', c.owed);
    }

    var tbody = $('payment-rows');
    var seen = {};
    var previous = null;
    v.rows.forEach(function (r) {
      var id = 'payout-' + r.payoutId;
      seen[id] = true;
      var tr = $(id);
      if (!tr) {
        tr = newRow(r);
      }
      var wanted = previous ? previous.nextSibling : tbody.firstChild;
      if (tr !== wanted) { tbody.insertBefore(tr, wanted); }
      updateRow(tr, r);
      previous = tr;
    });
    Array.prototype.slice.call(tbody.rows).forEach(function (tr) {
      if (!seen[tr.id]) { tbody.removeChild(tr); }
    });
    if (!v.rows.length) {
      var empty = document.createElement('tr');
      empty.className = 'empty';
      var td = document.createElement('td');
      td.colSpan = isSession ? 14 : 15;
      td.textContent = 'No payout yet: a worker\u2019s pay is settled when its assignment ends (submitted, returned, '
        + 'abandoned) or the session ends.';
      empty.appendChild(td);
      tbody.appendChild(empty);
    }
    if (!connected) { setLive(describe()); }
  }

  // ---- the rows' forms as the server rendered them: mark what they are -------------------------

  Array.prototype.forEach.call(document.querySelectorAll('#payment-rows td.actions-cell'), function (td) {
    td.setAttribute('data-kind', td.querySelector('.review-form') ? 'review' : td.querySelector('.retry-form')
      ? 'retry' : 'none');
  });

  // "Approve all" and "Reject all" ask first (one form, two buttons: admin.js asks per form).
  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('button[data-confirm-click]') : null;
    if (button && !window.confirm(button.getAttribute('data-confirm-click'))) {
      event.preventDefault();
    }
  });

  // ---- start -----------------------------------------------------------------------------------

  var asOf = $('as-of');
  setLive(describe());
  refresh(); // anything that changed since the page was rendered
  connect();
  schedule();
})();
