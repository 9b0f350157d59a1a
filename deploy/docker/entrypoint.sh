#!/usr/bin/env bash
# Entry point of the Lyre images: `lyre-entrypoint proxy` or `lyre-entrypoint agent [ARGS...]`.
#
# Started as root (the default, as HaRP's image is), it makes the data dir the lyre user's, gives that user
# the group of the mounted Docker socket, and drops to it: a `docker run` line written for HaRP (socket
# mounted, no --user) works unchanged and nothing runs as root. LYRE_RUN_AS_ROOT=true keeps root. Started
# with --user, it runs as that user and the socket's permissions are the caller's business.
set -euo pipefail

role="${1:?usage: lyre-entrypoint proxy|agent [ARGS...]}"
shift

case "$role" in
  proxy) cmd=(java ${JAVA_OPTS:-} -jar /opt/lyre/proxy/quarkus-run.jar "$@") ;;
  agent)
    cmd=(java ${JAVA_OPTS:-} -jar /opt/lyre/agent/lyre-agent.jar "$@")
    # `agent run` with LYRE_JOIN_TOKEN and LYRE_PROXY set joins first when this data dir holds no agent yet:
    # one-step start for compose files. The token is single-use; later starts just run.
    if [[ "${1:-}" == "run" && -n "${LYRE_JOIN_TOKEN:-}" && ! -e "${LYRE_DATA_DIR:-/var/lib/lyre/agent}/identity.json" ]]; then
      join=(java ${JAVA_OPTS:-} -jar /opt/lyre/agent/lyre-agent.jar join "${LYRE_PROXY:?LYRE_JOIN_TOKEN needs LYRE_PROXY (host:8782)}" "$LYRE_JOIN_TOKEN")
      [[ -n "${LYRE_AGENT_NAME:-}" ]] && join+=(--name "$LYRE_AGENT_NAME")
      for label in ${LYRE_AGENT_LABELS:-}; do join+=(--label "$label"); done
    fi
    ;;
  *) echo "lyre-entrypoint: unknown role '$role' (proxy or agent)" >&2; exit 2 ;;
esac

as_lyre=()
if [[ "$(id -u)" == 0 && "${LYRE_RUN_AS_ROOT:-false}" != "true" ]]; then
  data="${LYRE_DATA_DIR:-/var/lib/lyre/$role}"
  mkdir -p "$data"
  # a bind-mounted or older volume may be root's: the lyre user must own its state
  [[ "$(stat -c %u "$data")" == "$(id -u lyre)" ]] || chown -R lyre:lyre "$data"
  groups="$(id -g lyre)"
  docker_host="${DOCKER_HOST:-}"
  [[ "$role" == proxy ]] && docker_host="${LYRE_LOCAL_DOCKER:-unix:///var/run/docker.sock}"
  [[ -z "$docker_host" ]] && docker_host="unix:///var/run/docker.sock"
  if [[ "$docker_host" == unix://* && -S "${docker_host#unix://}" ]]; then
    groups="$groups,$(stat -c %g "${docker_host#unix://}")"
  fi
  as_lyre=(setpriv --reuid=lyre --regid=lyre --groups="$groups" --inh-caps=-all --bounding-set=-all --no-new-privs)
  export HOME=/var/lib/lyre
fi

if [[ -n "${join+x}" ]]; then
  "${as_lyre[@]}" "${join[@]}"
fi
exec "${as_lyre[@]}" "${cmd[@]}"
