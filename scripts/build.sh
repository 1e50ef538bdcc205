#!/usr/bin/env bash
# Configures and builds dfd into ${BUILD_DIR:-build} (Release). Extra arguments go to cmake.
#
# When the Python module was built (python/, needs pybind11-dev and python3-dev), a dfd.pth file
# in the site directory of the interpreter it was built for (Debian's /usr/bin/python3:
# /usr/local/lib/python3.X/dist-packages) points that interpreter at this build's package, so
# that `python3 -c "import dfd"` works; the last build to run wins. DFD_PYTHON_REGISTER=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$jobs"

if [ "${DFD_PYTHON_REGISTER:-1}" = 1 ] && [ -f "$build/python/interpreter" ] &&
  compgen -G "$build/python/dfd/_dfd*.so" >/dev/null; then
  py=$(cat "$build/python/interpreter")
  pkg=$(cd "$build/python" && pwd)
  site=$("$py" -c 'import site; print(site.getsitepackages()[0])')
  if mkdir -p "$site" 2>/dev/null && echo "$pkg" >"$site/dfd.pth" 2>/dev/null; then
    echo "build: $py imports dfd from $pkg (through $site/dfd.pth)"
  else
    echo "build: cannot write $site/dfd.pth (not root?): use PYTHONPATH=$pkg $py"
  fi
  on_path=$(command -v python3 || true)
  if [ -n "$on_path" ] && [ "$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)" != "$py" ]; then
    echo "build: note: python3 on PATH is $on_path, not $py, for which the module is built: run $py"
  fi
fi
