/*
 * The worker's pay page (/my_pay#<token>): asks /worker_pay with the page token from the address's
 * fragment (never sent to the server in a URL) and shows each payout's bonus and approval. Asks again every
 * 30 s until everything is settled. Rendered with textContent only.
 */
(function () {
  'use strict';
  var page = document.getElementById('pay-page');
  var $ = function (id) { return document.getElementById(id); };
  var token = decodeURIComponent((location.hash || '').replace(/^#/, ''));
  var REFRESH_MS = 30000;

  function say(text) { $('pay-status').textContent = text; }

  function line(parent, text, cls) {
    var p = document.createElement('p');
    if (cls) { p.className = cls; }
    p.textContent = text;
    parent.appendChild(p);
  }

  // The time as Pavilion writes times ("2026-12-03 15:24:07 UTC+01:00"), in this browser's own zone.
  function clock(d) {
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    var off = -d.getTimezoneOffset();
    var zone = off === 0 ? 'UTC' : 'UTC' + (off > 0 ? '+' : '-') + two(Math.floor(Math.abs(off) / 60)) + ':'
      + two(Math.abs(off) % 60);
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':'
      + two(d.getMinutes()) + ':' + two(d.getSeconds()) + ' ' + zone;
  }

  function render(v) {
    $('pay-worker').textContent = v.worker;
    $('pay-assignment').textContent = v.assignmentId;
    var list = document.createDocumentFragment();
    var settled = true;
    v.payouts.forEach(function (p) {
      var li = document.createElement('li');
      li.className = 'pay-item pay-' + p.bonusState;
      line(li, p.bonusText, 'pay-bonus');
      line(li, 'Time waited ' + p.waited + ' · waiting pay ' + p.waitingPay + (p.taskBonuses && p.taskBonuses !== '$0.00'
        ? ' · task bonuses ' + p.taskBonuses : ''), 'small');
      line(li, p.approvalText + (p.feedback ? ': \u201c' + p.feedback + '\u201d' : '.'), 'pay-approval');
      list.appendChild(li);
      settled = settled && p.settled;
    });
    $('pay-list').replaceChildren(list);
    say(v.message || (settled ? 'Everything is settled.' : 'Updated ' + clock(new Date())
      + '; this page checks again every 30 s.'));
    return settled;
  }

  function load() {
    fetch(page.getAttribute('data-api'), { headers: { 'Accept': 'application/json', 'Authorization': 'Bearer ' + token },
      credentials: 'omit', cache: 'no-store' })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) {
          say(res.body && res.body.message ? res.body.message : 'Your pay cannot be shown right now.');
          return;
        }
        if (!render(res.body) || res.body.payouts.length === 0) { setTimeout(load, REFRESH_MS); }
      })
      .catch(function () {
        say('Your pay cannot be shown right now; trying again in 30 s.');
        setTimeout(load, REFRESH_MS);
      });
  }

  if (!token) {
    say('Open this page from the link on your task page: it carries the proof of which assignment is yours.');
    return;
  }
  load();
})();
