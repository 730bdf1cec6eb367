#!/usr/bin/env bash
# The Parquet reader under AddressSanitizer + UndefinedBehaviorSanitizer.
#
# Builds only what the reader tests need, instrumented, in a separate directory (ccache makes a
# rebuild take seconds): src/formats/parquet/*.cpp and their gtests, plus the fuzz target. The rest
# of the engine comes, uninstrumented, from the regular build's libaishell_engine.a. Then runs
#   1. the Parquet gtests (aishell_unit_tests' Parquet* suites),
#   2. every file of ../shared/fixtures/parquet-testing/{data,bad_data} through ParquetFileReader
#      (Open + ReadRowGroup of every column, memory-mapped and by ranges),
#   3. libFuzzer for PARQUET_FUZZ_SECONDS (default 60; 0 skips) when clang with libFuzzer is
#      installed (clang-14 + libclang-rt-14-dev), seeded with the fixtures.
# Any sanitizer report fails the run.
# Environment: BUILD_DIR (default build, must be built), ASAN_BUILD_DIR (default build-asan),
# PARQUET_FUZZ_SECONDS, JOBS (default 2), AISHELL_PARQUET_TESTING (the fixtures).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-${AISHELL_BUILD_DIR:-$ROOT/build}}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
ASAN_DIR="${ASAN_BUILD_DIR:-$ROOT/build-asan}"
case "$ASAN_DIR" in /*) ;; *) ASAN_DIR="$ROOT/$ASAN_DIR" ;; esac
FUZZ_SECONDS="${PARQUET_FUZZ_SECONDS:-60}"
JOBS="${JOBS:-2}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/aishell-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$ROOT")}"
FIX="${AISHELL_PARQUET_TESTING:-$(dirname "$ROOT")/shared/fixtures/parquet-testing}"
[[ -d "$FIX" ]] || FIX=/work/shared/fixtures/parquet-testing

ENGINE="$BUILD_DIR/libaishell_engine.a"
if [[ ! -f "$ENGINE" || ! -f "$BUILD_DIR/build.ninja" ]]; then
  echo "run-parquet-asan: $ENGINE not found: build first (cmake --build $BUILD_DIR)" >&2
  exit 1
fi
if [[ ! -d "$FIX/data" ]]; then
  echo "run-parquet-asan: parquet-testing fixtures not found at $FIX" >&2
  exit 1
fi
mkdir -p "$ASAN_DIR/obj"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER=ccache

# Compiler flags and link libraries as the regular build has them.
read -r DEFS < <(python3 - "$BUILD_DIR/compile_commands.json" <<'PY'
import json, shlex, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("src/formats/parquet/parquet_test.cpp"):
        args = shlex.split(e["command"])
        keep = [a for a in args if a.startswith(("-D", "-I")) or a in ("-pthread",)]
        # -isystem takes the next argument
        for i, a in enumerate(args):
            if a == "-isystem":
                keep += ["-isystem", args[i + 1]]
        print(" ".join(shlex.quote(k) for k in keep))
        break
PY
)
LIBS=$(grep -E "^  LINK_LIBRARIES = .*libgtest_main" "$BUILD_DIR/build.ninja" | head -1 |
  sed -e 's/^  LINK_LIBRARIES = //' -e 's#[^ ]*libaishell_[a-z_]*\.a##g')
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CXXFLAGS="-std=gnu++20 -g -O1 $SAN"

compile() {  # compiler source object [extra flags]
  local cxx=$1 src=$2 obj=$3
  shift 3
  # shellcheck disable=SC2086
  $LAUNCHER "$cxx" $CXXFLAGS $DEFS "$@" -c "$src" -o "$obj"
}
export -f compile
export LAUNCHER CXXFLAGS DEFS

start=$(date +%s)
SRCS=()
for f in "$ROOT"/src/formats/parquet/*.cpp; do SRCS+=("$f"); done
echo "=== build (g++, ASan+UBSan) in $ASAN_DIR ==="
printf '%s\n' "${SRCS[@]}" | xargs -P "$JOBS" -I{} bash -c \
  'compile g++ "$1" "$2/obj/$(basename "$1" .cpp).o"' _ {} "$ASAN_DIR"
compile g++ "$ROOT/test/parquet/fuzz/parquet_fuzzer.cpp" "$ASAN_DIR/obj/parquet_fuzzer_main.o" \
  -DAISHELL_FUZZ_STANDALONE
LIB_OBJS=() TEST_OBJS=()
for f in "${SRCS[@]}"; do
  o="$ASAN_DIR/obj/$(basename "$f" .cpp).o"
  if [[ "$f" == *_test.cpp ]]; then TEST_OBJS+=("$o"); else LIB_OBJS+=("$o"); fi
done
# shellcheck disable=SC2086
g++ $SAN -o "$ASAN_DIR/parquet_asan_tests" "${TEST_OBJS[@]}" "${LIB_OBJS[@]}" "$ENGINE" $LIBS -pthread
# shellcheck disable=SC2086
g++ $SAN -o "$ASAN_DIR/parquet_replay" "$ASAN_DIR/obj/parquet_fuzzer_main.o" "${LIB_OBJS[@]}" \
  "$ENGINE" $(sed -e 's#[^ ]*libgtest[^ ]*##g' <<<"$LIBS") -pthread
echo "built in $(($(date +%s) - start)) s"

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "=== Parquet gtests under ASan+UBSan ==="
(cd "$ROOT" && "$ASAN_DIR/parquet_asan_tests" --gtest_brief=1)

echo "=== parquet-testing data/ and bad_data/ under ASan+UBSan ==="
FILES=()
for f in "$FIX"/data/*.parquet "$FIX"/bad_data/*.parquet; do [[ -f "$f" ]] && FILES+=("$f"); done
"$ASAN_DIR/parquet_replay" 0 "${FILES[@]}"

if [[ "$FUZZ_SECONDS" != 0 ]]; then
  CLANG=""
  for c in clang++-14 clang++; do command -v "$c" >/dev/null && CLANG=$c && break; done
  if [[ -n "$CLANG" ]] && echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long){return 0;}' |
      "$CLANG" -x c++ -fsanitize=fuzzer - -o "$ASAN_DIR/fuzz_probe" 2>/dev/null; then
    echo "=== libFuzzer ($CLANG) for $FUZZ_SECONDS s ==="
    FUZZ_OBJS=() PAIRS=()
    for f in "${SRCS[@]}"; do
      [[ "$f" == *_test.cpp ]] && continue
      o="$ASAN_DIR/obj/clang_$(basename "$f" .cpp).o"
      FUZZ_OBJS+=("$o")
      PAIRS+=("$f" "$o")
    done
    printf '%s\n' "${PAIRS[@]}" |
      xargs -P "$JOBS" -n 2 bash -c 'compile '"$CLANG"' "$1" "$2" -fsanitize=fuzzer-no-link' _
    compile "$CLANG" "$ROOT/test/parquet/fuzz/parquet_fuzzer.cpp" "$ASAN_DIR/obj/clang_fuzzer.o" \
      -fsanitize=fuzzer-no-link
    # shellcheck disable=SC2086
    "$CLANG" $SAN -fsanitize=fuzzer -o "$ASAN_DIR/parquet_fuzzer" "$ASAN_DIR/obj/clang_fuzzer.o" \
      "${FUZZ_OBJS[@]}" "$ENGINE" $(sed -e 's#[^ ]*libgtest[^ ]*##g' <<<"$LIBS") -lstdc++ -pthread
    CORPUS="$ASAN_DIR/parquet_fuzz_corpus"
    mkdir -p "$CORPUS"
    cp -n "${FILES[@]}" "$CORPUS/" 2>/dev/null || true
    "$ASAN_DIR/parquet_fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -max_len=1048576 -print_final_stats=1 -artifact_prefix="$ASAN_DIR/" "$CORPUS" 2>&1 |
      tee "$ASAN_DIR/fuzz.log" | grep -E "^#[0-9]+ *(DONE|INITED)|stat::|ERROR|SUMMARY" || true
    if grep -qE "ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error|SUMMARY:" "$ASAN_DIR/fuzz.log"; then
      echo "run-parquet-asan: the fuzzer found a problem (see $ASAN_DIR/fuzz.log)" >&2
      exit 1
    fi
  else
    echo "=== libFuzzer skipped: no clang with -fsanitize=fuzzer (install clang-14 libclang-rt-14-dev) ==="
    "$ASAN_DIR/parquet_replay" "$FUZZ_SECONDS" "${FILES[@]}"
  fi
fi
echo "run-parquet-asan: OK in $(($(date +%s) - start)) s"
