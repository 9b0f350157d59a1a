#!/usr/bin/env bash
# Where the tunnel's time goes (issue 3), HAProxy and the tunnel side by side on the paths tunnel-bench.sh sets up
# (it runs them with SERVE_SECONDS): per-request CPU of each process (/proc/PID/stat) and run-queue wait of each busy
# thread (/proc/PID/task/TID/schedstat) at max and at half load, latency percentiles at half load (a wrk Lua done()),
# and p50/p99 at a low rate (4 connections, 20 ms think time). Every load step is bounded. About 3 minutes.
# Knobs (env): WARMUP=25 HALF_CONN=98 (wrk connections at half load, as tunnel-bench.sh derives for ~9k req/s)
#   SKIP_BUILD=1 reuses the jars already built. Results: bench/out/tunnel-tail/summary.txt
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/tunnel-tail
mkdir -p "$OUT"
WARMUP=${WARMUP:-25}
HALF_CONN=${HALF_CONN:-98}
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 1; }

OUT_NAME=tunnel-tail-paths SERVE_SECONDS=400 bash bench/tunnel-bench.sh >"$OUT/serve.log" 2>&1 &
SERVE=$!
cleanup() { kill "$SERVE" 2>/dev/null || true; pkill -P "$SERVE" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 300); do grep -q "serving for" "$OUT/serve.log" && break; kill -0 "$SERVE" || { cat "$OUT/serve.log"; exit 1; }; sleep 1; done
LINE=$(grep "serving for" "$OUT/serve.log")
FRONT=$(sed -E 's/.*front pid ([0-9]+).*/\1/' <<<"$LINE"); AGENT=$(sed -E 's/.*agent pid ([0-9]+).*/\1/' <<<"$LINE")
BACKEND=$(pgrep -f "TunnelBenchMain backend" | head -1); HAPROXY=$(pgrep -x haproxy | head -1)
declare -A NAME=([$FRONT]=front [$AGENT]=agent [$BACKEND]=backend [$HAPROXY]=haproxy)

cat >"$OUT/half.lua" <<'EOF'
function delay()
  return math.random(0, 20)
end
done = function(summary, latency, requests)
  local s = ""
  for _, p in pairs({50, 90, 95, 97, 98, 99, 99.5}) do
    s = s .. string.format("p%s=%.2fms ", p, latency:percentile(p) / 1000)
  end
  io.write(s .. "\n")
end
EOF
printf 'function delay()\n  return 20\nend\n' >"$OUT/low.lua"

threads() { local p t; for p in $FRONT $AGENT $BACKEND $HAPROXY; do for t in /proc/$p/task/*; do
  echo "$p $(basename "$t") $(awk '{print $1, $2}' "$t/schedstat")"; done; done; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # label port wrk-args...
  local label=$1 port=$2; shift 2
  local p; local -A c1; for p in $FRONT $AGENT $BACKEND $HAPROXY; do c1[$p]=$(cpu "$p"); done
  threads >"$OUT/t1"
  local w; w=$(wrk "$@" "http://127.0.0.1:$port/")
  threads >"$OUT/t2"
  local n; n=$(awk '/requests in/ {print $1}' <<<"$w")
  echo "$label: $(awk '/Requests\/sec/ {print $2}' <<<"$w") req/s $(grep -E '^p50' <<<"$w" || true)"
  local line="  CPU per request:"
  for p in $FRONT $AGENT $BACKEND $HAPROXY; do
    local d=$(( $(cpu "$p") - ${c1[$p]} ))
    (( d > 100 )) && line+=" ${NAME[$p]} $(( d * 10000000 / n )) ns"
  done
  echo "$line"
  join <(awk '{print $1"_"$2, $3, $4}' "$OUT/t1" | sort) <(awk '{print $1"_"$2, $3, $4}' "$OUT/t2" | sort) |
    awk -v n="$n" '{run = ($4 - $2) / n; wait = ($5 - $3) / n; if (run > 1000) { split($1, id, "_");
      printf "  thread %s of pid %s: run %.1f us, run-queue wait %.1f us per request\n", id[2], id[1], run / 1000, wait / 1000 } }'
}

wrk -t2 -c32 -d"${WARMUP}s" http://127.0.0.1:18482/ >/dev/null
wrk -t2 -c32 -d10s http://127.0.0.1:18481/ >/dev/null
{
  echo "Run $(date -u +%FT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg); pids: front $FRONT, agent $AGENT, backend $BACKEND, haproxy $HAPROXY"
  for path in haproxy:18481 tunnel:18482; do
    measure "${path%%:*} max (wrk -t2 -c32 -d10s)" "${path##*:}" -t2 -c32 -d10s
    measure "${path%%:*} half (wrk -t2 -c$HALF_CONN -d8s, think time 0-20 ms)" "${path##*:}" -t2 -c"$HALF_CONN" -d8s -s "$OUT/half.lua"
  done
  for path in direct:18080 haproxy:18481 tunnel:18482; do
    echo "${path%%:*} low rate (wrk -t2 -c4 -d8s, think time 20 ms): $(wrk --latency -t2 -c4 -d8s -s "$OUT/low.lua" "http://127.0.0.1:${path##*:}/" |
      awk '/Requests\/sec/ {r = $2} $1 == "50%" {a = $2} $1 == "99%" {b = $2} END {print r " req/s, p50 " a ", p99 " b}')"
  done
} | tee "$OUT/summary.txt"
