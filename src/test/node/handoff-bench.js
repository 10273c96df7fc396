// Handoff latency over Pavilion's real-time channel (docs/benchmarks.md), measured from a separate
// process with the Node Socket.IO 4.x client over WebSocket, speaking only SPEC §5.
//
// One handoff = an active worker emits `submit_active` {worker, aid, hit_id} (t0) until the oldest
// waiting worker receives `start_your_task` naming itself (t1). Between handoffs, outside the measured
// interval: the promoted page sends `IAmReady` (as the seed's pages do), the submitted worker's socket
// is closed, a fresh worker connects to refill the waiting queue, and the client waits until every
// connection of the session has received the resulting `update_worker_count` and `workers_status`
// (so each handoff starts from a quiet client and server).
//
// Checked throughout: each handoff promotes exactly the expected worker (FIFO), exactly once; every
// session connection receives exactly the expected count broadcasts; no `error` event, no refused ack,
// no unexpected disconnect, nothing arriving after the end.
//
// Usage: node handoff-bench.js --url http://127.0.0.1:PORT --hit HIT --workers N
//                              [--handoffs 2000] [--warmup 200] [--label text] [--no-ready] [--probe] [--no-deflate] [--dump file]
// Prints progress to stderr, a table line and one JSON line ({"type":"handoff-summary",...}) to
// stdout; exits 0 when the run completed with no anomaly, 1 otherwise.
'use strict';

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
}

const url = arg('url');
const hit = arg('hit');
const N = parseInt(arg('workers', '100'), 10);
const HANDOFFS = parseInt(arg('handoffs', '2000'), 10);
const WARMUP = parseInt(arg('warmup', '200'), 10);
const LABEL = arg('label', '');
const SEND_READY = !process.argv.includes('--no-ready');
// --probe: before each handoff (outside its interval) also time an `isJobFull` round trip from a page
// that never joins: the session is full, so the server answers `job_is_full` after a read through the
// session's single writer, with no durable commit and no broadcast. A baseline for the transport.
const PROBE = process.argv.includes('--probe');
// --no-deflate: do not offer permessage-deflate (browsers and the Node client offer it by default, and
// Tomcat then compresses every frame); for finding where the time goes.
const DEFLATE = !process.argv.includes('--no-deflate');
const DUMP = arg('dump', null); // file: one line per measured handoff, "index latency_ms emitted_at_ms frames_before [probe_ms]"
const STEP_TIMEOUT_MS = parseInt(arg('step-timeout-ms', '20000'), 10);
if (!url || !hit || !(N >= 2)) {
  console.error('usage: node handoff-bench.js --url http://127.0.0.1:PORT --hit HIT --workers N [--handoffs 2000] [--warmup 200]');
  process.exit(2);
}

function load(name) {
  const m = require(name);
  return m.io || m.default || m;
}
const io = load('socket.io-client-v4');

const MAX_ACTIVE = Math.floor(N / 2);
const SOCKET_OPTIONS = {transports: ['websocket'], forceNew: true, reconnection: false, timeout: 10000,
  perMessageDeflate: DEFLATE ? {threshold: 1024} : false};
const log = (...a) => console.error(`[handoff N=${N}]`, ...a);

// ---- bookkeeping ----------------------------------------------------------------------------------

const anomalies = [];
let round = -1; // handoff in progress (-1 while the session fills)
function anomaly(text) {
  text = `[handoff ${round}] ${text}`;
  anomalies.push(text);
  if (anomalies.length <= 20) log('ANOMALY:', text);
}

let seq = 0;
const workers = new Map(); // id -> worker
const active = []; // ids, oldest promoted first
const waiting = []; // ids, oldest joined first
let inSession = 0; // connections currently in the session's room (joined, not yet submitted)
let countMessages = 0; // update_worker_count received by any connection
let statusMessages = 0; // workers_status received by any connection
let staleBeforeJoin = 0; // workers_status of an earlier event reaching a page before its own join's
let pendingPromotion = null; // {id, resolve, t0}
let finished = false;

function newWorker() {
  seq += 1;
  const id = 'W' + String(seq).padStart(6, '0');
  const w = {id, aid: 'A' + id, socket: null, state: 'new', starts: 0, lastCount: null, onCount: null};
  workers.set(id, w);
  return w;
}

function connect(w) {
  return new Promise((resolve, reject) => {
    const socket = io(url + '/chat', SOCKET_OPTIONS);
    w.socket = socket;
    const timer = setTimeout(() => reject(new Error(`${w.id}: connect timeout`)), STEP_TIMEOUT_MS);
    socket.on('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect_error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${w.id}: connect_error ${e && e.message}`));
    });
    socket.on('disconnect', (reason) => {
      if (w.state !== 'closing' && !finished) anomaly(`${w.id} (${w.state}) disconnected: ${reason}`);
    });
    socket.on('error', (e) => anomaly(`${w.id} (${w.state}) got error ${JSON.stringify(e)}`));
    socket.on('job_is_full', (p) => anomaly(`${w.id} (${w.state}) got job_is_full ${JSON.stringify(p)}`));
    socket.on('stop', () => anomaly(`${w.id} got stop`));
    socket.on('start_your_task', (p) => onStart(w, p));
    socket.on('update_worker_count', (p) => {
      countMessages += 1;
      if (finished) anomaly(`${w.id} got update_worker_count after the end`);
      if (w.state === 'submitted' || w.state === 'closing') anomaly(`${w.id} got update_worker_count after it submitted`);
      if (w.expectStatus) anomaly(`${w.id} (${w.state}) got update_worker_count ${JSON.stringify(p)} before the workers_status of count ${w.lastCount}`);
      w.expectStatus = true;
      w.lastCount = p && p.count;
      if (w.onCount) w.onCount(p);
    });
    socket.on('workers_status', (p) => {
      if (w.state === 'joining' && w.lastCount === null && !w.expectStatus) {
        // The previous event's workers_status, reaching a page whose join raced with it (the server
        // sends update_worker_count and workers_status as two steps, and the room join can fall
        // between them). Counted apart; it does not belong to any of the events checked here.
        staleBeforeJoin += 1;
        return;
      }
      statusMessages += 1;
      if (finished) anomaly(`${w.id} got workers_status after the end`);
      if (w.state === 'submitted' || w.state === 'closing') anomaly(`${w.id} got workers_status after it submitted`);
      if (!w.expectStatus || !p || p.waiting + p.active !== w.lastCount) {
        anomaly(`${w.id} (${w.state}) got workers_status ${JSON.stringify(p)} not after a matching update_worker_count (last count ${w.lastCount})`);
      }
      w.expectStatus = false;
      if (statusWaiter && statusMessages >= statusWaiter.target) {
        const r = statusWaiter.resolve;
        statusWaiter = null;
        r();
      }
    });
  });
}

function onStart(w, p) {
  const t1 = process.hrtime.bigint();
  const named = p && Array.isArray(p.message) ? p.message : null;
  if (!named || named.length !== 1 || named[0] !== w.id) {
    anomaly(`${w.id} got start_your_task naming ${JSON.stringify(p)}`);
    return;
  }
  w.starts += 1;
  if (w.starts > 1) {
    anomaly(`${w.id} got start_your_task ${w.starts} times`);
    return;
  }
  if (w.state === 'joining' && w.onStart) {
    w.onStart();
    return;
  }
  if (!pendingPromotion || pendingPromotion.id !== w.id) {
    anomaly(`${w.id} (${w.state}) was promoted, expected ${pendingPromotion ? pendingPromotion.id : 'nobody'}`);
    return;
  }
  const pending = pendingPromotion;
  pendingPromotion = null;
  pending.resolve(t1);
}

let statusWaiter = null;
function statusesReach(target) {
  if (statusMessages >= target) return Promise.resolve();
  return withTimeout(new Promise((resolve) => { statusWaiter = {target, resolve}; }),
    () => `workers_status broadcasts: ${statusMessages} of ${target}`);
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout: ' + what())), STEP_TIMEOUT_MS); }),
  ]);
}

function emitAck(w, event, payload) {
  return withTimeout(new Promise((resolve) => {
    w.socket.emit(event, payload, (answer) => {
      if (!answer || answer.ok !== true) anomaly(`${w.id} ${event} refused: ${JSON.stringify(answer)}`);
      resolve();
    });
  }), () => `${w.id} ${event} ack`);
}

// Joins one worker; resolves when its own update_worker_count (count = members after it) arrived and,
// when it is promoted on arrival, its start_your_task too.
function join(w, expectCount, expectPromoted) {
  w.state = 'joining';
  const gotCount = new Promise((resolve) => {
    w.onCount = (p) => {
      if (p.count !== expectCount) anomaly(`${w.id} joined and saw count ${p.count}, expected ${expectCount}`);
      w.onCount = null;
      resolve();
    };
  });
  const gotStart = expectPromoted ? new Promise((resolve) => { w.onStart = resolve; }) : Promise.resolve();
  w.socket.emit('connected', {workerId: w.id, aid: w.aid, hit_id: hit});
  return withTimeout(Promise.all([gotCount, gotStart]), () => `${w.id} join`).then(() => {
    w.onStart = null;
    inSession += 1;
    if (expectPromoted) {
      w.state = 'active';
      active.push(w.id);
    } else {
      w.state = 'waiting';
      waiting.push(w.id);
    }
  });
}

// ---- the run ----------------------------------------------------------------------------------------

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
const ms = (ns) => Number(ns) / 1e6;
const round3 = (x) => Math.round(x * 1000) / 1000;
function framesSummary(counts) {
  const sorted = counts.slice().sort((a, b) => a - b);
  return {p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1],
    share_nonzero: round3(sorted.filter((c) => c > 0).length / Math.max(1, sorted.length))};
}
function summarize(values) {
  const sorted = values.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {n: sorted.length, p50_ms: round3(ms(percentile(sorted, 50))), p95_ms: round3(ms(percentile(sorted, 95))),
    p99_ms: round3(ms(percentile(sorted, 99))), max_ms: round3(ms(sorted[sorted.length - 1]))};
}

let probe = null;
const startTimes = []; // performance.now() at each handoff's emit (for --dump)
const framesBefore = []; // per handoff: broadcast frames handled before its start_your_task
async function connectProbe() {
  const socket = io(url + '/chat', SOCKET_OPTIONS);
  probe = {socket, waiter: null, closing: false};
  socket.on('job_is_full', () => {
    const t1 = process.hrtime.bigint();
    if (!probe.waiter) { anomaly('probe: unexpected job_is_full'); return; }
    const w = probe.waiter;
    probe.waiter = null;
    w(t1);
  });
  socket.on('error', (e) => anomaly(`probe got error ${JSON.stringify(e)}`));
  socket.on('disconnect', (reason) => { if (!probe.closing && !finished) anomaly(`probe disconnected: ${reason}`); });
  for (const event of ['start_your_task', 'update_worker_count', 'workers_status', 'stop']) {
    socket.on(event, () => anomaly(`probe got ${event}`));
  }
  await withTimeout(new Promise((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', (e) => reject(new Error('probe: connect_error ' + (e && e.message))));
  }), () => 'probe connect');
}

async function probeRoundTrip() {
  const answered = new Promise((resolve) => { probe.waiter = resolve; });
  const t0 = process.hrtime.bigint();
  probe.socket.emit('isJobFull', {workerId: 'PROBE', hit_id: hit});
  const t1 = await withTimeout(answered, () => 'probe job_is_full');
  return t1 - t0;
}

async function handoff() {
  const leaverId = active.shift();
  const promotedId = waiting[0];
  const leaver = workers.get(leaverId);
  const promoted = workers.get(promotedId);
  const statusBase = statusMessages;
  const countBase = countMessages;

  const promotedAt = new Promise((resolve) => { pendingPromotion = {id: promotedId, resolve}; });
  const t0 = process.hrtime.bigint();
  leaver.socket.emit('submit_active', {worker: leaver.id, aid: leaver.aid, hit_id: hit});
  const startedAtMs = performance.now();
  const t1 = await withTimeout(promotedAt, () => `start_your_task for ${promotedId}`);
  const latency = t1 - t0;
  startTimes.push(startedAtMs);
  // Frames of this handoff's own broadcast that the client had already handled when start_your_task
  // arrived (the server sends start_your_task first; any such frame is client work inside the interval).
  framesBefore.push(countMessages - countBase + statusMessages - statusBase);

  // ---- outside the measured interval ----
  leaver.state = 'submitted';
  inSession -= 1;
  waiting.shift();
  promoted.state = 'active';
  active.push(promotedId);
  if (SEND_READY) {
    await emitAck(promoted, 'IAmReady', {worker: promoted.id, aid: promoted.aid, hit_id: hit, time_waited: 0, reward: '0.00'});
  }
  leaver.state = 'closing';
  leaver.socket.close();
  const fresh = newWorker();
  await connect(fresh);
  await join(fresh, N, false);
  // The handoff's broadcast reached the N - 1 remaining members; the refill's, all N.
  await statusesReach(statusBase + (N - 1) + N);
  return latency;
}

async function main() {
  const started = Date.now();
  log(`connecting ${N} workers to ${url} (hit ${hit}), ${MAX_ACTIVE} will be active`);
  const setup = [];
  for (let i = 0; i < N; i++) setup.push(newWorker());
  for (let i = 0; i < N; i += 50) {
    await Promise.all(setup.slice(i, i + 50).map(connect));
  }
  // Sequential joins, so that the client knows the server's FIFO order; each one waits until its
  // broadcast reached every member (the k-th join is announced to k members), so that one client
  // process serving all N pages never builds a backlog (which would starve their pings).
  for (let i = 0; i < N; i++) {
    await join(setup[i], i + 1, i < MAX_ACTIVE);
    await statusesReach(((i + 1) * (i + 2)) / 2);
    if ((i + 1) % 100 === 0) {
      log(`${i + 1} joined after ${((Date.now() - started) / 1000).toFixed(1)} s; broadcasts received ${statusMessages} of ${((i + 1) * (i + 2)) / 2}`);
    }
  }
  const setupSeconds = (Date.now() - started) / 1000;
  log(`session full: ${active.length} active, ${waiting.length} waiting, setup ${setupSeconds.toFixed(1)} s`);

  const latencies = [];
  const probes = [];
  if (PROBE) await connectProbe();
  const runStarted = process.hrtime.bigint();
  const slowest = [];
  for (let i = 0; i < WARMUP + HANDOFFS; i++) {
    round = i;
    if (PROBE) {
      const p = await probeRoundTrip();
      if (i >= WARMUP) probes.push(p);
    }
    const latency = await handoff();
    if (i >= WARMUP) latencies.push(latency);
    slowest.push({handoff: i, ms: round3(ms(latency))});
    slowest.sort((a, b) => b.ms - a.ms);
    if (slowest.length > 5) slowest.pop();
    if ((i + 1) % 500 === 0) log(`${i + 1} handoffs`);
  }
  const runSeconds = ms(process.hrtime.bigint() - runStarted) / 1000;

  // Nothing may arrive after the end.
  await new Promise((r) => setTimeout(r, 1000));
  finished = true;
  const countsBefore = countMessages;
  await new Promise((r) => setTimeout(r, 500));
  if (countMessages !== countsBefore) anomaly('messages kept arriving after the last handoff');

  // Final consistency: every member saw the last count; no one was promoted twice or wrongly.
  const members = [...active, ...waiting].map((id) => workers.get(id));
  if (active.length !== MAX_ACTIVE || waiting.length !== N - MAX_ACTIVE) anomaly(`final queues ${active.length}/${waiting.length}`);
  for (const w of members) {
    if (w.lastCount !== N) anomaly(`${w.id} last saw count ${w.lastCount}`);
    if (w.state === 'active' && w.starts !== 1) anomaly(`${w.id} active with ${w.starts} start_your_task`);
    if (w.state === 'waiting' && w.starts !== 0) anomaly(`${w.id} waiting with ${w.starts} start_your_task`);
  }
  const expectedStatuses = (N * (N + 1)) / 2 + (WARMUP + HANDOFFS) * (2 * N - 1);
  if (statusMessages !== expectedStatuses) anomaly(`workers_status received ${statusMessages}, expected ${expectedStatuses}`);
  if (countMessages !== expectedStatuses) anomaly(`update_worker_count received ${countMessages}, expected ${expectedStatuses}`);
  const promotions = [...workers.values()].reduce((s, w) => s + w.starts, 0);
  if (promotions !== MAX_ACTIVE + WARMUP + HANDOFFS) anomaly(`start_your_task received ${promotions}, expected ${MAX_ACTIVE + WARMUP + HANDOFFS}`);

  if (probe) {
    probe.closing = true;
    probe.socket.close();
  }
  for (const w of workers.values()) {
    if (w.socket && w.state !== 'closing') {
      w.state = 'closing';
      w.socket.close();
    }
  }

  if (DUMP) {
    const lines = latencies.map((l, i) => `${WARMUP + i} ${ms(l).toFixed(3)} ${startTimes[WARMUP + i].toFixed(1)} ${framesBefore[WARMUP + i]}`
      + (PROBE ? ' ' + ms(probes[i]).toFixed(3) : ''));
    require('fs').writeFileSync(DUMP, lines.join('\n') + '\n');
  }
  const sorted = latencies.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mean = sorted.reduce((s, x) => s + x, 0n) / BigInt(Math.max(1, sorted.length));
  const summary = {
    type: 'handoff-summary',
    label: LABEL || undefined,
    workers: N,
    maxActive: MAX_ACTIVE,
    maxWaiting: N - MAX_ACTIVE,
    warmup: WARMUP,
    handoffs: sorted.length,
    p50_ms: round3(ms(percentile(sorted, 50))),
    p95_ms: round3(ms(percentile(sorted, 95))),
    p99_ms: round3(ms(percentile(sorted, 99))),
    max_ms: round3(ms(sorted[sorted.length - 1])),
    min_ms: round3(ms(sorted[0])),
    mean_ms: round3(ms(mean)),
    probe: PROBE ? summarize(probes) : undefined,
    broadcast_frames_handled_before_start: framesSummary(framesBefore.slice(WARMUP)),
    cycles_per_s: round3((WARMUP + HANDOFFS) / runSeconds),
    setup_s: round3(setupSeconds),
    promotions,
    count_broadcasts_received: countMessages,
    status_broadcasts_received: statusMessages,
    stale_status_before_join: staleBeforeJoin,
    ready_sent: SEND_READY,
    per_message_deflate_offered: DEFLATE,
    slowest_incl_warmup: slowest,
    anomalies: anomalies.length,
    ok: anomalies.length === 0,
  };
  console.log(`N=${N} handoffs=${summary.handoffs} (after ${WARMUP} warm-up) p50=${summary.p50_ms} ms p95=${summary.p95_ms} ms `
    + `p99=${summary.p99_ms} ms max=${summary.max_ms} ms (min ${summary.min_ms}, mean ${summary.mean_ms}); `
    + `${summary.cycles_per_s} handoff cycles/s incl. refill; anomalies=${anomalies.length}`
    + (PROBE ? `; isJobFull probe p50=${summary.probe.p50_ms} p99=${summary.probe.p99_ms} max=${summary.probe.max_ms} ms` : ''));
  console.log(JSON.stringify(summary));
  process.exit(summary.ok ? 0 : 1);
}

main().catch((e) => {
  console.error(`[handoff N=${N}] failed:`, e && e.stack ? e.stack : e);
  console.log(JSON.stringify({type: 'handoff-summary', workers: N, ok: false, error: String(e && e.message ? e.message : e), anomalies: anomalies.length}));
  process.exit(1);
});
