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

  // Times as the console writes them everywhere (AdminFormat.time): "2026-05-01 14:03:07 UTC".
  function time(iso) {
    return PavilionTime.time(iso); // the server's one way of writing times (admin-assets/time.js)
  }
  // The chart's axis: the time of day and its zone ("16:33:35 UTC"), as every other time on the page.
  function clock(ms) {
    return PavilionTime.time(new Date(ms)).substr(11);
  }

  // A worker's name as a link to the worker's view.
  var timelineView = $('timeline-view');
  var workerBase = timelineView ? timelineView.getAttribute('data-worker-base') : null;
  function workerCell(tr, worker) {
    var td = document.createElement('td');
    td.className = 'mono';
    if (worker) {
      var a = document.createElement('a');
      a.href = workerBase + encodeURIComponent(worker);
      a.textContent = worker;
      td.appendChild(a);
    }
    tr.appendChild(td);
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
    setText('counter-in-queues', c.inQueues);
    setText('hires-total', c.hiresTotal);
    setText('hires-sent-so-far', c.hiresSentSoFar);
    setText('hires-done', c.hiresDone);
    setText('hires-failed', c.hiresFailed);
    setText('hires-not-sent', c.hiresRequested);
    setText('hires-being-sent', c.hiresSent);
    renderHiring(v.hiring, v.expired);
    renderMarketplace(v.marketplace, v.expired);

    $('controls').hidden = v.expired;
    $('ended-note').hidden = !v.expired;
    $('stop-button').disabled = v.stopped;

    rows('waiting-rows', v.waiting.map(function (w) {
      return function (i) {
        var tr = document.createElement('tr');
        cell(tr, i + 1, 'num');
        workerCell(tr, w.worker);
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
        workerCell(tr, w.worker);
        cell(tr, w.ready ? 'yes' : 'not yet');
        cell(tr, w.waited, 'num');
        cell(tr, w.pay, 'num');
        return tr;
      };
    }), 5, 'Nobody is active.');
    rows('workers-rows', v.workers.map(function (w) {
      return function () {
        var tr = document.createElement('tr');
        workerCell(tr, w.worker);
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
    refreshTimeline();
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

  // ---- the timeline: the page shown is re-read (keyed by seq, so an older page stays put while the
  // newest page follows the session) --------------------------------------------------------------

  var timelineBusy = false;

  function pageUrl(base, params) {
    var q = Object.keys(params).filter(function (k) { return params[k]; })
      .map(function (k) { return k + '=' + encodeURIComponent(params[k]); }).join('&');
    return base + (q ? '?' + q : '') + '#timeline';
  }

  function refreshTimeline() {
    if (!timelineView || timelineBusy) { return; }
    var d = function (k) { return timelineView.getAttribute('data-' + k) || ''; };
    var params = { worker: d('worker'), kind: d('kind'), before: d('before'), after: d('after'), size: d('size') };
    var q = Object.keys(params).filter(function (k) { return params[k]; })
      .map(function (k) { return k + '=' + encodeURIComponent(params[k]); }).join('&');
    timelineBusy = true;
    fetch(d('events-api') + (q ? '?' + q : ''), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(renderTimeline)
      .catch(function () { /* the page keeps what it shows; the next refresh tries again */ })
      .then(function () { timelineBusy = false; });
  }

  function renderTimeline(t) {
    var base = timelineView.getAttribute('data-base');
    var filtered = !!(t.worker || t.kind);
    setText('event-count', t.total);
    setText('timeline-range', t.events.length
      ? 'Events #' + t.events[0].seq + ' to #' + t.events[t.events.length - 1].seq + ' (' + t.events.length + ' of '
        + t.matching + (filtered ? ' matching' : '') + ')' + (t.newest ? ', the newest, kept up to date' : '')
      : 'No event on this page');
    var nav = [['timeline-newest', !t.newest, {}], ['timeline-newer', t.newerAfter !== null, { after: t.newerAfter }],
      ['timeline-older', t.olderBefore !== null, { before: t.olderBefore }]];
    nav.forEach(function (n) {
      var a = $(n[0]);
      if (!a) { return; }
      a.hidden = !n[1];
      var params = { worker: t.worker, kind: t.kind };
      Object.keys(n[2]).forEach(function (k) { params[k] = n[2][k] === null ? '' : String(n[2][k]); });
      a.setAttribute('href', pageUrl(base, params));
    });
    rows('timeline-rows', t.events.map(function (e) {
      return function () {
        var tr = document.createElement('tr');
        cell(tr, e.seq, 'num');
        cell(tr, time(e.at), null, e.at);
        cell(tr, e.summary);
        workerCell(tr, e.worker);
        cell(tr, e.actor || '', 'mono');
        cell(tr, e.detail || '');
        return tr;
      };
    }), 6, filtered ? 'No event matches the filter.' : 'Nothing has happened yet.');
  }

  // ---- the chart: waiting and active over time, as step lines ----------------------------------

  // Drawn at the SVG's own width in pixels (no stretching, so the text is the page's font at its size);
  // the thresholds are labelled lines; where both series are equal the active line is dashed over the
  // waiting line, so both stay visible.
  function drawChart(v) {
    var svg = $('chart');
    var W = Math.max(320, Math.round(svg.getBoundingClientRect().width) || 640), H = 200;
    var left = 34, right = 10, top = 20, bottom = 24;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var points = v.series.map(function (p) { return { t: p.t, waiting: p.waiting, active: p.active }; });
    livePoints.forEach(function (p) { points.push(p); });
    if (!v.expired && points.length) {
      var last = points[points.length - 1];
      points.push({ t: Math.max(Date.now(), last.t), waiting: last.waiting, active: last.active });
    }
    var t0 = points.length ? points[0].t : Date.now();
    var t1 = points.length ? points[points.length - 1].t : t0 + 1;
    if (t1 <= t0) { t1 = t0 + 1000; }
    var st = v.settings || {};
    var refs = [['minActive', st.minActive], ['maxActive', st.maxActive], ['maxWaiting', st.maxWaiting]]
      .filter(function (r) { return typeof r[1] === 'number' && r[1] > 0; });
    var maxY = Math.max(1, points.reduce(function (m, p) { return Math.max(m, p.waiting, p.active); }, 0),
      refs.reduce(function (m, r) { return Math.max(m, r[1]); }, 0));
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
    // The stretches where active equals waiting, as separate dashed segments drawn on top.
    function equalStretches() {
      var d = '';
      for (var i = 0; i < points.length - 1; i++) {
        var p = points[i];
        if (p.waiting === p.active) {
          d += 'M' + x(p.t).toFixed(1) + ' ' + y(p.active).toFixed(1) + ' H' + x(points[i + 1].t).toFixed(1) + ' ';
        }
      }
      return d;
    }
    function el(name, attrs, text) {
      var e = document.createElementNS(SVG, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) { e.textContent = text; }
      return e;
    }
    var g = document.createDocumentFragment();
    var ticks = maxY <= 4 ? Array.from({ length: maxY + 1 }, function (_, i) { return i; })
      : [0, Math.round(maxY / 2), maxY];
    ticks.forEach(function (n) {
      g.appendChild(el('line', { 'class': 'gridline', x1: left, x2: W - right, y1: y(n), y2: y(n) }));
      g.appendChild(el('text', { 'class': 'axis-label', x: left - 6, y: y(n) + 4, 'text-anchor': 'end' }, String(n)));
    });
    // Labels of lines at the same height are joined ("minActive = maxActive 1") rather than drawn over each other.
    var byValue = {};
    refs.forEach(function (r) { (byValue[r[1]] = byValue[r[1]] || []).push(r[0]); });
    Object.keys(byValue).forEach(function (value) {
      var n = Number(value);
      g.appendChild(el('line', { 'class': 'refline', x1: left, x2: W - right, y1: y(n), y2: y(n) }));
      // Inside the plot, right-aligned just above its line (a label in a margin would be cut off).
      g.appendChild(el('text', { 'class': 'ref-label', x: W - right - 4, y: y(n) - 4, 'text-anchor': 'end' },
        byValue[value].join(' = ') + ' ' + n));
    });
    g.appendChild(el('text', { 'class': 'axis-label', x: left, y: H - 6 }, clock(t0)));
    g.appendChild(el('text', { 'class': 'axis-label', x: W - right, y: H - 6, 'text-anchor': 'end' }, clock(t1)));
    if (points.length) {
      g.appendChild(el('path', { 'class': 'line-waiting', d: step('waiting') }));
      g.appendChild(el('path', { 'class': 'line-active', d: step('active') }));
      var eq = equalStretches();
      if (eq) { g.appendChild(el('path', { 'class': 'line-equal', d: eq })); }
    }
    svg.replaceChildren(g);
    var now = points.length ? points[points.length - 1] : { waiting: 0, active: 0 };
    setText('chart-summary', 'Now ' + now.waiting + ' waiting and ' + now.active + ' active (capacity '
      + v.counters.capacity + ').');
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

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (lastView) { drawChart(lastView); } }, 150);
  });
  ended = $('ended-note') && !$('ended-note').hidden;
  refresh();
  if (ended) {
    setLive('Live updates: the session has ended');
  } else {
    connect();
    schedule();
  }
})();
