#!/usr/bin/env bash
# Kept for muscle memory: the fuzz target is built and run by scripts/run-fuzz.sh with the others
# (libFuzzer, ASan+UBSan, seeded with the parquet-testing files); scripts/run-asan.sh runs the
# Parquet gtests and reads every parquet-testing file under ASan+UBSan.
# Usage: test/parquet/fuzz/build_and_run.sh [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
FUZZ_SECONDS="${1:-60}" exec "$ROOT/scripts/run-fuzz.sh" parquet
