/*
 * pavilion.js: a small helper for worker pages of a Pavilion live crowd task.
 * Plain browser JavaScript (ES5, no build step). Needs the Socket.IO client, which Pavilion
 * serves at /vendor/socket.io.min.js. Documented in docs/worker-pages.md.
 *
 *   <script src="/vendor/socket.io.min.js"></script>
 *   <script src="/pavilion.js"></script>
 *   <script>
 *     var mt = Pavilion.params();                // MTurk's query parameters of this page
 *     if (!Pavilion.isPreview(mt)) {
 *       var p = Pavilion.join(mt);               // add {token: ...} when Pavilion served the page
 *       p.on('start_your_task', function () { p.ready().then(function () { location.replace('task.html' + location.search); }); });
 *       p.on('stop', function () { p.submitWaiting(); });
 *     }
 *   </script>
 */
(function (global) {
  'use strict';

  var PREVIEW = 'ASSIGNMENT_ID_NOT_AVAILABLE';
  var CHAT_MAX = 500;
  var ACK_TIMEOUT_MS = 3000;

  // The origin pavilion.js was loaded from: the Pavilion server, unless told otherwise.
  var scriptOrigin = (function () {
    try {
      var s = document.currentScript;
      return s && s.src ? new URL(s.src, location.href).origin : location.origin;
    } catch (e) {
      return location.origin;
    }
  })();

  /** MTurk's query parameters of a page address (default: this page's). */
  function params(search) {
    var q = new URLSearchParams(search === undefined ? location.search : search);
    return {
      assignmentId: q.get('assignmentId') || '',
      hitId: q.get('hitId') || '',
      workerId: q.get('workerId') || '',
      turkSubmitTo: q.get('turkSubmitTo') || ''
    };
  }

  /** True while the worker only previews the HIT: the page must not join. */
  function isPreview(p) {
    var aid = p && p.assignmentId;
    return !aid || aid === PREVIEW;
  }

  /** {turkSubmitTo}/mturk/externalSubmit (a full externalSubmit address is kept as it is). */
  function submitAction(turkSubmitTo) {
    var base = String(turkSubmitTo || '');
    if (/\/mturk\/externalSubmit$/.test(base)) {
      return base;
    }
    return base.replace(/\/+$/, '') + '/mturk/externalSubmit';
  }

  function Worker(opts) {
    var self = this;
    var ioFn = opts.io || global.io;
    if (typeof ioFn !== 'function') {
      throw new Error('Pavilion: the Socket.IO client is missing; load /vendor/socket.io.min.js first');
    }
    this.workerId = opts.workerId;
    this.assignmentId = opts.assignmentId;
    this.hitId = opts.hitId;
    this.turkSubmitTo = opts.turkSubmitTo || '';
    this.submitted = false;
    this._listeners = {};
    this._bound = {};
    this._pay = null;        // last pay_status: {waited_seconds, pay_cents, cents_per_hour}
    this._payAt = 0;         // when it arrived (ms)
    this._payTimer = null;

    var server = (opts.server || scriptOrigin).replace(/\/+$/, '');
    var options = { query: {} };
    if (opts.token) {
      options.auth = { token: opts.token };   // Socket.IO 3+/4 clients
      options.query.token = opts.token;       // Socket.IO 2 clients (and the handshake query)
    }
    this.socket = ioFn(server + '/chat', options);

    // Join on every (re)connection: the server re-binds this page and resends its state.
    this.socket.on('connect', function () {
      self.socket.emit('connected', { workerId: self.workerId, aid: self.assignmentId, hit_id: self.hitId });
      self._fire('connect', {});
    });
    this.socket.on('disconnect', function (reason) { self._fire('disconnect', { reason: reason }); });
    this.socket.on('connect_error', function (err) {
      self._fire('connect_error', { message: err && err.message ? err.message : String(err) });
    });
    this._bind('pay_status');
    this._bind('error');
    this.on('pay_status', function (d) {
      if (d && typeof d.waited_seconds === 'number') {
        self._pay = d;
        self._payAt = Date.now();
      }
    });
  }

  Worker.prototype._fire = function (event, data) {
    var list = (this._listeners[event] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try {
        list[i].call(this, data);
      } catch (e) {
        if (global.console) { global.console.error('Pavilion: a "' + event + '" handler failed', e); }
      }
    }
  };

  // Subscribes to a server event once and hands it to this helper's listeners.
  Worker.prototype._bind = function (event) {
    var self = this;
    if (this._bound[event] || event === 'connect' || event === 'disconnect' || event === 'connect_error') {
      return;
    }
    this._bound[event] = true;
    this.socket.on(event, function (data) {
      if (event === 'start_your_task') {
        // Only if it names this worker (Pavilion sends it only to them; older servers broadcast).
        var ids = data && data.message;
        if (!ids || typeof ids.indexOf !== 'function' || ids.indexOf(self.workerId) < 0) { return; }
      } else if (event === 'job_is_full') {
        if (data && data.id && data.id !== self.workerId) { return; }
      } else if (event === 'error') {
        // Socket.IO 2 clients report their own connection errors as strings here.
        if (typeof data !== 'object' || data === null) { data = { code: 'connection', message: String(data) }; }
      }
      self._fire(event, data);
    });
  };

  /**
   * Listens to an event: any server event (start_your_task, job_is_full, update_worker_count,
   * workers_status, stop, pay_status, chat_message, error, ...) and connect / disconnect /
   * connect_error. Returns this.
   */
  Worker.prototype.on = function (event, handler) {
    (this._listeners[event] = this._listeners[event] || []).push(handler);
    this._bind(event);
    return this;
  };

  /**
   * Sends an event. Resolves with the server's acknowledgement, or with undefined when none
   * came within timeoutMs (default 3 s) or the server answered with an error for this event.
   */
  Worker.prototype.emit = function (event, payload, timeoutMs) {
    var self = this;
    return new Promise(function (resolve) {
      var done = false;
      function finish(value) {
        if (done) { return; }
        done = true;
        clearTimeout(timer);
        self.off('error', onError);
        resolve(value);
      }
      function onError(err) {
        if (err && err.event === event) { finish(undefined); }
      }
      var timer = setTimeout(finish, timeoutMs === undefined ? ACK_TIMEOUT_MS : timeoutMs);
      self.on('error', onError);
      self.socket.emit(event, payload || {}, function (ack) { finish(ack); });
    });
  };

  Worker.prototype.off = function (event, handler) {
    var list = this._listeners[event] || [];
    var i = list.indexOf(handler);
    if (i >= 0) { list.splice(i, 1); }
    return this;
  };

  /** The time waited and pay earned, from the server's last pay_status, with the seconds since. */
  Worker.prototype.waited = function () {
    if (!this._pay) { return null; }
    var since = Math.max(0, Math.floor((Date.now() - this._payAt) / 1000));
    return {
      seconds: this._pay.waited_seconds + since,
      serverSeconds: this._pay.waited_seconds,
      cents: this._pay.pay_cents,
      centsPerHour: this._pay.cents_per_hour
    };
  };

  /** Asks the server for the time waited and the pay earned so far (answer: pay_status). */
  Worker.prototype.requestPay = function () {
    this.socket.emit('pay_status', {});
    return this;
  };

  /** Asks for pay_status on every (re)connection and then every intervalMs (default 10 s). */
  Worker.prototype.watchPay = function (intervalMs) {
    var self = this;
    this.stopPay();
    this.on('connect', function () { if (self._payTimer) { self.requestPay(); } });
    this._payTimer = setInterval(function () { if (self.socket.connected) { self.requestPay(); } },
      intervalMs || 10000);
    if (this.socket.connected) { this.requestPay(); }
    return this;
  };

  Worker.prototype.stopPay = function () {
    if (this._payTimer) { clearInterval(this._payTimer); this._payTimer = null; }
    return this;
  };

  Worker.prototype._waitFields = function () {
    var w = this.waited();
    return {
      worker: this.workerId, aid: this.assignmentId, hit_id: this.hitId,
      time_waited: w ? w.serverSeconds : 0,
      reward: w ? w.cents / 100 : 0
    };
  };

  /** IAmReady: this page is moving to the live task. Resolves once the server has it (or after 3 s). */
  Worker.prototype.ready = function () {
    this.stopPay();
    return this.emit('IAmReady', this._waitFields());
  };

  /** Sends a group-chat message (at most 500 characters). Returns false if it was not sent. */
  Worker.prototype.chat = function (text) {
    text = String(text == null ? '' : text).trim();
    if (!text || text.length > CHAT_MAX) { return false; }
    this.socket.emit('chat_message', { text: text });
    return true;
  };

  /** submit_waiting, then the HIT to MTurk (with extraFields and stage=waiting). */
  Worker.prototype.submitWaiting = function (extraFields) {
    var self = this;
    if (this.submitted) { return Promise.resolve(false); }
    this.stopPay();
    return this.emit('submit_waiting', this._waitFields()).then(function () {
      return self.submitToMTurk(assign({ stage: 'waiting' }, extraFields));
    });
  };

  /** submit_active, then the HIT to MTurk (with extraFields and stage=active). */
  Worker.prototype.submitActive = function (extraFields) {
    var self = this;
    if (this.submitted) { return Promise.resolve(false); }
    return this.emit('submit_active', { worker: this.workerId, aid: this.assignmentId, hit_id: this.hitId })
      .then(function () { return self.submitToMTurk(assign({ stage: 'active' }, extraFields)); });
  };

  /**
   * Submits the HIT to MTurk: an HTML form POST to {turkSubmitTo}/mturk/externalSubmit with
   * assignmentId and extraFields (MTurk wants at least one field besides assignmentId).
   * Happens at most once per page. Returns true if the form was sent.
   */
  Worker.prototype.submitToMTurk = function (extraFields) {
    if (this.submitted) { return false; }
    if (!this.turkSubmitTo) { throw new Error('Pavilion: turkSubmitTo is unknown, cannot submit to MTurk'); }
    this.submitted = true;
    var fields = assign({ assignmentId: this.assignmentId }, extraFields);
    if (Object.keys(fields).length < 2) { fields.submitted = 'true'; }
    var form = document.createElement('form');
    form.method = 'POST';
    form.action = submitAction(this.turkSubmitTo);
    form.hidden = true;
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = fields[name] == null ? '' : String(fields[name]);
      form.appendChild(input);
    });
    document.body.appendChild(form);
    this._fire('submitting', fields);
    form.submit();
    return true;
  };

  /** Closes the real-time connection. */
  Worker.prototype.close = function () {
    this.stopPay();
    this.socket.close();
  };

  function assign(target, source) {
    if (source) {
      Object.keys(source).forEach(function (k) { target[k] = source[k]; });
    }
    return target;
  }

  /**
   * Joins the live session: opens the Socket.IO connection to namespace /chat and sends
   * `connected` on every (re)connection. opts: workerId, assignmentId, hitId (required),
   * token (the signed worker token, when Pavilion served the page), turkSubmitTo (to submit),
   * server (default: where pavilion.js came from), io (default: the global Socket.IO client).
   */
  function join(opts) {
    opts = opts || {};
    if (isPreview(opts)) {
      throw new Error('Pavilion: this is a preview (accept the HIT first); not joining');
    }
    if (!opts.workerId || !opts.hitId) {
      throw new Error('Pavilion: workerId and hitId are required');
    }
    return new Worker(opts);
  }

  /** A page's settings from data- attributes (data-token, data-worker-id, ...) of an element. */
  function fromElement(el) {
    var d = el.dataset;
    return {
      token: d.token || '', workerId: d.workerId || '', assignmentId: d.assignmentId || '',
      hitId: d.hitId || '', turkSubmitTo: d.submitUrl || d.turkSubmitTo || ''
    };
  }

  /** "m:ss" or "h:mm:ss". */
  function formatDuration(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var ss = (s < 10 ? '0' : '') + s;
    return h > 0 ? h + ':' + (m < 10 ? '0' : '') + m + ':' + ss : m + ':' + ss;
  }

  /** "$1.23". */
  function formatCents(cents) {
    cents = Math.max(0, Math.round(cents || 0));
    var c = cents % 100;
    return '$' + Math.floor(cents / 100) + '.' + (c < 10 ? '0' : '') + c;
  }

  /** "$7.25 per hour". */
  function formatRate(centsPerHour) {
    return formatCents(centsPerHour) + ' per hour';
  }

  /**
   * What a page tells its worker on job_is_full, in one piece: why (the server's reason, e.g. "the session
   * is full; please return the HIT", without its own "please return" part) and what to do, said once.
   */
  function jobFullText(d) {
    var reason = String(d && d.message ? d.message : '').split(';')[0].trim();
    if (!reason) { reason = 'this job has no place for you'; }
    reason = reason.charAt(0).toUpperCase() + reason.slice(1).replace(/[.!]+$/, '');
    return reason + '. Please return the HIT (do not submit it).';
  }

  global.Pavilion = {
    PREVIEW_ASSIGNMENT: PREVIEW,
    CHAT_MAX: CHAT_MAX,
    params: params,
    isPreview: isPreview,
    join: join,
    fromElement: fromElement,
    submitAction: submitAction,
    formatDuration: formatDuration,
    formatCents: formatCents,
    formatRate: formatRate,
    jobFullText: jobFullText
  };
})(window);
