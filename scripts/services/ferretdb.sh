#!/usr/bin/env bash
# A throwaway MongoDB wire-protocol server for the tests: FerretDB on 127.0.0.1:57017 with its
# SQLite backend and SCRAM authentication (user aishell, a password generated once per data
# directory, in database admin), data under ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/ferretdb.
# Usage: scripts/services/ferretdb.sh start|stop
# There is no MongoDB server on the registries we reach; FerretDB 1.24.2 is on the Go module proxy.
# `go install` of it gives a binary that panics at start (the module zip has no version file), so
# the module is copied, the version file written, and it is built from that copy (about 90 s the
# first time; the binary and Go caches live under $HOME/.cache/aishell-go).
# `start` writes ${AISHELL_SERVICES_DIR}/ferretdb.env with AISHELL_TEST_MONGODB_URL
# (mongodb://user:password@127.0.0.1:port/?authSource=admin), AISHELL_TEST_MONGODB_SLT_URL (the same
# with database slt, for test/sql/mongodb), host, port, user and password.
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/ferretdb"
port="${AISHELL_FERRETDB_PORT:-57017}"
env_file="$base/ferretdb.env"
pid_file="$dir/ferretdb.pid"
VERSION="${AISHELL_FERRETDB_VERSION:-v1.24.2}"
go_cache="$HOME/.cache/aishell-go"
bin="$go_cache/bin/ferretdb-$VERSION"
user=aishell

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

build_ferretdb() {
  [[ -x "$bin" ]] && return 0
  if ! command -v go >/dev/null; then
    for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do [[ -x "$g" ]] && PATH="$(dirname "$g"):$PATH"; done
  fi
  command -v go >/dev/null || { echo "ferretdb: the Go toolchain is needed to build FerretDB" >&2; exit 1; }
  echo "ferretdb: building github.com/FerretDB/FerretDB@$VERSION (first time only; about 90 s)" >&2
  local start=$SECONDS
  export GOPATH="$go_cache" GOMODCACHE="$go_cache/mod" GOCACHE="$go_cache/build" GOFLAGS=-buildvcs=false
  local mod src
  mod="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  src="$go_cache/src/ferretdb-$VERSION"
  rm -rf "$src"
  mkdir -p "$(dirname "$src")" "$go_cache/bin"
  cp -r "$mod" "$src"
  chmod -R u+w "$src"
  echo "$VERSION" > "$src/build/version/version.txt"
  (cd "$src" && go build -trimpath -o "$bin.tmp" ./cmd/ferretdb)
  mv "$bin.tmp" "$bin"
  rm -rf "$src"
  echo "ferretdb: built in $((SECONDS - start)) s: $bin" >&2
}

write_env() {
  {
    echo "export AISHELL_TEST_MONGODB_URL='mongodb://$user:$pw@127.0.0.1:$port/?authSource=admin'"
    echo "export AISHELL_TEST_MONGODB_SLT_URL='mongodb://$user:$pw@127.0.0.1:$port/slt?authSource=admin'"
    echo "export AISHELL_TEST_MONGODB_HOST=127.0.0.1"
    echo "export AISHELL_TEST_MONGODB_PORT=$port"
    echo "export AISHELL_TEST_MONGODB_USER=$user"
    echo "export AISHELL_TEST_MONGODB_PASSWORD=$pw"
    echo "export AISHELL_TEST_MONGODB_PIDFILE=$pid_file"
  } > "$env_file"
  chmod 600 "$env_file"
}

case "$cmd" in
  start)
    if running && [[ -f "$env_file" ]]; then echo "ferretdb: already running on 127.0.0.1:$port"; exit 0; fi
    build_ferretdb
    mkdir -p "$dir/data" "$dir/state"
    chmod 700 "$dir"
    pw_file="$dir/password"
    [[ -s "$pw_file" ]] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pw_file"; chmod 600 "$pw_file"; }
    pw="$(cat "$pw_file")"
    if ! running; then
      # The binary is backgrounded as its own statement, so $! is its PID (not a subshell's).
      "$bin" --handler=sqlite --sqlite-url="file:$dir/data/" --listen-addr="127.0.0.1:$port" \
        --telemetry=disable --debug-addr=- --state-dir="$dir/state" --log-level=warn \
        --test-enable-new-auth --setup-database=admin --setup-username="$user" \
        --setup-password="$pw" > "$dir/ferretdb.log" 2>&1 &
      echo $! > "$pid_file"
    fi
    up=""
    for _ in $(seq 1 300); do
      # A TCP connect is enough: FerretDB listens once its backend is open.
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
      running || break
      sleep 0.1
    done
    if [[ -z "$up" ]]; then
      echo "ferretdb: the server did not come up on 127.0.0.1:$port within 30 s; see $dir/ferretdb.log" >&2
      tail -n 20 "$dir/ferretdb.log" >&2 || true
      exit 1
    fi
    write_env
    echo "ferretdb: running on 127.0.0.1:$port"
    ;;
  stop)
    if running; then
      kill "$(cat "$pid_file")"
      for _ in $(seq 1 50); do running || break; sleep 0.1; done
    fi
    rm -f "$pid_file" "$env_file"
    echo "ferretdb: stopped"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
