#!/usr/bin/env bash
# GPU check of the CUDA backend on a machine with an NVIDIA GPU: configure and build (Release,
# sm_90) into build-gpu, run the GPU tests (ctest -L gpu), compute-sanitizer memcheck, racecheck
# and initcheck on small test filters, then the benchmark; logs under ${OUT:-out} and a short
# table at the end. Exit status 0 only when every step that ran passed.
#
# Usage: scripts/gpu_check.sh [build] [test] [sanitize] [bench]    (default: all four, in order)
# Environment:
#   OUT             log folder (default: out)
#   BUILD_DIR       build folder (default: build-gpu)
#   CUDA_ARCH       CMAKE_CUDA_ARCHITECTURES (default: 90, H100 / H200)
#   JOBS            parallel compile jobs (default: nproc)
#   GPU_DEPS        folder of Debian packages (.deb) to unpack when this machine lacks a build
#                   dependency (default: .gpudeps); see bench/GPU_NOTES.md
#   MINIMAL=1       skip the full project: -DDFD_BUILD_APPS=OFF (backends and GPU tests only)
#   BENCH_SIZES     dfd bench workloads (default: 320x240,640x480,1920x1080,4000x3000)
#   BENCH_BACKENDS  dfd bench backends (default: cuda)
#   BENCH_TIMEOUT   seconds for the benchmark step (default: 300)
#
# It builds through the top-level CMakeLists like every other build. When the full project
# cannot be configured here (OpenCV, CLI11, nlohmann-json, libexif or matio missing), it
# configures the same CMakeLists with -DDFD_BUILD_APPS=OFF: the solver libraries, the CPU and
# CUDA backends and the GPU tests (OpenMP, FFTW3, GoogleTest); the benchmark step then runs the
# disabled timing case of the GPU tests instead of `dfd bench`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
OUT=${OUT:-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BUILD_DIR=${BUILD_DIR:-build-gpu}
CUDA_ARCH=${CUDA_ARCH:-90}
JOBS=${JOBS:-$(nproc)}
GPU_DEPS=${GPU_DEPS:-.gpudeps}
BENCH_SIZES=${BENCH_SIZES:-320x240,640x480,1920x1080,4000x3000}
BENCH_BACKENDS=${BENCH_BACKENDS:-cuda}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(build test sanitize bench)

# Small, quick tests that still reach every kernel: memcheck runs them 10-100x slower. CudaPrior.*
# covers the regularised steps' kernels (the whole regularised solve is left to the plain run).
MEMCHECK_FILTER='CudaVectorOps.*:CudaOperator.MatchesCpuOnDirectPath:CudaOperator.MatchesCpuOnFftPath:CudaOperator.MatchesCpuWithASingleLevelPlan:CudaOperator.MatchesCpuWhenTheWindowExceedsTheImage:CudaDepth.GridSearchMatchesCpu:CudaDepth.WindowedGridSearchMatchesCpu:CudaDepth.GoldenSectionMatchesCpu:CudaDepth.KeepBetterMatchesCpu:CudaInitAif.MatchesCpu:CudaResources.TooLargeAProblemIsAnOutOfMemoryError:CudaPrior.*'
# The kernels with shared memory and barriers: the blur passes and the block reductions (dot /
# sum, and the computed-term reductions of tv_sum / huber_sum).
RACECHECK_FILTER='CudaOperator.MatchesCpuOnDirectPath:CudaOperator.MatchesCpuWhenTheWindowExceedsTheImage:CudaVectorOps.ReductionsAndScalarsMatchCpu:CudaPrior.TvSumMatchesCpu:CudaPrior.HuberSumMatchesCpu'
# Reads of device memory never written: the prior kernels' scratch (u_bar, the AIF prior's
# weighted field) is written before it is read, and not zero-filled by alloc (the field).
INITCHECK_FILTER='CudaPrior.*'

ROWS=()
FAILED=0
row() { ROWS+=("$(printf '%-12s %-8s %8s  %s' "$1" "$2" "$3" "$4")"); }

# run_step NAME LOG CMD...: runs CMD with its output in LOG, records status and seconds.
run_step() {
  local name=$1 log=$2
  shift 2
  local t0=$SECONDS
  echo "== $name: $*" | tee -a "$log"
  "$@" >>"$log" 2>&1
  local rc=$?
  LAST_RC=$rc
  LAST_SECONDS=$((SECONDS - t0))
  if [ $rc -ne 0 ]; then
    FAILED=1
    echo "   $name failed (exit $rc); last lines of $log:"
    tail -n 25 "$log" | sed 's/^/   | /'
  fi
  return $rc
}

# ---- Dependencies carried as .deb files (the device machine has no package registry) ---------
unpack_deps() {
  compgen -G "$GPU_DEPS/*.deb" >/dev/null || return 0
  local root=/tmp/dfd-gpudeps
  mkdir -p "$root"
  for deb in "$GPU_DEPS"/*.deb; do dpkg -x "$deb" "$root" || return 1; done
  # pkg-config files name /usr: point them at the unpacked tree.
  find "$root" -name '*.pc' -exec sed -i "s|^prefix=/usr|prefix=$root/usr|" {} +
  local lib=$root/usr/lib/x86_64-linux-gnu
  export CMAKE_PREFIX_PATH=$root/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}
  export CPATH=$root/usr/include${CPATH:+:$CPATH}
  export LIBRARY_PATH=$lib${LIBRARY_PATH:+:$LIBRARY_PATH}
  export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export PKG_CONFIG_PATH=$lib/pkgconfig:$root/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  echo "unpacked the packages of $GPU_DEPS into $root"
}

# ---- Configure: the one top-level CMakeLists, as CI and the Dockerfile use it ------------------
# The full project first; where it does not configure (OpenCV, CLI11, nlohmann-json, libexif or
# matio missing), the same CMakeLists with DFD_BUILD_APPS=OFF: the solver libraries, both
# backends and the GPU tests, which need only OpenMP, FFTW3, CUDA and GoogleTest.
MODE=full
configure() {
  local gen=()
  command -v ninja >/dev/null && [ ! -f "$BUILD_DIR/CMakeCache.txt" ] && gen=(-G Ninja)
  local args=(-S . -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DDFD_WITH_CUDA=ON
              -DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCH")
  if [ "${MINIMAL:-0}" != 1 ] && [ ! -f "$BUILD_DIR/.minimal" ]; then
    if run_step configure "$OUT/build.log" cmake "${args[@]}" -DDFD_BUILD_APPS=ON; then
      row configure ok "$LAST_SECONDS" "full project"
      return 0
    fi
    FAILED=0  # the libraries-only build may still do
    echo "   the full project does not configure here; configuring with DFD_BUILD_APPS=OFF"
  fi
  MODE=minimal
  mkdir -p "$BUILD_DIR" && touch "$BUILD_DIR/.minimal"
  if run_step configure "$OUT/build.log" cmake "${args[@]}" -DDFD_BUILD_APPS=OFF; then
    row configure ok "$LAST_SECONDS" "DFD_BUILD_APPS=OFF (no dfd CLI)"
    return 0
  fi
  row configure FAIL "$LAST_SECONDS" "see build.log"
  return 1
}

gpu_test_binary() { find "$BUILD_DIR" -name dfd_gpu_tests -type f -perm -u+x | head -n 1; }

step_build() {
  unpack_deps || { row deps FAIL 0 "cannot unpack $GPU_DEPS"; FAILED=1; return 1; }
  configure || return 1
  [ -f "$BUILD_DIR/.minimal" ] && MODE=minimal
  local targets=(--target dfd_gpu_tests)
  [ "$MODE" = full ] && targets+=(--target dfd)
  if run_step build "$OUT/build.log" cmake --build "$BUILD_DIR" -j "$JOBS" "${targets[@]}"; then
    row build ok "$LAST_SECONDS" "$MODE, sm_$CUDA_ARCH, $JOBS jobs"
  else
    row build FAIL "$LAST_SECONDS" "see build.log"
    return 1
  fi
}

step_test() {
  if run_step test "$OUT/ctest.log" ctest --test-dir "$BUILD_DIR" -L gpu --output-on-failure -j 1; then
    :
  fi
  local summary skipped
  summary=$(grep -E 'tests passed|tests failed' "$OUT/ctest.log" | tail -n 1)
  # On a GPU machine no test may skip: a skip here means the device was not usable. (The
  # disabled timing case is reported as "Not Run (Disabled)" and is not a skip.)
  skipped=$(grep -E '\*\*\*Skipped|Not Run' "$OUT/ctest.log" | grep -vc Disabled || true)
  if [ "$LAST_RC" -eq 0 ] && [ "$skipped" -gt 0 ] && nvidia-smi -L >/dev/null 2>&1; then
    FAILED=1
    row ctest FAIL "$LAST_SECONDS" "$skipped skipped on a GPU machine: $summary"
  else
    row ctest "$([ "$LAST_RC" -eq 0 ] && echo ok || echo FAIL)" "$LAST_SECONDS" "$summary${skipped:+, $skipped skipped}"
  fi
}

step_sanitize() {
  local bin
  bin=$(gpu_test_binary)
  if ! command -v compute-sanitizer >/dev/null; then
    row sanitize skip 0 "compute-sanitizer not found"
    return 0
  fi
  [ -n "$bin" ] || { row sanitize FAIL 0 "no dfd_gpu_tests binary (build first)"; FAILED=1; return 1; }
  run_step memcheck "$OUT/memcheck.log" compute-sanitizer --tool memcheck --leak-check full --error-exitcode 99 \
    "$bin" --gtest_filter="$MEMCHECK_FILTER"
  row memcheck "$([ "$LAST_RC" -eq 0 ] && echo ok || echo FAIL)" "$LAST_SECONDS" \
    "$(grep -E 'ERROR SUMMARY' "$OUT/memcheck.log" | tail -n 1)"
  run_step racecheck "$OUT/racecheck.log" compute-sanitizer --tool racecheck --racecheck-report all \
    --error-exitcode 99 "$bin" --gtest_filter="$RACECHECK_FILTER"
  row racecheck "$([ "$LAST_RC" -eq 0 ] && echo ok || echo FAIL)" "$LAST_SECONDS" \
    "$(grep -E 'RACECHECK SUMMARY|ERROR SUMMARY' "$OUT/racecheck.log" | tail -n 1)"
  # Into memcheck.log too (the files that come back from a lent machine are limited in number).
  run_step initcheck "$OUT/memcheck.log" compute-sanitizer --tool initcheck --error-exitcode 99 "$bin" \
    --gtest_filter="$INITCHECK_FILTER"
  row initcheck "$([ "$LAST_RC" -eq 0 ] && echo ok || echo FAIL)" "$LAST_SECONDS" \
    "$(grep -E 'ERROR SUMMARY' "$OUT/memcheck.log" | tail -n 1)"
}

step_bench() {
  local dfd
  dfd=$(find "$BUILD_DIR" -maxdepth 2 -name dfd -type f -perm -u+x | head -n 1)
  if [ -n "$dfd" ] && "$dfd" bench --help >/dev/null 2>&1; then
    run_step bench "$OUT/bench.log" timeout "$BENCH_TIMEOUT" "$dfd" bench --backends "$BENCH_BACKENDS" \
      --sizes "$BENCH_SIZES" --json "$OUT/bench.json" --plot /tmp/dfd-bench.png
    row bench "$([ "$LAST_RC" -eq 0 ] && echo ok || echo FAIL)" "$LAST_SECONDS" "dfd bench: bench.log, bench.json"
    echo "---- dfd bench (end of the table) ----"
    tail -n 30 "$OUT/bench.log"
  else
    local bin
    bin=$(gpu_test_binary)
    [ -n "$bin" ] || { row bench FAIL 0 "no dfd and no dfd_gpu_tests (build first)"; FAILED=1; return 1; }
    run_step bench "$OUT/bench.log" timeout "$BENCH_TIMEOUT" "$bin" --gtest_also_run_disabled_tests \
      --gtest_filter='CudaTiming.*'
    row bench "$([ "$LAST_RC" -eq 0 ] && echo ok || echo FAIL)" "$LAST_SECONDS" "timing case (no dfd CLI): bench.log"
    echo "---- timings ----"
    grep -E '^(size|[0-9]+x[0-9]+) ' "$OUT/bench.log"
  fi
}

{
  echo "dfd gpu_check $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 || echo "no nvidia-smi"
  nvcc --version 2>/dev/null | tail -n 1
} | tee "$OUT/summary.txt"

for s in "${STEPS[@]}"; do
  case $s in
    build) step_build || break ;;
    test) step_test ;;
    sanitize) step_sanitize ;;
    bench) step_bench ;;
    *) echo "unknown step '$s' (build, test, sanitize, bench)"; exit 2 ;;
  esac
done

{
  echo
  printf '%-12s %-8s %8s  %s\n' step status seconds note
  for r in "${ROWS[@]}"; do echo "$r"; done
} | tee -a "$OUT/summary.txt"
exit $FAILED
