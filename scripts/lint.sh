#!/usr/bin/env bash
# Style check: clang-format --dry-run (the root .clang-format) on the C++/CUDA files changed in
# this checkout, or on the whole tree; optionally clang-tidy (the root .clang-tidy) on them too.
# Reports each file that would change and how many edits clang-format would make in it, then a
# count. Formats nothing: apply with `clang-format -i FILE` on the files you change. The whole
# tree is formatted; CI runs `scripts/lint.sh --all` (and --tidy, see .clang-tidy).
#
# Usage: scripts/lint.sh [--all | --base REF] [--tidy] [--verbose] [FILE...]
#   (default)    files changed against HEAD: staged, unstaged and untracked (not ignored)
#   --base REF   files changed since REF (e.g. origin/main: a branch's files), plus the above
#   --all        every tracked C++/CUDA file
#   FILE...      exactly these files
#   --tidy       also clang-tidy (the root .clang-tidy) on the selected .cpp files that
#                ${BUILD_DIR:-build} compiles (its compile_commands.json; CMAKE_EXPORT_COMPILE_COMMANDS
#                is on), tests/ and fuzz/ excepted; slow: seconds a file
#   --verbose    print clang-format's replacements (and clang-tidy's full output)
# Environment: CLANG_FORMAT, CLANG_TIDY (binaries), BUILD_DIR, JOBS (clang-tidy jobs, default nproc)
# Exit status: 0 when nothing would change (and clang-tidy found nothing), 1 otherwise, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's clang-format-14/clang-tidy-14 packages install only the versioned names.
first_of() { for b in "$@"; do if command -v "$b" >/dev/null; then echo "$b"; return; fi; done; echo "$1"; }
clang_format=${CLANG_FORMAT:-$(first_of clang-format-14 clang-format)}
clang_tidy=${CLANG_TIDY:-$(first_of clang-tidy-14 clang-tidy)}
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
mode=changed base="" tidy=0 verbose=0
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --all) mode=all ;;
    --base) [ $# -ge 2 ] || { echo "lint: --base needs a ref" >&2; exit 2; }; base=$2; shift ;;
    --tidy) tidy=1 ;;
    --verbose | -v) verbose=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "lint: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) files+=("$1"); mode=files ;;
  esac
  shift
done
command -v "$clang_format" >/dev/null || { echo "lint: $clang_format not found (Debian: clang-format-14; scripts/install-deps.sh --lint)" >&2; exit 2; }

is_source() { case $1 in *.cpp | *.h | *.cu | *.cuh | *.hpp | *.cc) return 0 ;; *) return 1 ;; esac; }
pathspec=('*.cpp' '*.h' '*.cu' '*.cuh' '*.hpp' '*.cc')
case $mode in
  all) mapfile -t files < <(git ls-files -- "${pathspec[@]}") ;;
  changed)
    mapfile -t files < <({
      git diff --name-only --diff-filter=d HEAD -- "${pathspec[@]}"
      git ls-files --others --exclude-standard -- "${pathspec[@]}"
      [ -z "$base" ] || git diff --name-only --diff-filter=d "$(git merge-base "$base" HEAD)" HEAD -- "${pathspec[@]}"
    } | sort -u)
    ;;
esac
selected=()
for f in "${files[@]}"; do
  if [ -f "$f" ] && is_source "$f"; then selected+=("$f"); fi
done
if [ ${#selected[@]} -eq 0 ]; then
  echo "lint: no C++/CUDA files to check ($mode)"
  exit 0
fi

status=0
changed=0 edits=0
for f in "${selected[@]}"; do
  out=$("$clang_format" --dry-run --style=file "$f" 2>&1 || true)
  n=$(grep -c 'warning: code should be clang-formatted' <<<"$out" || true)
  if [ "$n" -gt 0 ]; then
    changed=$((changed + 1)) edits=$((edits + n))
    echo "would reformat: $f ($n edits)"
    [ $verbose = 0 ] || echo "$out"
  fi
done
echo "clang-format ($($clang_format --version | grep -o 'version [0-9.]*')): $changed of ${#selected[@]} files would change ($edits edits)"
[ $changed -eq 0 ] || status=1

if [ $tidy = 1 ]; then
  command -v "$clang_tidy" >/dev/null || { echo "lint: $clang_tidy not found (Debian: clang-tidy-14; scripts/install-deps.sh --lint)" >&2; exit 2; }
  [ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json: configure $build first (or set BUILD_DIR)" >&2; exit 2; }
  # The library, CLI, datasets, bench and Python sources that the build compiles (tests/ and
  # fuzz/ are not held to the baseline: GoogleTest's and libFuzzer's macros expand into code the
  # checks were not written for).
  compiled=$(grep -o '"file": *"[^"]*"' "$build/compile_commands.json" | sed 's/.*"file": *"//; s/"$//')
  units=()
  for f in "${selected[@]}"; do
    case $f in tests/* | fuzz/*) continue ;; *.cpp) ;; *) continue ;; esac
    grep -qxF "$PWD/$f" <<<"$compiled" && units+=("$f")
  done
  if [ ${#units[@]} -gt 0 ]; then
    log=$(mktemp)
    # One clang-tidy per file, JOBS at a time; warnings from our own headers too (HeaderFilterRegex).
    printf '%s\0' "${units[@]}" | xargs -0 -n 1 -P "$jobs" "$clang_tidy" -p "$build" --quiet >"$log" 2>&1 || true
    findings=$(grep -cE '^/.*: (warning|error): ' "$log" || true)
    if [ $verbose = 1 ]; then cat "$log"; else grep -E '^/.*: (warning|error): ' "$log" | sort -u || true; fi
    echo "clang-tidy: $findings findings in ${#units[@]} files"
    grep -oE '\[[a-z0-9.,-]+\]$' "$log" | sort | uniq -c | sort -rn || true
    rm -f "$log"
    [ "$findings" -eq 0 ] || status=1
  fi
fi
exit $status
