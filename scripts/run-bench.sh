#!/usr/bin/env bash
# Runs every benchmark: bench/run_bench.py (the engine core against DuckDB) and each
# bench/bench_<area>.py (PostgreSQL, Redis, Parquet, Iceberg, TPC-H), passing the same arguments
# (--scale tiny|full, --runs N, --build-dir DIR). Services the benchmarks need come from
# scripts/with-services.sh. Exit status 1 if any benchmark failed (engines disagreed or a query
# failed); timings are printed as ratios, never asserted.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for script in bench/run_bench.py bench/bench_*.py; do
  [[ -e "$script" ]] || continue
  echo "=== $script $* ==="
  if ! python3 "$script" "$@"; then
    echo "FAILED: $script"
    status=1
  fi
done
exit $status
