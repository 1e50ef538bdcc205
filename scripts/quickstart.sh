#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the demo on the embedded synthetic scene.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The same configuration as scripts/test.sh (warnings as errors, as CI), so that the second
# quick-start command only builds what the first did not.
scripts/build.sh -DDFD_WERROR="${DFD_WERROR:-ON}"
"${BUILD_DIR:-build}/dfd" demo --out "${DEMO_DIR:-dfd-demo}" "$@"
