#!/usr/bin/env bash
# A build without the PostgreSQL connector (cmake -DAISHELL_WITH_POSTGRES=OFF): it links no
# libpq, says so when asked for a postgres:// source, and passes every test that does not need
# PostgreSQL (unit tests, sqllogictest, the CLI, Parquet, differential and script suites).
# Objects other than the connector registration and Iceberg's catalog come from ccache.
# Environment: BUILD_DIR (default build; this build goes to ${BUILD_DIR}-no-postgres), JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BASE="${BUILD_DIR:-build}"
case "$BASE" in /*) ;; *) BASE="$ROOT/$BASE" ;; esac
DIR="${BASE}-no-postgres"
JOBS="${JOBS:-$(nproc)}"
fail() { echo "check-build-options: $*" >&2; exit 1; }

cmake -S . -B "$DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DAISHELL_WITH_POSTGRES=OFF >/dev/null
if ! out=$(cmake --build "$DIR" -j "$JOBS" 2>&1); then
  grep -E -A5 '(error|FAILED)' <<<"$out" | head -40 >&2
  fail "the build without PostgreSQL failed"
fi

grep -qx postgres "$DIR/connectors.txt" && fail "$DIR/connectors.txt lists postgres"
for bin in aishell aishell_unit_tests; do
  if ldd "$DIR/$bin" | grep -q libpq; then fail "$bin links libpq although AISHELL_WITH_POSTGRES=OFF"; fi
done
echo "check-build-options: $DIR links no libpq"

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
if out=$("$DIR/aishell" --home "$home" connect "postgres://u:Secret-3c9d@127.0.0.1:1/db" --name pg 2>&1); then
  fail "connect postgres:// succeeded in a build without PostgreSQL"
fi
grep -q "no connector in this build handles 'postgres://'" <<<"$out" || fail "unclear message: $out"
grep -q "Secret-3c9d" <<<"$out" && fail "the password is in the message: $out"
echo "check-build-options: connect postgres:// says: $out"

"$DIR/aishell_unit_tests" --gtest_brief=1 || fail "unit tests failed without PostgreSQL"
# Every sqllogictest file that does not need PostgreSQL (in CI a skipped file fails the run): all
# but postgres/ and the files of other folders that `require postgres` (cross-source joins).
mapfile -t slt_files < <(find "$ROOT/test/sql" -name '*.test' ! -path '*/postgres/*' -print0 |
  xargs -0 grep -L '^require postgres' | sort)
"$DIR/aishell_sqllogictest" -j 2 --data-dir "$ROOT/test/data" "${slt_files[@]}" | tail -1 |
  grep -qE '^[0-9]+ passed, 0 failed$' || fail "sqllogictest failed without PostgreSQL"
AISHELL_BUILD_DIR="$DIR" python3 -m pytest -q -n 2 -p no:cacheprovider \
  test/cli test/parquet test/differential test/scripts | tail -3
echo "check-build-options: OK"
