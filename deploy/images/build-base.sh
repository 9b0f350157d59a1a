#!/usr/bin/env bash
# Builds the local JRE base image that every Lyre test image starts FROM.
# No registry is reachable from CI, so the image is made from Debian packages with
# debootstrap and loaded with `docker import`. Re-running is cheap: an existing image is kept
# unless --force is given.
set -euo pipefail

IMAGE="${LYRE_BASE_IMAGE:-lyre/jre-base:latest}"
SUITE="${LYRE_BASE_SUITE:-bookworm}"
MIRROR="${LYRE_BASE_MIRROR:-http://deb.debian.org/debian}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[build-base] %s\n' "$*" >&2; }

command -v docker >/dev/null || { log "docker CLI not found"; exit 1; }
docker info >/dev/null 2>&1 || { log "no Docker engine answers (is dockerd running?)"; exit 1; }

if [[ $FORCE -eq 0 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already present; use --force to rebuild"
  exit 0
fi
command -v debootstrap >/dev/null || { log "debootstrap not found (apt-get install -y debootstrap)"; exit 1; }

ROOTFS="$(mktemp -d /tmp/lyre-base.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT

log "debootstrap $SUITE with openjdk-17-jre-headless into $ROOTFS (about 40 s)"
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 || { tail -20 "$ROOTFS.log" >&2; rm -f "$ROOTFS.log"; exit 1; }
rm -f "$ROOTFS.log"
# Keep the image small: package caches and docs are not needed at run time.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*

log "importing as $IMAGE"
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
docker run --rm "$IMAGE" java -version 2>&1 | head -1 | sed 's/^/[build-base] image java: /' >&2
log "done: $IMAGE"
