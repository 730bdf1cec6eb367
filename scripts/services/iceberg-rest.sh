#!/usr/bin/env bash
# A throwaway Iceberg REST catalog for the tests: Apache Iceberg's REST fixture server
# (RESTCatalogServer from org.apache.iceberg:iceberg-open-api:<ver>:test-fixtures, backed by a
# JDBC catalog in SQLite) on 127.0.0.1:58181, launched through iceberg-rest/LoopbackRestServer.java
# so that it listens on loopback only. Its warehouse is s3://openlakes/warehouse in the test MinIO
# (scripts/services/minio.sh, started here if needed) with S3FileIO and credential vending
# (loadTable returns the s3.* settings), or a local directory when MinIO cannot start
# (AISHELL_ICEBERG_REST_LOCAL=1 forces that).
# Usage: scripts/services/iceberg-rest.sh start|stop
# The jars (Iceberg, its AWS bundle, Jetty, sqlite-jdbc, hadoop-client) come from Maven Central
# with `mvn dependency:copy-dependencies` (iceberg-rest/pom.xml) into $HOME/.cache/aishell-jars.
# `start` writes ${AISHELL_SERVICES_DIR}/iceberg-rest.env with AISHELL_TEST_ICEBERG_REST_URL,
# AISHELL_TEST_ICEBERG_REST_WAREHOUSE and AISHELL_TEST_ICEBERG_REST_ON_S3 (1 or 0).
set -euo pipefail
cmd="${1:-start}"
here="$(cd "$(dirname "$0")" && pwd)"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/iceberg-rest"
port="${AISHELL_ICEBERG_REST_PORT:-58181}"
env_file="$base/iceberg-rest.env"
pid_file="$dir/server.pid"
ICEBERG_VERSION=1.10.1
jars="$HOME/.cache/aishell-jars/iceberg-rest-$ICEBERG_VERSION"

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

fetch_jars() {
  if [[ -f "$jars/.complete" && "$jars/.complete" -nt "$here/iceberg-rest/pom.xml" ]]; then return 0; fi
  command -v mvn >/dev/null || { echo "iceberg-rest: Maven (mvn) is needed to fetch the fixture jars" >&2; exit 1; }
  command -v java >/dev/null || { echo "iceberg-rest: Java 17 is needed" >&2; exit 1; }
  echo "iceberg-rest: fetching Iceberg $ICEBERG_VERSION REST fixture jars from Maven Central (first time only)" >&2
  local start=$SECONDS
  rm -rf "$jars/lib"
  mkdir -p "$jars"
  mvn -q -B -Dstyle.color=never -f "$here/iceberg-rest/pom.xml" -Dmaven.repo.local="$HOME/.cache/aishell-jars/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DoutputDirectory="$jars/lib" >&2
  touch "$jars/.complete"
  echo "iceberg-rest: jars fetched in $((SECONDS - start)) s" >&2
}

compile_launcher() {
  local src="$here/iceberg-rest/LoopbackRestServer.java" out="$jars/launcher"
  if [[ -f "$out/LoopbackRestServer.class" && "$out/LoopbackRestServer.class" -nt "$src" ]]; then return 0; fi
  mkdir -p "$out"
  javac -nowarn -cp "$jars/lib/*" -d "$out" "$src"
}

case "$cmd" in
  start)
    if running && [[ -f "$env_file" ]]; then echo "iceberg-rest: already running on 127.0.0.1:$port"; exit 0; fi
    fetch_jars
    compile_launcher
    mkdir -p "$dir"
    chmod 700 "$dir"
    on_s3=0
    if [[ "${AISHELL_ICEBERG_REST_LOCAL:-0}" != 1 ]] && bash "$here/minio.sh" start >&2; then
      # shellcheck disable=SC1091
      source "$base/minio.env"
      on_s3=1
    fi
    if ! running; then
      if [[ $on_s3 == 1 ]]; then
        warehouse="s3://$AISHELL_TEST_S3_BUCKET/warehouse"
        catalog_db="$dir/catalog-s3.db"
        s3_env=(CATALOG_IO__IMPL=org.apache.iceberg.aws.s3.S3FileIO
          CATALOG_S3_ENDPOINT="$AISHELL_TEST_S3_ENDPOINT"
          CATALOG_S3_ACCESS__KEY__ID="$AISHELL_TEST_S3_ACCESS_KEY"
          CATALOG_S3_SECRET__ACCESS__KEY="$AISHELL_TEST_S3_SECRET_KEY"
          CATALOG_S3_PATH__STYLE__ACCESS=true
          CATALOG_CLIENT_REGION="$AISHELL_TEST_S3_REGION"
          CATALOG_INCLUDE__CREDENTIALS=true
          AWS_REGION="$AISHELL_TEST_S3_REGION")
      else
        warehouse="$dir/warehouse"
        catalog_db="$dir/catalog-local.db"
        mkdir -p "$warehouse"
        s3_env=()
      fi
      env "${s3_env[@]}" CATALOG_WAREHOUSE="$warehouse" CATALOG_URI="jdbc:sqlite:$catalog_db" \
        CATALOG_REST_PORT="$port" AISHELL_REST_HOST=127.0.0.1 \
        nohup java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -cp "$jars/launcher:$jars/lib/*" LoopbackRestServer > "$dir/server.log" 2>&1 &
      echo $! > "$pid_file"
      echo "$warehouse" > "$dir/warehouse.txt"
      echo "$on_s3" > "$dir/on_s3.txt"
    fi
    warehouse="$(cat "$dir/warehouse.txt")"
    on_s3="$(cat "$dir/on_s3.txt")"
    up=""
    for _ in $(seq 1 600); do
      if curl -sf -o /dev/null "http://127.0.0.1:$port/v1/config"; then up=1; break; fi
      running || break
      sleep 0.2
    done
    if [[ -z "$up" ]]; then
      echo "iceberg-rest: the server did not come up on 127.0.0.1:$port within 120 s; see $dir/server.log" >&2
      tail -n 20 "$dir/server.log" >&2 || true
      exit 1
    fi
    {
      echo "export AISHELL_TEST_ICEBERG_REST_URL=http://127.0.0.1:$port"
      echo "export AISHELL_TEST_ICEBERG_REST_WAREHOUSE=$warehouse"
      echo "export AISHELL_TEST_ICEBERG_REST_ON_S3=$on_s3"
    } > "$env_file"
    chmod 600 "$env_file"
    echo "iceberg-rest: running on http://127.0.0.1:$port, warehouse $warehouse (settings in $env_file)"
    ;;
  stop)
    if running; then
      pid="$(cat "$pid_file")"
      kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "iceberg-rest: stopped"
    else
      echo "iceberg-rest: not running"
    fi
    rm -f "$env_file" "$pid_file"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
