#!/usr/bin/env bash
# Measures `./lyre devices` cold: a fresh JVM per run, wall time (hyperfine) and peak RSS
# (/usr/bin/time -v). Target on the 2-core dev machine: < 1.5 s wall, < 150 MiB RSS.
# Usage: bench/devices-cold.sh [runs]    (needs hyperfine and GNU time: apt-get install hyperfine time)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-10}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

"$ROOT/lyre" build >/dev/null
"$ROOT/lyre" devices >/dev/null   # not timed: makes sure nothing is left to build

echo "== wall time, $RUNS runs (hyperfine, 1 warm-up for the page cache) =="
hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/devices-cold.json" \
  "$ROOT/lyre devices" "$ROOT/lyre devices --json"

echo "== peak RSS (GNU time -v), 5 runs =="
for _ in 1 2 3 4 5; do
  /usr/bin/time -v "$ROOT/lyre" devices 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {printf "%.1f MiB\n", $2/1024}'
done
