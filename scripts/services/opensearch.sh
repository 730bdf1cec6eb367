#!/usr/bin/env bash
# A throwaway OpenSearch for the tests, the Elasticsearch connector's second target: 2.19.6's
# integration-test distribution (transport module only, no security plugin) on 127.0.0.1:59210,
# single node, 256 MB heap, data under ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/opensearch.
# Loads no data. Usage: scripts/services/opensearch.sh start|stop
# The zip comes from Maven Central once (`mvn dependency:copy`) and is cached in
# $HOME/.cache/aishell-opensearch; it is unpacked under the services folder and run as `nobody`
# (the server refuses root, and `nobody` cannot read /root). OpenSearch answers `GET /` (with
# version.distribution "opensearch"); its point in time is /_search/point_in_time without
# _shard_doc, so the connector reads it with scroll.
# `start` writes ${AISHELL_SERVICES_DIR}/opensearch.env with AISHELL_TEST_OS_URL
# (opensearch://127.0.0.1:port) and AISHELL_TEST_OS_HTTP (http://127.0.0.1:port).
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/opensearch"
port="${AISHELL_OS_PORT:-59210}"
transport_port="${AISHELL_OS_TRANSPORT_PORT:-59310}"
env_file="$base/opensearch.env"
VERSION="${AISHELL_OS_VERSION:-2.19.6}"
cache="$HOME/.cache/aishell-opensearch"
zip="$cache/opensearch-$VERSION.zip"
install="$dir/opensearch-$VERSION"
run="$dir/run"
pid_file="$run/os.pid"
heap="${AISHELL_OS_HEAP:-256m}"
run_as=nobody

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }
healthy() {
  curl -s --max-time 5 "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" \
    2>/dev/null | grep -q '"status":"\(green\|yellow\)"'
}

fetch_zip() {
  [[ -s "$zip" ]] && return 0
  command -v mvn >/dev/null || { echo "opensearch: Maven is needed to fetch $VERSION" >&2; exit 1; }
  echo "opensearch: fetching the $VERSION integration-test zip from Maven Central (first time only)" >&2
  mkdir -p "$cache"
  mvn -q -B dependency:copy \
    -Dartifact="org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip" \
    -DoutputDirectory="$cache" >/dev/null
  [[ -s "$zip" ]] || { echo "opensearch: could not fetch $zip" >&2; exit 1; }
}

write_env() {
  {
    echo "export AISHELL_TEST_OS_URL=opensearch://127.0.0.1:$port"
    echo "export AISHELL_TEST_OS_HTTP=http://127.0.0.1:$port"
  } > "$env_file"
}

case "$cmd" in
  start)
    if running && healthy; then
      write_env
      echo "opensearch: already running on 127.0.0.1:$port"
      exit 0
    fi
    if ! running; then
      fetch_zip
      java_home="${OPENSEARCH_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
      if [[ ! -x "$install/bin/opensearch" ]]; then
        mkdir -p "$dir"
        rm -rf "$dir/unpack"
        unzip -q "$zip" -d "$dir/unpack"
        mv "$dir/unpack/opensearch-$VERSION" "$install"
        rmdir "$dir/unpack"
      fi
      chmod 755 "$dir"
      mkdir -p "$run/data" "$run/logs" "$run/tmp"
      if [[ ! -d "$run/conf" ]]; then
        cp -r "$install/config" "$run/conf"
        # The heap comes from OPENSEARCH_JAVA_OPTS; gc.log, heap dumps and error files go to the
        # run folder, not the install.
        sed -i -e '/^-Xm[sx]/d' -e "s|file=logs/gc.log|file=$run/logs/gc.log|" \
          -e "s|HeapDumpPath=data|HeapDumpPath=$run/data|" \
          -e "s|ErrorFile=logs/|ErrorFile=$run/logs/|" "$run/conf/jvm.options"
      fi
      chown -R "$run_as" "$run"
      rm -f "$pid_file"
      if ! runuser -u "$run_as" -- env OPENSEARCH_JAVA_HOME="$java_home" \
        OPENSEARCH_PATH_CONF="$run/conf" OPENSEARCH_TMPDIR="$run/tmp" \
        OPENSEARCH_JAVA_OPTS="-Xms$heap -Xmx$heap" \
        "$install/bin/opensearch" -d -p "$pid_file" \
        -E network.host=127.0.0.1 -E http.port="$port" -E transport.port="$transport_port" \
        -E discovery.type=single-node -E path.data="$run/data" -E path.logs="$run/logs" \
        -E action.destructive_requires_name=false \
        -E cluster.routing.allocation.disk.threshold_enabled=false > "$dir/start.log" 2>&1; then
        echo "opensearch: the server did not start; see $dir/start.log and $run/logs" >&2
        tail -n 20 "$dir/start.log" >&2 || true
        exit 1
      fi
    fi
    up=""
    for _ in $(seq 1 120); do
      if healthy; then up=1; break; fi
      sleep 0.5
    done
    if [[ -z "$up" ]]; then
      echo "opensearch: not healthy on 127.0.0.1:$port within 60 s; see $run/logs" >&2
      exit 1
    fi
    write_env
    echo "opensearch: running on 127.0.0.1:$port"
    ;;
  stop)
    if running; then
      kill "$(cat "$pid_file")"
      for _ in $(seq 1 100); do running || break; sleep 0.1; done
    fi
    rm -f "$env_file"
    echo "opensearch: stopped"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
