#!/usr/bin/env bash
# Smoke test of the README's main command, `./lyre up`, as a user runs it: proxy and local agent start, the agent
# joins and reports ready, the local engine is listed, the proxy's log holds no aborted tunnel handshake (the start-up
# port probe must not make one), a second `./lyre up` refuses the ports in use, and Ctrl-C (SIGINT) stops both
# processes. Exit 0 when all holds. Uses its own LYRE_HOME and ports, and stops what it started on exit.
#   SMOKE_TIMEOUT=120 (seconds to wait for "ready")  PORT_BASE=28780 (ExApps PORT_BASE, tunnel +2, management +3)
set -euo pipefail
cd "$(dirname "$0")/.."
WAIT="${SMOKE_TIMEOUT:-120}"
BASE="${PORT_BASE:-28780}"
export LYRE_HOME; LYRE_HOME="$(mktemp -d /tmp/lyre-up-smoke.XXXXXX)"
export HP_EXAPPS_ADDRESS="0.0.0.0:$BASE" LYRE_TUNNEL_ADDRESS="0.0.0.0:$((BASE + 2))" LYRE_MANAGEMENT_PORT="$((BASE + 3))"
OUT="$LYRE_HOME/up.out"
log() { printf '[lyre-up-smoke] %s\n' "$*" >&2; }
UP_PID=
fail() {
  log "FAIL: $*"
  for f in "$OUT" "$LYRE_HOME/proxy.log" "$LYRE_HOME/agent.log"; do
    [[ -f "$f" ]] && { log "--- last lines of $f:"; tail -n 30 "$f" | sed 's/^/    /' >&2; }
  done
  exit 1
}
# pids listening on this run's ports (the proxy's command line names no LYRE_HOME)
port_pids() {
  local p
  for p in "$BASE" $((BASE + 2)) $((BASE + 3)); do
    ss -Hltnp "sport = :$p" | grep -o 'pid=[0-9]*' | cut -d= -f2
  done | sort -u
}
cleanup() {
  [[ -n "$UP_PID" ]] && kill -INT -- "-$UP_PID" 2>/dev/null && sleep 3
  kill $(port_pids) 2>/dev/null || true
  pkill -f -- "$LYRE_HOME" 2>/dev/null || true
  rm -rf "$LYRE_HOME"
}
trap cleanup EXIT
for tool in curl ss; do command -v "$tool" >/dev/null || fail "$tool is needed on this machine (apt-get install curl iproute2)"; done
[[ -z "$(port_pids)" ]] || fail "ports $BASE, $((BASE + 2)) or $((BASE + 3)) are in use (set PORT_BASE)"

log "./lyre up (LYRE_HOME=$LYRE_HOME, ports $BASE, $((BASE + 2)), $((BASE + 3)))"
# job control: a background job of a non-interactive shell ignores SIGINT; with -m it gets its own process group
set -m
./lyre up >"$OUT" 2>&1 &
UP_PID=$!
set +m
for ((i = 0; i < WAIT * 2; i++)); do
  grep -q "ready in" "$OUT" && break
  kill -0 "$UP_PID" 2>/dev/null || fail "./lyre up exited before it was ready"
  sleep 0.5
done
grep -q "ready in" "$OUT" || fail "not ready within $WAIT s"
grep -q "has not reported ready" "$OUT" && fail "the local agent did not report ready"

MGMT="http://127.0.0.1:$((BASE + 3))"
agents="$(curl -fsS "$MGMT/api/v1/agents")" || fail "GET /api/v1/agents failed"
grep -qi '"state" *: *"ready"' <<<"$agents" || fail "no ready agent in /api/v1/agents: $agents"
engines="$(curl -fsS "$MGMT/api/v1/engines")" || fail "GET /api/v1/engines failed"
grep -Eq '"slot" *: *24001' <<<"$engines" || fail "the local agent's engine slot 24001 is not listed: $engines"
log "agent ready, engine 24001 listed"

if grep -q "closed before completing the TLS" "$LYRE_HOME/proxy.log"; then
  fail "the proxy logged an aborted tunnel handshake during start-up (a port probe connected to the tunnel port)"
fi

second="$(timeout 30 ./lyre up 2>&1 || true)"
grep -q "already in use" <<<"$second" || fail "a second ./lyre up did not refuse the ports in use: $second"
log "a second ./lyre up refuses: $(grep "already in use" <<<"$second" | head -1)"

# the user's Ctrl-C: SIGINT to the foreground job's process group
kill -INT -- "-$UP_PID"
for ((i = 0; i < 60; i++)); do
  kill -0 "$UP_PID" 2>/dev/null || break
  sleep 0.5
done
kill -0 "$UP_PID" 2>/dev/null && fail "./lyre up still runs 30 s after SIGINT"
UP_PID=
grep -q "stopped" "$OUT" || fail "./lyre up did not say it stopped"
if pgrep -f -- "$LYRE_HOME" >/dev/null || [[ -n "$(port_pids)" ]]; then
  fail "processes outlived ./lyre up: $(pgrep -af -- "$LYRE_HOME"; port_pids)"
fi
log "OK: ./lyre up started, served, refused a second start and stopped cleanly"
