#!/usr/bin/env bash
# The sanitizer and fuzzing half of `make test`, from the presets of CMakePresets.json (clang):
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer): every unit and
#         integration suite (the product binaries they start are the sanitized ones of the same
#         build), each libFuzzer target of fuzz/ for FUZZ_SECONDS, and every seed and
#         regression input of fuzz/ replayed once;
#   tsan  ThreadSanitizer: the token caches (client credentials, exchange), JWKS cache, DPoP replay cache and connection pool suites;
#   fuzz  the fuzz targets alone, built at -O1 in build-fuzz (3-4x the executions per second of
#         the -O0 asan build): `make fuzz FUZZ_SECONDS=600` for a long run.
# Usage: scripts/sanitize-and-fuzz.sh [asan|tsan|fuzz]...   (default: asan tsan)
# Environment: JOBS (compile and test jobs, default 2), FUZZ_SECONDS (per target, default 25).
#
# Fails on a failing test and on any sanitizer report, also one from a child process the
# integration suites started and then killed: every report goes to build-<preset>/sanitizer-logs/
# (log_path in the presets), which must be empty at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-25}
steps=("$@")
((${#steps[@]})) || steps=(asan tsan)

timed() {
  local label=$1 start=$SECONDS status=0
  shift
  "$@" || status=$?
  echo "sanitize-and-fuzz: $label: $((SECONDS - start)) s" >&2
  return "$status"
}

# run PRESET
run() {
  local preset=$1
  local dir="build-$preset"
  local logs="$dir/sanitizer-logs"
  timed "$preset configure" cmake --preset "$preset" -DJUSTIFI_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
  timed "$preset build" cmake --build --preset "$preset" -j "$jobs"
  rm -rf "$logs"
  mkdir -p "$logs"
  [[ ! -d $dir/fuzz ]] || { rm -rf "$dir/fuzz/artifacts"; mkdir -p "$dir/fuzz/artifacts"; }
  local status=0
  timed "$preset tests" ctest --preset "$preset" -j "$jobs" || status=$?
  if compgen -G "$logs/*" >/dev/null; then
    echo "sanitize-and-fuzz: sanitizer reports (preset $preset):" >&2
    for report in "$logs"/*; do
      echo "==== $report" >&2
      cat "$report" >&2
    done
    status=1
  fi
  if compgen -G "$dir/fuzz/artifacts/*" >/dev/null; then
    echo "sanitize-and-fuzz: inputs that crashed a fuzz target (see fuzz/regressions/README.md):" >&2
    ls -l "$dir/fuzz/artifacts" >&2
    status=1
  fi
  return "$status"
}

failed=()
for step in "${steps[@]}"; do
  case "$step" in
    asan) run asan || failed+=(asan) ;;
    tsan) run tsan || failed+=(tsan) ;;
    fuzz) run fuzz || failed+=(fuzz) ;;
    *) echo "usage: $0 [asan|tsan|fuzz]..." >&2; exit 2 ;;
  esac
done
if ((${#failed[@]})); then
  echo "sanitize-and-fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "sanitize-and-fuzz: ${steps[*]}: no failures, no sanitizer reports" >&2
