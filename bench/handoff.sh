#!/usr/bin/env bash
# Handoff latency over the real-time channel (docs/benchmarks.md): for each worker count, starts a
# fresh Pavilion server process (org.pavilion.bench.HandoffBenchServer, H2 file database in a new
# temporary directory) on 127.0.0.1, waits for its READY line, runs the Node load client
# (src/test/node/handoff-bench.js, socket.io-client 4.8, WebSocket) against it in a separate process,
# then stops the server. Not part of `mvn verify`.
#
#   bench/handoff.sh                      # N = 100, then N = 1000; 2,000 measured handoffs each
#
# Environment (all optional):
#   WORKERS="100 1000"   connected workers per run (half active, half waiting)
#   HANDOFFS=2000        measured handoffs per run
#   WARMUP=200           handoffs run first and not counted (JIT warm-up of a fresh server)
#   DB=file              file (H2 file database, the production default) or mem (in-memory H2)
#   BUILD_DIR=/tmp/build-handoff   Maven build directory (-Dbuild.dir), also holds node_modules and results
#   JAVA_OPTS="-Xms1g -Xmx1g"      server JVM options
#   RUN_TIMEOUT=1200     seconds allowed for one client run
#   CLIENT_ARGS=""       more load-client options, e.g. --probe (an isJobFull round trip before each handoff)
#   CLIENT_NICE=""       run the load client under `nice -n CLIENT_NICE` (e.g. -10: it shares the 2 cores
#                        with the server, whose broadcasts can otherwise delay its wake-up)
#   PAVILION_COMMIT      what to record as the commit measured (default: git rev-parse HEAD here)
#   LAUNCH=java          java (java -cp with the class path from dependency:build-classpath) or exec
#                        (mvn exec:java -Dexec.classpathScope=test; JAVA_OPTS then go to MAVEN_OPTS)
# Exit status 0 when every run completed with its checks passing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKERS="${WORKERS:-100 1000}"
HANDOFFS="${HANDOFFS:-2000}"
WARMUP="${WARMUP:-200}"
DB="${DB:-file}"
BUILD_DIR="${BUILD_DIR:-/tmp/build-handoff}"
JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g}"
RUN_TIMEOUT="${RUN_TIMEOUT:-1200}"
CLIENT_ARGS="${CLIENT_ARGS:-}"
CLIENT_NICE="${CLIENT_NICE:-}"
LAUNCH="${LAUNCH:-java}"
READY_TIMEOUT=180

for tool in java mvn node npm timeout; do
  command -v "$tool" >/dev/null || { echo "handoff.sh: $tool is not on the PATH" >&2; exit 2; }
done

cd "$ROOT"
MVN=(mvn -q -B -Dstyle.color=never "-Dbuild.dir=$BUILD_DIR")

# ---- build (only when sources or the pom changed since the last build) ------------------------------
marker="$BUILD_DIR/test-classes/org/pavilion/bench/HandoffBenchServer.class"
mkdir -p "$BUILD_DIR"
if [[ ! -f "$marker" || -n "$(find src/main src/test/java pom.xml -newer "$marker" -type f -print -quit)" ]]; then
  echo "== building test classes into $BUILD_DIR" >&2
  timeout 900 "${MVN[@]}" test-compile >"$BUILD_DIR/handoff-build.log" 2>&1 \
    || { tail -40 "$BUILD_DIR/handoff-build.log" >&2; echo "handoff.sh: build failed, see $BUILD_DIR/handoff-build.log" >&2; exit 2; }
fi
classpath_file="$BUILD_DIR/handoff-classpath.txt"
if [[ ! -s "$classpath_file" || pom.xml -nt "$classpath_file" ]]; then
  echo "== resolving the test class path" >&2
  timeout 600 "${MVN[@]}" dependency:build-classpath -Dmdep.includeScope=test "-Dmdep.outputFile=$classpath_file" \
    >"$BUILD_DIR/handoff-classpath.log" 2>&1 \
    || { tail -40 "$BUILD_DIR/handoff-classpath.log" >&2; echo "handoff.sh: could not resolve the class path" >&2; exit 2; }
fi
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$classpath_file")"

# ---- the Node client, installed into the build directory (never into src/) ------------------------
NODE_DIR="$BUILD_DIR/node-handoff-bench"
mkdir -p "$NODE_DIR"
cp src/test/node/package.json src/test/node/package-lock.json src/test/node/handoff-bench.js "$NODE_DIR/"
if [[ ! -f "$NODE_DIR/installed.lock" ]] || ! cmp -s "$NODE_DIR/installed.lock" "$NODE_DIR/package-lock.json" \
    || [[ ! -d "$NODE_DIR/node_modules/socket.io-client-v4" ]]; then
  echo "== npm ci in $NODE_DIR" >&2
  (cd "$NODE_DIR" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --prefer-offline >npm.log 2>&1) \
    || { echo "handoff.sh: npm ci failed, see $NODE_DIR/npm.log" >&2; exit 2; }
  cp "$NODE_DIR/package-lock.json" "$NODE_DIR/installed.lock"
fi

OUT="$BUILD_DIR/handoff-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
echo "== results in $OUT" >&2
if [[ -n "${PAVILION_COMMIT:-}" ]]; then
  commit="$PAVILION_COMMIT"
elif commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
  [[ -z "$(git status --porcelain 2>/dev/null)" ]] || commit+=" (working tree has uncommitted changes)"
else
  commit="unknown (not a git checkout)"
fi
echo "# $(date -u +%FT%TZ) LAUNCH=$LAUNCH commit=$commit nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) node=$(node --version) java='$(java -version 2>&1 | head -1)' JAVA_OPTS='$JAVA_OPTS' DB=$DB" >"$OUT/summary.jsonl"

SERVER_PID=""
SAMPLER_PID=""
FIFO=""
stop_server() {
  if [[ -n "$SAMPLER_PID" ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
  fi
  if [[ -n "$SERVER_PID" ]]; then
    exec 3>&- 2>/dev/null || true # closing the server's stdin makes it shut down
    for _ in $(seq 1 100); do
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
}
trap stop_server EXIT
trap 'exit 130' INT TERM

status=0
for n in $WORKERS; do
  echo "== N=$n: starting the server" >&2
  FIFO="$OUT/server-$n.stdin"
  mkfifo "$FIFO"
  if [[ "$LAUNCH" == exec ]]; then
    MAVEN_OPTS="$JAVA_OPTS" "${MVN[@]}" exec:java -Dexec.classpathScope=test \
      -Dexec.mainClass=org.pavilion.bench.HandoffBenchServer "-Dexec.args=$n $DB 0" <"$FIFO" >"$OUT/server-$n.log" 2>&1 &
  else
    # shellcheck disable=SC2086
    java $JAVA_OPTS -cp "$CP" org.pavilion.bench.HandoffBenchServer "$n" "$DB" 0 <"$FIFO" >"$OUT/server-$n.log" 2>&1 &
  fi
  SERVER_PID=$!
  exec 3>"$FIFO"
  ready=""
  for _ in $(seq 1 $((READY_TIMEOUT * 5))); do
    ready="$(grep -m1 -o 'READY port=.*' "$OUT/server-$n.log" || true)"
    [[ -n "$ready" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$ready" ]]; then
    echo "handoff.sh: the server did not get ready, see $OUT/server-$n.log" >&2
    tail -30 "$OUT/server-$n.log" >&2 || true
    exit 1
  fi
  echo "   $ready" >&2
  port="$(sed -E 's/.* port=([0-9]+).*/\1/' <<<"$ready")"
  hit="$(sed -E 's/.* hit=([^ ]+).*/\1/' <<<"$ready")"
  echo "== N=$n: load client, $WARMUP warm-up + $HANDOFFS measured handoffs" >&2
  set +e
  # The machine's 1-minute load average every 10 s during the run (other work on the 2 cores skews latency).
  (while sleep 10; do cut -d' ' -f1 /proc/loadavg; done) >"$OUT/loadavg-$n.txt" 2>/dev/null &
  SAMPLER_PID=$!
  nice_cmd=()
  [[ -n "$CLIENT_NICE" ]] && nice_cmd=(nice -n "$CLIENT_NICE")
  (cd "$NODE_DIR" && timeout "$RUN_TIMEOUT" "${nice_cmd[@]}" node handoff-bench.js --url "http://127.0.0.1:$port" --hit "$hit" \
      --workers "$n" --handoffs "$HANDOFFS" --warmup "$WARMUP" --label "db=$DB${CLIENT_NICE:+ nice=$CLIENT_NICE}${CLIENT_ARGS:+ $CLIENT_ARGS}" $CLIENT_ARGS) \
      >"$OUT/client-$n.out" 2>"$OUT/client-$n.err"
  rc=$?
  set -e
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  load_during="$(awk '{s+=$1; if ($1>m) m=$1; n++} END {if (n) printf "mean %.2f, max %.2f over %d samples", s/n, m, n; else print "no samples"}' "$OUT/loadavg-$n.txt")"
  echo "   1-minute load average during the run (every 10 s): $load_during" >&2
  echo "# N=$n load average during the run: $load_during" >>"$OUT/summary.jsonl"
  cat "$OUT/client-$n.out"
  grep '"type":"handoff-summary"' "$OUT/client-$n.out" >>"$OUT/summary.jsonl" || true
  if [[ $rc -ne 0 ]]; then
    echo "handoff.sh: the client run for N=$n failed (exit $rc), see $OUT/client-$n.err" >&2
    tail -20 "$OUT/client-$n.err" >&2 || true
    status=1
  fi
  stop_server
  if grep -qiE 'exception|error' "$OUT/server-$n.log"; then
    echo "   (the server log mentions errors, see $OUT/server-$n.log)" >&2
  fi
done

echo "== summary ($OUT/summary.jsonl)" >&2
cat "$OUT/summary.jsonl"
exit $status
