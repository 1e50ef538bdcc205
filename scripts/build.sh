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
  # Another python3 first on PATH (pyenv, conda): the same CPython minor version loads the same
  # extension, so it gets a dfd.pth too, plus the folder of Debian's numpy when it has none.
  on_path=$(command -v python3 || true)
  other=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
  if [ -n "$on_path" ] && [ -n "$other" ] && [ "$other" != "$py" ]; then
    ver() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
    if [ "$(ver "$other")" = "$(ver "$py")" ]; then
      osite=$("$other" -c 'import site; print(site.getsitepackages()[0])')
      rm -f "$osite/dfd.pth"  # an earlier one adds Debian's numpy: judge the interpreter without it
      lines="$pkg"
      if ! "$other" -c 'import numpy' 2>/dev/null; then
        lines="$lines"$'\n'"$("$py" -c 'import numpy, os; print(os.path.dirname(os.path.dirname(numpy.__file__)))')"
      fi
      if mkdir -p "$osite" 2>/dev/null && echo "$lines" >"$osite/dfd.pth" 2>/dev/null; then
        echo "build: python3 on PATH ($other, same Python $(ver "$py")) imports dfd too (through $osite/dfd.pth$(
          [ "$(echo "$lines" | wc -l)" -gt 1 ] && echo ", with Debian's numpy appended to its path"))"
      else
        echo "build: note: python3 on PATH is $other, not $py, for which the module is built: run $py"
      fi
    else
      echo "build: note: python3 on PATH is $on_path (Python $(ver "$other")), not $py (Python $(ver "$py")), for which the module is built: run $py"
    fi
  fi
fi
