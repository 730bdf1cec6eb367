#!/usr/bin/env bash
# Two throwaway Nessie 0.99.0 servers (seed 000's Iceberg catalog) for the tests, in-memory
# version store, loopback only, over the test MinIO (scripts/services/minio.sh, started here if
# needed):
#   bare  127.0.0.1:59120  no catalog settings, as seed 000 runs it (the native API, /api/v1 and
#                          /api/v2; its /iceberg endpoint has no default warehouse)
#   rest  127.0.0.1:59122  an S3 warehouse `warehouse` at s3://openlakes/nessie-rest/ and STS
#                          credential vending against MinIO, for the Iceberg REST endpoint
#                          (/iceberg)
# Usage: scripts/services/nessie.sh start|stop
# The server is Nessie's runner jar from Maven Central (`mvn dependency:copy`, 245 MB, cached in
# $HOME/.cache/aishell-jars/nessie-0.99.0), run with Java 21 or later from /usr/lib/jvm.
# `start` writes ${AISHELL_SERVICES_DIR}/nessie.env with AISHELL_TEST_NESSIE_URL (bare),
# AISHELL_TEST_NESSIE_REST_URL (the rest instance's /iceberg) and
# AISHELL_TEST_NESSIE_REST_WAREHOUSE (its warehouse name).
set -euo pipefail
cmd="${1:-start}"
here="$(cd "$(dirname "$0")" && pwd)"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/nessie"
bare_port="${AISHELL_NESSIE_PORT:-59120}"
rest_port="${AISHELL_NESSIE_REST_PORT:-59122}"
env_file="$base/nessie.env"
NESSIE_VERSION=0.99.0
jar_dir="$HOME/.cache/aishell-jars/nessie-$NESSIE_VERSION"
jar="$jar_dir/nessie-quarkus-$NESSIE_VERSION-runner.jar"

running() { [[ -f "$dir/$1/server.pid" ]] && kill -0 "$(cat "$dir/$1/server.pid")" 2>/dev/null; }

find_java() {
  local j v
  for j in /usr/lib/jvm/*/bin/java ${JAVA_HOME:+$JAVA_HOME/bin/java}; do
    [[ -x "$j" ]] || continue
    v="$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
    if [[ -n "$v" && "$v" -ge 21 ]]; then echo "$j"; return 0; fi
  done
  echo "nessie: Java 21 or later is needed (none under /usr/lib/jvm)" >&2
  return 1
}

fetch_jar() {
  [[ -s "$jar" ]] && return 0
  command -v mvn >/dev/null || { echo "nessie: Maven (mvn) is needed to fetch the server jar" >&2; exit 1; }
  echo "nessie: fetching nessie-quarkus $NESSIE_VERSION runner jar from Maven Central (first time only)" >&2
  mkdir -p "$jar_dir"
  mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$HOME/.cache/aishell-jars/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="org.projectnessie.nessie:nessie-quarkus:$NESSIE_VERSION:jar:runner" \
    -DoutputDirectory="$jar_dir" >&2
}

# write_config <instance> <port> [rest]
write_config() {
  local name="$1" port="$2" kind="${3:-}" cfg="$dir/$1/config/application.properties"
  mkdir -p "$dir/$name/config"
  chmod 700 "$dir/$name"
  {
    echo "nessie.version.store.type=IN_MEMORY"
    echo "quarkus.http.host=127.0.0.1"
    echo "quarkus.http.port=$port"
    echo "quarkus.management.host=127.0.0.1"
    echo "quarkus.management.port=$((port + 1))"
    echo "quarkus.otel.sdk.disabled=true"
    echo "quarkus.log.level=WARN"
    echo "quarkus.log.category.\"org.projectnessie\".level=INFO"
    if [[ "$kind" == rest ]]; then
      local s3=nessie.catalog.service.s3.default-options
      echo "nessie.catalog.default-warehouse=warehouse"
      echo "nessie.catalog.warehouses.warehouse.location=s3://$AISHELL_TEST_S3_BUCKET/nessie-rest/"
      echo "$s3.endpoint=$AISHELL_TEST_S3_ENDPOINT"
      echo "$s3.path-style-access=true"
      echo "$s3.region=$AISHELL_TEST_S3_REGION"
      echo "$s3.access-key=urn:nessie-secret:quarkus:aishell-secrets.s3-default"
      echo "aishell-secrets.s3-default.name=$AISHELL_TEST_S3_ACCESS_KEY"
      echo "aishell-secrets.s3-default.secret=$AISHELL_TEST_S3_SECRET_KEY"
      echo "$s3.sts-endpoint=$AISHELL_TEST_S3_ENDPOINT"
      echo "$s3.client-iam.enabled=true"
      echo "$s3.client-iam.assume-role=arn:minio:iam:::role/aishell-nessie"
      echo "$s3.client-iam.role-session-name=aishell-nessie"
      echo "$s3.request-signing-enabled=false"
    fi
  } > "$cfg"
  chmod 600 "$cfg"
}

start_instance() {
  local name="$1" port="$2"
  running "$name" && return 0
  (
    cd "$dir/$name"
    nohup "$java" -Xmx512m -XX:+UseSerialGC -jar "$jar" < /dev/null > server.log 2>&1 &
    echo $! > server.pid
  )
}

wait_instance() {
  local name="$1" port="$2"
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/api/v2/config"; then return 0; fi
    running "$name" || break
    sleep 0.2
  done
  echo "nessie: the $name server did not come up on 127.0.0.1:$port within 120 s; see $dir/$name/server.log" >&2
  tail -n 20 "$dir/$name/server.log" >&2 || true
  return 1
}

case "$cmd" in
  start)
    if running bare && running rest && [[ -f "$env_file" ]]; then
      echo "nessie: already running on 127.0.0.1:$bare_port and 127.0.0.1:$rest_port"
      exit 0
    fi
    fetch_jar
    java="$(find_java)"
    bash "$here/minio.sh" start >&2
    # shellcheck disable=SC1091
    source "$base/minio.env"
    mkdir -p "$dir"
    chmod 700 "$dir"
    write_config bare "$bare_port"
    write_config rest "$rest_port" rest
    # Both start at once (about 12 s each).
    start_instance bare "$bare_port"
    start_instance rest "$rest_port"
    wait_instance bare "$bare_port"
    wait_instance rest "$rest_port"
    {
      echo "export AISHELL_TEST_NESSIE_URL=http://127.0.0.1:$bare_port"
      echo "export AISHELL_TEST_NESSIE_REST_URL=http://127.0.0.1:$rest_port/iceberg"
      echo "export AISHELL_TEST_NESSIE_REST_WAREHOUSE=warehouse"
    } > "$env_file"
    chmod 600 "$env_file"
    echo "nessie: bare on http://127.0.0.1:$bare_port, REST catalog on http://127.0.0.1:$rest_port/iceberg (settings in $env_file)"
    ;;
  stop)
    for name in bare rest; do
      if running "$name"; then
        pid="$(cat "$dir/$name/server.pid")"
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        echo "nessie: $name stopped"
      fi
      rm -f "$dir/$name/server.pid"
    done
    rm -f "$env_file"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
