#!/usr/bin/env bash
# Docker HEALTHCHECK of the proxy image: the management port (LYRE_MANAGEMENT_PORT, 8783, inside the
# container) answers /q/health with 200; where the proxy has no health endpoint, /q/metrics with 200.
# Plain bash (/dev/tcp): the image needs no curl.
set -uo pipefail
host="${LYRE_MANAGEMENT_HOST:-127.0.0.1}"
[[ "$host" == 0.0.0.0 || "$host" == "::" || "$host" == "[::]" ]] && host=127.0.0.1
port="${LYRE_MANAGEMENT_PORT:-8783}"

status() {
  local line
  exec 3<>"/dev/tcp/$host/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "$host" >&3
  IFS=' ' read -r -t 5 _ line _ <&3 || line=""
  exec 3<&- 3>&-
  echo "$line"
}

s="$(status /q/health)"
[[ "$s" == 200 ]] && exit 0
[[ "$s" == 404 && "$(status /q/metrics)" == 200 ]] && exit 0
echo "management port $host:$port: /q/health answered '${s:-nothing}'"
exit 1
