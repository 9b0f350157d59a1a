#!/usr/bin/env bash
# Builds lyre/proxy:dev and lyre/agent:dev from this checkout.
#   BASE_IMAGE   the Java 17 runtime image to start FROM (default eclipse-temurin:17-jre; CI, which reaches no
#                registry, passes lyre/jre-base:latest from deploy/images/build-base.sh)
#   TAG          image tag (default dev)
#   SKIP_MAVEN=1 use the jars already in proxy/target and agent/target
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BASE_IMAGE="${BASE_IMAGE:-eclipse-temurin:17-jre}"
TAG="${TAG:-dev}"
log() { printf '[build-images] %s\n' "$*" >&2; }

if [[ "${SKIP_MAVEN:-0}" != 1 ]]; then
  log "./mvnw -B -q package -DskipTests (proxy, agent)"
  ./mvnw -B -q -pl proxy,agent -am package -DskipTests
fi
[[ -f proxy/target/quarkus-app/quarkus-run.jar ]] || { log "proxy/target/quarkus-app is missing: build the proxy first"; exit 1; }
[[ -f agent/target/lyre-agent.jar && -d agent/target/lib ]] || { log "agent/target/lyre-agent.jar or lib/ is missing"; exit 1; }

version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)"
for image in proxy agent; do
  log "lyre/$image:$TAG FROM $BASE_IMAGE"
  # The build context is the repository root; .dockerignore there lets only the built artifacts and deploy/docker in.
  docker build -q -f "deploy/docker/$image.Dockerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --build-arg "LYRE_VERSION=${version:-dev}" -t "lyre/$image:$TAG" . >/dev/null
done
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^lyre/(proxy|agent):$TAG " >&2
