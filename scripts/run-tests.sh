#!/usr/bin/env bash
# Runs every test. Prints a closing "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
status=0
ctest --test-dir "$BUILD_DIR" -j "$(nproc)" --output-on-failure || status=1
exit $status
