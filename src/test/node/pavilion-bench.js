// Pavilion benchmark load client (docs/benchmarks.md, bench/suite.sh): drives a server that speaks
// SPEC §5 (Socket.IO namespace `/chat`) from a separate process with the Node Socket.IO 4.x client over
// WebSocket, one socket per worker page, and checks everything it sees. Every simulated worker behaves
// as a real one does (SPEC §4.1.0, §4.2): it first accepts an assignment of a HIT on the local
// marketplace's worker API over HTTP (--market, default URL/local-mturk/api), then opens its page and
// joins with that real assignment id; when it leaves by submitting, it also submits the assignment at
// the marketplace, which is what makes Pavilion hire (see "the local marketplace" below). Four modes:
//
//   handoff  closed-loop handoff latency. N workers spread evenly over the sessions (--hits), each session
//            filled with n = N/S workers in a known FIFO order (the first n/2 become active, the next n/2
//            wait; the server's maxActive and maxWaiting must be n/2). One handoff at a time, round-robin
//            over the sessions: the session's oldest active worker emits `submit_active` (t0); the
//            handoff ends when the session's oldest waiting worker receives `start_your_task` naming
//            itself (t1). Outside the interval: the promoted page sends `IAmReady` (ack awaited), the
//            leaver submits its assignment at the marketplace and its socket is closed, a fresh worker
//            waits for the HIT that this submission made Pavilion post (the hire), accepts it, connects
//            and joins the same session, and the client waits until every member of that session was
//            told the full session again (its last count pair is the session's true state).
//            Checked: FIFO promotion of exactly the expected worker, exactly once; the counts as below
//            ("Counts are state"), against the session's known sequence of states; final queues; nothing
//            after the end; one marketplace submission and one hire's HIT taken per handoff.
//   rate     open-loop sustained handoff rate. Same fill, then for each offered rate R (--rates) and
//            --step-seconds: `submit_active` at R/s spread evenly, round-robin over the sessions (a
//            session whose waiting queue, as far as the client knows, has no worker left that is not
//            already claimed by an outstanding submit is skipped, and counted), each followed at once
//            (not awaited) by the leaver's marketplace submission and by a fresh worker that waits for
//            a hire's HIT of that session, accepts it, connects and joins at once (it cannot find the
//            session full: the hire follows the freed slot). `start_your_task` arrivals of a session are
//            matched to that session's outstanding submits in FIFO order (latency = arrival - emit of
//            the oldest outstanding submit). Refills now lag by the hire's round trip through the
//            marketplace, so at high rates sessions run short of waiting workers (skipped/unsent).
//            Between steps the client waits until the sessions are full and quiet again. Stops after
//            the first step with p99 > --p99-limit-ms (50) or with a lost submit. A warm-up step at the
//            first rate (--warmup-seconds, 5; 0 for none) runs first and is reported apart (a fresh
//            server's JIT). A leaver's socket is closed once its submit is matched (and its IAmReady acked).
//            Fairness over sessions (issue 15: many sessions turning over at once, bench/suite.sh `fair`):
//            each step also reports every session's own p50/p99 and promotions (per_session), the worst
//            session's p99 (session_p99_worst_ms and its index), the median of the sessions' p99s,
//            min/max promotions and offers per session, and the starved sessions: a session is starved
//            when a submit of it was lost or it got fewer than --starve-fraction (0.8) of the handoffs
//            offered to it (submit slots go round-robin, slot k to session k mod S; a slot passes to the
//            next session when this one has no free waiting worker, its refills not having kept up).
//            fair_sustained_handoffs_per_s: the highest achieved rate of a step whose worst session p99
//            is <= --session-p99-limit-ms (20) with no session starved and nothing lost.
//   burst    --workers workers (default 1,000) try to accept an assignment of ONE HIT, spread evenly over
//            --within-ms; each that gets one opens its page and emits `connected` as soon as it is
//            connected. The HIT has maxActive + maxWaiting assignments (--expect-admitted, 100 for the
//            suite's 50+50 session), so the marketplace itself turns the others away (409
//            HITNotAssignable) before they ever open a page, as MTurk does; what is measured is the
//            burst of accepts and of the admitted joins. Interleaved with them, --forged pages (0)
//            join with the same (public) HIT id and made-up assignment ids: each must be told
//            `awaiting_confirmation` and, after the server's confirmation timeout, refused with
//            `error {code: unconfirmed_assignment}`, and must never be admitted nor hear the session.
//   hold     N workers accept, connect and join (concurrently, --concurrency at a time) spread over the
//            sessions and then hold their connections for --hold-seconds; checks every one was admitted
//            and none drops; samples the server's VmRSS/VmHWM (--server-pid) and the client's own RSS.
//
// How a page learns it was admitted (SPEC §4.1, §5 give no explicit "admitted" message to a page that
// is put in the waiting queue): `job_is_full` = refused; `start_your_task` = admitted (active);
// otherwise its first `update_worker_count` after it emitted `connected` = admitted (waiting). A page
// is bound to the session's room only when its arrival is admitted, before that arrival's broadcasts
// go out, so its first count is its own admission's. Before that it may get `awaiting_confirmation`
// (the server has its claim but not yet the marketplace's confirmation of its assignment); that is
// counted, and the page is admitted when the confirmation lands. The time from accept (its HTTP
// answer) to admitted (that first count or start) is reported as accept_to_admitted_* for every
// worker that joined right after accepting (refills, burst and hold workers; not the fill's workers,
// which accept first and then wait their turn), with join_to_admitted_* (emit -> admitted) beside it.
//
// How the rate mode knows a fresh worker is waiting: its first `update_worker_count` (above; still
// true when counts are coalesced, since a page gets no count before its admission bound it to the
// session). A fresh worker promoted before it saw any count was promoted on arrival (SPEC §4.1.6: the
// session had a free active slot), or its first count pair was held back behind its start_your_task
// (coalesced counts); either way it is matched like any other promotion and counted apart
// (promoted_on_arrival). FIFO is checked soundly at
// every quiet point: a worker still waiting whose admission the client saw before some promoted worker
// even emitted `connected` means a promotion overtook it.
//
// Counts are state, not events. A server may coalesce `update_worker_count` / `workers_status` per
// session (latest wins: a page may skip intermediate pairs, get the same numbers twice, or get a pair
// later than a `start_your_task` decided after it; issue 15). So no check relies on how many count
// broadcasts arrive or on every intermediate count arriving. What is checked about counts:
//   * pair order and consistency on every socket: `update_worker_count`, then `workers_status` whose
//     waiting equals that count (a status with no count before it is tolerated only as a joiner's first
//     message, the tail of the pair its admission fell into: stale_status_before_join);
//   * no impossible state: 0 <= count <= max_count; where the client knows the sessions (handoff, rate):
//     max_count = maxWaiting, active <= maxActive, waiting <= maxWaiting, and nobody waits while an
//     active place is free (SPEC §4.1.6, §4.2; the suite's sessions start at the first arrival);
//   * never back in time: where the client knows the order of a session's states (the fill: join k
//     leaves min(k, A) active, max(0, k - A) waiting; handoff: each handoff (A, W - 1), then its refill
//     (A, W)), every pair a page gets must be a state at or after the last one it was told, and at or
//     after its own admission's (an older pair before its own is tolerated and counted:
//     count_pairs_older_than_own_admission). count_states_skipped and count_pairs_repeated count what a
//     coalescing server left out or sent again (both 0 when every pair is delivered);
//   * at every quiet point and at the end, every connected member's last pair is its session's true
//     state; the client waits for it (up to --step-timeout-ms).
// A page that emitted `submit_active` may still get a pair decided before its submit.
//
// Anomalies (any of them makes ok=false): `error` events (but the expected refusal of a made-up
// assignment), unexpected `job_is_full`/`stop`/disconnect, `awaiting_confirmation` twice or after
// admission, refused or missing acks, `start_your_task` naming someone else or arriving twice or to a
// worker that is not waiting, a broadcast out of its pair order, wrong counts (`update_worker_count`
// {count, max_count} is the waiting queue's size and maxWaiting, SPEC §5; see "Counts are state"
// above), members whose last counts are not the session's true state at a quiet point, lost submits (no
// promotion within --step-timeout-ms), a marketplace accept or submit that fails, a refill that finds
// no hire's HIT within --step-timeout-ms, a session that does not settle, anything arriving after the end.
//
// Usage:
//   node pavilion-bench.js handoff --url URL --hits H1,H2,... --workers N [--handoffs 2000] [--warmup 200]
//                                  [--settle-every 100] [--dump file]
//   node pavilion-bench.js rate    --url URL --hits H1,... --workers N [--rates 100,200,500,1000,2000,3000]
//                                  [--step-seconds 5] [--warmup-seconds 5] [--p99-limit-ms 50] [--dump file]
//                                  [--session-p99-limit-ms 20] [--starve-fraction 0.8]
//   node pavilion-bench.js burst   --url URL --hits H --workers 1000 [--within-ms 1000]
//                                  [--expect-admitted 100] [--quiet-ms 2000] [--forged 0]
//   node pavilion-bench.js hold    --url URL --hits H1,... --workers N [--hold-seconds 20]
//                                  [--server-pid PID] [--concurrency 200]
// Filling (handoff, rate): sessions are filled in parallel, each one sequentially (so that the client
// knows the FIFO order); each join waits for the joiner's own `update_worker_count` (SPEC §5: the waiting
// queue's size out of maxWaiting, so count = 0 for the first n/2 joiners and k - n/2 for the k-th after
// them; and its `start_your_task` when it is one of the first n/2): the first count at least as recent
// as its own, which in a sequential fill must be exactly its own (an older one is skipped, a later one
// is an anomaly); and only every --settle-every joins (100; 1 = after every join) until every member
// was told the session's latest state. Without coalescing the fill costs n(n+1) frames per
// session (each join is announced to every member), so it is bound by frame handling, not round trips
// (measured on 2 shared cores, one session: 1,000 workers 15 s without permessage-deflate, 55 s with it;
// 2,000 workers 72 s / 236 s; settling after every join instead of every 100th changed nothing).
//
// Each run needs sessions with nobody in them: a server keeps a closed page's worker in its queue for its
// disconnect grace period (SPEC §4.7, 30 s by default), and a session's first HIT must still have all its
// assignments, so start a fresh server per run (bench/suite.sh does).
//
// Common options: --label text (copied into the JSON), --step-timeout-ms (20000: longest wait for any
// one expected message or HTTP answer), --market URL (the local marketplace's worker API; default
// URL/local-mturk/api), --board-poll-ms (10: how often the open HITs are listed while a worker looks),
// --reaccept-after-ms (5000; 0 = never: when a worker that took a hire's HIT gives up on a confirmation
// that does not come, see hiredRaceError), --no-ready (handoff/rate: promoted pages do not send
// IAmReady), --no-deflate (do not offer permessage-deflate; browsers do), --id-prefix P (worker ids;
// default unique per run),
// --connect-concurrency C (socket handshakes in flight while filling; default 100), --zlib-concurrency C
// (the ws client's limit of concurrent zlib calls for the whole process; default 10, as ws has it),
// --settle-gap-ms G (fill, handoff: a quiet point whose latest state some member was not told again,
// because a coalescing server skipped a state that came back, is reached once the values are right and
// no count frame came for G ms; default 100).
// Output: progress on stderr; one human line and then ONE JSON line {"type":"<mode>-summary",...,
// "anomalies":n,"ok":bool} on stdout; exit status 0 iff ok (2 for a usage error).
'use strict';

// With permessage-deflate (offered by default, as browsers do) every received frame is inflated by zlib
// on libuv's thread pool. UV_THREADPOOL_SIZE=1 in the environment made a 1,000-worker fill faster
// (44 s instead of 56 s with the default 4 threads) but delayed a 1,000-client burst's answers by
// seconds, so the default is left alone.

const fs = require('fs');

// ---- options ------------------------------------------------------------------------------------------

const MODES = ['handoff', 'rate', 'burst', 'hold'];
const MODE = process.argv[2];
const ARGV = process.argv.slice(3);
const COMMON_OPTIONS = ['url', 'hits', 'hit', 'label', 'step-timeout-ms', 'no-ready', 'no-deflate', 'id-prefix', 'settle-gap-ms',
  'connect-concurrency', 'workers', 'zlib-concurrency', 'market', 'board-poll-ms', 'reaccept-after-ms'];
const MODE_OPTIONS = {
  handoff: ['handoffs', 'warmup', 'settle-every', 'dump'],
  rate: ['rates', 'step-seconds', 'warmup-seconds', 'p99-limit-ms', 'session-p99-limit-ms', 'starve-fraction',
    'settle-every', 'dump'],
  burst: ['within-ms', 'expect-admitted', 'quiet-ms', 'forged'],
  hold: ['hold-seconds', 'server-pid', 'concurrency'],
};
const FLAGS = ['no-ready', 'no-deflate'];

function usage(problem) {
  if (problem) console.error('pavilion-bench: ' + problem);
  console.error('usage: node pavilion-bench.js handoff|rate|burst|hold --url http://127.0.0.1:PORT --hits H1,H2,... '
    + '--workers N [mode options] (see the header of this file)');
  process.exit(2);
}
if (!MODES.includes(MODE)) usage(`unknown mode '${MODE}'`);
for (let i = 0; i < ARGV.length; i++) {
  const a = ARGV[i];
  if (!a.startsWith('--')) usage(`unexpected argument '${a}'`);
  const name = a.slice(2);
  if (!COMMON_OPTIONS.includes(name) && !MODE_OPTIONS[MODE].includes(name)) usage(`unknown option --${name} for ${MODE}`);
  if (!FLAGS.includes(name)) {
    if (i + 1 >= ARGV.length || ARGV[i + 1].startsWith('--')) usage(`--${name} needs a value`);
    i += 1;
  }
}
function arg(name, fallback) {
  const i = ARGV.indexOf('--' + name);
  return i < 0 ? fallback : ARGV[i + 1];
}
function intArg(name, fallback) {
  const v = arg(name, undefined);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) usage(`--${name} must be an integer (was '${v}')`);
  return n;
}

const URL_ = arg('url');
const HITS = String(arg('hits', arg('hit', ''))).split(',').map((h) => h.trim()).filter(Boolean);
const LABEL = arg('label', '');
const STEP_TIMEOUT_MS = intArg('step-timeout-ms', 20000);
const SEND_READY = !ARGV.includes('--no-ready');
const DEFLATE = !ARGV.includes('--no-deflate');
const ID_PREFIX = arg('id-prefix', 'B' + Date.now().toString(36).slice(-6) + Math.random().toString(36).slice(2, 5));
const CONNECT_CONCURRENCY = intArg('connect-concurrency', 100);
const N = intArg('workers', MODE === 'burst' ? 1000 : 100);
const DUMP = arg('dump', null);
if (!URL_) usage('--url is required');
if (HITS.length === 0) usage('--hits is required');
if (!(N >= 1)) usage('--workers must be at least 1');

function load(name) {
  const m = require(name);
  return m.io || m.default || m;
}
const io = load('socket.io-client-v4');
const ZLIB_CONCURRENCY = intArg('zlib-concurrency', 10);
const SOCKET_OPTIONS = {transports: ['websocket'], forceNew: true, reconnection: false, timeout: 10000,
  perMessageDeflate: DEFLATE ? {threshold: 1024, concurrencyLimit: ZLIB_CONCURRENCY} : false};

const now = () => performance.now();
const J = (x) => JSON.stringify(x);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round3 = (x) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const log = (...a) => console.error(`[${MODE} N=${N}]`, ...a);

// ---- bookkeeping ----------------------------------------------------------------------------------------

const anomalies = [];
let phase = 'setup';
function anomaly(text) {
  text = `[${phase}] ${text}`;
  anomalies.push(text);
  if (anomalies.length <= 20) log('ANOMALY:', text);
  else if (anomalies.length === 21) log('(further anomalies are counted, not printed)');
}

let finished = false; // set once the run is over: from then on nothing may arrive
let lastEventAt = 0; // any server event, for "quiet"
let errorEvents = 0;
let eventsAfterEnd = 0;
let totalCounts = 0;
let totalStatuses = 0;
let refusedBroadcasts = 0; // broadcasts reaching a page after its job_is_full (burst: info)

function makeSessions(total) {
  const S = HITS.length;
  return HITS.map((hit, index) => {
    const n = Math.floor(total / S) + (index < total % S ? 1 : 0);
    const A = Math.floor(n / 2);
    return {
      index, hit, n, A, W: n - A,
      workers: [], // everyone ever made for this session
      active: [], // workers, oldest promoted first
      waiting: [], // workers, oldest joined first (as far as the client knows)
      counts: 0, statuses: 0, stale: 0, // broadcasts received by this session's pages
      waiters: [],
      pending: null, // handoff: {w, resolve}
      outstanding: [], // rate: submits not yet matched to a promotion, oldest first
      pendingRefills: 0,
      maxPromotedEmitAt: -Infinity,
      handoffs: 0,
      maxCountMismatch: false,
      // Count checks (see "Counts are state" in the header). shape: the client knows maxActive A and
      // maxWaiting W (handoff, rate). history: the session's true states {active, waiting} in the order the
      // session passes through them, appended by the client before it emits the event that causes each
      // (fill, handoff: one event at a time); null when the client cannot know the order (rate's open loop).
      shape: false,
      history: null,
      atLatest: 0, // members told history's last state after it was appended
      lastCountAt: 0, // the last count or status frame any page of this session received
      shapeAnomalies: 0,
    };
  });
}

let seq = 0;
const allWorkers = [];
function newWorker(s) {
  seq += 1;
  const id = `${ID_PREFIX}-${String(seq).padStart(6, '0')}`;
  const w = {
    // aid and hit: the assignment the worker accepted at the marketplace and its HIT (set by acceptHit)
    id, aid: null, hit: null, s, socket: null, state: 'new', starts: 0, fulls: 0, countsSeen: 0, statusesSeen: 0,
    acceptedAt: 0, firstAcceptedAt: 0, admittedAt: 0, measureAdmission: false, awaits: 0, awaitAt: 0, errors: [],
    hired: false, attempt: 0, confirmationsLost: 0,
    lastCount: null, maxCount: null, lastStatus: null, expectStatus: false, onCount: null, onJoinStart: null,
    onAnswer: null,
    connectStart: 0, connectEnd: 0, joinEmitAt: 0, confirmAt: 0, confirmed: false, firstCountAt: 0, startAt: 0,
    fullAt: 0, disconnected: null,
    // history index of the state its own admission made (ownFrom) and of the last state it was told (cursor)
    ownFrom: -1, cursor: -1, left: false, settledFor: -1,
  };
  s.workers.push(w);
  allWorkers.push(w);
  return w;
}

// Mode hooks; each returns true when it handled the event.
const hooks = {
  onStart: null, // (w, t) => void; after the common checks
  onFull: (w, p) => anomaly(`${w.id} (${w.state}) got job_is_full ${J(p)}`),
  onCount: null, // (w, p) => void
  onError: null, // (w, e) => true when this error event is expected (burst: made-up assignments)
};

// Waiters: predicates re-checked after each event of their session (or of any session when s is null).
const globalWaiters = [];
function notify(s) {
  for (const list of s ? [s.waiters, globalWaiters] : [globalWaiters]) {
    for (let i = 0; i < list.length; i++) {
      if (list[i].pred()) {
        const w = list[i];
        list.splice(i, 1);
        i -= 1;
        w.resolve();
      }
    }
  }
}
function waitFor(pred, what, s = null, timeoutMs = STEP_TIMEOUT_MS) {
  if (pred()) return Promise.resolve();
  const list = s ? s.waiters : globalWaiters;
  return new Promise((resolve, reject) => {
    const entry = {pred, resolve: null};
    const timer = setTimeout(() => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      reject(new Error('timeout: ' + what()));
    }, timeoutMs);
    entry.resolve = () => {
      clearTimeout(timer);
      resolve();
    };
    list.push(entry);
  });
}
// Polls an expensive predicate.
async function pollUntil(pred, what, timeoutMs = STEP_TIMEOUT_MS, intervalMs = 20) {
  const deadline = now() + timeoutMs;
  while (!pred()) {
    if (now() > deadline) throw new Error('timeout: ' + what());
    await sleep(intervalMs);
  }
}
function withTimeout(promise, what, timeoutMs = STEP_TIMEOUT_MS) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout: ' + what())), timeoutMs); }),
  ]);
}
// Runs fn over items with at most `limit` in flight.
async function pool(items, limit, fn) {
  let next = 0;
  const runners = [];
  for (let r = 0; r < Math.min(limit, items.length); r++) {
    runners.push((async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item);
      }
    })());
  }
  await Promise.all(runners);
}

// ---- the local marketplace, as a worker uses it -------------------------------------------------------
//
// SPEC §4.1.0: Pavilion admits a page only once the marketplace confirmed its assignment (the local
// marketplace's AssignmentAccepted notification, delivered over its SNS to Pavilion's intake). So every
// simulated worker first accepts an assignment through the local marketplace's worker API
// (POST {market}/accept {workerId, hitId}: 200 with the assignment, or 409 HITNotAssignable when the HIT
// has no assignment left), then opens its page and joins with that assignment id; one that leaves by
// submitting also submits the assignment there (POST {market}/submit {assignmentId}), which is what
// makes Pavilion hire (SPEC §4.2: the hire waits for the marketplace's AssignmentSubmitted).
// A session's first HIT (--hits) holds maxActive + maxWaiting assignments; each hire posts one more
// one-assignment HIT of the session's HIT type. A worker looking for work finds those as a worker
// does: on the board of open HITs (GET {market}/hits), by the HIT type (MTurk's HIT group) of the
// session's first HIT. One poller serves every worker looking (see acceptFromBoard).

const MARKET = String(arg('market', (URL_ || '') + '/local-mturk/api')).replace(/\/+$/, '');
const BOARD_POLL_MS = intArg('board-poll-ms', 10);
const REACCEPT_AFTER_MS = intArg('reaccept-after-ms', 5000);
const market = {
  accepts: 0, acceptRefusals: 0, submits: 0, returns: 0, boardPolls: 0, boardConflicts: 0, acceptMs: [],
};
let confirmationsLost = 0; // hire's HITs whose acceptance Pavilion never confirmed (see reacceptLost)
let unknownHitRefusals = 0; // joins refused because Pavilion did not know the hire's HIT yet (same race)
let totalAwaits = 0; // awaiting_confirmation answers received
let confirmationTimeoutSeconds = null; // as the server announces it in awaiting_confirmation

async function marketCall(method, path, body) {
  const res = await fetch(MARKET + path, {
    method,
    headers: body === undefined ? {} : {'content-type': 'application/json'},
    body: body === undefined ? undefined : J(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  return {status: res.status, body: json, text: text.slice(0, 300)};
}

// Accepts an assignment of this HIT for the worker. True with w.aid/w.hit/w.acceptedAt set; false when
// the marketplace says the HIT has no assignment left (what a worker meets when it is too late);
// throws on anything else.
async function acceptHit(w, hitId) {
  const t = now();
  const r = await marketCall('POST', '/accept', {workerId: w.id, hitId});
  if (r.status === 200 && r.body && typeof r.body.assignmentId === 'string') {
    w.acceptedAt = now();
    if (!w.firstAcceptedAt) w.firstAcceptedAt = w.acceptedAt;
    market.accepts += 1;
    market.acceptMs.push(w.acceptedAt - t);
    if (r.body.hitId !== hitId || r.body.workerId !== w.id || r.body.status !== 'Accepted') {
      anomaly(`${w.id}: accept of HIT ${hitId} answered an assignment ${J(r.body)}`);
    }
    w.aid = r.body.assignmentId;
    w.hit = hitId;
    return true;
  }
  if (r.status === 409 && r.body && r.body.error === 'AWS.MechanicalTurk.HITNotAssignable') {
    market.acceptRefusals += 1;
    return false;
  }
  throw new Error(`${w.id}: accept of HIT ${hitId} answered ${r.status} ${r.text}`);
}

// The worker submits its assignment at the marketplace (what its page's form post does).
async function submitAtMarket(w) {
  let r;
  try {
    r = await marketCall('POST', '/submit', {assignmentId: w.aid, answers: {bench: w.id}});
  } catch (e) {
    anomaly(`${w.id}: marketplace submit of ${w.aid} failed: ${e.message}`);
    return;
  }
  if (r.status === 200 && r.body && r.body.status === 'Submitted') {
    market.submits += 1;
    w.marketSubmitted = true;
  } else {
    anomaly(`${w.id}: marketplace submit of ${w.aid} answered ${r.status} ${r.text}`);
  }
}

// The worker returns its assignment (gives the HIT back without doing it).
async function returnAtMarket(w) {
  let r;
  try {
    r = await marketCall('POST', '/return', {assignmentId: w.aid});
  } catch (e) {
    anomaly(`${w.id}: marketplace return of ${w.aid} failed: ${e.message}`);
    return;
  }
  if (r.status === 200 && r.body && r.body.status === 'Returned') market.returns += 1;
  else anomaly(`${w.id}: marketplace return of ${w.aid} answered ${r.status} ${r.text}`);
}

// A worker that took a hire's HIT and has been told awaiting_confirmation for REACCEPT_AFTER_MS (or half
// the server's confirmation timeout, if shorter) without being admitted gives up on that assignment as
// a real worker would: it closes its page, returns the HIT, takes a HIT from the board again and joins
// with the new assignment. It does the same, at once,
// when its join is refused with `unknown_hit`. Why (a race in the server, reported): Pavilion maps a
// notification and a join to the session by the HIT, and records a hire's HIT only after the
// marketplace answered CreateHIT, while the HIT is on the board from the moment it exists. A worker
// quick enough to accept it before that record is written has its AssignmentAccepted confirmation
// dropped ("HIT ... is not part of any Pavilion session"), so its page would wait for the whole
// confirmation timeout and be refused, or has its join refused outright (unknown_hit).
// Counted as confirmations_lost and unknown_hit_refusals; the worker's accept -> admitted time runs
// from its first accept, so the detour shows in accept_to_admitted_max_ms. --reaccept-after-ms 0 turns
// this off (the errors are then anomalies).
function hiredRaceError(w, e) {
  if (!w.hired || REACCEPT_AFTER_MS <= 0 || !e || e.code !== 'unknown_hit' || w.state !== 'joining') return false;
  unknownHitRefusals += 1;
  if (unknownHitRefusals <= 5) log(`${w.id}: join with HIT ${w.hit} refused: ${e.message}; returning it and taking a HIT again`);
  const attempt = w.attempt;
  setTimeout(() => {
    if (!finished && w.attempt === attempt) {
      reacceptLost(w).catch((x) => anomaly(`${w.id}: taking a HIT again after unknown_hit failed: ${x.message}`));
    }
  }, 100);
  return true;
}
function watchConfirmation(w) {
  if (!w.hired || REACCEPT_AFTER_MS <= 0) return;
  const attempt = w.attempt;
  // Well before the server gives up on the page (half its announced timeout, when that is shorter).
  const after = Math.min(REACCEPT_AFTER_MS, (confirmationTimeoutSeconds || Infinity) * 500);
  setTimeout(() => {
    if (!finished && !w.admittedAt && w.attempt === attempt && w.state === 'joining') {
      reacceptLost(w, true).catch((e) => anomaly(`${w.id}: taking a HIT again after a lost confirmation failed: ${e.message}`));
    }
  }, after);
}
async function reacceptLost(w, lost = false) {
  w.attempt += 1;
  if (lost) {
    w.confirmationsLost += 1;
    confirmationsLost += 1;
    if (confirmationsLost <= 5) {
      log(`${w.id}: assignment ${w.aid} of HIT ${w.hit} not confirmed in time; returning it and taking a HIT again`);
    }
  }
  w.state = 'closing';
  if (w.socket) w.socket.close();
  w.socket = null;
  await returnAtMarket(w);
  w.awaits = 0;
  await acceptFromBoard(w);
  await connect(w);
  emitConnected(w);
}

// Each session's HIT type (its HIT group), read from its first HIT.
async function learnHitTypes(sessions) {
  for (const s of sessions) {
    const r = await marketCall('GET', '/hits/' + encodeURIComponent(s.hit));
    if (r.status !== 200 || !r.body || !r.body.hitTypeId) {
      throw new Error(`HIT ${s.hit} is not on the marketplace at ${MARKET}: ${r.status} ${r.text}`);
    }
    s.hitTypeId = r.body.hitTypeId;
  }
}

// Workers looking for a HIT of their session's type. One poller lists the open HITs and hands each
// open one to as many waiting workers (oldest first) as it has assignments available; a worker that
// loses the race (409) waits again at the front.
const board = {waiting: new Map(), inFlight: new Map(), polling: false};
function acceptFromBoard(w) {
  w.hired = true;
  return new Promise((resolve, reject) => {
    const entry = {w, resolve, reject, since: now()};
    const key = w.s.hitTypeId;
    if (!board.waiting.has(key)) board.waiting.set(key, []);
    board.waiting.get(key).push(entry);
    pollBoard();
  });
}
function boardWaiting() {
  let n = 0;
  for (const q of board.waiting.values()) n += q.length;
  return n;
}
async function pollBoard() {
  if (board.polling) return;
  board.polling = true;
  try {
    while (boardWaiting() > 0) {
      let r;
      try {
        r = await marketCall('GET', '/hits');
      } catch (e) {
        r = {status: 0, text: e.message};
      }
      market.boardPolls += 1;
      if (r.status !== 200 || !Array.isArray(r.body)) {
        anomaly(`listing the open HITs answered ${r.status} ${r.text}`);
        await sleep(100);
      } else {
        for (const h of r.body) {
          const q = board.waiting.get(h.hitTypeId);
          let free = (h.available || 0) - (board.inFlight.get(h.hitId) || 0);
          while (q && q.length && free > 0) {
            free -= 1;
            tryBoardAccept(q.shift(), h.hitId);
          }
        }
      }
      const t = now();
      for (const q of board.waiting.values()) {
        while (q.length && t - q[0].since > STEP_TIMEOUT_MS) {
          const e = q.shift();
          e.reject(new Error(`${e.w.id}: no HIT of session ${e.w.s.index}'s type open within ${STEP_TIMEOUT_MS} ms`));
        }
      }
      if (boardWaiting() > 0) await sleep(BOARD_POLL_MS);
    }
  } finally {
    board.polling = false;
  }
}
function tryBoardAccept(entry, hitId) {
  board.inFlight.set(hitId, (board.inFlight.get(hitId) || 0) + 1);
  acceptHit(entry.w, hitId).then((ok) => {
    if (ok) {
      entry.resolve();
    } else {
      market.boardConflicts += 1; // someone took it first
      board.waiting.get(entry.w.s.hitTypeId).unshift(entry);
      pollBoard();
    }
  }, entry.reject).finally(() => {
    const left = board.inFlight.get(hitId) - 1;
    if (left > 0) board.inFlight.set(hitId, left);
    else board.inFlight.delete(hitId);
  });
}

// A made-up assignment id, shaped like the marketplace's (30 upper-case letters and digits).
function madeUpAssignmentId() {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = '';
  for (let i = 0; i < 30; i++) id += chars[Math.floor(Math.random() * chars.length)];
  return id;
}

// What the admission rules cost, for every summary: accept (its HTTP answer) -> admitted (the page's
// first update_worker_count or start_your_task after it emitted `connected`), over the workers that
// joined right after accepting (not those of a fill, which accept first and then wait their turn).
function admissionSummary() {
  const measured = allWorkers.filter((w) => w.measureAdmission && w.firstAcceptedAt && w.admittedAt);
  const a = stats(measured.map((w) => w.admittedAt - w.firstAcceptedAt), 'accept_to_admitted_');
  const e = stats(measured.map((w) => w.admittedAt - w.joinEmitAt), 'join_to_admitted_');
  const http = stats(market.acceptMs, 'accept_http_');
  return {
    accept_to_admitted_samples: measured.length,
    accept_to_admitted_p50_ms: a.accept_to_admitted_p50_ms, accept_to_admitted_p99_ms: a.accept_to_admitted_p99_ms,
    accept_to_admitted_max_ms: a.accept_to_admitted_max_ms,
    join_to_admitted_p50_ms: e.join_to_admitted_p50_ms, join_to_admitted_p99_ms: e.join_to_admitted_p99_ms,
    join_to_admitted_max_ms: e.join_to_admitted_max_ms,
    awaiting_confirmation: totalAwaits,
    admitted_after_awaiting: allWorkers.filter((w) => w.awaits > 0 && w.admittedAt).length,
    accept_http_p50_ms: http.accept_http_p50_ms, accept_http_p99_ms: http.accept_http_p99_ms,
    marketplace_accepts: market.accepts,
    marketplace_accept_refusals: market.acceptRefusals,
    marketplace_submits: market.submits,
    marketplace_returns: market.returns,
    confirmations_lost: confirmationsLost,
    unknown_hit_refusals: unknownHitRefusals,
    board_polls: market.boardPolls,
    board_conflicts: market.boardConflicts,
    confirmation_timeout_s: confirmationTimeoutSeconds === null ? undefined : confirmationTimeoutSeconds,
  };
}
function admissionHuman(summary) {
  return `accept->admitted p50 ${summary.accept_to_admitted_p50_ms} p99 ${summary.accept_to_admitted_p99_ms} `
    + `max ${summary.accept_to_admitted_max_ms} ms (${summary.accept_to_admitted_samples} joins); `
    + `awaiting_confirmation ${summary.awaiting_confirmation}; confirmations lost ${summary.confirmations_lost}, `
    + `joins refused unknown_hit ${summary.unknown_hit_refusals}`;
}

// ---- one page ---------------------------------------------------------------------------------------------

function connect(w) {
  return new Promise((resolve, reject) => {
    w.state = 'connecting';
    w.connectStart = now();
    const socket = io(URL_ + '/chat', SOCKET_OPTIONS);
    w.socket = socket;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      w.state = 'failed';
      socket.close();
      reject(new Error(`${w.id}: connect timeout`));
    }, STEP_TIMEOUT_MS);
    socket.on('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      w.connectEnd = now();
      lastEventAt = w.connectEnd;
      w.state = 'connected';
      resolve(w);
    });
    socket.on('connect_error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      w.state = 'failed';
      reject(new Error(`${w.id}: connect_error ${e && e.message}`));
    });
    socket.on('disconnect', (reason) => {
      if (w.socket !== socket && w.socket !== null) return; // a page the worker closed and replaced
      if (w.state !== 'closing' && w.state !== 'failed' && !finished && !(w.forged && w.errors.length)) {
        w.disconnected = reason;
        anomaly(`${w.id} (${w.state}) disconnected: ${reason}`);
      }
    });
    socket.on('error', (e) => {
      errorEvents += 1;
      lastEventAt = now();
      if (finished) eventsAfterEnd += 1;
      w.errors.push(e);
      if (!(hiredRaceError(w, e) || (hooks.onError && hooks.onError(w, e)))) anomaly(`${w.id} (${w.state}) got error ${J(e)}`);
      notify(w.s);
    });
    socket.on('awaiting_confirmation', (p) => onAwaiting(w, p));
    socket.on('stop', () => {
      lastEventAt = now();
      anomaly(`${w.id} (${w.state}) got stop`);
    });
    socket.on('job_is_full', (p) => {
      lastEventAt = now();
      if (finished) eventsAfterEnd += 1;
      w.fulls += 1;
      if (w.fulls === 1) w.fullAt = lastEventAt;
      else anomaly(`${w.id} got job_is_full ${w.fulls} times`);
      hooks.onFull(w, p);
      answered(w);
      notify(w.s);
    });
    socket.on('start_your_task', (p) => onStart(w, p));
    socket.on('update_worker_count', (p) => onCount(w, p));
    socket.on('workers_status', (p) => onStatus(w, p));
  });
}

// hold: the first answer to a join (count, start or refusal)
function answered(w) {
  if (w.onAnswer) {
    const f = w.onAnswer;
    w.onAnswer = null;
    f();
  }
}

function closeWorker(w) {
  if (w.acksPending > 0 && !finished) {
    w.closeAfterAcks = true;
    return;
  }
  if (w.socket) {
    w.state = 'closing';
    w.socket.close();
    w.socket = null;
  }
}

function onStart(w, p) {
  const t = now();
  lastEventAt = t;
  if (finished) eventsAfterEnd += 1;
  const named = p && Array.isArray(p.message) ? p.message : null;
  if (!named || named.length !== 1 || named[0] !== w.id) {
    anomaly(`${w.id} (${w.state}) got start_your_task naming ${J(p)}`);
    return;
  }
  w.starts += 1;
  if (w.starts > 1) {
    anomaly(`${w.id} (${w.state}) got start_your_task ${w.starts} times`);
    return;
  }
  w.startAt = t;
  if (!w.admittedAt && w.joinEmitAt) w.admittedAt = t;
  if (w.fulls > 0) anomaly(`${w.id} got start_your_task after job_is_full`);
  if (w.forged) anomaly(`${w.id} joined with a made-up assignment and got start_your_task`);
  if (hooks.onStart) hooks.onStart(w, t);
  answered(w);
  notify(w.s);
}

function onCount(w, p) {
  const t = now();
  lastEventAt = t;
  w.s.lastCountAt = t;
  totalCounts += 1;
  w.s.counts += 1;
  if (finished) {
    eventsAfterEnd += 1;
    anomaly(`${w.id} got update_worker_count after the end`);
  }
  if (w.fulls > 0) refusedBroadcasts += 1;
  // A page that emitted submit_active may still get a pair decided before its submit (a coalesced pair
  // can arrive after a targeted event decided later), but not once its socket is closed.
  if (w.state === 'closing') anomaly(`${w.id} got update_worker_count ${J(p)} after its page closed`);
  if (w.expectStatus) {
    anomaly(`${w.id} (${w.state}) got update_worker_count ${J(p)} before the workers_status of count ${w.lastCount}`);
  }
  if (!p || !Number.isInteger(p.count) || !Number.isInteger(p.max_count)) {
    anomaly(`${w.id} got a malformed update_worker_count ${J(p)}`);
  } else {
    if (p.count < 0 || p.count > p.max_count) anomaly(`${w.id} got update_worker_count ${J(p)}: count outside 0..max_count`);
    if (w.s.shape && p.max_count !== w.s.W && !w.s.maxCountMismatch) {
      w.s.maxCountMismatch = true;
      anomaly(`session ${w.s.index} (${w.s.hit}) has max_count ${p.max_count}, the client assumes maxWaiting ${w.s.W}`);
    }
  }
  if (w.forged) anomaly(`${w.id} joined with a made-up assignment and got update_worker_count ${J(p)}`);
  w.expectStatus = true;
  w.countsSeen += 1;
  if (w.countsSeen === 1) w.firstCountAt = t;
  if (!w.admittedAt && w.joinEmitAt) w.admittedAt = t;
  w.lastCount = p && p.count;
  w.maxCount = p && p.max_count;
  if (w.onCount) w.onCount(p);
  if (hooks.onCount) hooks.onCount(w, p);
  answered(w);
  notify(w.s);
}

function onStatus(w, p) {
  const t = now();
  lastEventAt = t;
  w.s.lastCountAt = t;
  if (finished) {
    eventsAfterEnd += 1;
    anomaly(`${w.id} got workers_status after the end`);
  }
  if (!w.expectStatus && w.countsSeen === 0 && w.joinEmitAt > 0) {
    // The previous event's workers_status, reaching a page whose room join fell between that event's
    // update_worker_count and workers_status (the server sends them as two steps). Counted apart. (The
    // page may already have been promoted: start_your_task is never held back behind a count pair.)
    w.s.stale += 1;
    w.lastStatus = p;
    return;
  }
  if (w.forged) anomaly(`${w.id} joined with a made-up assignment and got workers_status ${J(p)}`);
  totalStatuses += 1;
  w.s.statuses += 1;
  w.statusesSeen += 1;
  if (w.fulls > 0) refusedBroadcasts += 1;
  if (w.state === 'closing') anomaly(`${w.id} got workers_status ${J(p)} after its page closed`);
  // The pair describes one state: update_worker_count's count is the waiting queue (SPEC §5).
  if (!w.expectStatus || !p || p.waiting !== w.lastCount) {
    anomaly(`${w.id} (${w.state}) got workers_status ${J(p)} not after a matching update_worker_count (last count ${w.lastCount})`);
  } else {
    checkState(w, p);
  }
  w.expectStatus = false;
  w.lastStatus = p;
  notify(w.s);
}

// ---- counts are state -----------------------------------------------------------------------------------
//
// A server may coalesce count broadcasts (latest wins): a page can miss intermediate pairs, get a pair
// later than a start_your_task decided after it, or get the same numbers twice. So nothing here relies
// on how many pairs arrive; instead every complete pair (update_worker_count, then workers_status with
// waiting = its count) must describe a state the session can be in, and, where the client knows the
// order of the session's states (history), one it passed through no earlier than the last state this
// page was told: counts never go back in time. At quiet points every member's last pair must be the
// session's true state (sessionSettled, sessionsQuiet), and the client waits for it to arrive.
let statesSkipped = 0; // (page, state) pairs a page never got because a later state came first
let pairsRepeated = 0; // pairs that told a page the state it already had
let olderBeforeOwn = 0; // pairs older than the page's own admission, before its own (tolerated, counted)

function checkState(w, p) {
  const s = w.s;
  if (!Number.isInteger(p.active) || !Number.isInteger(p.waiting) || p.active < 0 || p.waiting < 0) {
    anomaly(`${w.id} got a malformed workers_status ${J(p)}`);
    return;
  }
  if (s.shape) {
    // SPEC §4 invariants, and §4.1.6 / §4.2: a started session (the suite's start at the first arrival,
    // minActive 1) promotes whenever a place is free and someone waits.
    if (p.active > s.A || p.waiting > s.W) {
      anomaly(`${w.id} got workers_status ${J(p)}: more than maxActive ${s.A} / maxWaiting ${s.W}`);
    } else if (p.waiting > 0 && p.active < s.A) {
      anomaly(`${w.id} got workers_status ${J(p)}: someone waits while an active place is free`);
    }
  }
  if (s.history) matchHistory(w, p);
}

function appendState(s, active, waiting) {
  s.history.push({active, waiting});
  s.atLatest = 0;
  return s.history.length - 1;
}

// The earliest state at or after the page's last one that this pair describes (a greedy match is the
// most permissive: repeats and skips are allowed, going back is not).
function matchHistory(w, p) {
  const s = w.s;
  const h = s.history;
  const same = (x) => x.active === p.active && x.waiting === p.waiting;
  const from = w.cursor >= 0 ? w.cursor : w.ownFrom;
  if (from < 0) {
    anomaly(`${w.id} (${w.state}) got workers_status ${J(p)} but the client never had it join`);
    return;
  }
  let j = from;
  while (j < h.length && !same(h[j])) j += 1;
  if (j < h.length) {
    if (w.cursor < 0) statesSkipped += j - from;
    else if (j === w.cursor) pairsRepeated += 1;
    else statesSkipped += j - w.cursor - 1;
    w.cursor = j;
    // Told the latest state since it was appended (a state can recur, e.g. the full session after every
    // handoff, so the value alone does not say the pair is new).
    const last = h[h.length - 1];
    if (!w.left && w.settledFor !== h.length && last.active === p.active && last.waiting === p.waiting) {
      w.settledFor = h.length;
      s.atLatest += 1;
    }
    return;
  }
  if (w.cursor < 0) {
    let k = from - 1;
    while (k >= 0 && !same(h[k])) k -= 1;
    if (k >= 0) {
      olderBeforeOwn += 1;
      return;
    }
  }
  anomaly(`${w.id} (${w.state}) got workers_status ${J(p)} after ${w.cursor >= 0 ? J(h[w.cursor]) : 'nothing'}: `
    + `not a state session ${s.index} passed through since (counts going back, or a state it never had)`);
}

// Quiet points of the fill and of the handoff mode. Settled: every member's last pair is the session's
// latest state (and no pair is half received). A member may have been told that same state before the
// latest events and nothing since (a coalescing server can skip a state that went and came back, e.g.
// a handoff's (A, W - 1) followed at once by its refill's (A, W)), so values alone cannot tell whether
// frames are still on their way. Settled at once when every member was told the latest state after
// it was appended (always so when every pair is delivered), otherwise once the values are right and
// no count frame reached the session for --settle-gap-ms (100, longer than a coalescing window).
const SETTLE_GAP_MS = intArg('settle-gap-ms', 100);
let gapSettles = 0; // quiet points reached by the gap rule (info)
function lastPairIsLatest(s, w) {
  const last = s.history[s.history.length - 1];
  return !w.expectStatus && w.lastStatus && w.lastStatus.active === last.active && w.lastStatus.waiting === last.waiting
    && w.lastCount === last.waiting;
}
function valuesSettled(s) {
  for (const list of [s.active, s.waiting]) for (const w of list) if (!lastPairIsLatest(s, w)) return false;
  return true;
}
function toldLatest(s) {
  if (s.atLatest < s.active.length + s.waiting.length) return false;
  for (const list of [s.active, s.waiting]) {
    for (const w of list) if (w.settledFor !== s.history.length || !lastPairIsLatest(s, w)) return false;
  }
  return true;
}
async function waitSettled(s, what) {
  const byGap = () => now() - s.lastCountAt >= SETTLE_GAP_MS && valuesSettled(s);
  if (toldLatest(s)) return;
  const tick = setInterval(() => notify(s), 20);
  try {
    await waitFor(() => toldLatest(s) || byGap(), () => `${what}: ${describeSettling(s)}`, s);
  } finally {
    clearInterval(tick);
  }
  if (!toldLatest(s)) gapSettles += 1;
}
function describeSettling(s) {
  const off = [...s.active, ...s.waiting].filter((w) => !lastPairIsLatest(s, w));
  return `session ${s.index}: ${off.length} member(s) whose last count pair is not the latest state `
    + `${J(s.history[s.history.length - 1])}` + (off.length ? `, e.g. ${off[0].id} last told ${J(off[0].lastStatus)}` : '');
}
function countSummary() {
  return {count_states_skipped: statesSkipped, count_pairs_repeated: pairsRepeated,
    count_pairs_older_than_own_admission: olderBeforeOwn, quiet_points_by_gap: gapSettles};
}

// An event with an ack callback; a worker whose socket should close meanwhile (closeWorker) stays open
// until the ack arrived.
function emitAck(w, event, payload) {
  w.acksPending = (w.acksPending || 0) + 1;
  return withTimeout(new Promise((resolve) => {
    w.socket.emit(event, payload, (answer) => {
      if (!answer || answer.ok !== true) anomaly(`${w.id} ${event} refused: ${J(answer)}`);
      resolve();
    });
  }), () => `${w.id} ${event} ack`).catch((e) => anomaly(e.message)).finally(() => {
    w.acksPending -= 1;
    if (w.acksPending === 0 && w.closeAfterAcks) closeWorker(w);
  });
}
function sendReady(w) {
  return emitAck(w, 'IAmReady', {worker: w.id, aid: w.aid, hit_id: w.hit, time_waited: 0, reward: '0.00'});
}
function emitConnected(w) {
  w.state = 'joining';
  w.joinEmitAt = now();
  w.socket.emit('connected', {workerId: w.id, aid: w.aid, hit_id: w.hit});
}
function emitSubmitActive(w) {
  w.socket.emit('submit_active', {worker: w.id, aid: w.aid, hit_id: w.hit});
}

// SPEC §4.1.0: the server has the page's claim but not yet the marketplace's confirmation of its
// assignment; it admits the page (update_worker_count / start_your_task) when the confirmation lands,
// or answers error unconfirmed_assignment after timeout_seconds.
function onAwaiting(w, p) {
  const t = now();
  lastEventAt = t;
  if (finished) eventsAfterEnd += 1;
  totalAwaits += 1;
  w.awaits += 1;
  if (w.awaits === 1) w.awaitAt = t;
  else anomaly(`${w.id} (${w.state}) got awaiting_confirmation ${w.awaits} times`);
  if (!p || typeof p.message !== 'string' || !Number.isFinite(p.timeout_seconds) || p.timeout_seconds <= 0) {
    anomaly(`${w.id} got a malformed awaiting_confirmation ${J(p)}`);
  } else {
    confirmationTimeoutSeconds = p.timeout_seconds;
  }
  if (w.admittedAt) anomaly(`${w.id} (${w.state}) got awaiting_confirmation after it was admitted`);
  if (w.state !== 'joining') anomaly(`${w.id} (${w.state}) got awaiting_confirmation but is not joining`);
  watchConfirmation(w);
  notify(w.s);
}

// ---- statistics ------------------------------------------------------------------------------------------

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
function stats(values, prefix = '') {
  const sorted = values.slice().sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return {
    [prefix + 'p50_ms']: round3(percentile(sorted, 50)), [prefix + 'p95_ms']: round3(percentile(sorted, 95)),
    [prefix + 'p99_ms']: round3(percentile(sorted, 99)), [prefix + 'max_ms']: round3(sorted[sorted.length - 1]),
    [prefix + 'min_ms']: round3(sorted[0]), [prefix + 'mean_ms']: round3(mean),
  };
}
// The entries of a stats() result whose names end with one of these suffixes.
function pick(st, ...suffixes) {
  return Object.fromEntries(Object.entries(st).filter(([k]) => suffixes.some((x) => k.endsWith(x))));
}
function serverMemory(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = text.match(new RegExp('^' + key + ':\\s+(\\d+) kB', 'm'));
      return m ? Number(m[1]) : null;
    };
    return {rss_kb: kb('VmRSS'), hwm_kb: kb('VmHWM')};
  } catch (e) {
    anomaly(`cannot read /proc/${pid}/status: ${e.message}`);
    return {rss_kb: null, hwm_kb: null};
  }
}
const clientRssKb = () => Math.round(process.memoryUsage().rss / 1024);

// ---- filling the sessions in a known FIFO order (handoff, rate) -----------------------------------------

// Joins one worker of a session being filled sequentially (or the handoff's refill); `after` is the
// session's state once this arrival is decided ({active, waiting}). Resolves when the joiner got its own
// update_worker_count (count = the waiting queue after it; max_count = maxWaiting) and, when it is
// promoted on arrival, its start_your_task too. The joiner is bound to the session at its admission, so
// any count it gets proves it was admitted; with coalesced counts the first one may still be an older
// pair, which is skipped (and counted by matchHistory), and the joiner waits for the first count at
// least as recent as its own. Exactly its own: nothing else happens in the session before this join is
// answered (the fill is sequential, a handoff's refill comes after its promotion), so a later count is
// an anomaly.
function joinInOrder(w, after, expectPromoted) {
  const s = w.s;
  const expectCount = after.waiting;
  if (s.history) w.ownFrom = appendState(s, after.active, after.waiting);
  const gotCount = new Promise((resolve) => {
    w.onCount = (p) => {
      if (p.count < expectCount) return;
      if (p.count > expectCount) anomaly(`${w.id} joined and saw count ${p.count}, expected ${expectCount}`);
      w.onCount = null;
      resolve();
    };
  });
  const gotStart = expectPromoted ? new Promise((resolve) => { w.onJoinStart = resolve; }) : Promise.resolve();
  emitConnected(w);
  return withTimeout(Promise.all([gotCount, gotStart]), () => `${w.id} join (count ${expectCount})`).then(() => {
    w.onJoinStart = null;
    w.confirmed = true;
    w.confirmAt = now();
    if (expectPromoted) {
      w.state = 'active';
      s.active.push(w);
      s.maxPromotedEmitAt = Math.max(s.maxPromotedEmitAt, w.joinEmitAt);
    } else {
      w.state = 'waiting';
      s.waiting.push(w);
    }
  });
}

const SETTLE_EVERY = intArg('settle-every', 100);

// Every worker accepts an assignment of its session's first HIT (which has exactly maxActive +
// maxWaiting) and connects its page; then the sessions are filled in parallel, each one sequentially.
// Waits until every member was told the session's latest state only every SETTLE_EVERY joins (each
// join still waits for the joiner's own count, which keeps the FIFO order known), then at the end. The
// fill's workers accept before waiting their turn to join, so their accept -> admitted times are not
// measured. The fill's states are known in order (join k leaves min(k, A) active and max(0, k - A)
// waiting), so its counts are checked against that history.
async function fillSessions(sessions) {
  const started = now();
  for (const s of sessions) {
    s.shape = true;
    s.history = [];
  }
  await learnHitTypes(sessions);
  const bySession = sessions.map((s) => Array.from({length: s.n}, () => newWorker(s)));
  // Interleave sessions so that all of them can start joining early.
  const order = [];
  for (let i = 0; i < Math.max(...sessions.map((s) => s.n)); i++) {
    for (const list of bySession) if (i < list.length) order.push(list[i]);
  }
  await pool(order, CONNECT_CONCURRENCY, async (w) => {
    if (!(await acceptHit(w, w.s.hit))) {
      throw new Error(`${w.id}: HIT ${w.s.hit} of session ${w.s.index} has no assignment left for the fill `
        + `(it should have maxActive + maxWaiting = ${w.s.n})`);
    }
    await connect(w);
  });
  const connectSeconds = (now() - started) / 1000;
  log(`${order.length} assignments accepted and sockets connected in ${connectSeconds.toFixed(1)} s; `
    + `joining ${sessions.length} session(s) of ${sessions[0].n}`);
  let joined = 0;
  let nextReport = 1000;
  await Promise.all(sessions.map(async (s, si) => {
    const ws = bySession[si];
    for (let k = 1; k <= s.n; k++) {
      // the first A start on arrival
      await joinInOrder(ws[k - 1], {active: Math.min(k, s.A), waiting: Math.max(0, k - s.A)}, k <= s.A);
      joined += 1;
      if (k % SETTLE_EVERY === 0 || k === s.n) {
        await waitSettled(s, `after ${k} joins`);
      }
      if (joined >= nextReport) {
        nextReport += 1000;
        log(`${joined} joined after ${((now() - started) / 1000).toFixed(1)} s; broadcasts received ${totalStatuses}`);
      }
    }
  }));
  return {setupSeconds: (now() - started) / 1000, connectSeconds};
}

// Common hook while filling: a joiner expected to be promoted on arrival.
function fillStartHook(w) {
  if (w.state === 'joining' && w.onJoinStart) {
    w.onJoinStart();
    return true;
  }
  return false;
}

// Sessions full and quiet: queues as the client expects, and every member saw the full waiting queue
// (count = maxWaiting) and its workers_status last.
function sessionsQuiet(sessions) {
  for (const s of sessions) {
    if (s.outstanding.length || s.pendingRefills || s.active.length !== s.A || s.waiting.length !== s.W) return false;
    for (const list of [s.active, s.waiting]) {
      for (const w of list) {
        if (w.lastCount !== s.W || w.expectStatus || !w.lastStatus
            || w.lastStatus.active !== s.A || w.lastStatus.waiting !== s.W) return false;
      }
    }
  }
  return true;
}
function describeUnquiet(sessions) {
  const out = [];
  for (const s of sessions) {
    const members = [...s.active, ...s.waiting];
    const off = members.filter((w) => w.lastCount !== s.W || w.expectStatus || !w.lastStatus
      || w.lastStatus.active !== s.A || w.lastStatus.waiting !== s.W);
    if (s.outstanding.length || s.pendingRefills || s.active.length !== s.A || s.waiting.length !== s.W || off.length) {
      out.push(`session ${s.index}: active ${s.active.length}/${s.A} waiting ${s.waiting.length}/${s.W} outstanding ${s.outstanding.length} `
        + `refills ${s.pendingRefills}; ${off.length} member(s) not settled` + (off.length ? ` e.g. ${off[0].id} count ${off[0].lastCount} status ${J(off[0].lastStatus)}` : ''));
    }
    if (out.length >= 3) break;
  }
  return out.join('; ');
}

// FIFO, checked soundly: a worker still waiting whose admission the client saw before some promoted
// worker of its session even emitted `connected` arrived first and should have been promoted first.
function checkFifo(sessions) {
  for (const s of sessions) {
    for (const q of s.waiting) {
      if (q.confirmAt < s.maxPromotedEmitAt) {
        anomaly(`session ${s.index}: ${q.id} still waits although a worker that joined after it was promoted (FIFO)`);
        break;
      }
    }
  }
}

// Nothing may arrive after the end.
async function checkEnd() {
  await sleep(1000);
  finished = true;
  const before = totalCounts + totalStatuses;
  await sleep(500);
  if (totalCounts + totalStatuses !== before) anomaly('messages kept arriving after the end');
}

function closeAll() {
  finished = true;
  for (const w of allWorkers) closeWorker(w);
}

function finish(summary, human) {
  summary.anomalies = anomalies.length;
  if (anomalies.length) summary.first_anomalies = anomalies.slice(0, 5);
  summary.ok = anomalies.length === 0 && !summary.error;
  console.log(human + `; anomalies=${anomalies.length}` + (summary.ok ? '' : ' NOT OK'));
  console.log(J(summary));
  process.exit(summary.ok ? 0 : 1);
}

function baseSummary(sessions) {
  return {
    type: `${MODE}-summary`,
    label: LABEL || undefined,
    workers: N,
    sessions: sessions.length,
    workers_per_session: sessions.length === 1 || sessions.every((s) => s.n === sessions[0].n) ? sessions[0].n : sessions.map((s) => s.n),
  };
}

function requireEvenSpread(sessions) {
  if (N % sessions.length !== 0) usage(`--workers ${N} is not a multiple of the ${sessions.length} sessions`);
  if (sessions[0].n < 2) usage('each session needs at least 2 workers');
}

// ---- mode: handoff ---------------------------------------------------------------------------------------

async function runHandoff() {
  const HANDOFFS = intArg('handoffs', 2000);
  const WARMUP = intArg('warmup', 200);
  const sessions = makeSessions(N);
  requireEvenSpread(sessions);
  const S = sessions.length;
  log(`${url()} ${S} session(s) x ${sessions[0].n} workers (${sessions[0].A} active + ${sessions[0].W} waiting each); `
    + `${WARMUP} + ${HANDOFFS} handoffs`);

  hooks.onStart = (w, t) => {
    if (fillStartHook(w)) return;
    const s = w.s;
    if (!s.pending || s.pending.w !== w) {
      anomaly(`${w.id} (${w.state}) was promoted, expected ${s.pending ? s.pending.w.id : 'nobody'}`);
      return;
    }
    const pending = s.pending;
    s.pending = null;
    pending.resolve(t);
  };

  const {setupSeconds, connectSeconds} = await fillSessions(sessions);
  log(`sessions full after ${setupSeconds.toFixed(1)} s`);

  const latencies = [];
  const dump = [];
  const slowest = [];
  const hireWaits = []; // marketplace submit answered -> the refill accepted the hire's HIT
  const runStarted = now();
  for (let i = 0; i < WARMUP + HANDOFFS; i++) {
    phase = `handoff ${i}`;
    const s = sessions[i % S];
    const leaver = s.active.shift();
    const promoted = s.waiting[0];
    const statusBase = s.statuses;
    const countBase = s.counts;
    const promotedAt = new Promise((resolve) => { s.pending = {w: promoted, resolve}; });
    leaver.state = 'submitted';
    leaver.left = true;
    appendState(s, s.A, s.W - 1); // the leaver's place goes to the oldest waiting worker
    const t0 = now();
    emitSubmitActive(leaver);
    const t1 = await withTimeout(promotedAt, () => `session ${s.index}: start_your_task for ${promoted.id}`);
    const latency = t1 - t0;
    const framesBefore = s.counts - countBase + s.statuses - statusBase;
    if (i >= WARMUP) {
      latencies.push(latency);
      if (DUMP) dump.push(`${i} ${s.index} ${latency.toFixed(3)} ${t0.toFixed(1)} ${framesBefore}`);
    }
    slowest.push({handoff: i, session: s.index, ms: round3(latency)});
    slowest.sort((a, b) => b.ms - a.ms);
    if (slowest.length > 5) slowest.pop();

    // ---- outside the measured interval ----
    s.handoffs += 1;
    s.waiting.shift();
    promoted.state = 'active';
    s.active.push(promoted);
    s.maxPromotedEmitAt = Math.max(s.maxPromotedEmitAt, promoted.joinEmitAt);
    if (SEND_READY) await sendReady(promoted);
    // The leaver's page posts its form: the marketplace marks the assignment Submitted and tells
    // Pavilion, which hires (a new one-assignment HIT of the session's type); a new worker finds that
    // HIT on the board, accepts it, opens its page and joins.
    await submitAtMarket(leaver);
    const submittedAt = now();
    closeWorker(leaver);
    const fresh = newWorker(s);
    fresh.measureAdmission = true;
    await acceptFromBoard(fresh);
    hireWaits.push(fresh.firstAcceptedAt - submittedAt);
    await connect(fresh);
    await joinInOrder(fresh, {active: s.A, waiting: s.W}, false); // the refill makes the waiting queue full again
    // Quiet before the next handoff: every member was told the full session (it may have skipped the
    // handoff's own pair, if the server coalesces counts).
    await waitSettled(s, `handoff ${i}`);
    if ((i + 1) % 500 === 0) log(`${i + 1} handoffs`);
  }
  const runSeconds = (now() - runStarted) / 1000;
  phase = 'end';
  await checkEnd();

  let promotions = 0;
  for (const s of sessions) {
    if (s.active.length !== s.A || s.waiting.length !== s.W) anomaly(`session ${s.index}: final queues ${s.active.length}/${s.waiting.length}`);
    for (const w of [...s.active, ...s.waiting]) {
      if (w.lastCount !== s.W) anomaly(`${w.id} last saw count ${w.lastCount}, expected maxWaiting ${s.W}`);
      if (w.state === 'active' && w.starts !== 1) anomaly(`${w.id} active with ${w.starts} start_your_task`);
      if (w.state === 'waiting' && w.starts !== 0) anomaly(`${w.id} waiting with ${w.starts} start_your_task`);
    }
    if (!valuesSettled(s)) anomaly(`at the end ${describeSettling(s)}`);
    promotions += s.workers.reduce((sum, w) => sum + w.starts, 0);
  }
  checkFifo(sessions);
  const expectedPromotions = sessions.reduce((sum, s) => sum + s.A, 0) + WARMUP + HANDOFFS;
  if (promotions !== expectedPromotions) anomaly(`start_your_task received ${promotions}, expected ${expectedPromotions}`);
  // Every leaver submitted at the marketplace, and every refill found a hire's HIT: hires = submissions.
  if (market.submits !== WARMUP + HANDOFFS) anomaly(`marketplace submits ${market.submits}, expected ${WARMUP + HANDOFFS}`);
  const refillsAccepted = allWorkers.filter((w) => w.measureAdmission && w.firstAcceptedAt).length;
  if (refillsAccepted !== WARMUP + HANDOFFS) anomaly(`refills that found a hire's HIT ${refillsAccepted}, expected ${WARMUP + HANDOFFS}`);
  closeAll();
  if (DUMP) fs.writeFileSync(DUMP, '# index session latency_ms emitted_at_ms frames_before\n' + dump.join('\n') + '\n');

  const st = stats(latencies);
  const summary = {
    ...baseSummary(sessions),
    maxActive: sessions[0].A,
    maxWaiting: sessions[0].W,
    warmup: WARMUP,
    handoffs: latencies.length,
    ...st,
    cycles_per_s: round3((WARMUP + HANDOFFS) / runSeconds),
    setup_s: round3(setupSeconds),
    connect_s: round3(connectSeconds),
    settle_every: SETTLE_EVERY,
    promotions,
    count_broadcasts_received: totalCounts,
    status_broadcasts_received: totalStatuses,
    stale_status_before_join: sessions.reduce((sum, s) => sum + s.stale, 0),
    ...countSummary(),
    ready_sent: SEND_READY,
    per_message_deflate_offered: DEFLATE,
    slowest_incl_warmup: slowest,
    ...admissionSummary(),
    ...pick(stats(hireWaits, 'submit_to_hire_accepted_'), 'p50_ms', 'p99_ms', 'max_ms'),
  };
  finish(summary, `handoff N=${N} S=${S} handoffs=${latencies.length} (after ${WARMUP} warm-up) p50=${st.p50_ms} ms `
    + `p95=${st.p95_ms} ms p99=${st.p99_ms} ms max=${st.max_ms} ms mean=${st.mean_ms} ms; ${summary.cycles_per_s} cycles/s; `
    + `setup ${summary.setup_s} s; ${admissionHuman(summary)}; marketplace submit -> hire's HIT accepted p50 `
    + `${summary.submit_to_hire_accepted_p50_ms} p99 ${summary.submit_to_hire_accepted_p99_ms} ms`);
}

// ---- mode: rate ------------------------------------------------------------------------------------------

async function runRate() {
  const RATES = String(arg('rates', '100,200,500,1000,2000,3000')).split(',').map(Number);
  if (RATES.some((r) => !(r > 0))) usage('--rates must be positive numbers');
  const STEP_SECONDS = Number(arg('step-seconds', '5'));
  const P99_LIMIT = Number(arg('p99-limit-ms', '50'));
  const WARMUP_SECONDS = Number(arg('warmup-seconds', '5'));
  const SESSION_P99_LIMIT = Number(arg('session-p99-limit-ms', '20'));
  const STARVE_FRACTION = Number(arg('starve-fraction', '0.8'));
  if (!(STARVE_FRACTION > 0 && STARVE_FRACTION <= 1)) usage('--starve-fraction must be in (0, 1]');
  const sessions = makeSessions(N);
  requireEvenSpread(sessions);
  const S = sessions.length;
  log(`${url()} ${S} session(s) x ${sessions[0].n} workers; rates ${RATES.join(',')}/s, ${STEP_SECONDS} s each`);

  let step = null; // the step being measured
  const dump = [];
  let pendingAcks = 0;
  hooks.onStart = (w, t) => {
    if (fillStartHook(w)) return;
    const s = w.s;
    if (w.state !== 'waiting' && w.state !== 'joining') {
      anomaly(`${w.id} (${w.state}) got start_your_task but is not waiting`);
      return;
    }
    const entry = s.outstanding.shift();
    if (!entry) {
      anomaly(`${w.id} (${w.state}) was promoted with no submit outstanding in session ${s.index}`);
    } else {
      const latency = t - entry.t0;
      const st = entry.step;
      st.latencies.push(latency);
      st.perSession[s.index].latencies.push(latency);
      st.lastPromotionAt = t;
      if (DUMP) dump.push(`${st.offered} ${s.index} ${latency.toFixed(3)} ${entry.t0.toFixed(1)}`);
      closeWorker(entry.leaver);
    }
    if (w.state === 'waiting') {
      const idx = s.waiting.indexOf(w);
      s.waiting.splice(idx, 1);
      if (idx > 0 && step) step.not_oldest += 1;
    } else {
      // a refill promoted on arrival, before the client saw it admitted
      if (!w.refill) anomaly(`${w.id} (joining) was promoted on arrival`);
      w.confirmed = true;
      w.confirmAt = t;
      s.pendingRefills -= 1;
      if (step) step.promoted_on_arrival += 1;
    }
    w.state = 'active';
    s.active.push(w);
    s.maxPromotedEmitAt = Math.max(s.maxPromotedEmitAt, w.joinEmitAt);
    if (SEND_READY) {
      pendingAcks += 1;
      sendReady(w).finally(() => { pendingAcks -= 1; });
    }
  };
  hooks.onCount = (w) => {
    if (w.refill && w.state === 'joining' && !w.confirmed) {
      // a refill's first count: admitted, waiting
      w.confirmed = true;
      w.confirmAt = now();
      w.state = 'waiting';
      w.s.waiting.push(w);
      w.s.pendingRefills -= 1;
    }
  };

  const {setupSeconds, connectSeconds} = await fillSessions(sessions);
  log(`sessions full after ${setupSeconds.toFixed(1)} s`);
  // From here on submits and refills interleave in an order the client does not know: the counts are
  // checked against what a session can be (shape) and, at every quiet point, against the full session.
  for (const s of sessions) s.history = null;

  // A refill is a new worker that takes the HIT which the leaver's submission made Pavilion post: it
  // waits on the board for an open HIT of the session's type, accepts it, opens its page and joins at
  // once. It cannot find the session full: the hire is made only after the marketplace confirmed the
  // submission, which the session decides after the leaver's slot was freed (by the page's submit or
  // by that confirmation itself), and the session decides its events one at a time.
  let pendingMarketSubmits = 0;
  function refill(s, st) {
    const fresh = newWorker(s);
    fresh.refill = true;
    fresh.measureAdmission = true;
    fresh.step = st;
    s.pendingRefills += 1;
    acceptFromBoard(fresh).then(() => connect(fresh)).then(() => emitConnected(fresh), (e) => {
      s.pendingRefills -= 1;
      anomaly(`refill: ${e.message}`);
    });
  }
  // Fairness over the sessions, for one step: each session's own latency percentiles and promotions.
  // Submit slots are offered round-robin (pickSession), so every session is offered the same number; a
  // session is starved when any of its submits was lost, or when it got fewer than --starve-fraction of
  // the handoffs offered to it (an offer passes to the next session when this one has no waiting worker
  // left, i.e. its refills, which wait for its hires, did not keep up; per_session.skipped).
  function fairness(per) {
    const rows = per.map((x, index) => {
      const sorted = x.latencies.slice().sort((a, b) => a - b);
      return {session: index, offered: x.offered, skipped: x.skipped, lost: x.lost, promotions: sorted.length,
        p50: percentile(sorted, 50), p99: percentile(sorted, 99)};
    });
    const starved = rows.filter((r) => r.lost > 0 || (r.offered > 0 && r.promotions < STARVE_FRACTION * r.offered));
    const measured = rows.filter((r) => r.promotions > 0);
    const worst = measured.reduce((a, r) => (!a || r.p99 > a.p99 ? r : a), null);
    const p99s = measured.map((r) => r.p99).sort((a, b) => a - b);
    const counts = rows.map((r) => r.promotions);
    const offers = rows.map((r) => r.offered);
    return {
      session_p99_worst_ms: worst ? round3(worst.p99) : null,
      session_p99_worst_session: worst ? worst.session : null,
      session_p99_median_ms: round3(percentile(p99s, 50)),
      session_p50_worst_ms: measured.length ? round3(Math.max(...measured.map((r) => r.p50))) : null,
      session_promotions_min: Math.min(...counts),
      session_promotions_max: Math.max(...counts),
      session_offered_min: Math.min(...offers),
      session_offered_max: Math.max(...offers),
      starved_sessions: starved.length,
      starved_first: starved.length ? starved.slice(0, 5).map((r) => ({session: r.session, offered: r.offered,
        promotions: r.promotions, skipped: r.skipped, lost: r.lost})) : undefined,
      per_session: {
        p50_ms: rows.map((r) => round3(r.p50)), p99_ms: rows.map((r) => round3(r.p99)), promotions: counts,
        offered: offers, skipped: rows.map((r) => r.skipped), lost: rows.map((r) => r.lost),
      },
    };
  }

  // Submit slots go round-robin over the sessions: slot k is offered to session k mod S (its fair
  // share, per_session.offered); when that session has no free waiting worker, the next ones are tried.
  let slot = 0;
  function pickSession(st) {
    const first = slot % S;
    slot += 1;
    st.perSession[first].offered += 1;
    for (let tries = 0; tries < S; tries++) {
      const s = sessions[(first + tries) % S];
      if (s.waiting.length - s.outstanding.length > 0 && s.active.length > 0) return s;
      st.skipped += 1;
      st.perSession[s.index].skipped += 1;
    }
    return null;
  }
  function submitOne(st) {
    const s = pickSession(st);
    if (!s) {
      st.unsent += 1;
      return;
    }
    const leaver = s.active.shift();
    leaver.state = 'submitted';
    const t0 = now();
    s.outstanding.push({leaver, t0, step: st});
    emitSubmitActive(leaver);
    st.sent += 1;
    // The page's form post: the marketplace's submission, which is what makes Pavilion hire.
    pendingMarketSubmits += 1;
    submitAtMarket(leaver).finally(() => { pendingMarketSubmits -= 1; });
    refill(s, st);
  }
  // Lost submits: no promotion within the step timeout.
  const lostTimer = setInterval(() => {
    const t = now();
    for (const s of sessions) {
      while (s.outstanding.length && t - s.outstanding[0].t0 > STEP_TIMEOUT_MS) {
        const entry = s.outstanding.shift();
        entry.step.lost += 1;
        entry.step.perSession[s.index].lost += 1;
        anomaly(`session ${s.index}: submit of ${entry.leaver.id} lost (no promotion within ${STEP_TIMEOUT_MS} ms)`);
        closeWorker(entry.leaver);
      }
    }
  }, 100);

  const steps = [];
  let warmupResult = null;
  const plan = RATES.map((R) => ({R, seconds: STEP_SECONDS, warmup: false}));
  if (WARMUP_SECONDS > 0) plan.unshift({R: RATES[0], seconds: WARMUP_SECONDS, warmup: true});
  for (const {R, seconds, warmup} of plan) {
    phase = warmup ? `rate warm-up ${R}/s` : `rate ${R}/s`;
    const st = {offered: warmup ? `warmup${R}` : R, sent: 0, skipped: 0, unsent: 0, lost: 0, not_oldest: 0, promoted_on_arrival: 0,
      latencies: [], lastPromotionAt: 0,
      perSession: sessions.map(() => ({offered: 0, skipped: 0, lost: 0, latencies: []}))};
    step = st;
    const interval = 1000 / R;
    const total = Math.max(1, Math.round(R * seconds));
    const cpu0 = process.cpuUsage();
    const start = now();
    st.start = start;
    let k = 0;
    while (k < total) {
      const t = now();
      const due = Math.min(total, Math.floor((t - start) / interval) + 1);
      while (k < due) {
        submitOne(st);
        k += 1;
      }
      if (k >= total) break;
      const wait = start + k * interval - now();
      await sleep(Math.max(0, Math.floor(wait)));
    }
    const sendEnd = now();
    const cpuSending = process.cpuUsage(cpu0);
    let settled = true;
    try {
      await pollUntil(() => sessionsQuiet(sessions) && pendingAcks === 0 && pendingMarketSubmits === 0,
        () => `settling after ${R}/s: ${describeUnquiet(sessions)}; acks pending ${pendingAcks}; marketplace submits `
          + `pending ${pendingMarketSubmits}; workers looking for a HIT ${boardWaiting()}`, STEP_TIMEOUT_MS + 5000);
    } catch (e) {
      anomaly(e.message);
      settled = false;
    }
    const settleEnd = now();
    const cpu = process.cpuUsage(cpu0);
    checkFifo(sessions);
    const sendSeconds = (sendEnd - start) / 1000;
    const lat = stats(st.latencies);
    const refills = allWorkers.filter((w) => w.step === st && w.firstAcceptedAt && w.admittedAt);
    const adm = stats(refills.map((w) => w.admittedAt - w.firstAcceptedAt));
    const result = {
      offered_per_s: R,
      seconds: round3(sendSeconds),
      sent: st.sent,
      achieved_submits_per_s: round3(st.sent / sendSeconds),
      promotions: st.latencies.length,
      promotions_per_s: round3(st.latencies.length / (Math.max(st.lastPromotionAt, sendEnd) - start) * 1000),
      p50_ms: lat.p50_ms, p99_ms: lat.p99_ms, max_ms: lat.max_ms, mean_ms: lat.mean_ms,
      lost: st.lost, skipped: st.skipped, unsent: st.unsent,
      not_oldest: st.not_oldest, promoted_on_arrival: st.promoted_on_arrival,
      refills_admitted: refills.length,
      accept_to_admitted_p50_ms: adm.p50_ms, accept_to_admitted_p99_ms: adm.p99_ms, accept_to_admitted_max_ms: adm.max_ms,
      ...fairness(st.perSession),
      settle_ms: round3(settleEnd - sendEnd),
      // Client CPU (main thread and zlib) per wall-clock time: near 100 while sending means the client,
      // not the server, set the pace.
      client_cpu_pct_sending: round3(((cpuSending.user + cpuSending.system) / 1000) / (sendEnd - start) * 100),
      client_cpu_pct: round3(((cpu.user + cpu.system) / 1000) / (settleEnd - start) * 100),
    };
    if (warmup) {
      warmupResult = result;
    } else {
      steps.push(result);
    }
    log(`${warmup ? 'warm-up ' : ''}${R}/s: sent ${result.sent} (${result.achieved_submits_per_s}/s), promotions ${result.promotions_per_s}/s, `
      + `p50 ${result.p50_ms} p99 ${result.p99_ms} max ${result.max_ms} ms, lost ${result.lost}, skipped ${result.skipped}, `
      + (S > 1 ? `worst session p99 ${result.session_p99_worst_ms} ms (session ${result.session_p99_worst_session}), `
        + `promotions per session ${result.session_promotions_min}..${result.session_promotions_max}, `
        + `starved ${result.starved_sessions}, ` : '')
      + `unsent ${result.unsent}, refills accept->admitted p50 ${result.accept_to_admitted_p50_ms} p99 `
      + `${result.accept_to_admitted_p99_ms} ms, client cpu ${result.client_cpu_pct_sending}% while sending`);
    if (!settled || st.lost > 0 || (!warmup && !(result.p99_ms <= P99_LIMIT))) break;
  }
  step = null;
  clearInterval(lostTimer);
  phase = 'end';
  await checkEnd();
  closeAll();
  if (DUMP) fs.writeFileSync(DUMP, '# offered_per_s(or warmupR) session latency_ms emitted_at_ms\n' + dump.join('\n') + '\n');

  const sentInAll = steps.concat(warmupResult ? [warmupResult] : []).reduce((sum, r) => sum + r.sent, 0);
  if (market.submits !== sentInAll) anomaly(`marketplace submits ${market.submits}, submits sent ${sentInAll}`);
  const good = steps.filter((r) => r.p99_ms !== null && r.p99_ms <= P99_LIMIT && r.lost === 0);
  const sustained = good.length ? Math.max(...good.map((r) => r.achieved_submits_per_s)) : 0;
  const fair = steps.filter((r) => r.session_p99_worst_ms !== null && r.session_p99_worst_ms <= SESSION_P99_LIMIT
    && r.starved_sessions === 0 && r.lost === 0);
  const fairSustained = fair.length ? Math.max(...fair.map((r) => r.achieved_submits_per_s)) : 0;
  const summary = {
    ...baseSummary(sessions),
    step_seconds: STEP_SECONDS,
    p99_limit_ms: P99_LIMIT,
    sustained_handoffs_per_s: sustained,
    session_p99_limit_ms: SESSION_P99_LIMIT,
    starve_fraction: STARVE_FRACTION,
    fair_sustained_handoffs_per_s: fairSustained,
    steps,
    warmup_step: warmupResult || undefined,
    setup_s: round3(setupSeconds),
    connect_s: round3(connectSeconds),
    promotions: allWorkers.reduce((sum, w) => sum + w.starts, 0),
    count_broadcasts_received: totalCounts,
    status_broadcasts_received: totalStatuses,
    stale_status_before_join: sessions.reduce((sum, s) => sum + s.stale, 0),
    ...countSummary(),
    ready_sent: SEND_READY,
    per_message_deflate_offered: DEFLATE,
    ...admissionSummary(),
  };
  finish(summary, `rate N=${N} S=${S}: sustained ${sustained} handoffs/s (p99 <= ${P99_LIMIT} ms, nothing lost); `
    + `fair ${fairSustained} handoffs/s (every session's p99 <= ${SESSION_P99_LIMIT} ms, none starved); steps `
    + steps.map((r) => `${r.offered_per_s}/s->${r.achieved_submits_per_s}/s p99 ${r.p99_ms} ms worst session p99 `
      + `${r.session_p99_worst_ms} ms starved ${r.starved_sessions} lost ${r.lost}`).join(', ')
    + `; ${admissionHuman(summary)}`);
}

// ---- mode: burst -----------------------------------------------------------------------------------------

async function runBurst() {
  const WITHIN_MS = intArg('within-ms', 1000);
  const EXPECT = intArg('expect-admitted', 100);
  const QUIET_MS = intArg('quiet-ms', 2000);
  const FORGED = intArg('forged', 0);
  if (HITS.length !== 1) usage('burst takes exactly one HIT');
  if (FORGED < 0) usage('--forged must be 0 or more');
  const s = makeSessions(N)[0];
  log(`${url()} ${N} workers try to accept HIT ${s.hit} within ${WITHIN_MS} ms, expecting ${EXPECT} admitted; `
    + `${FORGED} page(s) with made-up assignments`);
  phase = 'burst';
  hooks.onFull = () => {};
  // A made-up assignment is never confirmed: its page must be told to wait, then refused.
  hooks.onError = (w, e) => w.forged && e && e.code === 'unconfirmed_assignment';
  const clients = Array.from({length: N}, () => {
    const w = newWorker(s);
    w.measureAdmission = true;
    return w;
  });
  const forged = Array.from({length: FORGED}, () => {
    const w = newWorker(s);
    w.forged = true;
    w.aid = madeUpAssignmentId();
    w.hit = s.hit; // HIT ids are public
    return w;
  });
  // Real and forged arrivals interleaved, spread evenly over the window.
  const schedule = [...clients.map((w, i) => ({w, at: (i * WITHIN_MS) / N})),
    ...forged.map((w, i) => ({w, at: (i * WITHIN_MS) / FORGED + WITHIN_MS / (2 * Math.max(1, FORGED))}))]
    .sort((a, b) => a.at - b.at);
  let done = 0; // real workers whose accept was answered and, if accepted, whose page connected (or failed)
  const start = now();
  for (const {w, at} of schedule) {
    const wait = start + at - now();
    if (wait >= 1) await sleep(Math.floor(wait));
    if (w.forged) {
      connect(w).then(() => emitConnected(w), (e) => {
        w.connectError = e.message;
        anomaly(e.message);
      });
      continue;
    }
    acceptHit(w, s.hit).then((accepted) => {
      if (!accepted) {
        w.marketRefused = true; // a real worker meets "no more assignments" and never opens the page
        return null;
      }
      return connect(w).then(() => emitConnected(w));
    }).catch((e) => {
      w.connectError = e.message;
      anomaly(e.message);
    }).finally(() => {
      done += 1;
      lastEventAt = Math.max(lastEventAt, now());
    });
  }
  const startedAll = now();
  lastEventAt = Math.max(lastEventAt, startedAll);
  const answeredOrDone = (w) => w.marketRefused || w.connectError || w.fulls > 0 || w.starts > 0 || w.countsSeen > 0;
  await pollUntil(() => done === N && clients.every(answeredOrDone) && now() - lastEventAt >= QUIET_MS,
    () => `burst quiet: ${done} of ${N} accepts done, ${clients.filter(answeredOrDone).length} answered, `
      + `last event ${Math.round(now() - lastEventAt)} ms ago`, STEP_TIMEOUT_MS + WITHIN_MS + QUIET_MS, 50).catch((e) => anomaly(e.message));
  // Pages with made-up assignments hear only after the server's confirmation timeout.
  if (FORGED > 0) {
    const forgedDone = (w) => w.connectError || w.errors.length > 0 || w.countsSeen > 0 || w.starts > 0 || w.fulls > 0;
    const limit = ((confirmationTimeoutSeconds || 30) * 1000) + STEP_TIMEOUT_MS;
    await pollUntil(() => forged.every(forgedDone), () => `${forged.filter((w) => !forgedDone(w)).length} page(s) with a `
      + `made-up assignment got no answer within ${limit} ms`, limit, 100).catch((e) => anomaly(e.message));
  }

  // ---- classify ----
  let refusedByMarket = 0;
  let refusedFull = 0;
  let active = 0;
  let waitingAdmitted = 0;
  let unanswered = 0;
  let lastAnswer = 0;
  const answerLatency = [];
  const connectTimes = [];
  const admitted = [];
  for (const w of clients) {
    if (w.marketRefused) {
      refusedByMarket += 1;
      continue;
    }
    if (w.connectEnd) connectTimes.push(w.connectEnd - w.connectStart);
    let answerAt = 0;
    if (w.fulls > 0) {
      refusedFull += 1;
      answerAt = w.fullAt;
      if (w.starts > 0) anomaly(`${w.id} was both refused and promoted`);
    } else if (w.starts > 0) {
      active += 1;
      admitted.push(w);
      answerAt = w.admittedAt;
    } else if (w.countsSeen > 0) {
      waitingAdmitted += 1;
      admitted.push(w);
      answerAt = w.admittedAt;
    } else {
      unanswered += 1;
      if (unanswered <= 5) anomaly(`${w.id} (${w.state}) got no answer${w.connectError ? ' (' + w.connectError + ')' : ''}`);
      continue;
    }
    answerLatency.push(answerAt - w.joinEmitAt);
    lastAnswer = Math.max(lastAnswer, answerAt);
  }
  const accepted = N - refusedByMarket;
  const admittedCount = active + waitingAdmitted;
  if (unanswered > 5) anomaly(`${unanswered} clients got no answer in all`);
  // The HIT holds exactly the session's places, so the marketplace itself turns the rest away, and
  // every worker that got an assignment is admitted.
  const expectAccepted = Math.min(N, EXPECT);
  if (accepted !== expectAccepted) anomaly(`${accepted} workers got an assignment, expected ${expectAccepted}`);
  if (admittedCount !== EXPECT) anomaly(`admitted ${admittedCount} (${active} active, ${waitingAdmitted} waiting), expected ${EXPECT}`);
  if (refusedFull !== 0) anomaly(`${refusedFull} worker(s) with an assignment got job_is_full`);
  const forgedRefused = forged.filter((w) => w.errors.some((e) => e && e.code === 'unconfirmed_assignment')
    && w.awaits === 1 && !w.admittedAt && w.fulls === 0).length;
  if (forgedRefused !== FORGED) {
    anomaly(`${FORGED - forgedRefused} page(s) with a made-up assignment were not told awaiting_confirmation and then `
      + `refused (unconfirmed_assignment)`);
  }
  const statusSums = new Map();
  let countMismatches = 0;
  for (const w of admitted) {
    const st = w.lastStatus;
    const key = st ? `${st.waiting}+${st.active}` : 'none';
    statusSums.set(key, (statusSums.get(key) || 0) + 1);
    if (!st || st.waiting + st.active !== EXPECT) {
      if (statusSums.get(key) === 1) anomaly(`admitted ${w.id}'s last workers_status is ${J(st)}, expected waiting + active = ${EXPECT}`);
    } else if (st.active !== active) {
      if (statusSums.get(key) === 1) anomaly(`admitted pages' last workers_status says ${st.active} active, ${active} got start_your_task`);
    }
    // update_worker_count is the waiting queue out of maxWaiting (SPEC §5). The session is full
    // (admitted = EXPECT = maxActive + maxWaiting), so its waiting queue holds exactly maxWaiting.
    if (w.lastCount !== waitingAdmitted || w.maxCount !== waitingAdmitted) {
      if (countMismatches++ === 0) {
        anomaly(`admitted ${w.id}'s last update_worker_count is ${w.lastCount} of ${w.maxCount}, `
          + `expected ${waitingAdmitted} of ${waitingAdmitted} (the full session's waiting queue)`);
      }
    }
  }
  closeAll();
  const lat = stats(answerLatency, 'answer_');
  const con = stats(connectTimes, 'connect_');
  const summary = {
    type: 'burst-summary',
    label: LABEL || undefined,
    workers: N,
    sessions: 1,
    within_ms: WITHIN_MS,
    expect_admitted: EXPECT,
    accepted,
    admitted: admittedCount,
    admitted_active: active,
    admitted_waiting: waitingAdmitted,
    refused: refusedByMarket + refusedFull,
    refused_by_marketplace: refusedByMarket,
    job_is_full: refusedFull,
    unanswered,
    forged: FORGED,
    forged_refused: forgedRefused,
    first_accept_to_last_answer_ms: round3(lastAnswer ? lastAnswer - start : NaN),
    answer_p50_ms: lat.answer_p50_ms, answer_p99_ms: lat.answer_p99_ms, answer_max_ms: lat.answer_max_ms,
    connect_p50_ms: con.connect_p50_ms, connect_p99_ms: con.connect_p99_ms, connect_max_ms: con.connect_max_ms,
    last_status_of_admitted: Object.fromEntries(statusSums),
    error_events: errorEvents,
    broadcasts_after_refusal: refusedBroadcasts,
    stale_status_before_join: s.stale,
    per_message_deflate_offered: DEFLATE,
    ...admissionSummary(),
  };
  finish(summary, `burst ${N} in ${WITHIN_MS} ms: ${accepted} got an assignment, ${refusedByMarket} refused by the marketplace; `
    + `admitted ${admittedCount} (${active} active + ${waitingAdmitted} waiting; expected ${EXPECT}), job_is_full ${refusedFull}, `
    + `unanswered ${unanswered}; made-up assignments refused ${forgedRefused} of ${FORGED}; first accept to last answer `
    + `${summary.first_accept_to_last_answer_ms} ms; join answer p50 ${lat.answer_p50_ms} p99 ${lat.answer_p99_ms} max `
    + `${lat.answer_max_ms} ms; ${admissionHuman(summary)}`);
}

// ---- mode: hold ------------------------------------------------------------------------------------------

async function runHold() {
  const HOLD_SECONDS = Number(arg('hold-seconds', '20'));
  const SERVER_PID = arg('server-pid', null);
  const CONCURRENCY = intArg('concurrency', 200);
  const sessions = makeSessions(N);
  log(`${url()} ${N} workers over ${sessions.length} session(s), ${CONCURRENCY} joins in flight; hold ${HOLD_SECONDS} s`);
  const memBefore = SERVER_PID ? serverMemory(SERVER_PID) : null;
  hooks.onStart = (w) => {
    if (w.state !== 'joining' && w.state !== 'held') anomaly(`${w.id} (${w.state}) got start_your_task`);
  };
  // Interleave the sessions so that every one fills at the same time.
  const order = [];
  const bySession = sessions.map((s) => Array.from({length: s.n}, () => newWorker(s)));
  for (let i = 0; i < Math.max(...sessions.map((s) => s.n)); i++) {
    for (const list of bySession) if (i < list.length) order.push(list[i]);
  }
  await learnHitTypes(sessions);
  const started = now();
  let joined = 0;
  // Each worker accepts an assignment of its session's HIT (maxActive + maxWaiting of them, so exactly
  // one per worker of a full session), opens its page and joins with it.
  await pool(order, CONCURRENCY, async (w) => {
    w.measureAdmission = true;
    if (!(await acceptHit(w, w.s.hit))) {
      w.marketRefused = true;
      anomaly(`${w.id}: HIT ${w.s.hit} of session ${w.s.index} had no assignment left`);
      return;
    }
    await connect(w);
    const answer = withTimeout(new Promise((resolve) => { w.onAnswer = resolve; }), () => `${w.id} join answer`);
    emitConnected(w);
    await answer;
    w.confirmAt = now();
    w.state = 'held';
    joined += 1;
    if (joined % 1000 === 0) log(`${joined} joined after ${((now() - started) / 1000).toFixed(1)} s`);
  });
  // By the end of joining every member's last workers_status counts the whole session (all n of it; when
  // some were refused, which is an anomaly already, those admitted).
  // (A join was answered by its first message; a refusal can still follow a broadcast, so recount.)
  const joinedIn = (w) => w.joinEmitAt > 0 && w.fulls === 0;
  const recount = () => sessions.forEach((s) => { s.admitted = s.workers.filter(joinedIn).length; });
  const done = (w) => w.fulls > 0 || w.marketRefused || (!w.expectStatus && w.lastStatus
    && w.lastCount === w.lastStatus.waiting && w.lastStatus.waiting + w.lastStatus.active === w.s.admitted);
  try {
    await pollUntil(() => recount() || allWorkers.every(done), () => {
      const off = allWorkers.filter((w) => !done(w));
      return `${off.length} page(s) did not see their session complete, e.g. ${off[0] && off[0].id} count ${off[0] && off[0].lastCount} status ${off[0] && J(off[0].lastStatus)}`;
    });
  } catch (e) {
    anomaly(e.message);
  }
  const joinSeconds = (now() - started) / 1000;
  const refused = allWorkers.filter((w) => w.fulls > 0).length;
  if (refused) anomaly(`${refused} worker(s) got job_is_full`); // each also noted by the default hook
  for (const s of sessions) {
    const starts = s.workers.reduce((sum, w) => sum + w.starts, 0);
    const last = s.workers[0].lastStatus;
    if (last && starts !== last.active) anomaly(`session ${s.index}: ${starts} start_your_task received, workers_status says ${last.active} active`);
  }
  log(`${allWorkers.filter(joinedIn).length} joined and settled in ${joinSeconds.toFixed(1)} s; holding ${HOLD_SECONDS} s`);

  phase = 'hold';
  const memStart = SERVER_PID ? serverMemory(SERVER_PID) : null;
  const clientStart = clientRssKb();
  const eventsBefore = totalCounts + totalStatuses + errorEvents;
  const holdStart = now();
  let clientMax = clientStart;
  while (now() - holdStart < HOLD_SECONDS * 1000) {
    await sleep(Math.min(1000, HOLD_SECONDS * 1000 - (now() - holdStart)));
    clientMax = Math.max(clientMax, clientRssKb());
  }
  const memEnd = SERVER_PID ? serverMemory(SERVER_PID) : null;
  const clientEnd = clientRssKb();
  const during = totalCounts + totalStatuses + errorEvents - eventsBefore;
  if (during) anomaly(`${during} session event(s) arrived during the hold, when nobody arrived or left`);
  const admitted = allWorkers.filter(joinedIn);
  const dropped = admitted.filter((w) => w.disconnected || !w.socket || !w.socket.connected).length;
  if (dropped) anomaly(`${dropped} connection(s) not connected at the end of the hold`);
  const held = admitted.length - dropped;
  phase = 'end';
  closeAll();
  const summary = {
    ...baseSummary(sessions),
    held,
    refused,
    hold_s: HOLD_SECONDS,
    connect_join_s: round3(joinSeconds),
    concurrency: CONCURRENCY,
    server_pid: SERVER_PID ? Number(SERVER_PID) : undefined,
    server_rss_kb_before: memBefore ? memBefore.rss_kb : undefined,
    server_rss_kb_start: memStart ? memStart.rss_kb : undefined,
    server_rss_kb: memEnd ? memEnd.rss_kb : undefined,
    server_hwm_kb_start: memStart ? memStart.hwm_kb : undefined,
    server_hwm_kb: memEnd ? memEnd.hwm_kb : undefined,
    client_rss_kb_start: clientStart,
    client_rss_kb: clientEnd,
    client_rss_kb_max: clientMax,
    count_broadcasts_received: totalCounts,
    status_broadcasts_received: totalStatuses,
    stale_status_before_join: sessions.reduce((sum, s) => sum + s.stale, 0),
    per_message_deflate_offered: DEFLATE,
    ...admissionSummary(),
  };
  finish(summary, `hold ${held} of ${N} connections over ${sessions.length} session(s) for ${HOLD_SECONDS} s; accept+connect+join ${summary.connect_join_s} s; `
    + (memEnd ? `server RSS ${memEnd.rss_kb} kB (HWM ${memEnd.hwm_kb} kB); ` : '') + `client RSS ${clientEnd} kB; ${admissionHuman(summary)}`);
}

// ---- main ---------------------------------------------------------------------------------------------

function url() {
  return `${URL_} (${HITS.length} HIT${HITS.length === 1 ? '' : 's'})`;
}

const RUN = {handoff: runHandoff, rate: runRate, burst: runBurst, hold: runHold}[MODE];
RUN().catch((e) => {
  log('failed:', e && e.stack ? e.stack : e);
  try {
    closeAll();
  } catch (ignored) {
    // closing is best effort here
  }
  console.log(J({type: `${MODE}-summary`, label: LABEL || undefined, workers: N, sessions: HITS.length, ok: false,
    error: String(e && e.message ? e.message : e), anomalies: anomalies.length + 1,
    first_anomalies: anomalies.slice(0, 5)}));
  process.exit(1);
});
