// Walks a session with the seed's thresholds (minActive 2, minWaiting 1, maxActive 3, maxWaiting 3)
// through the /chat namespace exactly as the seed's crowd pages do: no token, each page claims its
// worker with `connected` {workerId, aid, hit_id}. After every step it checks exactly which page
// heard which event and payload, and that every other page heard nothing.
// Used by org.pavilion.realtime.NodeSeedPagesTest.
// Usage: node seed-walk.js <base url> <HIT id> <client version: 2|4> <transport: websocket|polling>
// Prints one JSON line; exits 0 when the whole walk went as expected, 1 on the first mismatch.
'use strict';

const {isDeepStrictEqual} = require('util');

const [base, hitId, version, transport] = process.argv.slice(2);
if (!base || !hitId || !['2', '4'].includes(version) || !['websocket', 'polling'].includes(transport)) {
  console.error('usage: node seed-walk.js <base url> <HIT id> <2|4> <websocket|polling>');
  process.exit(2);
}

const QUIET_MS = 300;      // how long a page must stay silent after a step
const ARRIVAL_MS = 10000;  // how long to wait for an expected event
const client = require(version === '2' ? 'socket.io-client-v2' : 'socket.io-client-v4');
const io = client.io || client.default || client;

// ---- one page: a Socket.IO connection that records every event it receives ----------------------

class Page {
  constructor(name) {
    this.name = name;
    this.received = [];   // every event so far: {event, payload}
    this.checked = 0;     // how many of them earlier steps accounted for
    this.socket = io(base + '/chat', {transports: [transport], forceNew: true, reconnection: false, timeout: 10000});
    const record = (event, payload) => this.received.push({event, payload});
    if (typeof this.socket.onAny === 'function') {
      this.socket.onAny(record); // 4.x
    } else {
      const onevent = this.socket.onevent; // 2.x has no onAny: every incoming event passes here
      this.socket.onevent = function (packet) {
        const [event, payload] = packet.data || [];
        record(event, payload);
        return onevent.call(this, packet);
      };
    }
    this.socket.on('disconnect', (reason) => record('(disconnected)', reason));
  }

  open() {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('connect_error', (e) => reject(new Error(this.name + ' could not connect: ' + (e && e.message || e))));
    });
  }

  emit(event, payload) {
    this.socket.emit(event, payload);
  }

  /** What the page heard since the last step, and marks it as accounted for. */
  takeNew() {
    const fresh = this.received.slice(this.checked);
    this.checked = this.received.length;
    return fresh;
  }

  /** The Engine.IO protocol and transport actually in use. */
  engine() {
    const t = this.socket.io.engine && this.socket.io.engine.transport;
    return {eio: t && t.query && String(t.query.EIO), transport: t && t.name};
  }
}

// An expected event: the exact payload, or (for errors, whose message is prose) some fields of it.
const exactly = (event, payload) => ({event, payload});
const withFields = (event, fields) => ({event, fields});

function matches(expected, got) {
  if (expected.event !== got.event) return false;
  if (expected.payload !== undefined) return isDeepStrictEqual(got.payload, expected.payload);
  return got.payload !== null && typeof got.payload === 'object'
      && Object.entries(expected.fields).every(([k, v]) => isDeepStrictEqual(got.payload[k], v));
}

const show = (list) => JSON.stringify(list.map((e) => e.fields ? {event: e.event, fields: e.fields} : e));

let pages = [];
let stepsDone = 0;

/**
 * Runs one step: does {@code action}, waits until every page named in {@code expected} has heard as
 * many events as it should, then a quiet period, and checks that each page heard exactly its list
 * (in order) and every other page nothing.
 */
async function step(title, action, expected) {
  action();
  const deadline = Date.now() + ARRIVAL_MS;
  const want = (p) => (expected[p.name] || []).length;
  while (pages.some((p) => p.received.length - p.checked < want(p)) && Date.now() < deadline) {
    await sleep(10);
  }
  await sleep(QUIET_MS);
  for (const p of pages) {
    const wanted = expected[p.name] || [];
    const got = p.takeNew();
    const same = got.length === wanted.length && wanted.every((w, i) => matches(w, got[i]));
    if (!same) {
      throw new Error(`step "${title}": page ${p.name} should have heard ${show(wanted)} but heard ${JSON.stringify(got)}`);
    }
  }
  for (const name of Object.keys(expected)) {
    if (!pages.some((p) => p.name === name)) throw new Error(`step "${title}": no page ${name}`);
  }
  stepsDone++;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the seed's payloads and the session's broadcasts -------------------------------------------

const aid = (w) => `${hitId}-${w}`;
const join = (w) => ({workerId: w, aid: aid(w), hit_id: hitId});
const worker = (w) => ({worker: w, aid: aid(w), hit_id: hitId});
const start = (w) => exactly('start_your_task', {message: [w]});
// update_worker_count and workers_status go to every worker of the session (SPEC §4.1.7, §5).
// update_worker_count is the seed's figure: the waiting queue's size out of maxWaiting (3).
const MAX_WAITING = 3;
const counts = (waiting, active) => [
  exactly('update_worker_count', {count: waiting, max_count: MAX_WAITING}),
  exactly('workers_status', {waiting, active}),
];
const toEach = (names, events) => Object.fromEntries(names.map((n) => [n, events]));

// ---- the walk -----------------------------------------------------------------------------------

async function walk() {
  const [w1, w2, w3, w4, w5, stranger] = pages = ['w1', 'w2', 'w3', 'w4', 'w5', 'stranger'].map((n) => new Page(n));
  await Promise.all(pages.map((p) => p.open()));
  const engines = pages.map((p) => p.engine());
  const eio = version === '2' ? '3' : '4';
  if (!engines.every((e) => e.eio === eio && e.transport === transport)) {
    throw new Error(`expected Engine.IO ${eio} over ${transport}, got ${JSON.stringify(engines)}`);
  }

  await step('w1 arrives: waits', () => w1.emit('connected', join('w1')),
      {w1: counts(1, 0)});

  await step('w2 arrives: the session starts, w1 and w2 are promoted',
      () => w2.emit('connected', join('w2')), {
        w1: [start('w1'), ...counts(0, 2)],
        w2: [start('w2'), ...counts(0, 2)],
      });

  await step('w3 arrives: waits (waiting 1 is not above minWaiting 1)',
      () => w3.emit('connected', join('w3')),
      toEach(['w1', 'w2', 'w3'], counts(1, 2)));

  await step('w4 arrives: w3, the oldest waiting, is promoted',
      () => w4.emit('connected', join('w4')), {
        ...toEach(['w1', 'w2', 'w4'], counts(1, 3)),
        w3: [start('w3'), ...counts(1, 3)],
      });

  await step('w1 and w3 send IAmReady: no queue changes, nobody is told anything', () => {
    w1.emit('IAmReady', {...worker('w1'), time_waited: 12, reward: '0.02'});
    w3.emit('IAmReady', {...worker('w3'), time_waited: 30, reward: 0.06});
  }, {});

  await step('w1 submits while active: no promotion (waiting 1 = minWaiting), w1 hears no more',
      () => w1.emit('submit_active', worker('w1')),
      toEach(['w2', 'w3', 'w4'], counts(1, 2)));

  await step('w5 arrives: w4 is promoted',
      () => w5.emit('connected', join('w5')), {
        ...toEach(['w2', 'w3', 'w5'], counts(1, 3)),
        w4: [start('w4'), ...counts(1, 3)],
      });

  await step('a connection that never joined sends stop_this_job: refused, not an admin',
      () => stranger.emit('stop_this_job', {}),
      {stranger: [withFields('error', {code: 'not_admin', event: 'stop_this_job'})]});

  await step('w2 submits naming w3: refused, not its worker',
      () => w2.emit('submit_active', worker('w3')),
      {w2: [withFields('error', {code: 'not_your_worker', event: 'submit_active'})]});

  return engines[0];
}

const watchdog = setTimeout(() => finish({error: 'the walk did not finish within 60 s'}), 60000);

function finish(outcome) {
  clearTimeout(watchdog);
  for (const p of pages) p.socket.close();
  const result = {ok: !outcome.error, version, transport, hitId, steps: stepsDone, ...outcome};
  console.log(JSON.stringify(result));
  // Let the sockets' close packets go out before leaving.
  setTimeout(() => process.exit(result.ok ? 0 : 1), 100);
}

walk().then((engine) => finish({engine}), (e) => finish({error: e && e.message || String(e)}));
