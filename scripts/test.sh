#!/usr/bin/env bash
# Builds dfd and runs the default test suite: everything but the `slow` label. GPU tests
# (label `gpu`) run and skip cleanly when no device is present.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -LE slow -j "${JOBS:-$(nproc)}" "$@"
