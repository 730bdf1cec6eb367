#!/usr/bin/env bash
# Naming as CONTRIBUTING.md says: clang-tidy's readability-identifier-naming (.clang-tidy) over
# every C++ file under src/ (headers through the files that include them), with the build's
# compile_commands.json. Any finding fails the run. Both cores: about 2.5 minutes.
# Environment: BUILD_DIR (default build, configured), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
JOBS="${JOBS:-$(nproc)}"
TIDY=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [[ -z "$TIDY" ]]; then
  echo "check-naming: clang-tidy is not installed (scripts/install-deps.sh test)" >&2
  exit 1
fi
if [[ ! -f "$BUILD_DIR/compile_commands.json" ]]; then
  echo "check-naming: $BUILD_DIR/compile_commands.json not found: configure the build first" >&2
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
find src -name '*.cpp' -print0 | sort -z |
  xargs -0 -P "$JOBS" -n 8 "$TIDY" -p "$BUILD_DIR" --quiet >"$log" 2>&1 || true
if grep -E '(warning|error): ' "$log" | grep -v '^[0-9]* warnings\? generated' | sort -u | grep .; then
  echo "check-naming: names that do not follow CONTRIBUTING.md (above)" >&2
  exit 1
fi
if grep -qiE 'error while processing|no such file|compilation database' "$log"; then
  grep -iE 'error while processing|no such file|compilation database' "$log" | head -5 >&2
  exit 1
fi
echo "check-naming: $(find src -name '*.cpp' | wc -l) files follow .clang-tidy's naming rules"
