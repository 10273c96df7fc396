/*
 * Pavilion admin: the live session view. Keeps the page current without reloading: it listens
 * on the session's admin room over Socket.IO (/chat, with a signed admin token) and, on
 * update_worker_count / workers_status / stop, fetches GET /api/admin/sessions/{id} (debounced)
 * and re-renders; a slow periodic refresh backs that up. Everything is rendered with
 * textContent (no HTML from data). The chart is plain SVG.
 */
(function () {
  'use strict';
  var root = document.getElementById('live-session');
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var SVG = 'http://www.w3.org/2000/svg';
  var apiUrl = root.getAttribute('data-api');
  var tokenUrl = root.getAttribute('data-token-url');
  var sessionId = root.getAttribute('data-session-id');

  var DEBOUNCE_MS = 250;
  var SLOW_REFRESH_MS = 15000;   // with a live connection
  var FALLBACK_REFRESH_MS = 5000; // without one

  var socket = null;
  var connected = false;
  var ended = false;
  var pending = null;
  var inFlight = false;
  var again = false;
  var lastView = null;
  var livePoints = []; // workers_status heard since the last fetch: {t, waiting, active}
  var timer = null;

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
      .then(function (view) {
        livePoints = [];
        render(view);
      })
      .catch(function (e) { setLive('Live updates: could not refresh (' + e.message + '); retrying'); })
      .then(function () {
        inFlight = false;
        if (again) { again = false; refreshSoon(); }
      });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    if (ended) { return; }
    timer = setTimeout(function () { refresh(); schedule(); }, connected ? SLOW_REFRESH_MS : FALLBACK_REFRESH_MS);
  }

  // ---- the real-time connection --------------------------------------------------------------

  function setLive(text) { $('live-status').textContent = text; }

  function connect() {
    if (typeof io !== 'function') {
      setLive('Live updates: refreshing every ' + (FALLBACK_REFRESH_MS / 1000) + ' s');
      return;
    }
    fetch(tokenUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (t) {
        socket = io('/chat', { auth: { adminToken: t.token, session: String(t.session || sessionId) } });
        socket.on('connect', function () {
          connected = true;
          setLive('Live updates: connected');
          schedule();
          refreshSoon(); // anything missed while connecting
        });
        socket.on('disconnect', function () {
          connected = false;
          setLive(ended ? 'Live updates: the session has ended' : 'Live updates: reconnecting…');
          schedule();
        });
        socket.on('connect_error', function () {
          connected = false;
          setLive('Live updates: cannot connect; refreshing every ' + (FALLBACK_REFRESH_MS / 1000) + ' s');
        });
        socket.on('error', function (e) {
          setLive('Live updates: ' + ((e && (e.message || e.code)) || 'refused') + '; refreshing every '
            + (FALLBACK_REFRESH_MS / 1000) + ' s');
        });
        socket.on('workers_status', function (d) {
          if (d && typeof d.waiting === 'number') {
            livePoints.push({ t: Date.now(), waiting: d.waiting, active: d.active });
            setText('counter-waiting', d.waiting);
            setText('counter-active', d.active);
            if (lastView) { drawChart(lastView); }
          }
          refreshSoon();
        });
        socket.on('update_worker_count', refreshSoon);
        socket.on('stop', refreshSoon);
      })
      .catch(function (e) {
        setLive('Live updates: no live connection (' + e.message + '); refreshing every '
          + (FALLBACK_REFRESH_MS / 1000) + ' s');
      });
  }

  // ---- rendering -----------------------------------------------------------------------------

  function setText(id, value) {
    var el = $(id);
    var text = value === null || value === undefined ? '' : String(value);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function time(iso) {
    return PavilionTime.time(iso); // the server's one way of writing times (admin-assets/time.js)
  }

  function cell(tr, text, cls, datetime) {
    var td = document.createElement('td');
    if (cls) { td.className = cls; }
    if (datetime) {
      var t = document.createElement('time');
      t.setAttribute('datetime', datetime);
      t.textContent = text;
      td.appendChild(t);
    } else {
      td.textContent = text === null || text === undefined ? '' : String(text);
    }
    tr.appendChild(td);
  }

  function rows(tbodyId, items, columns, emptyText) {
    var tbody = $(tbodyId);
    var fresh = document.createDocumentFragment();
    if (!items.length) {
      var tr = document.createElement('tr');
      tr.className = 'empty';
      var td = document.createElement('td');
      td.colSpan = columns;
      td.textContent = emptyText;
      tr.appendChild(td);
      fresh.appendChild(tr);
    }
    items.forEach(function (item, i) { fresh.appendChild(item(i)); });
    tbody.replaceChildren(fresh);
  }

  function render(v) {
    lastView = v;
    ended = v.expired;
    var status = $('session-status');
    status.textContent = v.status;
    status.className = 'status status-' + v.status;
    $('not-started').hidden = v.started || v.status !== 'live';
    setText('session-hit', v.hitId || '–');
    var asOf = $('as-of');
    asOf.setAttribute('datetime', v.serverTime);
    asOf.textContent = time(v.serverTime);

    var c = v.counters;
    setText('counter-waiting', c.waiting);
    setText('counter-active', c.active);
    setText('counter-capacity', c.capacity);
    setText('counter-hires-requested', c.hiresRequested);
    setText('counter-hires-sent', c.hiresSent);
    setText('counter-hires-done', c.hiresDone);
    setText('counter-hires-failed', c.hiresFailed);
    renderHiring(v.hiring, v.expired);
    renderMarketplace(v.marketplace, v.expired);

    $('controls').hidden = v.expired;
    $('ended-note').hidden = !v.expired;
    $('stop-button').disabled = v.stopped;

    rows('waiting-rows', v.waiting.map(function (w) {
      return function (i) {
        var tr = document.createElement('tr');
        cell(tr, i + 1, 'num');
        cell(tr, w.worker, 'mono');
        cell(tr, time(w.waitingSince), null, w.waitingSince || undefined);
        cell(tr, w.waited, 'num');
        cell(tr, w.pay, 'num');
        return tr;
      };
    }), 5, 'Nobody is waiting.');
    rows('active-rows', v.active.map(function (w) {
      return function (i) {
        var tr = document.createElement('tr');
        cell(tr, i + 1, 'num');
        cell(tr, w.worker, 'mono');
        cell(tr, w.ready ? 'yes' : 'not yet');
        cell(tr, w.waited, 'num');
        cell(tr, w.pay, 'num');
        return tr;
      };
    }), 5, 'Nobody is active.');
    rows('workers-rows', v.workers.map(function (w) {
      return function () {
        var tr = document.createElement('tr');
        cell(tr, w.worker, 'mono');
        cell(tr, w.assignmentId, 'mono');
        cell(tr, w.status);
        cell(tr, w.waited, 'num');
        cell(tr, w.pay, 'num');
        return tr;
      };
    }), 5, 'No worker yet.');
    rows('hire-rows', v.hireRequests.map(function (h) {
      return function () {
        var tr = document.createElement('tr');
        cell(tr, h.number, 'num');
        cell(tr, h.state);
        cell(tr, h.causeWorker || '–', 'mono');
        cell(tr, h.attempts, 'num');
        cell(tr, h.hitId || '–', 'mono');
        cell(tr, h.lastError || '');
        cell(tr, time(h.updatedAt), null, h.updatedAt || undefined);
        return tr;
      };
    }), 7, 'No hire request.');
    setText('event-count', v.eventCount);
    rows('timeline-rows', v.events.map(function (e) {
      return function () {
        var tr = document.createElement('tr');
        cell(tr, e.seq, 'num');
        cell(tr, time(e.at), null, e.at);
        cell(tr, e.summary);
        cell(tr, e.actor || '', 'mono');
        cell(tr, e.detail || '');
        return tr;
      };
    }), 5, 'Nothing has happened yet.');
    drawChart(v);
    if (ended) {
      if (timer) { clearTimeout(timer); timer = null; }
      if (socket) { socket.close(); socket = null; connected = false; }
      if (settling(v.marketplace)) {
        // Ended, but the marketplace has not confirmed every HIT expiry (or the go-live is settling): keep looking.
        timer = setTimeout(function () { timer = null; refresh(); }, FALLBACK_REFRESH_MS);
        setLive('Live updates: the session has ended; waiting for the marketplace to confirm its HIT expiry '
          + '(refreshing every ' + (FALLBACK_REFRESH_MS / 1000) + ' s)');
      } else {
        setLive('Live updates: the session has ended');
      }
    }
  }

  // The marketplace side effects (issue 13 item 1): HIT expiries not yet confirmed, and a go-live in trouble.
  function settling(m) {
    return !!m && (m.hitsToExpire > 0 || m.goLive === 'POSTING' || m.goLive === 'CANCELLING');
  }

  function renderMarketplace(m, expired) {
    if (!m) { return; }
    $('hit-expiry-notice').hidden = !m.expiryNotice;
    setText('hit-expiry-notice', m.expiryNotice || '');
    $('hit-expiry-summary').hidden = !expired;
    setText('hit-expiry-summary', m.hitsExpired + ' HIT(s) expired at the marketplace, ' + m.hitsToExpire + ' not yet');
    var troubled = m.goLive === 'FAILED' || m.goLive === 'CANCELLING' || m.goLive === 'POSTING';
    $('go-live-error').hidden = !troubled;
    setText('go-live-error', troubled ? 'Go live: ' + m.goLive + (m.goLiveError ? ': ' + m.goLiveError : '') : '');
  }

  // The hire budget: the summary line, and the paused notice with its form. The forms' suggested
  // values follow the session unless the admin has typed one of their own.
  function renderHiring(h, expired) {
    if (!h) { return; }
    setText('hire-budget-summary', h.summary);
    $('hiring-paused').hidden = !h.paused || expired;
    setText('hiring-paused-text', h.notice || '');
    [['raise-budget-value', h.hiresMade + h.withheld], ['hire-budget-value', h.budget]].forEach(function (p) {
      var input = $(p[0]);
      if (!input) { return; }
      input.min = String(h.hiresMade);
      var suggested = p[1] === null || p[1] === undefined ? '' : String(p[1]);
      var last = input.hasAttribute('data-suggested') ? input.getAttribute('data-suggested') : input.defaultValue;
      if (document.activeElement !== input && input.value === last) { input.value = suggested; }
      input.setAttribute('data-suggested', suggested);
    });
  }

  // ---- the chart: waiting and active over time, as step lines ----------------------------------

  function drawChart(v) {
    var svg = $('chart');
    var W = 640, H = 180, left = 34, right = 8, top = 10, bottom = 22;
    var points = v.series.map(function (p) { return { t: p.t, waiting: p.waiting, active: p.active }; });
    livePoints.forEach(function (p) { points.push(p); });
    if (!v.expired && points.length) {
      var last = points[points.length - 1];
      points.push({ t: Math.max(Date.now(), last.t), waiting: last.waiting, active: last.active });
    }
    var t0 = points.length ? points[0].t : Date.now();
    var t1 = points.length ? points[points.length - 1].t : t0 + 1;
    if (t1 <= t0) { t1 = t0 + 1000; }
    var maxY = Math.max(1, v.counters.capacity, points.reduce(function (m, p) {
      return Math.max(m, p.waiting, p.active);
    }, 0));
    function x(t) { return left + (t - t0) / (t1 - t0) * (W - left - right); }
    function y(n) { return top + (1 - n / maxY) * (H - top - bottom); }
    function step(key) {
      var d = '';
      points.forEach(function (p, i) {
        var px = x(p.t).toFixed(1), py = y(p[key]).toFixed(1);
        if (i === 0) { d += 'M' + px + ' ' + py; } else { d += ' H' + px + ' V' + py; }
      });
      return d;
    }
    function el(name, attrs, text) {
      var e = document.createElementNS(SVG, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) { e.textContent = text; }
      return e;
    }
    var g = document.createDocumentFragment();
    [0, Math.round(maxY / 2), maxY].forEach(function (n) {
      g.appendChild(el('line', { 'class': 'gridline', x1: left, x2: W - right, y1: y(n), y2: y(n) }));
      g.appendChild(el('text', { 'class': 'axis-label', x: left - 6, y: y(n) + 4, 'text-anchor': 'end' }, String(n)));
    });
    g.appendChild(el('text', { 'class': 'axis-label', x: left, y: H - 6 }, time(new Date(t0).toISOString())));
    g.appendChild(el('text', { 'class': 'axis-label', x: W - right, y: H - 6, 'text-anchor': 'end' },
      time(new Date(t1).toISOString())));
    if (points.length) {
      g.appendChild(el('path', { 'class': 'line-waiting', d: step('waiting') }));
      g.appendChild(el('path', { 'class': 'line-active', d: step('active') }));
    }
    svg.replaceChildren(g);
    var now = points.length ? points[points.length - 1] : { waiting: 0, active: 0 };
    setText('chart-summary', 'now ' + now.waiting + ' waiting and ' + now.active + ' active (capacity '
      + v.counters.capacity + ')');
  }

  // ---- the migrate form's confirmation names the count (the confirm itself is admin.js's) -------

  var migrate = $('migrate-form');
  if (migrate) {
    var updateQuestion = function () {
      var n = $('migrate-count').value || '?';
      var forced = $('migrate-force').checked ? ' (forced past maxActive)' : '';
      migrate.setAttribute('data-confirm', migrate.getAttribute('data-confirm-template')
        .replace('{count}', n).replace('{force}', forced));
    };
    migrate.addEventListener('input', updateQuestion);
    migrate.addEventListener('change', updateQuestion);
    updateQuestion();
  }

  // ---- start -----------------------------------------------------------------------------------

  ended = $('ended-note') && !$('ended-note').hidden;
  refresh();
  if (ended) {
    setLive('Live updates: the session has ended');
  } else {
    connect();
    schedule();
  }
})();
