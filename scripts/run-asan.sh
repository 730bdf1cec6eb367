#!/usr/bin/env bash
# The unit tests and the sqllogictest suite under AddressSanitizer + UndefinedBehaviorSanitizer,
# with LeakSanitizer on (in make test).
#
#   scripts/run-asan.sh [--unit-only | --slt-only]
#
# Build: the whole engine with -DAISHELL_ASAN=ON (-O1 -fsanitize=address,undefined
# -fno-sanitize-recover=all) in $ASAN_BUILD_DIR (default build-asan), through ccache like the
# regular build, so that a warm rebuild only links. Then runs, with JOBS (default 2) processes:
#   1. aishell_unit_tests, in JOBS gtest shards;
#   2. every test/sql file (aishell_sqllogictest -j JOBS; each file's process checks for leaks
#      before it reports);
#   3. every Parquet file of ../shared/fixtures/parquet-testing/{data,bad_data} through the reader
#      (aishell_parquet_replay: Open and every column of every row group, mapped and by ranges).
# Any sanitizer report (a memory error, undefined behaviour or a leak) fails the run. Suppressions
# (scripts/sanitizers/*.supp) name third-party libraries only, each one explained there.
# The last lines: "asan-unit: N passed, N failed", "asan-sqllogictest: N passed, N failed", and
# "run-asan: OK ..." or "run-asan: FAILED ...".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
UNIT=1 SLT=1
for arg in "$@"; do
  case "$arg" in
    --unit-only) SLT=0 ;;
    --slt-only) UNIT=0 ;;
    -h | --help)
      sed -n '2,20p' "$0"
      exit 0
      ;;
    *)
      echo "run-asan: unknown argument $arg" >&2
      exit 2
      ;;
  esac
done
ASAN_DIR="${ASAN_BUILD_DIR:-$ROOT/build-asan}"
case "$ASAN_DIR" in /*) ;; *) ASAN_DIR="$ROOT/$ASAN_DIR" ;; esac
JOBS="${JOBS:-2}"
((JOBS > 2)) && JOBS=2
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/aishell-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
FIX="${AISHELL_PARQUET_TESTING:-$(dirname "$ROOT")/shared/fixtures/parquet-testing}"
[[ -d "$FIX" ]] || FIX=/work/shared/fixtures/parquet-testing
LOGS="$ASAN_DIR/logs"
start=$(date +%s)

echo "=== build: the engine under ASan+UBSan ($ASAN_DIR) ==="
if [[ ! -f "$ASAN_DIR/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAISHELL_ASAN=ON \
    >/dev/null || exit 1
fi
mkdir -p "$LOGS"
TARGETS=()
((UNIT)) && TARGETS+=(aishell_unit_tests)
((SLT)) && TARGETS+=(aishell_sqllogictest aishell_parquet_replay)
if ! cmake --build "$ASAN_DIR" -j "$JOBS" --target "${TARGETS[@]}" >"$LOGS/build.log" 2>&1; then
  grep -E "error|FAILED" "$LOGS/build.log" | head -20
  echo "run-asan: FAILED (the build; see $LOGS/build.log)"
  exit 1
fi
tail -1 "$LOGS/build.log"
echo "built in $(($(date +%s) - start)) s"

SUPP="$ROOT/scripts/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp:${UBSAN_OPTIONS:-}"
SANITIZER_REPORT="ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:"
failed=0

if ((UNIT)); then
  echo "=== aishell_unit_tests under ASan+UBSan, $JOBS shards ==="
  t0=$(date +%s)
  pids=()
  for ((i = 0; i < JOBS; i++)); do
    GTEST_TOTAL_SHARDS=$JOBS GTEST_SHARD_INDEX=$i "$ASAN_DIR/aishell_unit_tests" --gtest_brief=1 \
      >"$LOGS/unit-$i.log" 2>&1 &
    pids+=($!)
  done
  unit_rc=0
  for p in "${pids[@]}"; do wait "$p" || unit_rc=1; done
  passed=0 unit_failed=0
  for ((i = 0; i < JOBS; i++)); do
    log="$LOGS/unit-$i.log"
    n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:.*/\1/p' "$log" | tail -1)
    passed=$((passed + ${n:-0}))
    unit_failed=$((unit_failed + ${f:-0}))
    grep -a "^\[  FAILED  \] [A-Za-z]" "$log" | sed 's/^/    /'
    if grep -aqE "$SANITIZER_REPORT" "$log" || [[ -z "$n" && -z "$f" ]]; then
      # A sanitizer report ends the shard: its first lines say what and where.
      grep -a -m1 -B2 -A12 -E "$SANITIZER_REPORT" "$log" | sed 's/^/    /'
      echo "    shard $i: a sanitizer report or a crash (log: $log)"
      unit_failed=$((unit_failed + 1))
    fi
  done
  ((unit_rc != 0 && unit_failed == 0)) && unit_failed=1
  echo "unit tests in $(($(date +%s) - t0)) s"
  echo "asan-unit: $passed passed, $unit_failed failed"
  ((unit_failed)) && failed=1
fi

if ((SLT)); then
  echo "=== sqllogictest (test/sql) under ASan+UBSan, -j $JOBS ==="
  t0=$(date +%s)
  "$ASAN_DIR/aishell_sqllogictest" -j "$JOBS" --data-dir "$ROOT/test/data" "$ROOT/test/sql" \
    >"$LOGS/slt.log" 2>&1
  grep -a -E "^FAIL|^  |ERROR:|runtime error:|SUMMARY:" "$LOGS/slt.log" | head -60 | sed 's/^/    /'
  line=$(grep -E "^[0-9]+ passed, [0-9]+ failed$" "$LOGS/slt.log" | tail -1)
  if [[ -z "$line" ]]; then line="0 passed, 1 failed"; fi
  read -r p _ f _ <<<"$line"
  if grep -aqE "$SANITIZER_REPORT" "$LOGS/slt.log" && ((f == 0)); then f=1; fi
  echo "sqllogictest in $(($(date +%s) - t0)) s"
  echo "asan-sqllogictest: $p passed, $f failed"
  ((f)) && failed=1

  echo "=== parquet-testing data/ and bad_data/ through the Parquet reader under ASan+UBSan ==="
  FILES=()
  for f in "$FIX"/data/*.parquet "$FIX"/bad_data/*.parquet; do [[ -f "$f" ]] && FILES+=("$f"); done
  if ((${#FILES[@]} == 0)); then
    echo "    no parquet-testing fixtures at $FIX"
    failed=1
  elif ! "$ASAN_DIR/aishell_parquet_replay" 0 "${FILES[@]}" >"$LOGS/parquet.log" 2>&1; then
    tail -30 "$LOGS/parquet.log" | sed 's/^/    /'
    failed=1
  else
    echo "    ${#FILES[@]} files read"
  fi
fi

elapsed=$(($(date +%s) - start))
if ((failed)); then
  echo "run-asan: FAILED (see above; logs in $LOGS) in $elapsed s"
  exit 1
fi
echo "run-asan: OK in $elapsed s"
