#!/usr/bin/env bash
# Tunnel benchmark (issue 3): the same Vert.x backend reached three ways, measured side by side in one run:
#   direct:  wrk -> backend
#   haproxy: wrk -> HAProxy (Debian's haproxy, mode http; the engine HaRP is built on) -> backend
#   tunnel:  wrk -> tunnel front (Vert.x + in-process TunnelServer, own JVM) -> gRPC/mTLS tunnel -> agent
#            (`agent run`, own JVM) -> backend
# Measures small-request req/s + p50/p99 at fixed concurrency, p50/p99 at half the tunnel's max rate, bulk
# MB/s, WebSocket echo msg/s, and the RSS of front and agent with 10,000 idle WebSockets through the tunnel.
# Every load step is bounded (fixed duration or count). Takes ~11-13 minutes. Results: bench/out/tunnel/summary.md
#
# Knobs (env): DURATION=15 WARMUP=40 HALF_WARMUP=10 CONC=32 ROUNDS=2 BULK_MIB=1024 IDLE_WS=10000
#   FRONT_LOOPS=2 (the tunnel front's Vert.x event loops) SERVER_EXTRA_OPTS (more JVM flags for front and agent,
#   e.g. -Xlog:gc:file=/tmp/gc-%p.log)
#   JIT=c2 (full tiered, as ./lyre launches proxy and `agent run`) or JIT=c1 (-XX:TieredStopAtLevel=1, the CLI flags)
#   SKIP_BUILD=1 reuses the jars already built.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/out/${OUT_NAME:-tunnel}"
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-40}
HALF_WARMUP=${HALF_WARMUP:-10}
CONC=${CONC:-32}
ROUNDS=${ROUNDS:-2}
BULK_MIB=${BULK_MIB:-1024}
IDLE_WS=${IDLE_WS:-10000}
JIT=${JIT:-c2}
FRONT_LOOPS=${FRONT_LOOPS:-2}
BACKEND_PORT=${BACKEND_PORT:-18080}
HAPROXY_PORT=${HAPROXY_PORT:-18481}
FRONT_PORT=${FRONT_PORT:-18482}
TUNNEL_PORT=${TUNNEL_PORT:-18782}
# SPREAD>0 spreads idle WebSockets over SPREAD extra backend ports (BACKEND_PORT+1..): the work-around from when the
# agent held at most 50 WebSockets per host:port (Vert.x's default). The agent now allows --max-upstream-connections
# (default 20,000), so all go to BACKEND_PORT by default.
SPREAD=${SPREAD:-0}

die() { echo "tunnel-bench: $*" >&2; exit 1; }
for tool in java wrk haproxy curl awk; do
  command -v "$tool" >/dev/null || die "'$tool' not found. Install it: apt-get install -y wrk haproxy curl (and a JDK 17)"
done
case "$JIT" in
  c1) JIT_OPTS="-XX:TieredStopAtLevel=1" ;;
  c2) JIT_OPTS="" ;;
  *) die "JIT must be c1 or c2" ;;
esac
# SerialGC, as the agent's image and service file run it (the proxy's image and ./lyre leave the JVM's default, G1 on
# this machine: measured the same or slightly worse here, tunnel p99 at half load 6.0-7.3 ms), plus the JIT choice.
SERVER_OPTS="-XX:+UseSerialGC $JIT_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${SERVER_EXTRA_OPTS:-}"
CLIENT_OPTS="-XX:+UseSerialGC -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  echo "== building agent and bench"
  ./mvnw -B -q -pl agent,bench -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
[[ -f agent/target/lyre-agent.jar && -f bench/target/classpath.txt ]] || die "build outputs missing (agent/target/lyre-agent.jar, bench/target/classpath.txt)"
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
MAIN=io.lyre.bench.tunnel.TunnelBenchMain

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ $(ulimit -n) -ge $((IDLE_WS + 2000)) ]] || die "open-file limit $(ulimit -n) too low for $IDLE_WS WebSockets"

rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in $BACKEND_PORT $HAPROXY_PORT $FRONT_PORT $TUNNEL_PORT $((BACKEND_PORT + 1)) $((BACKEND_PORT + SPREAD)); do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then die "port $p is already in use (set *_PORT)"; fi
done

wait_for() { # file pattern seconds pid
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { cat "$1" >&2; die "process $4 died before printing '$2' (log $1)"; }
    sleep 0.1
  done
  cat "$1" >&2
  die "no '$2' in $1 within $3 s"
}
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

echo "== starting backend, haproxy, tunnel front, agent"
java $CLIENT_OPTS -cp "$CP" $MAIN backend --port=$BACKEND_PORT --extra-ws-ports=$SPREAD >"$OUT/backend.log" 2>&1 &
BACKEND_PID=$!; PIDS+=($BACKEND_PID)
wait_for "$OUT/backend.log" BACKEND_READY 30 $BACKEND_PID

cat >"$OUT/haproxy.cfg" <<CFG
global
  maxconn $(( ($(ulimit -n) - 100) / 2 ))
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend be
backend be
  server s1 127.0.0.1:$BACKEND_PORT
CFG
haproxy -c -f "$OUT/haproxy.cfg" >/dev/null || die "haproxy rejected $OUT/haproxy.cfg"
haproxy -db -f "$OUT/haproxy.cfg" >"$OUT/haproxy.log" 2>&1 &
HAPROXY_PID=$!; PIDS+=($HAPROXY_PID)
wait_port() { # port seconds pid log
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { cat "$4" >&2; die "process $3 died before listening on $1 (log $4)"; }
    sleep 0.1
  done
  die "nothing listens on $1 after $2 s"
}
wait_port $HAPROXY_PORT 10 $HAPROXY_PID "$OUT/haproxy.log"

java $SERVER_OPTS -cp "$CP" $MAIN front --port=$FRONT_PORT --tunnel-port=$TUNNEL_PORT --backend-port=$BACKEND_PORT \
  --data-dir="$OUT/proxy-data" --token-file="$OUT/token" --event-loops="$FRONT_LOOPS" >"$OUT/front.log" 2>&1 &
FRONT_PID=$!; PIDS+=($FRONT_PID)
wait_for "$OUT/front.log" TUNNEL_READY 60 $FRONT_PID
AGENT_JAR=agent/target/lyre-agent.jar
java $SERVER_OPTS -jar $AGENT_JAR join "127.0.0.1:$TUNNEL_PORT" "$(cat "$OUT/token")" --data-dir "$OUT/agent-data" \
  --name bench >"$OUT/agent-join.log" 2>&1 || { cat "$OUT/agent-join.log" >&2; die "agent join failed"; }
java $SERVER_OPTS -jar $AGENT_JAR run --data-dir "$OUT/agent-data" >"$OUT/agent.log" 2>&1 &
AGENT_PID=$!; PIDS+=($AGENT_PID)
wait_for "$OUT/front.log" AGENT_READY 60 $FRONT_PID
kill -0 $AGENT_PID || die "agent exited; see $OUT/agent.log"

declare -A PORT=([direct]=$BACKEND_PORT [haproxy]=$HAPROXY_PORT [tunnel]=$FRONT_PORT)
TARGETS=(direct haproxy tunnel)
for t in "${TARGETS[@]}"; do
  body=$(curl -fsS --max-time 10 "http://127.0.0.1:${PORT[$t]}/") || die "$t: smoke request failed"
  [[ "$body" == "hello, world" ]] || die "$t: unexpected body '$body'"
done
echo "   all three paths answer; RSS idle: front $(rss_mib $FRONT_PID) MiB, agent $(rss_mib $AGENT_PID) MiB"
if [[ -n "${SERVE_SECONDS:-}" ]]; then # debugging: keep the three paths up for a while, then clean up
  echo "   serving for $SERVE_SECONDS s: direct :$BACKEND_PORT, haproxy :$HAPROXY_PORT, tunnel :$FRONT_PORT (front pid $FRONT_PID, agent pid $AGENT_PID)"
  sleep "$SERVE_SECONDS" &
  wait $!
  exit 0
fi

to_ms() { # wrk latency like 1.23ms / 456.00us / 1.20s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
run_wrk() { # name target extra-args... ; sets RPS P50 P99
  local name=$1 t=$2; shift 2
  wrk "$@" --latency "http://127.0.0.1:${PORT[$t]}/" >"$OUT/wrk-$name.txt" 2>&1 || die "wrk failed: $OUT/wrk-$name.txt"
  RPS=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-$name.txt")
  P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$name.txt")")
  P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$name.txt")")
  local errs; errs=$(grep -E "Non-2xx|Socket errors" "$OUT/wrk-$name.txt" || true)
  [[ -z "$errs" ]] || echo "   WARNING $name: $errs"
}

# ROUNDS rounds of `wrk ARGS` on every path, the paths interleaved in each round; the means go into the arrays
# PREFIX_RPS, PREFIX_P50 and PREFIX_P99, by path.
rounds() { # label PREFIX wrk-args...
  local label=$1 t r
  local -n rps_mean=$2_RPS p50_mean=$2_P50 p99_mean=$2_P99
  shift 2
  local -A rps_sum p50_sum p99_sum
  add() { awk -v a="$1" -v b="$2" 'BEGIN {print a + b}'; }
  mean() { awk -v a="$1" -v n="$ROUNDS" -v f="$2" 'BEGIN {printf f, a / n}'; }
  for t in "${TARGETS[@]}"; do rps_sum[$t]=0; p50_sum[$t]=0; p99_sum[$t]=0; done
  for ((r = 1; r <= ROUNDS; r++)); do
    for t in "${TARGETS[@]}"; do
      run_wrk "$label-$t-r$r" "$t" "$@"
      echo "   round $r $t: $RPS req/s, p50 $P50 ms, p99 $P99 ms"
      rps_sum[$t]=$(add "${rps_sum[$t]}" "$RPS"); p50_sum[$t]=$(add "${p50_sum[$t]}" "$P50"); p99_sum[$t]=$(add "${p99_sum[$t]}" "$P99")
    done
  done
  for t in "${TARGETS[@]}"; do
    rps_mean[$t]=$(mean "${rps_sum[$t]}" %.0f); p50_mean[$t]=$(mean "${p50_sum[$t]}" %.2f); p99_mean[$t]=$(mean "${p99_sum[$t]}" %.2f)
  done
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== small requests: wrk -t2 -c$CONC -d${DURATION}s, $ROUNDS rounds (load avg now: $LOAD_START)"
# Warm-up: the JVMs on the tunnel path reach steady state only once C2 has compiled the hot paths (the first 10-20 s
# run at a third of the final rate); HAProxy and the backend get the same warm-up.
for t in "${TARGETS[@]}"; do
  run_wrk "warmup-$t" "$t" -t2 -c"$CONC" -d"${WARMUP}s"
done
declare -A MAX_RPS MAX_P50 MAX_P99
rounds max MAX -t2 -c"$CONC" -d"${DURATION}s"

# Half of the tunnel's max rate, the same offered rate on all three paths. wrk has no rate option (wrk2 is not
# packaged): each connection waits a think time after each response (Lua delay()), so rate ~ c * 1000 / (DELAY +
# latency). The think time is uniform in [0, 2 DELAY] ms: a constant one keeps all connections in step, so the
# load arrives in waves of c requests every DELAY ms, and p99 measures the wave, not the path.
HALF=$(( ${MAX_RPS[tunnel]} / 2 ))
DELAY=10
RATE_CONN=$(awk -v r=$HALF -v d=$DELAY 'BEGIN {c = int(r * (d + 0.5) / 1000 + 0.5); if (c < 2) c = 2; print c}')
printf 'function delay()\n  return math.random(0, %d)\nend\n' $((2 * DELAY)) >"$OUT/delay.lua"
echo "== latency at ~half the tunnel's max ($HALF req/s offered: wrk -t2 -c$RATE_CONN, think time uniform 0-$((2 * DELAY)) ms, ${DURATION}s, $ROUNDS rounds)"
declare -A HALF_RPS HALF_P50 HALF_P99
# A paced warm-up first, on every path: the paced load opens three times the connections of the max runs (so the
# agent's pool to the backend grows) and takes other branches; the first paced run after the max rounds paid for that
# (tunnel p99 11-19 ms, then 5-8 ms in the runs after it, on the same processes).
for t in "${TARGETS[@]}"; do
  run_wrk "half-warmup-$t" "$t" -t2 -c"$RATE_CONN" -d"${HALF_WARMUP}s" -s "$OUT/delay.lua"
done
rounds half HALF -t2 -c"$RATE_CONN" -d"${DURATION}s" -s "$OUT/delay.lua"
# The same offered load from one wrk thread: on two vCPUs the client's second thread is one more thread waking and
# competing with the paths it measures. Reported beside the two-thread figures, which the target is judged on.
echo "== the same, one wrk thread (wrk -t1 -c$RATE_CONN)"
declare -A HALF1_RPS HALF1_P50 HALF1_P99
rounds half1 HALF1 -t1 -c"$RATE_CONN" -d"${DURATION}s" -s "$OUT/delay.lua"

echo "== bulk: ${BULK_MIB} MiB down and up, one stream, per path"
declare -A DOWN UP
for t in "${TARGETS[@]}"; do
  # an untimed pass first: the tunnel's JVMs compile the bulk loops only after a few hundred MiB
  timeout 300 java $CLIENT_OPTS -cp "$CP" $MAIN bulk --port=${PORT[$t]} --total-mib=256 --streams=1 --label=warmup-$t \
    >"$OUT/bulk-warmup-$t.txt" 2>&1 || { cat "$OUT/bulk-warmup-$t.txt" >&2; die "bulk warm-up $t failed"; }
  timeout 300 java $CLIENT_OPTS -cp "$CP" $MAIN bulk --port=${PORT[$t]} --total-mib=$BULK_MIB --streams=1 --label=$t \
    >"$OUT/bulk-$t.txt" 2>&1 || { cat "$OUT/bulk-$t.txt" >&2; die "bulk $t failed"; }
  DOWN[$t]=$(awk '/^BULK .* download/ {sub("MBps=", "", $NF); print $NF}' "$OUT/bulk-$t.txt")
  UP[$t]=$(awk '/^BULK .* upload/ {sub("MBps=", "", $NF); print $NF}' "$OUT/bulk-$t.txt")
  echo "   $t: download ${DOWN[$t]} MB/s, upload ${UP[$t]} MB/s"
done

echo "== WebSocket echo: 16 connections x 4 in flight, 64-byte binary messages, 10 s"
declare -A WSE
for t in "${TARGETS[@]}"; do
  timeout 120 java $CLIENT_OPTS -cp "$CP" $MAIN ws-echo --port=${PORT[$t]} --connections=16 --window=4 --size=64 \
    --duration-s=10 --label=$t >"$OUT/wsecho-$t.txt" 2>&1 || { cat "$OUT/wsecho-$t.txt" >&2; die "ws-echo $t failed"; }
  WSE[$t]=$(awk '/^WSECHO/ {sub("msgps=", "", $NF); print $NF}' "$OUT/wsecho-$t.txt")
  echo "   $t: ${WSE[$t]} echoes/s"
done

echo "== $IDLE_WS idle WebSockets through the tunnel"
RSS0_FRONT=$(rss_mib $FRONT_PID); RSS0_AGENT=$(rss_mib $AGENT_PID)
java $CLIENT_OPTS -cp "$CP" $MAIN ws-idle --port=$FRONT_PORT --count=$IDLE_WS --rate=${IDLE_RATE:-500} --in-flight=${IDLE_IN_FLIGHT:-8} \
  --spread=$SPREAD --spread-base=$BACKEND_PORT --hold-s=20 --timeout-s=150 >"$OUT/ws-idle.txt" 2>&1 &
IDLE_PID=$!; PIDS+=($IDLE_PID)
wait_for "$OUT/ws-idle.txt" IDLE_HELD 200 $IDLE_PID
sleep 5
RSS_FRONT=$(rss_mib $FRONT_PID); RSS_AGENT=$(rss_mib $AGENT_PID); RSS_BACKEND=$(rss_mib $BACKEND_PID)
HELD=$(awk '/^IDLE_HELD/ {print $2}' "$OUT/ws-idle.txt")
timeout 60 tail --pid=$IDLE_PID -f /dev/null || true
IDLE_END=$(grep IDLE_END "$OUT/ws-idle.txt" || echo "IDLE_END missing")
RSS_SUM=$(awk -v a="$RSS_FRONT" -v b="$RSS_AGENT" 'BEGIN {printf "%.1f", a + b}')
echo "   held $HELD; RSS front $RSS_FRONT MiB (before $RSS0_FRONT), agent $RSS_AGENT MiB (before $RSS0_AGENT); $IDLE_END"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }
verdict() { if awk "BEGIN {exit !($1)}"; then echo "**met**"; else echo "**missed**"; fi; }
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(haproxy -v | head -1 | cut -d' ' -f1-3), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
  echo "Load average (1/5/15 min) at start of load: $LOAD_START; at end: $LOAD_END. JIT=$JIT CONC=$CONC DURATION=${DURATION}s WARMUP=${WARMUP}s HALF_WARMUP=${HALF_WARMUP}s ROUNDS=$ROUNDS"
  echo
  echo "| measure | direct | HAProxy | tunnel | tunnel / direct | tunnel / HAProxy |"
  echo "|---|---|---|---|---|---|"
  echo "| req/s, wrk -t2 -c$CONC (mean of $ROUNDS) | ${MAX_RPS[direct]} | ${MAX_RPS[haproxy]} | ${MAX_RPS[tunnel]} | $(ratio ${MAX_RPS[tunnel]} ${MAX_RPS[direct]}) | $(ratio ${MAX_RPS[tunnel]} ${MAX_RPS[haproxy]}) |"
  echo "| p50 / p99 ms at max | ${MAX_P50[direct]} / ${MAX_P99[direct]} | ${MAX_P50[haproxy]} / ${MAX_P99[haproxy]} | ${MAX_P50[tunnel]} / ${MAX_P99[tunnel]} | | |"
  echo "| req/s achieved at ~half tunnel max ($HALF offered; mean of $ROUNDS) | ${HALF_RPS[direct]} | ${HALF_RPS[haproxy]} | ${HALF_RPS[tunnel]} | | |"
  echo "| p50 / p99 ms at that rate (mean of $ROUNDS) | ${HALF_P50[direct]} / ${HALF_P99[direct]} | ${HALF_P50[haproxy]} / ${HALF_P99[haproxy]} | ${HALF_P50[tunnel]} / ${HALF_P99[tunnel]} | | |"
  echo "| the same load from one wrk thread (-t1): req/s, p50 / p99 ms (mean of $ROUNDS) | ${HALF1_RPS[direct]}, ${HALF1_P50[direct]} / ${HALF1_P99[direct]} | ${HALF1_RPS[haproxy]}, ${HALF1_P50[haproxy]} / ${HALF1_P99[haproxy]} | ${HALF1_RPS[tunnel]}, ${HALF1_P50[tunnel]} / ${HALF1_P99[tunnel]} | | |"
  echo "| bulk download MB/s (${BULK_MIB} MiB, 1 stream) | ${DOWN[direct]} | ${DOWN[haproxy]} | ${DOWN[tunnel]} | $(ratio ${DOWN[tunnel]} ${DOWN[direct]}) | $(ratio ${DOWN[tunnel]} ${DOWN[haproxy]}) |"
  echo "| bulk upload MB/s (${BULK_MIB} MiB, 1 stream) | ${UP[direct]} | ${UP[haproxy]} | ${UP[tunnel]} | $(ratio ${UP[tunnel]} ${UP[direct]}) | $(ratio ${UP[tunnel]} ${UP[haproxy]}) |"
  echo "| WebSocket echoes/s (16 conns x 4 in flight, 64 B) | ${WSE[direct]} | ${WSE[haproxy]} | ${WSE[tunnel]} | $(ratio ${WSE[tunnel]} ${WSE[direct]}) | $(ratio ${WSE[tunnel]} ${WSE[haproxy]}) |"
  echo "| $IDLE_WS idle WebSockets: RSS front + agent | | | $RSS_FRONT + $RSS_AGENT = $RSS_SUM MiB (held $HELD; idle before: $RSS0_FRONT + $RSS0_AGENT) | | |"
  echo
  echo "Targets: tunnel >= 50 % of HAProxy req/s: $(verdict "${MAX_RPS[tunnel]} >= 0.5 * ${MAX_RPS[haproxy]}");" \
       "p99 <= 5 ms at half load (wrk -t2): $(verdict "${HALF_P99[tunnel]} <= 5");" \
       "bulk >= 300 MB/s: down $(verdict "${DOWN[tunnel]} >= 300"), up $(verdict "${UP[tunnel]} >= 300");" \
       "$IDLE_WS idle WS <= 1 GiB: $(verdict "$RSS_SUM <= 1024 && $HELD >= $IDLE_WS")"
} >"$OUT/summary.md"
echo
cat "$OUT/summary.md"
