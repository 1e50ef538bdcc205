#!/usr/bin/env bash
# Builds dfd and runs the default test suite: everything but the `slow` label. GPU tests
# (label `gpu`) run and skip cleanly when no device is present. The build treats warnings as
# errors (-DDFD_WERROR=ON, as CI does); DFD_WERROR=OFF scripts/test.sh for a compiler newer
# than Debian 12's that warns where gcc 12 does not. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DDFD_WERROR="${DFD_WERROR:-ON}"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -LE slow -j "${JOBS:-$(nproc)}" "$@"
