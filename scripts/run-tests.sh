#!/usr/bin/env bash
# Runs every test suite and adds them up:
#   1. C++ unit tests (ctest in $BUILD_DIR)
#   2. sqllogictest files test/sql/**/*.test (build/aishell_sqllogictest)
#   3. pytest: everything under test/ (2 processes with pytest-xdist)
#   4. clang-format check, naming (scripts/check-naming.sh), the layer order of #includes (scripts/check-layers.sh), and a build
#      without the PostgreSQL connector (scripts/check-build-options.sh)
#   5. the unit tests, the sqllogictest files and the Parquet fixtures under ASan+UBSan
#      (scripts/run-asan.sh), every fuzz target for a short run (scripts/run-fuzz.sh
#      --ci), and every benchmark at its tiny smoke size (engines must agree)
# Prints a summary and a closing line "N passed, N failed". Exits non-zero if anything
# failed or if a suite ran zero tests. With CI=true, tests must not skip for missing servers.
# Environment: BUILD_DIR (default build), JOBS (default: nproc, at most 2 for pytest/slt).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BUILD_DIR="${BUILD_DIR:-build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
export AISHELL_BUILD_DIR="$BUILD_DIR"
JOBS="${JOBS:-$(nproc)}"
PAR=$(( JOBS < 2 ? JOBS : 2 ))
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/aishell-tests-XXXXXX")"
trap 'rm -rf "$LOG_DIR"' EXIT

total_passed=0
total_failed=0
status=0
summary=()

record() {  # suite passed failed [note]
  local suite=$1 p=$2 f=$3 note=${4:-}
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  local line
  line=$(printf '%-14s %6d passed, %6d failed %s' "$suite" "$p" "$f" "$note")
  if ((f > 0)); then status=1; fi
  if ((p + f == 0)); then
    status=1
    line="$line  <- ran zero tests"
  fi
  summary+=("$line")
}

# 1. Unit tests.
echo "=== unit tests (ctest) ==="
if [[ -f "$BUILD_DIR/CTestTestfile.cmake" ]]; then
  ctest --test-dir "$BUILD_DIR" -j "$JOBS" --output-on-failure 2>&1 | tee "$LOG_DIR/ctest.log"
  # "100% tests passed, 0 tests failed out of 42"
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$LOG_DIR/ctest.log" | tail -1)
  if [[ -n "$line" ]]; then
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    record unit $((total - failed)) "$failed"
  else
    record unit 0 0 "(no ctest summary)"
  fi
else
  echo "no CTest files in $BUILD_DIR: build first (cmake --build $BUILD_DIR)"
  record unit 0 1 "(not built)"
fi

# 2. sqllogictest.
echo
echo "=== sqllogictest (test/sql) ==="
SLT="$BUILD_DIR/aishell_sqllogictest"
if [[ -x "$SLT" ]]; then
  "$SLT" -j "$PAR" --data-dir "$ROOT/test/data" "$ROOT/test/sql" 2>&1 | tee "$LOG_DIR/slt.log"
  line=$(grep -E "^[0-9]+ passed, [0-9]+ failed$" "$LOG_DIR/slt.log" | tail -1)
  if [[ -n "$line" ]]; then
    read -r p _ f _ <<<"$line"
    record sqllogictest "$p" "$f" "(files)"
  else
    record sqllogictest 0 1 "(the runner crashed)"
  fi
else
  echo "missing $SLT: build it (cmake --build $BUILD_DIR --target aishell_sqllogictest)"
  record sqllogictest 0 1 "(not built)"
fi

# 3. pytest: CLI and differential tests.
echo
echo "=== pytest (test/) ==="
if python3 -c "import pytest" 2>/dev/null; then
  xdist=()
  if python3 -c "import xdist" 2>/dev/null && ((PAR > 1)); then xdist=(-n "$PAR"); fi
  python3 -m pytest "${xdist[@]}" -q -rfEs -p no:cacheprovider --junitxml="$LOG_DIR/pytest.xml" \
    test 2>&1 | tee "$LOG_DIR/pytest.log"
  if [[ -f "$LOG_DIR/pytest.xml" ]]; then
    read -r p f s < <(python3 - "$LOG_DIR/pytest.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
s = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - s, f, s)
PY
)
    if [[ "${CI:-}" == "true" && "$s" -gt 0 ]]; then
      echo "CI=true: $s pytest tests were skipped, which CI does not allow"
      f=$((f + s))
    fi
    record pytest "$p" "$f" "($s skipped)"
  else
    record pytest 0 1 "(pytest did not run)"
  fi
else
  echo "pytest is not installed: run scripts/install-deps.sh test"
  record pytest 0 1 "(pytest missing)"
fi

# 4. Checks that pass or fail as a whole: one line each in the summary.
check() {  # suite title lines command...
  local suite=$1 title=$2 lines=$3
  shift 3
  echo
  echo "=== $title ==="
  if BUILD_DIR="$BUILD_DIR" "$@" 2>&1 | tail -"$lines"; then
    record "$suite" 1 0
  else
    record "$suite" 0 1
  fi
}
# Formatting (CONTRIBUTING.md): every C++ file follows .clang-format.
check format "format (clang-format)" 20 scripts/check-format.sh
# Layers (docs/architecture.md): no #include goes up a layer.
check layers "layers (scripts/check-layers.sh)" 40 scripts/check-layers.sh
# Naming (CONTRIBUTING.md): clang-tidy's readability-identifier-naming.
check naming "naming (scripts/check-naming.sh)" 30 scripts/check-naming.sh
# Build options: a build with AISHELL_WITH_POSTGRES=OFF links no libpq and passes the rest.
check build-options "build without PostgreSQL (scripts/check-build-options.sh)" 25 \
  scripts/check-build-options.sh

# 5. Benchmark smoke run (tiny data): both engines must agree; timings are not asserted.
echo
# The unit tests, every test/sql file and the Parquet fixtures under ASan+UBSan with leak checks
# (build-asan/, ccache): one summary line for each suite.
echo "=== unit tests and sqllogictest under ASan+UBSan (scripts/run-asan.sh) ==="
scripts/run-asan.sh 2>&1 | tee "$LOG_DIR/asan.log" | tail -40
for suite in unit sqllogictest; do
  line=$(grep -E "^asan-$suite: [0-9]+ passed, [0-9]+ failed" "$LOG_DIR/asan.log" | tail -1)
  if [[ -n "$line" ]]; then
    read -r _ p _ f _ <<<"$line"
    record "asan-$suite" "$p" "$f"
  else
    record "asan-$suite" 0 1 "(did not run: see run-asan.sh above)"
  fi
done
if ! grep -q "run-asan: OK" "$LOG_DIR/asan.log"; then
  # A failure besides the two suites' counts (the build, the Parquet fixtures).
  grep -qE "^asan-(unit|sqllogictest): [0-9]+ passed, [1-9]" "$LOG_DIR/asan.log" || record asan 0 1
fi
# Every fuzz target (test/fuzz/) for a short fixed time on its committed corpus: any crash,
# sanitizer report, leak or hang fails.
echo "=== fuzz targets, short run (scripts/run-fuzz.sh --ci) ==="; if scripts/run-fuzz.sh --ci 2>&1 | tee "$LOG_DIR/fuzz.log" | tail -20 && grep -q "run-fuzz: OK" "$LOG_DIR/fuzz.log"; then record fuzz 1 0; else record fuzz 0 1; fi
echo "=== benchmark smoke (scripts/run-bench.sh --scale tiny) ==="
if scripts/run-bench.sh --scale tiny --runs 1 --build-dir "$BUILD_DIR" 2>&1 | tee "$LOG_DIR/bench.log"; then
  record bench-smoke 1 0
else
  record bench-smoke 0 1
fi

# 6. No secret of a test service in anything the run printed (logs of every step above).
check secrets "no secret in the test logs (scripts/check-secrets.py)" 20 \
  python3 scripts/check-secrets.py "$LOG_DIR"

echo
echo "=== summary ==="
for line in "${summary[@]}"; do echo "$line"; done
echo "$total_passed passed, $total_failed failed"
exit $status
