#!/usr/bin/env bash
# A throwaway MinIO (S3-compatible object storage) for the tests: 127.0.0.1:59000, root
# credentials generated once per data directory, data under
# ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/minio, with seed 000's bucket `openlakes`
# (its warehouse is s3a://openlakes/warehouse/).
# Usage: scripts/services/minio.sh start|stop
# MinIO is built from source with `go install` at a pinned version; the binary, module cache and
# build cache live under $HOME/.cache/aishell-go (a first build takes minutes, later starts are
# instant). `start` writes ${AISHELL_SERVICES_DIR}/minio.env with AISHELL_TEST_S3_ENDPOINT,
# AISHELL_TEST_S3_ACCESS_KEY, AISHELL_TEST_S3_SECRET_KEY, AISHELL_TEST_S3_BUCKET,
# AISHELL_TEST_S3_REGION.
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/minio"
port="${AISHELL_MINIO_PORT:-59000}"
env_file="$base/minio.env"
pid_file="$dir/minio.pid"
bucket=openlakes
region=us-east-1
# github.com/minio/minio has no semver tags; this pseudo-version is its 2026-02-12 master.
MINIO_VERSION="${AISHELL_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
go_cache="$HOME/.cache/aishell-go"
minio_bin="$go_cache/bin/minio-$MINIO_VERSION"

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

build_minio() {
  [[ -x "$minio_bin" ]] && return 0
  if ! command -v go >/dev/null; then
    for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do [[ -x "$g" ]] && PATH="$(dirname "$g"):$PATH"; done
  fi
  command -v go >/dev/null || { echo "minio: the Go toolchain is needed to build MinIO (go install)" >&2; exit 1; }
  echo "minio: building github.com/minio/minio@$MINIO_VERSION with go install (first time only; takes minutes)" >&2
  local start=$SECONDS
  mkdir -p "$go_cache/bin"
  GOPATH="$go_cache" GOMODCACHE="$go_cache/mod" GOCACHE="$go_cache/build" GOBIN="$go_cache/bin" \
    GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION"
  mv "$go_cache/bin/minio" "$minio_bin"
  echo "minio: built in $((SECONDS - start)) s: $minio_bin" >&2
}

# An S3 request signed by curl itself (SigV4), for bucket creation and health checks.
s3_curl() {
  curl -sS -o /dev/null -w '%{http_code}' --user "$user:$pw" --aws-sigv4 "aws:amz:$region:s3" "$@"
}

case "$cmd" in
  start)
    if running && [[ -f "$env_file" ]]; then echo "minio: already running on 127.0.0.1:$port"; exit 0; fi
    build_minio
    mkdir -p "$dir/data"
    chmod 700 "$dir"
    user=aishell-minio
    pw_file="$dir/password"
    [[ -s "$pw_file" ]] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$pw_file"; chmod 600 "$pw_file"; }
    pw="$(cat "$pw_file")"
    if ! running; then
      MINIO_ROOT_USER="$user" MINIO_ROOT_PASSWORD="$pw" MINIO_BROWSER=off MINIO_UPDATE=off \
        MINIO_REGION="$region" \
        nohup "$minio_bin" server --quiet --address "127.0.0.1:$port" \
        --console-address "127.0.0.1:$((port + 1))" "$dir/data" > "$dir/minio.log" 2>&1 &
      echo $! > "$pid_file"
    fi
    up=""
    for _ in $(seq 1 300); do
      if curl -sf -o /dev/null "http://127.0.0.1:$port/minio/health/live"; then up=1; break; fi
      running || break
      sleep 0.1
    done
    if [[ -z "$up" ]]; then
      echo "minio: the server did not come up on 127.0.0.1:$port within 30 s; see $dir/minio.log" >&2
      tail -n 20 "$dir/minio.log" >&2 || true
      exit 1
    fi
    code="$(s3_curl -X PUT "http://127.0.0.1:$port/$bucket")"
    if [[ "$code" != 200 && "$code" != 409 ]]; then
      echo "minio: cannot create bucket $bucket (HTTP $code)" >&2
      exit 1
    fi
    {
      echo "export AISHELL_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
      echo "export AISHELL_TEST_S3_ACCESS_KEY=$user"
      echo "export AISHELL_TEST_S3_SECRET_KEY=$pw"
      echo "export AISHELL_TEST_S3_BUCKET=$bucket"
      echo "export AISHELL_TEST_S3_REGION=$region"
    } > "$env_file"
    chmod 600 "$env_file"
    echo "minio: running on 127.0.0.1:$port, bucket $bucket (settings in $env_file)"
    ;;
  stop)
    if running; then
      pid="$(cat "$pid_file")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "minio: stopped"
    else
      echo "minio: not running"
    fi
    rm -f "$env_file" "$pid_file"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
