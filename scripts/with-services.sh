#!/usr/bin/env bash
# Starts every test service (scripts/services/*.sh start), loads the connection settings they
# write (${AISHELL_SERVICES_DIR}/*.env), then runs the given command.
# A service that does not come up fails the run: tests never silently skip in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export AISHELL_SERVICES_DIR="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
mkdir -p "$AISHELL_SERVICES_DIR"
# One start at a time: two runs starting the same server at once (two checkouts' tests) would
# both initialise its data directory.
exec 9>"$AISHELL_SERVICES_DIR/.start.lock"
flock 9
for service in scripts/services/*.sh; do
  [[ -e "$service" ]] || continue
  echo "=== starting $(basename "$service" .sh) ==="
  if ! bash "$service" start; then
    echo "error: service $(basename "$service" .sh) did not start" >&2
    exit 1
  fi
done
flock -u 9
exec 9>&-
for env in "$AISHELL_SERVICES_DIR"/*.env; do
  [[ -e "$env" ]] || continue
  # shellcheck disable=SC1090
  source "$env"
done
exec "$@"
