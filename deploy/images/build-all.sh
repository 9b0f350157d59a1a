#!/usr/bin/env bash
# Builds every local image Lyre's tests use, in dependency order.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$HERE/build-base.sh"
"$HERE/test-exapp/build.sh"
