#!/usr/bin/env bash
# Pavilion's benchmark suite (docs/benchmarks.md, "The benchmark suite"). For every database and every
# run it starts a fresh marketplace process (org.pavilion.bench.BenchMarketplace: the local marketplace,
# doing MTurk's part: SigV4 checks, its answers, RSA-signed SNS notifications to the server's
# /api/from_mturk over HTTP) and a fresh server process (org.pavilion.bench.BenchServer: the whole
# application on 127.0.0.1, its sessions posted on that marketplace, its own embedded one off), waits for
# their READY lines, runs the load client (src/test/node/pavilion-bench.js, socket.io-client 4.8 over
# WebSocket, speaking only SPEC §5) in a separate process against them, records the memory of each, and
# stops both. So a run's cost is Pavilion's, not the marketplace's (issue 15 item 4). The client's
# workers accept their assignments and submit them on the marketplace's worker API over HTTP, as
# real workers do (SPEC §4.1.0: a page is admitted only once the marketplace confirmed its assignment). At the end it
# draws the latency chart (src/test/node/bench-chart.js). Not part of `mvn verify` (a short smoke run is:
# org.pavilion.bench.BenchSuiteSmokeTest).
#
#   bench/suite.sh                   # everything below, on H2 and on PostgreSQL
#   bench/suite.sh handoff burst     # only some parts: handoff rate fair burst hold kill simkill
#
# Environment (all optional):
#   MARKETPLACE=process         where the local marketplace runs: process = its own JVM (BenchMarketplace,
#                               MARKET_JAVA_OPTS, default -Xmx1g), as above; inprocess = the old layout,
#                               the server's embedded marketplace in the measured JVM (what commits before
#                               BenchMarketplace measured; set it to compare with figures measured so, or
#                               to run this script on such a commit). Each summary line says its "layout".
#   DBS="h2 pg"                 h2 = H2 file database (production default), pg = embedded PostgreSQL, fsync on
#   WORKERS="100 1000 5000"     handoff: connected workers (half active, half waiting)
#   SESSIONS="1 10"             handoff: the workers are spread over this many sessions
#   HANDOFFS=2000 WARMUP=200    handoff: measured handoffs per run, and unmeasured warm-up handoffs first
#                               (HANDOFFS_N<workers>_S<sessions>, e.g. HANDOFFS_N5000_S1=500, overrides one run)
#   RATE_RUNS="100:10 1000:10"  rate: workers:sessions of each run (10 sessions of 5+5, and of 50+50)
#   RATES="50,100,200,300,500,750,1000,1500,2000,3000" STEP_SECONDS=10
#   RATE_WARMUP_SECONDS=30      rate: open-loop handoffs at each offered rate until p99 > 50 ms or a loss,
#                               after a warm-up at the first rate (a fresh JVM is slow for its first seconds)
#   FAIR_SESSIONS=100 FAIR_WORKERS=4000 FAIR_RATES="50,100,200,300" FAIR_STEP_SECONDS=60
#   FAIR_WARMUP_SECONDS=30 FAIR_SESSION_P99_MS=20 FAIR_STARVE_FRACTION=0.8 FAIR_P99_LIMIT_MS=50
#                               fair (issue 15): the rate mode over many live sessions at once (each
#                               FAIR_WORKERS/FAIR_SESSIONS workers, half active and half waiting: 20 + 20),
#                               submits round-robin over all of them; per step it reports each session's
#                               p50/p99/promotions, the worst session's p99 and the starved sessions (any
#                               submit lost, or fewer than FAIR_STARVE_FRACTION of the handoffs offered to it);
#                               fair_sustained_handoffs_per_s = the highest rate with every session's p99 <=
#                               FAIR_SESSION_P99_MS and none starved. Steps stop after the first whose overall
#                               p99 passes FAIR_P99_LIMIT_MS. Long steps give each session enough samples for
#                               its own p99 (60 s at 100/s = 60 per session)
#   BURST_WORKERS=1000 BURST_WITHIN_MS=1000 BURST_FORGED=50
#                               burst: that many workers try to accept the HIT of one 50+50 session within
#                               that time; its 100 assignments go to the first 100, who open their pages
#                               and join; the marketplace refuses the rest, which never open a page. Also
#                               BURST_FORGED pages join with made-up assignment ids: each must be refused
#                               (unconfirmed_assignment) after the server's confirmation timeout (30 s)
#   HOLD_WORKERS=10000 HOLD_SESSIONS=100 HOLD_SECONDS=30
#                               hold: connections held (each session 50 active + 50 waiting)
#   KILL_ROUNDS=300 KILL_SEED=2026 KILL_MAX_DELAY_MS=800
#                               kill: kill -9 stress (org.pavilion.session.KillStress, issue 13): that many
#                               rounds per database, each a driver JVM applying random events to 3 new
#                               sessions, killed with SIGKILL 0..KILL_MAX_DELAY_MS ms after it is ready;
#                               every acknowledged event must be in the log (lost must be 0)
#   SIMKILL_RUNS=40 SIMKILL_SEED=1 SIMKILL_PER_SERVER=10
#                               simkill: simulated crowd sessions whose server (a child JVM on the database)
#                               is killed with SIGKILL once per session at a seeded random moment and
#                               restarted (org.pavilion.simulator.SimulationKill, issue 13); that many
#                               sessions per database, seeds SIMKILL_SEED.., SIMKILL_PER_SERVER per server
#                               and marketplace; every acknowledged event must be in the log once, and the
#                               log, the marketplace and the simulator must agree (lost, doubled and
#                               mismatches must be 0; on H2 2.5.252 they are not: docs/benchmarks.md,
#                               "A simulated crowd killed with -9")
#   JAVA_OPTS="-Xms1g -Xmx1g"   server JVM options (HOLD_JAVA_OPTS for the hold runs, default: the product's own,
#                               from jvm.options, so that the hold measures the memory of a default start)
#   BUILD_DIR=/tmp/build-bench  Maven build directory (-Dbuild.dir): classes, node_modules, results
#   OUT=<dir>                   results directory (default BUILD_DIR/bench-results/<UTC time>)
#   RUN_TIMEOUT=3600            seconds allowed for one client run
#   PAVILION_COMMIT             what to record as the commit measured (default: git rev-parse HEAD)
# Results: OUT/summary.jsonl (one JSON line per run, with the server's RSS), OUT/handoff-latency.svg,
# and every server and client log. Exit status 0 when every run passed its checks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PARTS=("$@")
[[ ${#PARTS[@]} -eq 0 ]] && PARTS=(handoff rate fair burst hold kill simkill)
DBS="${DBS:-h2 pg}"
WORKERS="${WORKERS:-100 1000 5000}"
SESSIONS="${SESSIONS:-1 10}"
HANDOFFS="${HANDOFFS:-2000}"
WARMUP="${WARMUP:-200}"
RATE_RUNS="${RATE_RUNS:-100:10 1000:10}"
RATES="${RATES:-50,100,200,300,500,750,1000,1500,2000,3000}"
STEP_SECONDS="${STEP_SECONDS:-10}"
RATE_WARMUP_SECONDS="${RATE_WARMUP_SECONDS:-30}"
FAIR_SESSIONS="${FAIR_SESSIONS:-100}"
FAIR_WORKERS="${FAIR_WORKERS:-4000}"
FAIR_RATES="${FAIR_RATES:-50,100,200,300}"
FAIR_STEP_SECONDS="${FAIR_STEP_SECONDS:-60}"
FAIR_WARMUP_SECONDS="${FAIR_WARMUP_SECONDS:-30}"
FAIR_SESSION_P99_MS="${FAIR_SESSION_P99_MS:-20}"
FAIR_STARVE_FRACTION="${FAIR_STARVE_FRACTION:-0.8}"
FAIR_P99_LIMIT_MS="${FAIR_P99_LIMIT_MS:-50}"
BURST_WORKERS="${BURST_WORKERS:-1000}"
BURST_WITHIN_MS="${BURST_WITHIN_MS:-1000}"
BURST_FORGED="${BURST_FORGED:-50}"
HOLD_WORKERS="${HOLD_WORKERS:-10000}"
HOLD_SESSIONS="${HOLD_SESSIONS:-100}"
HOLD_SECONDS="${HOLD_SECONDS:-30}"
JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g}"
MARKETPLACE="${MARKETPLACE:-process}"
MARKET_JAVA_OPTS="${MARKET_JAVA_OPTS:--Xmx1g}"
HOLD_JAVA_OPTS="${HOLD_JAVA_OPTS:-$(sed -e 's/#.*//' "$ROOT/jvm.options" | xargs)}"
BUILD_DIR="${BUILD_DIR:-/tmp/build-bench}"
RUN_TIMEOUT="${RUN_TIMEOUT:-3600}"
KILL_ROUNDS="${KILL_ROUNDS:-300}"
KILL_SEED="${KILL_SEED:-2026}"
KILL_MAX_DELAY_MS="${KILL_MAX_DELAY_MS:-800}"
SIMKILL_RUNS="${SIMKILL_RUNS:-40}"
SIMKILL_SEED="${SIMKILL_SEED:-1}"
SIMKILL_PER_SERVER="${SIMKILL_PER_SERVER:-10}"
READY_TIMEOUT=300

for tool in java mvn node npm timeout; do
  command -v "$tool" >/dev/null || { echo "suite.sh: $tool is not on the PATH" >&2; exit 2; }
done
[[ "$MARKETPLACE" =~ ^(process|inprocess)$ ]] || { echo "suite.sh: MARKETPLACE must be process or inprocess (was '$MARKETPLACE')" >&2; exit 2; }
for part in "${PARTS[@]}"; do
  [[ "$part" =~ ^(handoff|rate|fair|burst|hold|kill|simkill)$ ]] || { echo "suite.sh: unknown part '$part' (handoff rate fair burst hold kill simkill)" >&2; exit 2; }
done

cd "$ROOT"
MVN=(mvn -q -B -Dstyle.color=never "-Dbuild.dir=$BUILD_DIR")

# ---- build (only when sources or the pom changed since the last build) ------------------------------
marker="$BUILD_DIR/test-classes/org/pavilion/bench/BenchServer.class"
mkdir -p "$BUILD_DIR"
if [[ ! -f "$marker" || -n "$(find src/main src/test/java pom.xml -newer "$marker" -type f -print -quit)" ]]; then
  echo "== building test classes into $BUILD_DIR" >&2
  timeout 900 "${MVN[@]}" test-compile >"$BUILD_DIR/bench-build.log" 2>&1 \
    || { tail -40 "$BUILD_DIR/bench-build.log" >&2; echo "suite.sh: build failed, see $BUILD_DIR/bench-build.log" >&2; exit 2; }
fi
classpath_file="$BUILD_DIR/bench-classpath.txt"
if [[ ! -s "$classpath_file" || pom.xml -nt "$classpath_file" ]]; then
  echo "== resolving the test class path" >&2
  timeout 600 "${MVN[@]}" dependency:build-classpath -Dmdep.includeScope=test "-Dmdep.outputFile=$classpath_file" \
    >"$BUILD_DIR/bench-classpath.log" 2>&1 \
    || { tail -40 "$BUILD_DIR/bench-classpath.log" >&2; echo "suite.sh: could not resolve the class path" >&2; exit 2; }
fi
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$classpath_file")"

# ---- the Node client, installed into the build directory (never into src/) ------------------------
NODE_DIR="$BUILD_DIR/node-bench"
mkdir -p "$NODE_DIR"
cp src/test/node/package.json src/test/node/package-lock.json src/test/node/pavilion-bench.js src/test/node/bench-chart.js "$NODE_DIR/"
if [[ ! -f "$NODE_DIR/installed.lock" ]] || ! cmp -s "$NODE_DIR/installed.lock" "$NODE_DIR/package-lock.json" \
    || [[ ! -d "$NODE_DIR/node_modules/socket.io-client-v4" ]]; then
  echo "== npm ci in $NODE_DIR" >&2
  (cd "$NODE_DIR" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --prefer-offline >npm.log 2>&1) \
    || { echo "suite.sh: npm ci failed, see $NODE_DIR/npm.log" >&2; exit 2; }
  cp "$NODE_DIR/package-lock.json" "$NODE_DIR/installed.lock"
fi

OUT="${OUT:-$BUILD_DIR/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
echo "== results in $OUT" >&2
if [[ -n "${PAVILION_COMMIT:-}" ]]; then
  commit="$PAVILION_COMMIT"
elif commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
  [[ -z "$(git status --porcelain -- src pom.xml bench 2>/dev/null)" ]] || commit+=" (with uncommitted changes)"
else
  commit="unknown (not a git checkout)"
fi
SUMMARY="$OUT/summary.jsonl"
echo "# $(date -u +%FT%TZ) commit=$commit nproc=$(nproc) cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)' mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) load=$(cut -d' ' -f1-3 /proc/loadavg) node=$(node --version) java='$(java -version 2>&1 | head -1)' parts='${PARTS[*]}' dbs='$DBS' marketplace=$MARKETPLACE" >>"$SUMMARY"

SERVER_PID=""
SERVER_LOG=""
FIFO=""
PORT=""
MARKET=""
HITS=""
MARKET_PID=""
MARKET_FIFO=""
MARKET_LOG=""
MARKET_DIR=""
# stop_market: closes the marketplace's stdin (it shuts down), as for the server
stop_market() {
  if [[ -n "$MARKET_PID" ]]; then
    exec 4>&- 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$MARKET_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$MARKET_PID" 2>/dev/null; then
      kill "$MARKET_PID" 2>/dev/null || true
      sleep 2
      kill -9 "$MARKET_PID" 2>/dev/null || true
    fi
    wait "$MARKET_PID" 2>/dev/null || true
    MARKET_PID=""
  fi
  [[ -n "$MARKET_FIFO" ]] && rm -f "$MARKET_FIFO"
  MARKET_FIFO=""
  [[ -n "$MARKET_DIR" ]] && rm -rf "$MARKET_DIR"
  MARKET_DIR=""
}
# start_market NAME: with MARKETPLACE=process, starts BenchMarketplace and sets MARKET_PID, MARKET_ENDPOINT
# (its Requester API) and MARKET_SERVER_PORT (the port it picked for the server, where its SNS delivers)
start_market() {
  local name="$1"
  MARKET_FIFO="$OUT/$name.market.stdin"
  MARKET_LOG="$OUT/$name.market.log"
  MARKET_DIR="$OUT/$name.market.data"
  rm -f "$MARKET_FIFO"
  mkfifo "$MARKET_FIFO"
  # shellcheck disable=SC2086
  java $MARKET_JAVA_OPTS -cp "$CP" org.pavilion.bench.BenchMarketplace --data-dir "$MARKET_DIR" \
    <"$MARKET_FIFO" >"$MARKET_LOG" 2>&1 &
  MARKET_PID=$!
  exec 4>"$MARKET_FIFO"
  local ready=""
  for _ in $(seq 1 $((READY_TIMEOUT * 5))); do
    ready="$(grep -m1 -o 'READY port=.*' "$MARKET_LOG" || true)"
    [[ -n "$ready" ]] && break
    kill -0 "$MARKET_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$ready" ]]; then
    echo "suite.sh: the marketplace for $name did not get ready, see $MARKET_LOG" >&2
    tail -30 "$MARKET_LOG" >&2 || true
    exit 1
  fi
  MARKET_ENDPOINT="$(sed -E 's/.* endpoint=([^ ]+).*/\1/' <<<"$ready")"
  MARKET_SERVER_PORT="$(sed -E 's/.* server-port=([0-9]+).*/\1/' <<<"$ready")"
}
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    exec 3>&- 2>/dev/null || true # closing the server's stdin makes it shut down
    for _ in $(seq 1 150); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill "$SERVER_PID" 2>/dev/null || true
      sleep 2
      kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
  [[ -n "$FIFO" ]] && rm -f "$FIFO"
  FIFO=""
  stop_market # after the server, which may still be calling it while it stops
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# start_server NAME JAVA_OPTS BenchServer-args...: sets SERVER_PID, PORT, MARKET, HITS (with
# MARKETPLACE=process, starts the run's marketplace first: the server goes live on it)
start_server() {
  local name="$1" opts="$2"
  shift 2
  if [[ "$MARKETPLACE" == process ]]; then
    start_market "$name"
    set -- "$@" --port "$MARKET_SERVER_PORT" --market-endpoint "$MARKET_ENDPOINT"
  fi
  FIFO="$OUT/$name.stdin"
  SERVER_LOG="$OUT/$name.server.log"
  rm -f "$FIFO"
  mkfifo "$FIFO"
  # shellcheck disable=SC2086
  java $opts -cp "$CP" org.pavilion.bench.BenchServer "$@" <"$FIFO" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  exec 3>"$FIFO"
  local ready=""
  for _ in $(seq 1 $((READY_TIMEOUT * 5))); do
    ready="$(grep -m1 -o 'READY port=.*' "$SERVER_LOG" || true)"
    [[ -n "$ready" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$ready" ]]; then
    echo "suite.sh: the server for $name did not get ready, see $SERVER_LOG" >&2
    tail -30 "$SERVER_LOG" >&2 || true
    exit 1
  fi
  PORT="$(sed -E 's/.* port=([0-9]+).*/\1/' <<<"$ready")"
  MARKET="$(sed -E 's/.* market=([^ ]+).*/\1/' <<<"$ready")"
  HITS="$(sed -E 's/.* hits=([^ ]+).*/\1/' <<<"$ready")"
}

# server_memory: the server's resident set now and at its peak, in kB
server_memory() {
  awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "{\"server_rss_kb\":%d,\"server_hwm_kb\":%d}", r, h}' "/proc/$SERVER_PID/status" 2>/dev/null \
    || echo '{}'
}

# market_memory: the marketplace process's, likewise (null in the inprocess layout: it is in the server's)
market_memory() {
  if [[ -z "$MARKET_PID" ]]; then
    echo null
    return
  fi
  awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "{\"market_rss_kb\":%d,\"market_hwm_kb\":%d}", r, h}' "/proc/$MARKET_PID/status" 2>/dev/null \
    || echo '{}'
}

status=0
# run_client NAME LABEL pavilion-bench-args...: runs the client, appends its summary (with the server's memory)
run_client() {
  local name="$1" label="$2"
  shift 2
  echo "== $name: node pavilion-bench.js $*" >&2
  (while sleep 10; do cut -d' ' -f1 /proc/loadavg; done) >"$OUT/$name.loadavg" 2>/dev/null &
  local sampler=$!
  set +e
  (cd "$NODE_DIR" && timeout "$RUN_TIMEOUT" node pavilion-bench.js "$@" --url "http://127.0.0.1:$PORT" --market "$MARKET" --hits "$HITS" \
      --label "$label") >"$OUT/$name.client.out" 2>"$OUT/$name.client.err"
  local rc=$?
  set -e
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  local memory load market_mem
  memory="$(server_memory)"
  market_mem="$(market_memory)"
  load="$(awk '{s+=$1; if ($1>m) m=$1; n++} END {if (n) printf "{\"load_mean\":%.2f,\"load_max\":%.2f}", s/n, m; else print "{}"}' "$OUT/$name.loadavg")"
  local line
  line="$(grep -m1 '"type":"[a-z]*-summary"' "$OUT/$name.client.out" || echo '{"ok":false,"error":"no summary line"}')"
  # One line per run: the client's summary, then what the script observed around it.
  echo "${line%\}},\"run\":\"$name\",\"commit\":\"$commit\",\"layout\":\"$MARKETPLACE\",\"server\":$memory,\"market\":$market_mem,\"load\":$load}" >>"$SUMMARY"
  grep -v '^{' "$OUT/$name.client.out" >&2 || true
  echo "   server memory: $memory; marketplace memory: $market_mem; load: $load" >&2
  if [[ $rc -ne 0 ]]; then
    echo "suite.sh: $name failed (exit $rc), see $OUT/$name.client.err" >&2
    tail -20 "$OUT/$name.client.err" >&2 || true
    status=1
  fi
}

has_part() {
  local p
  for p in "${PARTS[@]}"; do [[ "$p" == "$1" ]] && return 0; done
  return 1
}

for db in $DBS; do
  case "$db" in
    h2) server_db=file ;;
    pg) server_db=pg ;;
    *) echo "suite.sh: unknown database '$db' (h2 pg)" >&2; exit 2 ;;
  esac
  if has_part handoff; then
    for n in $WORKERS; do
      for s in $SESSIONS; do
        half=$((n / (2 * s)))
        if (( half < 1 )); then
          echo "== skipping handoff N=$n over $s sessions (fewer than 2 workers per session)" >&2
          continue
        fi
        name="handoff-$db-n$n-s$s"
        start_server "$name" "$JAVA_OPTS" --sessions "$s" --active "$half" --waiting "$half" --db "$server_db"
        count_var="HANDOFFS_N${n}_S${s}"
        run_client "$name" "db=$db" handoff --workers $((2 * half * s)) --handoffs "${!count_var:-$HANDOFFS}" --warmup "$WARMUP" \
          --dump "$OUT/$name.latencies"
        stop_server
      done
    done
  fi
  if has_part rate; then
    for config in $RATE_RUNS; do
      rate_workers="${config%%:*}"
      rate_sessions="${config##*:}"
      half=$((rate_workers / (2 * rate_sessions)))
      name="rate-$db-n$rate_workers-s$rate_sessions"
      start_server "$name" "$JAVA_OPTS" --sessions "$rate_sessions" --active "$half" --waiting "$half" --db "$server_db"
      run_client "$name" "db=$db" rate --workers $((2 * half * rate_sessions)) --rates "$RATES" --step-seconds "$STEP_SECONDS" \
        --warmup-seconds "$RATE_WARMUP_SECONDS" --dump "$OUT/$name.latencies"
      stop_server
    done
  fi
  if has_part fair; then
    # Many sessions turning over at once (issue 15): the rate client's per-session figures say whether
    # any session starves while the others are served.
    half=$((FAIR_WORKERS / (2 * FAIR_SESSIONS)))
    if (( half < 1 )); then
      echo "suite.sh: FAIR_WORKERS=$FAIR_WORKERS gives fewer than 2 workers to each of $FAIR_SESSIONS sessions" >&2
      exit 2
    fi
    name="fair-$db-n$((2 * half * FAIR_SESSIONS))-s$FAIR_SESSIONS"
    start_server "$name" "$JAVA_OPTS" --sessions "$FAIR_SESSIONS" --active "$half" --waiting "$half" --db "$server_db"
    run_client "$name" "db=$db fair" rate --workers $((2 * half * FAIR_SESSIONS)) --rates "$FAIR_RATES" \
      --step-seconds "$FAIR_STEP_SECONDS" --warmup-seconds "$FAIR_WARMUP_SECONDS" --p99-limit-ms "$FAIR_P99_LIMIT_MS" \
      --session-p99-limit-ms "$FAIR_SESSION_P99_MS" --starve-fraction "$FAIR_STARVE_FRACTION" --dump "$OUT/$name.latencies"
    stop_server
  fi
  if has_part burst; then
    name="burst-$db-n$BURST_WORKERS"
    start_server "$name" "$JAVA_OPTS" --sessions 1 --active 50 --waiting 50 --min-active 10 --min-waiting 5 --db "$server_db"
    # A realistic burst: the HIT has 100 assignments, so 100 workers get one and are admitted, and the
    # marketplace turns the rest away before they open a page; BURST_FORGED pages with made-up
    # assignment ids must be told to wait and then refused.
    run_client "$name" "db=$db" burst --workers "$BURST_WORKERS" --within-ms "$BURST_WITHIN_MS" --expect-admitted 100 \
      --forged "$BURST_FORGED"
    stop_server
  fi
  if has_part hold; then
    name="hold-$db-n$HOLD_WORKERS"
    start_server "$name" "$HOLD_JAVA_OPTS" --sessions "$HOLD_SESSIONS" --active 50 --waiting 50 --db "$server_db"
    run_client "$name" "db=$db" hold --workers "$HOLD_WORKERS" --hold-seconds "$HOLD_SECONDS" --server-pid "$SERVER_PID"
    stop_server
  fi
  if has_part kill; then
    # No server and no client: KillStress starts and SIGKILLs its own driver JVMs (it needs no Node).
    name="kill-$db-r$KILL_ROUNDS"
    echo "== $name" >&2
    if timeout "$RUN_TIMEOUT" java -cp "$CP" org.pavilion.session.KillStress "$db" "$KILL_ROUNDS" "$KILL_SEED" \
        "$KILL_MAX_DELAY_MS" >"$OUT/$name.out" 2>&1; then rc=0; else rc=$?; fi
    line="$(grep '^{"type":"kill-summary"' "$OUT/$name.out" | tail -1 || true)"
    [[ -n "$line" ]] || line='{"type":"kill-summary","db":"'"$db"'","error":"no summary"}'
    echo "${line%\}},\"run\":\"$name\",\"commit\":\"$commit\"}" >>"$SUMMARY"
    grep -v '^{' "$OUT/$name.out" | grep -E '^(h2|pg)[: ]|LOST|session [0-9]+:' >&2 || true
    if [[ $rc -ne 0 ]]; then
      echo "suite.sh: $name failed (exit $rc), see $OUT/$name.out" >&2
      status=1
    fi
  fi
  if has_part simkill; then
    # No server and no client here: SimulationKill runs the marketplace and the crowd in its own JVM and
    # starts, SIGKILLs and restarts the server's JVMs itself (no Node).
    name="simkill-$db-r$SIMKILL_RUNS"
    echo "== $name" >&2
    if timeout "$RUN_TIMEOUT" java -cp "$CP" org.pavilion.simulator.SimulationKill "$db" "$SIMKILL_RUNS" \
        "$SIMKILL_SEED" "$SIMKILL_PER_SERVER" >"$OUT/$name.out" 2>&1; then rc=0; else rc=$?; fi
    line="$(grep '^{"type":"simkill-summary"' "$OUT/$name.out" | tail -1 || true)"
    [[ -n "$line" ]] || line='{"type":"simkill-summary","db":"'"$db"'","error":"no summary"}'
    echo "${line%\}},\"run\":\"$name\",\"commit\":\"$commit\"}" >>"$SUMMARY"
    grep -E '^(h2|pg): |LOST|DOUBLED|MISMATCH' "$OUT/$name.out" >&2 || true
    if [[ $rc -ne 0 ]]; then
      echo "suite.sh: $name failed (exit $rc), see $OUT/$name.out" >&2
      status=1
    fi
  fi
done

if grep -q '"type":"handoff-summary"' "$SUMMARY"; then
  (cd "$NODE_DIR" && node bench-chart.js "$SUMMARY" "$OUT/handoff-latency.svg" "Pavilion handoff latency ($commit)") \
    && echo "== chart: $OUT/handoff-latency.svg" >&2 || { echo "suite.sh: the chart failed" >&2; status=1; }
fi
echo "== summary ($SUMMARY)" >&2
cat "$SUMMARY"
exit $status
