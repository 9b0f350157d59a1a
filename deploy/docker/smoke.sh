#!/usr/bin/env bash
# Smoke test of the images (after build-images.sh): the proxy image answers AppAPI's /info, hands out a
# join token through its admin API, and the agent image joins it and shows as connected. Exit 0 when all
# holds; everything it started is removed on exit.
#   TAG=dev (images lyre/proxy:$TAG, lyre/agent:$TAG)   SMOKE_TIMEOUT=90 (seconds per wait)
set -euo pipefail
TAG="${TAG:-dev}"
WAIT="${SMOKE_TIMEOUT:-90}"
KEY="smoke-$RANDOM$RANDOM"
RUN_ID="lyre-smoke-$$"
PROXY="$RUN_ID-proxy"
AGENT="$RUN_ID-agent"
VOLUME="$RUN_ID-agent-data"
log() { printf '[smoke] %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  for c in "$PROXY" "$AGENT"; do
    docker inspect "$c" >/dev/null 2>&1 || continue
    log "--- last lines of $c:"
    docker logs --tail 40 "$c" 2>&1 | sed 's/^/    /' >&2
  done
  exit 1
}
cleanup() {
  docker rm -f "$AGENT" "$PROXY" >/dev/null 2>&1 || true
  docker volume rm "$VOLUME" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for image in proxy agent; do
  docker image inspect "lyre/$image:$TAG" >/dev/null 2>&1 || fail "image lyre/$image:$TAG is missing (run deploy/docker/build-images.sh)"
done
command -v curl >/dev/null || fail "curl is needed on this machine"

# until SECONDS_LEFT CMD...: retry CMD every half second
until_ok() {
  local deadline=$((SECONDS + WAIT))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    [[ "$(docker inspect -f '{{.State.Running}}' "$PROXY" 2>/dev/null)" == true ]] || fail "the proxy container stopped"
    sleep 0.5
  done
}

log "starting lyre/proxy:$TAG (HaRP env: HP_SHARED_KEY, NC_INSTANCE_URL)"
docker run -d --name "$PROXY" -e HP_SHARED_KEY="$KEY" -e NC_INSTANCE_URL=http://127.0.0.1:1 \
  -e LYRE_LOCAL_DOCKER=none "lyre/proxy:$TAG" >/dev/null
ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$PROXY")"
[[ -n "$ip" ]] || fail "the proxy container has no IP address"

info() { curl -fsS --max-time 3 -H "harp-shared-key: $KEY" "http://$ip:8780/exapps/app_api/info" 2>/dev/null; }
until_ok info >/dev/null || fail "GET http://$ip:8780/exapps/app_api/info did not answer 200 within ${WAIT}s"
body="$(info)"
grep -q '"version"' <<<"$body" || fail "/info has no version: $body"
log "ok: /exapps/app_api/info -> $(tr -d ' \n' <<<"$body" | cut -c1-120)"

token_json="$(docker exec "$PROXY" lyre-admin POST /api/v1/join-tokens)" || fail "POST /api/v1/join-tokens: $token_json"
token="$(sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$token_json" | head -1)"
[[ -n "$token" ]] || fail "no token in: $token_json"
log "ok: join token from the admin API (docker exec lyre-admin)"

log "starting lyre/agent:$TAG: joins $ip:8782 on its first run"
metrics_port=$((20000 + RANDOM % 20000))
docker volume create "$VOLUME" >/dev/null
docker run -d --name "$AGENT" --network host -v "$VOLUME:/var/lib/lyre/agent" \
  -v /var/run/docker.sock:/var/run/docker.sock \
  -e LYRE_PROXY="$ip:8782" -e LYRE_JOIN_TOKEN="$token" -e LYRE_AGENT_NAME="$AGENT" \
  -e LYRE_AGENT_METRICS_ADDRESS="127.0.0.1:$metrics_port" "lyre/agent:$TAG" run >/dev/null

connected() {
  [[ "$(docker inspect -f '{{.State.Running}}' "$AGENT" 2>/dev/null)" == true ]] || fail "the agent container stopped"
  # one agent object per line, then the line of ours must say ready
  docker exec "$PROXY" lyre-admin GET /api/v1/agents 2>/dev/null | tr -d ' \n' | sed 's/},{"id"/}\n{"id"/g' \
    | grep -F "\"name\":\"$AGENT\"" | grep '"state":"ready"' >/dev/null
}
until_ok connected || fail "agent $AGENT not connected in GET /api/v1/agents within ${WAIT}s: $(docker exec "$PROXY" lyre-admin GET /api/v1/agents 2>&1 | tr -d '\n' | cut -c1-400)"
log "ok: GET /api/v1/agents shows $AGENT ready"

scrape() { curl -fsS --max-time 3 "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null | grep '^lyre_agent_tunnel_connected 1' >/dev/null; }
until_ok scrape || fail "agent /metrics on 127.0.0.1:$metrics_port does not show lyre_agent_tunnel_connected 1"
log "ok: agent /metrics shows the tunnel up"

health="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$PROXY")"
log "proxy container health: ${health:-none} (HEALTHCHECK: lyre-healthcheck on the management port)"
[[ "$health" != unhealthy ]] || log "WARN: the proxy reports unhealthy: $(docker exec "$PROXY" lyre-healthcheck 2>&1)"
log "PASS"
