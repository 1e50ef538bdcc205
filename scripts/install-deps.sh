#!/usr/bin/env bash
# Installs the Debian packages dfd builds against, only those that are missing.
# The CUDA toolkit (nvcc, cuFFT) is optional: without it the CPU backend alone is built.
# pybind11-dev, python3-dev, python3-numpy, python3-pytest: the Python module dfd and its tests
# (for Debian's /usr/bin/python3).
#   --bench-data  also the data of `dfd bench --robustness` (not needed to build or test):
#                 opencv-doc (Middlebury aloe: aloeL.jpg, aloeGT.png) and python3-skimage (photos)
#   --fuzz        also what the fuzz targets (fuzz/, scripts/fuzz.sh) build with: clang 14, its
#                 libFuzzer and sanitizer runtimes (libclang-rt-14-dev) and its OpenMP (libomp-14-dev)
#   --lint        also the style checkers of scripts/lint.sh: clang-format-14 and clang-tidy-14
set -euo pipefail
bench_data=0 fuzz=0 lint=0
for arg in "$@"; do
  case "$arg" in
    --bench-data) bench_data=1 ;;
    --fuzz) fuzz=1 ;;
    --lint) lint=1 ;;
    *) echo "install-deps: unknown option $arg (known: --bench-data, --fuzz, --lint)" >&2; exit 2 ;;
  esac
done
packages=(
  build-essential cmake pkg-config
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-video-dev
  libfftw3-dev nlohmann-json3-dev libcli11-dev libexif-dev libmatio-dev zlib1g-dev
  libgtest-dev libbenchmark-dev
  pybind11-dev python3-dev python3-numpy python3-pytest
)
[ "$bench_data" -eq 1 ] && packages+=(opencv-doc python3-skimage)
[ "$fuzz" -eq 1 ] && packages+=(clang-14 libclang-rt-14-dev libomp-14-dev)
[ "$lint" -eq 1 ] && packages+=(clang-format-14 clang-tidy-14)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
