#!/usr/bin/env bash
# Builds the libFuzzer targets of the input parsers (fuzz/: clang 14, ASan + UBSan, CPU only) into
# ${FUZZ_BUILD_DIR:-build-fuzz} and runs each for N seconds from its seed corpus (fuzz/corpus/
# <target>/). Fails when any target finds a crash, a sanitizer report, a leak, a timeout (an input
# taking over 10 s) or an out-of-memory (over 2 GB); the input that did it is kept under
# $FUZZ_BUILD_DIR/fuzz-artifacts/<target>/ and its log under fuzz-logs/. New inputs the runs find
# go to $FUZZ_BUILD_DIR/fuzz-corpus/<target>/ (the repository's seeds are only read).
#
#   scripts/fuzz.sh [--seconds N | --ci] [--target NAME]... [--no-install] [--no-build]
#     --seconds N   run time of each target (default 30; fuzz/README.md has the longer runs)
#     --ci          CI's run: a fixed number of executions per target (about 30 s each on CI's
#                   2-core machine, the table below) instead of a time, so that CI's inputs are
#                   the same on every machine and every run: a clean run here is a clean CI run,
#                   and a finding in CI replays here. (A timed run goes as far as the machine's
#                   speed lets it: CI once found in 6 s what a slower run here never reached.)
#     --target NAME only these targets (repeatable; default: all of fuzz/CMakeLists.txt)
#     --no-install  skip scripts/install-deps.sh --fuzz (clang 14, libclang-rt-14-dev, libomp-14-dev)
#     --no-build    run what is built
#     --seed N      libFuzzer's random seed (default 1: a run is reproducible, the same inputs in
#                   the same order from the same corpus, as far as its time lets it go; 0: random)
# Environment: JOBS (compile jobs and targets run at once; default nproc), FUZZ_CXX (clang++-14),
# FUZZ_CC (clang-14), FUZZ_ARGS (more libFuzzer flags, e.g. -dict=...).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=30 install=1 build_it=1 seed=1 targets=() ci=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --ci) ci=1; shift ;;
    --target) targets+=("$2"); shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) build_it=0; shift ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "fuzz: unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}
all=(stack_json batch_manifest focus_csv calibration exif tiff mat)
# --ci: executions per target, about 30 s each at CI's measured speeds (2026-12-01, 2 cores).
declare -A ci_runs=([stack_json]=150000 [batch_manifest]=150000 [focus_csv]=300000 [calibration]=300000
  [exif]=400000 [tiff]=100000 [mat]=15000)
# A time cap on each --ci run, far above its expected 30 s: a slow machine ends there (exit 0,
# its executions reported) instead of holding CI.
ci_cap=300
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

[ "$install" -eq 0 ] || scripts/install-deps.sh --fuzz
if [ "$build_it" -eq 1 ]; then
  gen=() launcher=()
  if command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ]; then gen=(-G Ninja); fi
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  # -O1 -g1: the sanitizers' usual optimisation, line tables for their stack traces; assertions on.
  CC=${FUZZ_CC:-clang-14} CXX=${FUZZ_CXX:-clang++-14} cmake -S . -B "$build" "${gen[@]}" "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DDFD_FUZZ=ON \
    -DDFD_WITH_CUDA=OFF -DDFD_BUILD_TESTS=OFF -DDFD_BUILD_BENCH=OFF -DDFD_NATIVE=OFF
  cmake --build "$build" --target dfd_fuzzers -j "$jobs"
fi

root=$(cd "$build" && pwd)
logs=$root/fuzz-logs
mkdir -p "$logs"
# Leaks are checked at exit of each input's run (libFuzzer's -detect_leaks, on by default).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Third-party leaks dfd cannot prevent, each with its reason, in one committed file.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/fuzz/lsan.supp:print_suppressions=0}

# run_target NAME: one libFuzzer run; exit status 0 when it found nothing.
run_target() {
  local t=$1 bin="$root/fuzz/$1_fuzzer"
  local work="$root/fuzz-corpus/$t" art="$root/fuzz-artifacts/$t/"
  # --ci starts from the repository's seeds alone, as CI's clean clone does.
  [ "$ci" -eq 0 ] || { work="$root/fuzz-ci-corpus/$t"; rm -rf "$work"; }
  mkdir -p "$work" "$art"
  local asan=$ASAN_OPTIONS
  local budget=(-max_total_time="$seconds")
  [ "$ci" -eq 0 ] || budget=(-runs="${ci_runs[$t]}" -max_total_time="$ci_cap")
  # shellcheck disable=SC2086
  ASAN_OPTIONS=$asan "$bin" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -seed="$seed" -print_final_stats=1 \
    -artifact_prefix="$art" ${FUZZ_ARGS:-} "$work" "fuzz/corpus/$t" >"$logs/$t.log" 2>&1
}

pids=() names=() status=0
for t in "${targets[@]}"; do
  [ -x "$root/fuzz/${t}_fuzzer" ] || { echo "fuzz: no target $t (built: ${all[*]})" >&2; exit 2; }
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  if [ "$ci" -eq 1 ]; then echo "fuzz: $t for ${ci_runs[$t]} executions"; else echo "fuzz: $t for $seconds s"; fi
  run_target "$t" &
  pids+=($!) names+=("$t")
done
rcs=()
for i in "${!pids[@]}"; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  rcs+=("$rc")
done

if [ "$ci" -eq 1 ]; then what="CI's fixed executions, seed $seed"; else what="${seconds} s each"; fi
echo "fuzz: summary ($what; logs in $logs)"
printf '  %-15s %-6s %12s %8s %8s\n' target exit execs exec/s corpus
for i in "${!names[@]}"; do
  t=${names[$i]} log="$logs/${names[$i]}.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  corpus=$(find "$root/fuzz-$([ "$ci" -eq 1 ] && echo ci-)corpus/$t" -type f | wc -l)
  printf '  %-15s %-6s %12s %8s %8s\n' "$t" "${rcs[$i]}" "${execs:--}" "${speed:--}" "$corpus"
  if [ "${rcs[$i]}" -ne 0 ]; then
    status=1
    echo "---- $t: finding (exit ${rcs[$i]}); the end of $log:"
    tail -n 60 "$log"
    ls "$root/fuzz-artifacts/$t/" | sed 's/^/  artifact: /'
  fi
done
[ "$status" -eq 0 ] && echo "fuzz: no crashes, leaks, timeouts or out-of-memory in ${#names[@]} targets"
exit $status
