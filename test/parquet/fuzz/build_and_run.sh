#!/usr/bin/env bash
# Kept for muscle memory: the fuzz target is built and run by scripts/run-parquet-asan.sh
# (ASan+UBSan gtests, the parquet-testing files, then libFuzzer for SECONDS).
# Usage: test/parquet/fuzz/build_and_run.sh [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
PARQUET_FUZZ_SECONDS="${1:-60}" exec "$ROOT/scripts/run-parquet-asan.sh"
