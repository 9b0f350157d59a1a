#!/usr/bin/env bash
# lyre-admin METHOD PATH [JSON]: one call to the proxy's admin API on its management port, from inside the
# proxy container (docker exec lyre-proxy lyre-admin POST /api/v1/join-tokens). Prints the response body;
# exits 1 on an HTTP status of 400 or more, 2 when the port does not answer. Plain bash: no curl needed.
set -uo pipefail
export LC_ALL=C # ${#body} counts bytes
method="${1:?usage: lyre-admin METHOD PATH [JSON]}"
path="${2:?usage: lyre-admin METHOD PATH [JSON]}"
body="${3:-}"
host="${LYRE_MANAGEMENT_HOST:-127.0.0.1}"
[[ "$host" == 0.0.0.0 || "$host" == "::" || "$host" == "[::]" ]] && host=127.0.0.1
port="${LYRE_MANAGEMENT_PORT:-8783}"

exec 3<>"/dev/tcp/$host/$port" || { echo "lyre-admin: nothing answers on $host:$port" >&2; exit 2; }
{
  printf '%s %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n' "$method" "$path" "$host"
  [[ -n "$body" ]] && printf 'Content-Type: application/json\r\n'
  printf 'Content-Length: %d\r\n\r\n%s' "${#body}" "$body"
} >&3
IFS=' ' read -r _ status _ <&3
while IFS= read -r line <&3 && [[ "${line%$'\r'}" != "" ]]; do :; done
cat <&3
echo
exec 3<&- 3>&-
[[ "${status:-0}" =~ ^[0-9]+$ && "$status" -lt 400 ]] || exit 1
