#!/usr/bin/env bash
# Builds lyre/test-exapp:latest: the single-file Java test ExApp, compiled here (the JRE base image has no
# javac) and copied onto lyre/jre-base:latest. Needs a JDK 17 and a Docker engine.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE="${LYRE_TEST_EXAPP_IMAGE:-lyre/test-exapp:latest}"
BASE="${LYRE_BASE_IMAGE:-lyre/jre-base:latest}"
log() { printf '[test-exapp] %s\n' "$*" >&2; }

command -v javac >/dev/null || { log "javac not found (a JDK 17 is needed)"; exit 1; }
docker image inspect "$BASE" >/dev/null 2>&1 || { log "$BASE missing: run deploy/images/build-base.sh first"; exit 1; }

CTX="$(mktemp -d /tmp/lyre-test-exapp.XXXXXX)"
trap 'rm -rf "$CTX"' EXIT
javac --release 17 -d "$CTX/classes" "$HERE/TestExApp.java"
cat >"$CTX/Dockerfile" <<DOCKERFILE
FROM $BASE
COPY classes /app
WORKDIR /app
CMD ["java", "-XX:+UseSerialGC", "-Xss512k", "-cp", "/app", "TestExApp"]
DOCKERFILE
docker build -q -t "$IMAGE" "$CTX" >/dev/null
log "built $IMAGE"
