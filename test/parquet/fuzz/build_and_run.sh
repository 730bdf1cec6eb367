#!/usr/bin/env bash
# Builds the Parquet fuzz target with AddressSanitizer + UBSan (the parquet sources instrumented,
# the rest of the engine from build/libaishell_engine.a) and runs it for a bounded time over the
# parquet-testing files.  Usage: test/parquet/fuzz/build_and_run.sh [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
SECONDS_TO_RUN="${1:-60}"
FIX="${AISHELL_PARQUET_TESTING:-$ROOT/../shared/fixtures/parquet-testing}"
[[ -d "$FIX" ]] || FIX=/work/shared/fixtures/parquet-testing
OUT="$BUILD/parquet_fuzzer"
SRCS=()
for f in "$ROOT"/src/formats/parquet/*.cpp; do [[ "$f" == *_test.cpp ]] || SRCS+=("$f"); done
LIBS=$(pkg-config --libs snappy zlib libzstd liblz4 libbrotlidec re2 libxxhash simdjson $(pkg-config --exists libpq && echo libpq))
if command -v clang++ >/dev/null; then
  clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I"$ROOT/src" "$ROOT/test/parquet/fuzz/parquet_fuzzer.cpp" \
    "${SRCS[@]}" "$BUILD/libaishell_engine.a" -lfmt -lsqlite3 $LIBS -pthread -o "$OUT"
  mkdir -p "$BUILD/parquet_fuzz_corpus"
  cp "$FIX"/data/*.parquet "$FIX"/bad_data/*.parquet "$BUILD/parquet_fuzz_corpus/"
  "$OUT" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 "$BUILD/parquet_fuzz_corpus"
else
  g++ -std=c++20 -g -O1 -DAISHELL_FUZZ_STANDALONE -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I"$ROOT/src" "$ROOT/test/parquet/fuzz/parquet_fuzzer.cpp" "${SRCS[@]}" "$BUILD/libaishell_engine.a" \
    -lfmt -lsqlite3 $LIBS -pthread -o "$OUT"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "$OUT" "$SECONDS_TO_RUN" "$FIX"/data/*.parquet "$FIX"/bad_data/*.parquet
fi
