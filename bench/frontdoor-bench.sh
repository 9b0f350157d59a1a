#!/usr/bin/env bash
# Front door benchmark (issue 4). Two paths to the same ExApp container, measured side by side in one run:
#   front door: wrk (session cookie) -> the real proxy (quarkus-run.jar: key/metadata/session/route checks, ExApp
#               headers added) -> its tunnel -> `agent run` (own JVM) -> lyre/test-exapp container, deployed by
#               AppAPI's create + start through the proxy (docker-engine-port 24000) on that agent's engine
#   tunnel:     wrk (the four ExApp headers set by wrk) -> bench tunnel front (Vert.x + in-process TunnelServer, no
#               HaRP logic) -> a second `agent run` -> the same container IP:port
#   container:  wrk straight to the container IP:port (reference only: what the ExApp itself costs)
# Nextcloud is a bench stand-in (io.lyre.bench.frontdoor.BenchNextcloud) that counts the user-info call-backs.
# 1. Latency at a fixed moderate rate (wrk -t2 -c$CONC, $DELAY_MS ms think time per connection), warm session
#    cache, p50/p99 for both paths, alternating, $ROUNDS rounds; the added latency is front door minus tunnel.
# 2. Single flight: $SF_CONC concurrent requests with ONE fresh session cookie at a USER route, then the same
#    concurrency sustained for $SF_SUSTAIN_S s (> 2 lifetimes) with another fresh cookie; user-info calls counted
#    by the stand-in (answering after $SF_USER_INFO_DELAY_MS ms, like a real Nextcloud). Target: <= 1 call per
#    HP_SESSION_LIFETIME.
# Bounded: a watchdog ends the run after MAX_SECONDS (default 420) past the build; every process the script starts
# is stopped by its recorded PID, and the ExApp container is removed through AppAPI's remove (then docker rm of
# that one container name as a fallback). Results: bench/out/frontdoor/summary.md
#
# Knobs (env): DURATION=10 ROUNDS=2 CONC=4 DELAY_MS=20 JIT=c2|c1
#   HP_SESSION_LIFETIME=3 LAT_USER_INFO_DELAY_MS=0 SF_CONC=1000 SF_SUSTAIN_S=7 SF_USER_INFO_DELAY_MS=50
#   PORT_BASE=19780 (uses PORT_BASE..PORT_BASE+6) SKIP_BUILD=1 reuses the jars already built.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/out/${OUT_NAME:-frontdoor}"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONC=${CONC:-4}
DELAY_MS=${DELAY_MS:-20}
JIT=${JIT:-c2}
LIFETIME=${HP_SESSION_LIFETIME:-3}
LAT_USER_INFO_DELAY_MS=${LAT_USER_INFO_DELAY_MS:-0}
SF_CONC=${SF_CONC:-1000}
SF_SUSTAIN_S=${SF_SUSTAIN_S:-7}
SF_USER_INFO_DELAY_MS=${SF_USER_INFO_DELAY_MS:-50}
MAX_SECONDS=${MAX_SECONDS:-420}
PORT_BASE=${PORT_BASE:-19780}
NC_PORT=$PORT_BASE
FD_PORT=$((PORT_BASE + 1))
FD_TUNNEL_PORT=$((PORT_BASE + 2))
MGMT_PORT=$((PORT_BASE + 3))
TF_PORT=$((PORT_BASE + 4))
TF_TUNNEL_PORT=$((PORT_BASE + 5))
FD_HTTPS_PORT=$((PORT_BASE + 6))
APP=${APP:-lyre-bench-fd}
IMAGE=lyre/test-exapp:latest
APP_PORT=23000

die() { echo "frontdoor-bench: $*" >&2; exit 1; }
for tool in java wrk curl awk docker base64 openssl; do
  command -v "$tool" >/dev/null || die "'$tool' not found. Install it: apt-get install -y wrk curl openssl (and a JDK 17, Docker)"
done
case "$JIT" in
  c1) JIT_OPTS="-XX:TieredStopAtLevel=1" ;;
  c2) JIT_OPTS="" ;;
  *) die "JIT must be c1 or c2" ;;
esac
# The same flags for the four server JVMs (proxy, bench tunnel front, both agents): the fronts differ, nothing else.
SERVER_OPTS="-XX:+UseSerialGC $JIT_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
CLIENT_OPTS="-XX:+UseSerialGC -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  echo "== building proxy, agent and bench"
  ./mvnw -B -q -pl proxy,agent,bench -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
[[ -f proxy/target/quarkus-app/quarkus-run.jar && -f agent/target/lyre-agent.jar && -f bench/target/classpath.txt \
   && -d bench/target/classes/io/lyre/bench/frontdoor ]] \
  || die "build outputs missing (proxy/target/quarkus-app, agent/target/lyre-agent.jar, bench/target/classpath.txt, bench classes): run without SKIP_BUILD"
MAIN=io.lyre.bench.frontdoor.FrontDoorBenchMain
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "$IMAGE is missing: deploy/images/build-all.sh"
CONTAINER="nc_app_$APP"
if docker container inspect "$CONTAINER" >/dev/null 2>&1; then
  die "container $CONTAINER exists (a previous run?): docker rm -f $CONTAINER && docker volume rm ${CONTAINER}_data"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ $(ulimit -n) -ge $((SF_CONC * 4 + 1000)) ]] || die "open-file limit $(ulimit -n) too low for $SF_CONC connections"

for p in $NC_PORT $FD_PORT $FD_TUNNEL_PORT $MGMT_PORT $TF_PORT $TF_TUNNEL_PORT $FD_HTTPS_PORT; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then die "port $p is already in use (set PORT_BASE)"; fi
done

rm -rf "$OUT"
mkdir -p "$OUT/jars/cp"
# Run from a copy of the build outputs: others may rebuild proxy/, agent/ or tunnel/ while this runs.
cp -r proxy/target/quarkus-app "$OUT/jars/proxy"
mkdir -p "$OUT/jars/agent" && cp -r agent/target/lyre-agent.jar agent/target/lib "$OUT/jars/agent/"
cp -r bench/target/classes "$OUT/jars/bench-classes"
CP="$OUT/jars/bench-classes"
for e in $(tr ':' ' ' <bench/target/classpath.txt); do
  if [[ $e == "$ROOT"/* ]]; then cp "$e" "$OUT/jars/cp/"; e="$OUT/jars/cp/$(basename "$e")"; fi
  CP+=":$e"
done
PROXY_JAR="$OUT/jars/proxy/quarkus-run.jar"
AGENT_JAR="$OUT/jars/agent/lyre-agent.jar"
KEY=$(openssl rand -hex 24)
SECRET=$(openssl rand -hex 32)
printf '%s' "$KEY" >"$OUT/key"
chmod 600 "$OUT/key"

PIDS=()
DEPLOYED=""
remove_app() {
  [[ -n "$DEPLOYED" ]] || return 0
  DEPLOYED=""
  curl -sS --max-time 60 -o /dev/null -H "harp-shared-key: $KEY" -H "docker-engine-port: 24000" \
    -u "app_api_haproxy_user:$KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$APP\",\"instance_id\":\"\",\"remove_data\":true}" \
    "http://127.0.0.1:$FD_PORT/exapps/app_api/docker/exapp/remove" 2>/dev/null || true
  if docker container inspect "$CONTAINER" >/dev/null 2>&1; then
    docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
  docker volume rm "${CONTAINER}_data" >/dev/null 2>&1 || true
}
cleanup() {
  local pid
  remove_app
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# watchdog: the whole run past the build is bounded. Its sleep gets no stdout (a pipe reader would wait for it) and
# dies with it, so it never signals a PID after this script is gone.
( trap 'kill "$sp" 2>/dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" </dev/null >/dev/null 2>&1 &
  sp=$!
  wait "$sp" && { echo "frontdoor-bench: over $MAX_SECONDS s, stopping" >&2; kill -TERM $$ 2>/dev/null; } ) &
PIDS+=($!)

wait_for() { # file pattern seconds pid
  local end=$((SECONDS + $3))
  while ((SECONDS < end)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { tail -40 "$1" >&2; die "process $4 died before printing '$2' (log $1)"; }
    sleep 0.1
  done
  tail -40 "$1" >&2
  die "no '$2' in $1 within $3 s"
}
wait_port() { # port seconds pid log
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { tail -40 "$4" >&2; die "process $3 died before listening on $1 (log $4)"; }
    sleep 0.1
  done
  tail -40 "$4" >&2
  die "nothing listens on $1 after $2 s (log $4)"
}

echo "== starting the tunnel-only front and its own agent (it learns the container's address later)"
java $SERVER_OPTS -cp "$CP" $MAIN front --port=$TF_PORT --tunnel-port=$TF_TUNNEL_PORT --backend-host-file="$OUT/backend-host" \
  --backend-port=$APP_PORT --data-dir="$OUT/front-data" --token-file="$OUT/front-token" >"$OUT/front.log" 2>&1 &
TF_PID=$!; PIDS+=($TF_PID)
AGENT_ENV=(env -u LYRE_AGENT_METRICS_ADDRESS -u LYRE_DATA_DIR)
( wait_for "$OUT/front.log" TUNNEL_READY 90 $TF_PID
  timeout 90 "${AGENT_ENV[@]}" java $SERVER_OPTS -jar $AGENT_JAR join "127.0.0.1:$TF_TUNNEL_PORT" "$(cat "$OUT/front-token")" \
    --data-dir "$OUT/agent-tf" --name bench-tunnel >"$OUT/agent-tf-join.log" 2>&1 \
    || { cat "$OUT/agent-tf-join.log" >&2; die "agent join (tunnel front) failed"; }
  exec "${AGENT_ENV[@]}" java $SERVER_OPTS -jar $AGENT_JAR run --data-dir "$OUT/agent-tf" >"$OUT/agent-tf.log" 2>&1
) &
AGENT_TF_PID=$!; PIDS+=($AGENT_TF_PID)

echo "== starting the Nextcloud stand-in and the proxy"
cat >"$OUT/meta.json" <<JSON
{"exapp_token":"$SECRET","exapp_version":"1.0.0","host":"127.0.0.1","port":$APP_PORT,
 "routes":[{"url":"^/public$","access_level":0,"bruteforce_protection":[]},
           {"url":"^/user$","access_level":1,"bruteforce_protection":[]}]}
JSON
java $CLIENT_OPTS -Xmx256m -cp "$CP" $MAIN nextcloud --port=$NC_PORT --key-file="$OUT/key" --app-id=$APP \
  --meta-file="$OUT/meta.json" --user-info-delay-ms=$LAT_USER_INFO_DELAY_MS >"$OUT/nextcloud.log" 2>&1 &
NC_PID=$!; PIDS+=($NC_PID)
wait_for "$OUT/nextcloud.log" NEXTCLOUD_READY 30 $NC_PID
nc_counts() { curl -fsS --max-time 5 "http://127.0.0.1:$NC_PORT/bench/counts${1:+?session=$1}"; }
user_info_count() { nc_counts | sed -E 's/.*"user_info":([0-9]+).*/\1/'; }

env -u LYRE_AGENT_METRICS_ADDRESS HP_SHARED_KEY="$KEY" NC_INSTANCE_URL="http://127.0.0.1:$NC_PORT/index.php/" \
  HP_EXAPPS_ADDRESS="127.0.0.1:$FD_PORT" HP_EXAPPS_HTTPS_ADDRESS="127.0.0.1:$FD_HTTPS_PORT" \
  HP_SESSION_LIFETIME="$LIFETIME" HP_LOG_LEVEL=warning LYRE_LOCAL_DOCKER=none \
  LYRE_TUNNEL_ADDRESS="127.0.0.1:$FD_TUNNEL_PORT" LYRE_DATA_DIR="$OUT/proxy-data" \
  LYRE_MANAGEMENT_PORT=$MGMT_PORT LYRE_MANAGEMENT_HOST=127.0.0.1 \
  java $SERVER_OPTS -jar $PROXY_JAR >"$OUT/proxy.log" 2>&1 &
PROXY_PID=$!; PIDS+=($PROXY_PID)
wait_port $FD_PORT 90 $PROXY_PID "$OUT/proxy.log"
wait_port $FD_TUNNEL_PORT 30 $PROXY_PID "$OUT/proxy.log"
wait_port $MGMT_PORT 30 $PROXY_PID "$OUT/proxy.log"

echo "== joining an agent to the proxy (admin API token), starting it"
TOKEN=""
end=$((SECONDS + 30))
while ((SECONDS < end)); do
  TOKEN=$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$MGMT_PORT/api/v1/join-tokens?ttl=10m" 2>/dev/null \
    | sed -nE 's/.*"token" *: *"([^"]+)".*/\1/p') || true
  [[ -n "$TOKEN" ]] && break
  sleep 0.2
done
[[ -n "$TOKEN" ]] || die "no join token from POST /api/v1/join-tokens (log $OUT/proxy.log)"
timeout 60 "${AGENT_ENV[@]}" java $SERVER_OPTS -jar $AGENT_JAR join "127.0.0.1:$FD_TUNNEL_PORT" "$TOKEN" \
  --data-dir "$OUT/agent-fd" --name bench-frontdoor >"$OUT/agent-fd-join.log" 2>&1 \
  || { cat "$OUT/agent-fd-join.log" >&2; die "agent join (front door) failed"; }
"${AGENT_ENV[@]}" java $SERVER_OPTS -jar $AGENT_JAR run --data-dir "$OUT/agent-fd" >"$OUT/agent-fd.log" 2>&1 &
AGENT_FD_PID=$!; PIDS+=($AGENT_FD_PID)
end=$((SECONDS + 60)); ready=""
while ((SECONDS < end)); do
  curl -fsS --max-time 5 "http://127.0.0.1:$MGMT_PORT/api/v1/engines" 2>/dev/null | grep -q '"tunnel" *: *true' && { ready=1; break; }
  kill -0 $AGENT_FD_PID 2>/dev/null || { tail -40 "$OUT/agent-fd.log" >&2; die "the agent exited"; }
  sleep 0.2
done
[[ -n $ready ]] || die "the agent's engine never showed in /api/v1/engines (logs $OUT/agent-fd.log, $OUT/proxy.log)"
curl -fsS --max-time 5 "http://127.0.0.1:$MGMT_PORT/api/v1/engines" >"$OUT/engines.json"

echo "== AppAPI deploys $IMAGE (create, start, wait_for_start on docker-engine-port 24000)"
appapi() { # op json -> prints the status, body in $OUT/appapi-<op>.json
  curl -sS --max-time 150 -o "$OUT/appapi-$1.json" -w '%{http_code}' -H "harp-shared-key: $KEY" \
    -H "docker-engine-port: 24000" -u "app_api_haproxy_user:$KEY" -H 'Content-Type: application/json' \
    -d "$2" "http://127.0.0.1:$FD_PORT/exapps/app_api/docker/exapp/$1"
}
# environment as AppAPI's buildDeployEnvs sends it for a HaRP daemon (appapi.md §4.1); the proxy drops the FRP ones
ENVS=$(printf '"%s",' "AA_VERSION=32" "APP_SECRET=$SECRET" "APP_ID=$APP" "APP_DISPLAY_NAME=Lyre bench" \
  "APP_VERSION=1.0.0" "APP_HOST=127.0.0.1" "APP_PORT=$APP_PORT" "APP_PERSISTENT_STORAGE=/${CONTAINER}_data" \
  "NEXTCLOUD_URL=http://127.0.0.1:$NC_PORT" "COMPUTE_DEVICE=CPU" "HP_FRP_ADDRESS=appapi-harp" "HP_FRP_PORT=8782" \
  "HP_SHARED_KEY=$KEY")
DEPLOYED=1
s=$(appapi create "{\"name\":\"$APP\",\"instance_id\":\"\",\"image_id\":\"$IMAGE\",\"network_mode\":\"bridge\",\"environment_variables\":[${ENVS%,}],\"restart_policy\":\"unless-stopped\",\"compute_device\":\"cpu\",\"mount_points\":[]}")
[[ $s == 201 ]] || die "create: HTTP $s $(cat "$OUT/appapi-create.json")"
s=$(appapi start "{\"name\":\"$APP\",\"instance_id\":\"\"}")
[[ $s == 204 ]] || die "start: HTTP $s $(cat "$OUT/appapi-start.json")"
s=$(appapi wait_for_start "{\"name\":\"$APP\",\"instance_id\":\"\"}")
[[ $s == 200 ]] && grep -q '"started" *: *true' "$OUT/appapi-wait_for_start.json" \
  || die "wait_for_start: HTTP $s $(cat "$OUT/appapi-wait_for_start.json")"
AUTH_APPAPI=$(printf ':%s' "$SECRET" | base64 -w0)
end=$((SECONDS + 60))
while ((SECONDS < end)); do
  s=$(curl -sS --max-time 5 -o "$OUT/heartbeat.json" -w '%{http_code}' -H "harp-shared-key: $KEY" -H "ex-app-version: 1.0.0" \
    -H "ex-app-id: $APP" -H "ex-app-host: 127.0.0.1" -H "ex-app-port: $APP_PORT" -H "AA-VERSION: 32" \
    -H "authorization-app-api: $AUTH_APPAPI" "http://127.0.0.1:$FD_PORT/exapps/$APP/heartbeat" 2>/dev/null) || true
  [[ $s == 200 ]] && break
  sleep 0.5
done
[[ $s == 200 ]] || die "heartbeat through the front door: HTTP $s (logs $OUT/proxy.log, $OUT/agent-fd.log)"
# after /enabled AppAPI pushes the metadata (harp.md §2.2 exapp_storage); the stand-in's exapp-meta has the same
s=$(curl -sS --max-time 10 -o "$OUT/exapp_storage.txt" -w '%{http_code}' -H "harp-shared-key: $KEY" \
  -H 'Content-Type: application/json' --data-binary @"$OUT/meta.json" "http://127.0.0.1:$FD_PORT/exapps/app_api/exapp_storage/$APP")
[[ $s == 204 ]] || die "exapp_storage POST: HTTP $s $(cat "$OUT/exapp_storage.txt")"
CIP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$CONTAINER" | awk '{print $1}')
[[ -n "$CIP" ]] || die "no IP for $CONTAINER"
echo "   $CONTAINER runs at $CIP:$APP_PORT"

printf '%s' "$CIP" >"$OUT/backend-host"
wait_for "$OUT/front.log" AGENT_READY 60 $TF_PID

# the same request both ways: GET /user (a USER route) answered by the ExApp after nc_py_api's header check
WARM_COOKIE="bench-warm-$(openssl rand -hex 8)"
AUTH_USER=$(printf 'benchuser:%s' "$SECRET" | base64 -w0)
FD_URL="http://127.0.0.1:$FD_PORT/exapps/$APP/user"
TF_URL="http://127.0.0.1:$TF_PORT/user"
FD_HDR=(-H "Cookie: oc_sessionPassphrase=$WARM_COOKIE")
TF_HDR=(-H "EX-APP-ID: $APP" -H "EX-APP-VERSION: 1.0.0" -H "AA-VERSION: 32" -H "AUTHORIZATION-APP-API: $AUTH_USER")
DC_URL="http://$CIP:$APP_PORT/user"
body=$(curl -fsS --max-time 10 "${FD_HDR[@]}" "$FD_URL") || die "front door: GET /exapps/$APP/user with a session failed"
grep -q '"user":"benchuser"' <<<"$body" || die "front door: unexpected body $body"
s=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$FD_URL")
[[ $s == 403 ]] || die "front door: anonymous GET /user gave $s, 403 expected"
body=$(curl -fsS --max-time 10 "${TF_HDR[@]}" "$TF_URL") || die "tunnel front: GET /user failed"
grep -q '"user":"benchuser"' <<<"$body" || die "tunnel front: unexpected body $body"
body=$(curl -fsS --max-time 10 "${TF_HDR[@]}" "$DC_URL") || die "GET $DC_URL (straight to the container) failed"
echo "   front door, tunnel front and the container itself answer GET /user as benchuser; anonymous front-door request: 403"

to_ms() { # wrk latency like 1.23ms / 456.00us / 1.20s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
printf 'function delay()\n  return %d\nend\n' "$DELAY_MS" >"$OUT/delay.lua"
run_wrk() { # name path(fd|tf) duration ; sets RPS P50 P99 ERRS
  local name=$1 t=$2 d=$3 url hdr
  case $t in
    fd) url=$FD_URL; hdr=("${FD_HDR[@]}") ;;
    tf) url=$TF_URL; hdr=("${TF_HDR[@]}") ;;
    dc) url=$DC_URL; hdr=("${TF_HDR[@]}") ;;
  esac
  timeout $((d + 30)) wrk -t2 -c"$CONC" -d"${d}s" --latency -s "$OUT/delay.lua" "${hdr[@]}" "$url" >"$OUT/wrk-$name.txt" 2>&1 \
    || die "wrk failed: $OUT/wrk-$name.txt"
  RPS=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$OUT/wrk-$name.txt")
  P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$name.txt")")
  P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$name.txt")")
  ERRS=$(grep -E "Non-2xx|Socket errors" "$OUT/wrk-$name.txt" | tr '\n' ' ' || true)
  [[ -z "$ERRS" ]] || echo "   WARNING $name: $ERRS"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== latency: wrk -t2 -c$CONC, ${DELAY_MS} ms think time, ${DURATION}s x $ROUNDS rounds per path (load avg: $LOAD_START)"
run_wrk warmup-fd fd 5
run_wrk warmup-tf tf 5
run_wrk warmup-dc dc 3
declare -A SUM_P50=([fd]=0 [tf]=0 [dc]=0) SUM_P99=([fd]=0 [tf]=0 [dc]=0) SUM_RPS=([fd]=0 [tf]=0 [dc]=0)
declare -A LABEL=([fd]="front door" [tf]="tunnel    " [dc]="container ")
UI_LAT=0
ALL_ERRS=""
for ((r = 1; r <= ROUNDS; r++)); do
  for t in fd tf dc; do
    before=$(user_info_count)
    run_wrk "$t-r$r" "$t" "$DURATION"
    after=$(user_info_count)
    [[ $t == fd ]] && UI_LAT=$((UI_LAT + after - before))
    ALL_ERRS+="$ERRS"
    echo "   round $r ${LABEL[$t]}: $RPS req/s, p50 $P50 ms, p99 $P99 ms"
    SUM_P50[$t]=$(awk -v a="${SUM_P50[$t]}" -v b="$P50" 'BEGIN {print a + b}')
    SUM_P99[$t]=$(awk -v a="${SUM_P99[$t]}" -v b="$P99" 'BEGIN {print a + b}')
    SUM_RPS[$t]=$(awk -v a="${SUM_RPS[$t]}" -v b="$RPS" 'BEGIN {print a + b}')
  done
done
avg() { awk -v a="$1" -v n="$ROUNDS" -v f="$2" 'BEGIN {printf f, a / n}'; }
FD_P50=$(avg "${SUM_P50[fd]}" %.2f); FD_P99=$(avg "${SUM_P99[fd]}" %.2f); FD_RPS=$(avg "${SUM_RPS[fd]}" %.0f)
TF_P50=$(avg "${SUM_P50[tf]}" %.2f); TF_P99=$(avg "${SUM_P99[tf]}" %.2f); TF_RPS=$(avg "${SUM_RPS[tf]}" %.0f)
DC_P50=$(avg "${SUM_P50[dc]}" %.2f); DC_P99=$(avg "${SUM_P99[dc]}" %.2f); DC_RPS=$(avg "${SUM_RPS[dc]}" %.0f)
ADD_P50=$(awk -v a="$FD_P50" -v b="$TF_P50" 'BEGIN {printf "%+.2f", a - b}')
ADD_P99=$(awk -v a="$FD_P99" -v b="$TF_P99" 'BEGIN {printf "%+.2f", a - b}')
RATIO_P50=$(awk -v a="$FD_P50" -v b="$TF_P50" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')
RATIO_P99=$(awk -v a="$FD_P99" -v b="$TF_P99" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')
LOAD_MID=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== single flight: $SF_CONC concurrent requests, one fresh session cookie (user-info answers after ${SF_USER_INFO_DELAY_MS} ms)"
curl -fsS --max-time 5 -X POST "http://127.0.0.1:$NC_PORT/bench/delay?ms=$SF_USER_INFO_DELAY_MS" >/dev/null
timeout $((SF_SUSTAIN_S + 150)) java $CLIENT_OPTS -cp "$CP" $MAIN single-flight --port=$FD_PORT --app=$APP --path=/user \
  --warm-path=/public --concurrency=$SF_CONC --lifetime-s="$LIFETIME" --sustain-s="$SF_SUSTAIN_S" \
  --nextcloud-port=$NC_PORT >"$OUT/single-flight.txt" 2>&1 || { cat "$OUT/single-flight.txt" >&2; die "single-flight client failed"; }
grep '^SF_' "$OUT/single-flight.txt" | sed 's/^/   /'
field() { grep "^$1 " "$OUT/single-flight.txt" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
B_CALLS=$(field SF_BURST user_info_calls); B_MS=$(field SF_BURST elapsed_ms); B_OK=$(field SF_BURST ok)
B_STAT=$(field SF_BURST statuses)
S_CALLS=$(field SF_SUSTAIN user_info_calls); S_MS=$(field SF_SUSTAIN elapsed_ms); S_OK=$(field SF_SUSTAIN ok)
S_REQ=$(field SF_SUSTAIN requests); S_RPS=$(field SF_SUSTAIN rps); S_GAP=$(field SF_SUSTAIN min_gap_ms)
S_ALLOWED=$(field SF_SUSTAIN allowed_max); S_OFFS=$(field SF_SUSTAIN call_offsets_ms); B_OFFS=$(field SF_BURST call_offsets_ms)
S_STAT=$(field SF_SUSTAIN statuses)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

verdict() { if awk "BEGIN {exit !($1)}"; then echo "**met**"; else echo "**missed**"; fi; }
GAP_OK=$( [[ $S_GAP == - ]] && echo 1 || awk -v g="$S_GAP" -v l="$LIFETIME" 'BEGIN {print (g >= l * 1000) ? 1 : 0}')
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), Docker $(docker version -f '{{.Server.Version}}' 2>/dev/null)"
  echo "Load average (1/5/15 min): $LOAD_START at the start of the latency runs, $LOAD_MID after them, $LOAD_END at the end. JIT=$JIT HP_SESSION_LIFETIME=${LIFETIME}s"
  echo
  echo "Latency, GET /user (USER route) on $IMAGE at $CIP:$APP_PORT; wrk -t2 -c$CONC with ${DELAY_MS} ms think time, ${DURATION}s x $ROUNDS rounds (mean), alternating; user-info answered in ${LAT_USER_INFO_DELAY_MS} ms:"
  echo
  echo "| path | req/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|"
  echo "| container itself (wrk → $CIP:$APP_PORT, for reference) | $DC_RPS | $DC_P50 | $DC_P99 |"
  echo "| tunnel only (bench front → tunnel → agent → container) | $TF_RPS | $TF_P50 | $TF_P99 |"
  echo "| front door, warm session cache (proxy → tunnel → agent → container) | $FD_RPS | $FD_P50 | $FD_P99 |"
  echo "| added by the front door | | $ADD_P50 (x$RATIO_P50) | $ADD_P99 (x$RATIO_P99) |"
  echo
  echo "user-info calls during the front-door latency runs: $UI_LAT in $((ROUNDS * DURATION)) s (one per expired lifetime expected). wrk errors: ${ALL_ERRS:-none}"
  echo
  echo "Single flight, user-info answered in ${SF_USER_INFO_DELAY_MS} ms:"
  echo
  echo "| phase | requests | 200s | elapsed | user-info calls (ms after start) | bound: floor(elapsed / ${LIFETIME} s) + 1 |"
  echo "|---|---|---|---|---|---|"
  echo "| burst: $SF_CONC at once, one fresh cookie | $SF_CONC | $B_OK ($B_STAT) | $B_MS ms | $B_CALLS $B_OFFS | $(( B_MS / (LIFETIME * 1000) + 1 )) |"
  echo "| sustained: $SF_CONC in flight for ${SF_SUSTAIN_S} s, one fresh cookie | $S_REQ ($S_RPS req/s) | $S_OK ($S_STAT) | $S_MS ms | $S_CALLS $S_OFFS, min gap $S_GAP ms | $S_ALLOWED |"
  echo
  echo "Targets: burst of $SF_CONC with one cookie <= 1 user-info call: $(verdict "$B_CALLS <= 1");" \
       "sustained <= 1 call per ${LIFETIME} s lifetime: $(verdict "$S_CALLS <= $S_ALLOWED && $GAP_OK == 1");" \
       "every request answered 200: burst $(verdict "$B_OK == $SF_CONC"), sustained $(verdict "$S_OK == $S_REQ")"
  echo
  echo "Proxy log during the run: $(grep -c 'no address for ExApp' "$OUT/proxy.log" || true) x 'no address for ExApp' (503)," \
       "$(grep -c 'opened no exchange stream' "$OUT/proxy.log" || true) x 'opened no exchange stream'," \
       "$(grep -c 'Response has already been written' "$OUT/proxy.log" || true) x 'Response has already been written'"
} >"$OUT/summary.md"
echo
cat "$OUT/summary.md"
