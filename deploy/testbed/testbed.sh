#!/usr/bin/env bash
# A multi-host test bed on one machine: N network namespaces ("hosts"), each with its own dockerd,
# joined to the machine by veth pairs on a bridge. The proxy listens on the bridge address; agents
# run inside the namespaces and dial it, exactly as remote hosts would.
#
#   deploy/testbed/testbed.sh up [N]          create hosts 1..N (default 3)
#   deploy/testbed/testbed.sh down            remove them all
#   deploy/testbed/testbed.sh load IMAGE...   copy local images into every host's engine
#   deploy/testbed/testbed.sh env I           print DOCKER_HOST and the netns path for host I
#
# Host 1's engine gets a stand-in `nvidia-container-runtime-hook` on its PATH (a script that reads
# stdin and exits 0), so Docker accepts NVIDIA DeviceRequests there without a GPU; the other hosts
# have none and refuse them with "could not select device driver". Everything stays inside the
# machine: the bridge network 10.77.0.0/24 has no route out.
set -euo pipefail

BR=lyretb0
NET=10.77.0
STATE=/run/lyre-testbed
ROOT=/var/lib/lyre-testbed

log() { printf '[testbed] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null || { log "$1 not found (apt-get install -y $2)"; exit 1; }; }

host_sock() { echo "unix://$STATE/h$1/docker.sock"; }

up() {
  local n="${1:-3}"
  need ip iproute2; need dockerd docker.io; need nsenter util-linux
  [[ $EUID -eq 0 ]] || { log "run as root"; exit 1; }
  mkdir -p "$STATE" "$ROOT"
  if ! ip link show "$BR" >/dev/null 2>&1; then
    ip link add "$BR" type bridge
    ip addr add "$NET.1/24" dev "$BR"
    ip link set "$BR" up
  fi
  for i in $(seq 1 "$n"); do
    local ns="lyre-h$i" dir="$STATE/h$i"
    mkdir -p "$dir" "$ROOT/h$i"
    if ! ip netns list | grep -qw "$ns"; then
      ip netns add "$ns"
      ip link add "lyretb-h$i" type veth peer name eth0 netns "$ns"
      ip link set "lyretb-h$i" master "$BR" up
      ip -n "$ns" addr add "$NET.$((10 + i))/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" link set lo up
      ip -n "$ns" route add default via "$NET.1"
    fi
    if [[ -f "$dir/dockerd.pid" ]] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null; then
      log "host $i: engine already running"
      continue
    fi
    local path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    if [[ $i -eq 1 ]]; then
      mkdir -p "$dir/bin"
      printf '#!/bin/sh\n# Stand-in for the NVIDIA hook: no GPU here, so read the OCI state and succeed.\ncat >/dev/null\nexit 0\n' \
        >"$dir/bin/nvidia-container-runtime-hook"
      chmod +x "$dir/bin/nvidia-container-runtime-hook"
      path="$dir/bin:$path"
    fi
    # nsenter --net keeps the cgroup mounts visible (ip netns exec would remount /sys).
    PATH="$path" nsenter --net="/var/run/netns/$ns" dockerd \
      --data-root "$ROOT/h$i/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
      -H "$(host_sock "$i")" --bip "172.$((30 + i)).0.1/24" --iptables=false --ip-masq=false \
      >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      DOCKER_HOST="$(host_sock "$i")" docker info >/dev/null 2>&1 && break
      sleep 0.5
    done
    DOCKER_HOST="$(host_sock "$i")" docker info >/dev/null 2>&1 \
      || { log "host $i: dockerd did not start; see $dir/dockerd.log"; tail -5 "$dir/dockerd.log" >&2; exit 1; }
    log "host $i: $NET.$((10 + i)), engine $(host_sock "$i")$([[ $i -eq 1 ]] && echo ', NVIDIA hook stand-in')"
  done
}

down() {
  for dir in "$STATE"/h*; do
    [[ -d "$dir" ]] || continue
    if [[ -f "$dir/dockerd.pid" ]]; then
      local pid; pid="$(cat "$dir/dockerd.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
  done
  for ns in $(ip netns list | awk '/^lyre-h[0-9]+/ {print $1}'); do ip netns del "$ns"; done
  ip link del "$BR" 2>/dev/null || true
  rm -rf "$STATE"
  log "removed (image data stays in $ROOT; rm -rf it to reclaim space)"
}

load() {
  [[ $# -gt 0 ]] || { log "name at least one image"; exit 2; }
  for dir in "$STATE"/h*; do
    local i="${dir##*/h}"
    for image in "$@"; do
      if DOCKER_HOST="$(host_sock "$i")" docker image inspect "$image" >/dev/null 2>&1; then continue; fi
      log "host $i: loading $image"
      docker save "$image" | DOCKER_HOST="$(host_sock "$i")" docker load -q >/dev/null
    done
  done
}

env_of() {
  echo "DOCKER_HOST=$(host_sock "$1")"
  echo "NETNS=/var/run/netns/lyre-h$1"
  echo "ADDRESS=$NET.$((10 + $1))"
  echo "PROXY_ADDRESS=$NET.1"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  load) shift; load "$@" ;;
  env) env_of "${2:?host number}" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
