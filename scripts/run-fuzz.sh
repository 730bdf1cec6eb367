#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz/README.md) and runs each one.
#
#   scripts/run-fuzz.sh [--ci] [TARGET...]      (make fuzz runs it without --ci)
#
# Build: cmake -DAISHELL_FUZZ=ON with clang++-14 in $FUZZ_BUILD_DIR (default build-fuzz, ccache);
# the code the targets fuzz is instrumented there (libFuzzer coverage, ASan, UBSan), the rest of the
# engine comes from the regular build's libaishell_engine.a, built first if missing.
# Corpus: each target starts from its committed seeds and regression inputs
# (test/fuzz/corpus/<target>/) plus seeds made from the test data (every statement of
# test/sql/**/*.test for sql_fuzzer, test/data for the CSV and JSON Lines readers, Parquet files).
# Without --ci the corpus lives on in $FUZZ_BUILD_DIR/corpus/<target> and grows from run to run;
# with --ci it is a fresh copy.
# A full run (no --ci, no TARGET) also runs the differential SQL fuzzer against DuckDB
# (test/differential/sql_fuzz.py, a new seed) for FUZZ_SECONDS; TARGET sql_differential runs it
# alone. Its mismatches land in $FUZZ_BUILD_DIR/artifacts/sql_differential/ as sqllogictest files.
# Run: each target for FUZZ_SECONDS seconds (default 60; --ci: 15), JOBS (default 2) at a time,
# with -timeout=10 (a hang), -rss_limit_mb=2048 and leak detection. Any crash, sanitizer report,
# leak, hang or out-of-memory fails the run: the input is saved as
# $FUZZ_BUILD_DIR/artifacts/<target>-crash-* (or leak-, timeout-, oom-). The last line is
# "run-fuzz: OK ..." or "run-fuzz: FAILED ...".
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
CI_MODE=0
TARGETS=()
for arg in "$@"; do
  case "$arg" in
    --ci) CI_MODE=1 ;;
    -h | --help)
      sed -n '2,21p' "$0"
      exit 0
      ;;
    *) TARGETS+=("${arg%_fuzzer}") ;;
  esac
done
BUILD_DIR="${BUILD_DIR:-${AISHELL_BUILD_DIR:-$ROOT/build}}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
FUZZ_DIR="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
case "$FUZZ_DIR" in /*) ;; *) FUZZ_DIR="$ROOT/$FUZZ_DIR" ;; esac
if ((CI_MODE)); then SECONDS_EACH="${FUZZ_CI_SECONDS:-15}"; else SECONDS_EACH="${FUZZ_SECONDS:-60}"; fi
JOBS="${JOBS:-2}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/aishell-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
PARQUET_FIXTURES="${AISHELL_PARQUET_TESTING:-$(dirname "$ROOT")/shared/fixtures/parquet-testing}"
[[ -d "$PARQUET_FIXTURES" ]] || PARQUET_FIXTURES=/work/shared/fixtures/parquet-testing
start=$(date +%s)

CLANG=""
for c in clang++-14 clang++; do command -v "$c" >/dev/null && CLANG=$c && break; done
if [[ -z "$CLANG" ]]; then
  echo "run-fuzz: FAILED: no clang++ (scripts/install-deps.sh build installs clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi

echo "=== build: the regular engine library ($BUILD_DIR) ==="
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$JOBS" --target aishell_engine | tail -1
echo "=== build: fuzz targets ($FUZZ_DIR, $CLANG, ASan+UBSan+libFuzzer) ==="
if [[ ! -f "$FUZZ_DIR/build.ninja" ]] ||
  ! grep -qx "AISHELL_FUZZ_ENGINE:FILEPATH=$BUILD_DIR/libaishell_engine.a" "$FUZZ_DIR/CMakeCache.txt"; then
  cmake -S "$ROOT" -B "$FUZZ_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAISHELL_FUZZ=ON \
    -DCMAKE_CXX_COMPILER="$CLANG" -DAISHELL_FUZZ_ENGINE="$BUILD_DIR/libaishell_engine.a" >/dev/null
fi
cmake --build "$FUZZ_DIR" -j "$JOBS" --target fuzz_targets | tail -1
echo "built in $(($(date +%s) - start)) s"

ALL=()
for f in "$FUZZ_DIR"/*_fuzzer; do [[ -x "$f" ]] && ALL+=("$(basename "$f" _fuzzer)"); done
((${#TARGETS[@]})) || TARGETS=("${ALL[@]}")

# The seeds of one target, into directory $2.
make_seeds() {
  local target=$1 dir=$2
  mkdir -p "$dir"
  if [[ -d "$ROOT/test/fuzz/corpus/$target" ]]; then cp -n "$ROOT/test/fuzz/corpus/$target"/* "$dir/" 2>/dev/null || true; fi
  case "$target" in
    sql | sql_exec | sql_grammar)
      # Every statement and query of test/sql, one file each.
      python3 - "$ROOT/test/sql" "$dir" <<'PY'
import hashlib, os, sys
root, out = sys.argv[1], sys.argv[2]
for dirpath, _, files in os.walk(root):
    for name in sorted(files):
        if not name.endswith(".test"):
            continue
        lines = open(os.path.join(dirpath, name), encoding="utf-8", errors="replace").read().split("\n")
        i = 0
        while i < len(lines):
            if lines[i].startswith(("statement ", "query ")):
                body = []
                i += 1
                while i < len(lines) and lines[i].strip() and lines[i] != "----":
                    body.append(lines[i])
                    i += 1
                sql = "\n".join(body).replace("__DATA_DIR__", "/nonexistent").encode()
                if sql:
                    with open(os.path.join(out, hashlib.sha1(sql).hexdigest()[:16]), "wb") as f:
                        f.write(sql)
            i += 1
PY
      ;;
    csv)
      local mode=0
      for f in "$ROOT"/test/data/*.csv; do
        { printf "\\x$(printf %02x $mode)"; head -c 3000 "$f"; } >"$dir/data-$(basename "$f")"
        mode=$((mode + 5))
      done
      ;;
    json_lines)
      for f in "$ROOT"/test/data/*.jsonl; do { printf '\x00'; head -c 3000 "$f"; } >"$dir/data-$(basename "$f")"; done
      ;;
    parquet)
      cp -n "$ROOT"/test/parquet/data/*.parquet "$dir/" 2>/dev/null || true
      if [[ -d "$PARQUET_FIXTURES/data" ]]; then
        find "$PARQUET_FIXTURES/data" "$PARQUET_FIXTURES/bad_data" -maxdepth 1 -name '*.parquet' \
          -size -256k -exec cp -n {} "$dir/" \; 2>/dev/null || true
      fi
      ;;
  esac
}

ARTIFACTS="$FUZZ_DIR/artifacts"
LOGS="$FUZZ_DIR/logs"
mkdir -p "$ARTIFACTS" "$LOGS"
WORK=""
if ((CI_MODE)); then
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/aishell-fuzz-XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
fi

# A libFuzzer dictionary for the SQL targets: the parser's keywords, every function name, operators.
sql_dictionary() {
  python3 - "$ROOT" "$FUZZ_DIR/sql.dict" <<'PY'
import glob, re, sys
root, out = sys.argv[1], sys.argv[2]
words = set()
for f in glob.glob(root + "/src/sql/*.cpp"):
    words.update(re.findall(r'"([A-Z][A-Z_]+)"', open(f).read()))
for f in glob.glob(root + "/src/functions/*.cpp"):
    words.update(re.findall(r'Add(?:Scalar|Aggregate)\("([a-z_0-9]+)"', open(f).read()))
words.update(["(", ")", ",", ";", "::", "||", "<=", ">=", "<>", "!=", "->", "=>", "[", "]", "'", "\"",
              "/*", "*/", "--", "1e308", "-9223372036854775808", "'2024-01-01'", "NULL", "*"])
with open(out, "w") as f:
    for w in sorted(words):
        f.write('"%s"\n' % w.replace("\\", "\\\\").replace('"', '\\"'))
PY
}

run_target() {  # target
  local target=$1 corpus max_len=8192 extra=()
  if ((CI_MODE)); then corpus="$WORK/corpus/$target"; else corpus="$FUZZ_DIR/corpus/$target"; fi
  make_seeds "$target" "$corpus"
  [[ "$target" == parquet ]] && max_len=1048576
  [[ "$target" == avro ]] && max_len=32768
  if [[ "$target" == sql || "$target" == sql_exec || "$target" == sql_grammar ]]; then
    sql_dictionary
    extra=(-dict="$FUZZ_DIR/sql.dict")
  fi
  local log="$LOGS/$target.log"
  local t0
  t0=$(date +%s)
  set +e
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$FUZZ_DIR/${target}_fuzzer" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 "${extra[@]}" \
    -artifact_prefix="$ARTIFACTS/$target-" "$corpus" >"$log" 2>&1
  local rc=$?
  set -e
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  local cov
  cov=$(grep -oE "cov: [0-9]+" "$log" | tail -1 | cut -d' ' -f2)
  local status=ok
  if ((rc != 0)) || grep -aqE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error:" "$log"; then
    status=FAILED
  fi
  printf '%-18s %-6s %6d s %10s runs  cov %-6s corpus %s\n' "$target" "$status" \
    "$(($(date +%s) - t0))" "${runs:-?}" "${cov:-?}" "$(find "$corpus" -type f | wc -l)"
  # libFuzzer stops checking each input for leaks after 1000 checks that found none (a target that
  # keeps memory in caches); LeakSanitizer's check at exit still runs.
  if grep -aq "libFuzzer disabled leak detection" "$log"; then
    echo "    (libFuzzer stopped its per-input leak checks; the check at exit ran)"
  fi
  if [[ $status != ok ]]; then
    grep -a -m1 -E "ERROR:|runtime error:|fuzz invariant broken|internal error" "$log" | sed 's/^/    /'
    grep -a -m1 "Test unit written to" "$log" | sed 's/^/    /'
    echo "    log: $log"
    return 1
  fi
}
export -f run_target make_seeds sql_dictionary
export ROOT FUZZ_DIR CI_MODE SECONDS_EACH ARTIFACTS LOGS WORK PARQUET_FIXTURES

# The differential SQL fuzzer (test/differential/sql_fuzz.py, against DuckDB) is not a libFuzzer
# target: it runs after them, in full runs (in CI, test/differential/test_sql_fuzz.py runs it).
DIFFERENTIAL=0
LIBFUZZER_TARGETS=()
for t in "${TARGETS[@]}"; do
  if [[ "$t" == sql_differential ]]; then DIFFERENTIAL=1; else LIBFUZZER_TARGETS+=("$t"); fi
done
if ((!CI_MODE && ${#LIBFUZZER_TARGETS[@]} == ${#ALL[@]})); then DIFFERENTIAL=1; fi

echo "=== fuzzing ${#LIBFUZZER_TARGETS[@]} targets, $SECONDS_EACH s each, $JOBS at a time ==="
failed=0
if ((${#LIBFUZZER_TARGETS[@]})); then
  printf '%s\n' "${LIBFUZZER_TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_target "$1"' _ {} ||
    failed=1
fi
if ((DIFFERENTIAL)); then
  echo "=== differential SQL fuzzing against DuckDB for $SECONDS_EACH s ==="
  if ! AISHELL_BUILD_DIR="$BUILD_DIR" python3 "$ROOT/test/differential/sql_fuzz.py" \
      --seconds "$SECONDS_EACH" --out "$ARTIFACTS/sql_differential" 2>&1 | tail -40; then
    echo "    mismatches written to $ARTIFACTS/sql_differential/"
    failed=1
  fi
fi
elapsed=$(($(date +%s) - start))
if ((failed)); then
  echo "run-fuzz: FAILED (a target crashed, leaked or hung: see above) in $elapsed s"
  exit 1
fi
echo "run-fuzz: OK (${#LIBFUZZER_TARGETS[@]} targets$( ((DIFFERENTIAL)) && echo " and the differential SQL fuzzer"), $SECONDS_EACH s each) in $elapsed s"
