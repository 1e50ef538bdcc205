#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the demo on the embedded synthetic scene.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
"${BUILD_DIR:-build}/dfd" demo --out "${DEMO_DIR:-dfd-demo}" "$@"
