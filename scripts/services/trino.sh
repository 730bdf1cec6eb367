#!/usr/bin/env bash
# Trino 476 for the scale-out tests (test/trino/): `start` only makes sure the server is unpacked
# (the tarball comes from Maven Central once, 783 MiB, into $HOME/.cache/aishell-trino) and writes
# ${AISHELL_SERVICES_DIR}/trino.env; the tests start a single-node server of their own with the
# catalogs `aishell export-catalogs --to trino` wrote (`serve`), because its catalogs are theirs and
# it costs about 30 s and 1-2 GB while it runs.
# Usage: scripts/services/trino.sh start|stop
#        scripts/services/trino.sh serve <etc-catalog-dir> <work-dir> <port>   (waits until ready)
#        scripts/services/trino.sh halt <work-dir>
# Java: Trino 476 needs Java 24+; the first of $AISHELL_TRINO_JAVA_HOME, /usr/lib/jvm/temurin-2[4-9]*,
# /usr/lib/jvm/*-2[4-9]-* is used for Trino alone. The server binds 127.0.0.1 only
# (node.internal-address, node.bind-ip).
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
env_file="$base/trino.env"
VERSION=476
cache="$HOME/.cache/aishell-trino"
tarball="$cache/trino-server-$VERSION.tar.gz"
install="$cache/trino-server-$VERSION"

find_java() {
  local j
  for j in "${AISHELL_TRINO_JAVA_HOME:-}" /usr/lib/jvm/temurin-2[4-9]* /usr/lib/jvm/*-2[4-9]-*; do
    [[ -n "$j" && -x "$j/bin/java" ]] && { echo "$j"; return 0; }
  done
  return 1
}

prepare() {
  if [[ ! -f "$install/.complete" ]]; then
    if [[ ! -s "$tarball" ]]; then
      command -v mvn >/dev/null || { echo "trino: Maven is needed to fetch trino-server $VERSION" >&2; exit 1; }
      echo "trino: fetching trino-server $VERSION from Maven Central (first time only)" >&2
      mkdir -p "$cache"
      local repo
      repo="$(mktemp -d)"
      mvn -q -B dependency:copy -Dartifact="io.trino:trino-server:$VERSION:tar.gz" \
        -DoutputDirectory="$cache" -Dmaven.repo.local="$repo" >/dev/null
      rm -rf "$repo"
      [[ -s "$tarball" ]] || { echo "trino: could not fetch $tarball" >&2; exit 1; }
    fi
    rm -rf "$install"
    tar xzf "$tarball" -C "$cache"
    touch "$install/.complete"
  fi
}

case "$cmd" in
  start)
    java_home="$(find_java)" || { echo "trino: no Java 24+ under /usr/lib/jvm" >&2; exit 1; }
    prepare
    mkdir -p "$base"
    {
      echo "export AISHELL_TEST_TRINO_HOME=$install"
      echo "export AISHELL_TEST_TRINO_JAVA_HOME=$java_home"
    } > "$env_file"
    echo "trino: $VERSION ready in $install (tests start their own server)"
    ;;
  stop)
    rm -f "$env_file"
    ;;
  serve)
    catalogs="$2"; work="$3"; port="$4"
    java_home="$(find_java)" || { echo "trino: no Java 24+ under /usr/lib/jvm" >&2; exit 1; }
    prepare
    mkdir -p "$work/etc" "$work/data"
    rm -rf "$work/etc/catalog"
    cp -r "$catalogs" "$work/etc/catalog"
    cat > "$work/etc/node.properties" <<PROPS
node.environment=aishell_test
node.id=aishell-test-$port
node.data-dir=$work/data
node.internal-address=127.0.0.1
node.bind-ip=127.0.0.1
PROPS
    cat > "$work/etc/config.properties" <<PROPS
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
query.max-memory=1GB
query.max-memory-per-node=1GB
PROPS
    cat > "$work/etc/jvm.config" <<PROPS
-server
-Xmx${AISHELL_TRINO_HEAP:-2G}
-XX:+UseG1GC
-XX:+ExitOnOutOfMemoryError
-Djdk.attach.allowAttachSelf=true
PROPS
    echo "io.trino=WARN" > "$work/etc/log.properties"
    # The catalogs' ${ENV:...} references come from this environment.
    JAVA_HOME="$java_home" PATH="$java_home/bin:$PATH" "$install/bin/launcher" start \
      --etc-dir "$work/etc" --data-dir "$work/data" --pid-file "$work/trino.pid" \
      --launcher-log-file "$work/launcher.log" --server-log-file "$work/server.log" >/dev/null
    for _ in $(seq 1 240); do
      if curl -sf "http://127.0.0.1:$port/v1/info" 2>/dev/null | grep -q '"starting":false'; then
        echo "trino: running on 127.0.0.1:$port"
        exit 0
      fi
      if ! kill -0 "$(cat "$work/trino.pid" 2>/dev/null)" 2>/dev/null; then break; fi
      sleep 0.5
    done
    echo "trino: not ready on 127.0.0.1:$port; see $work/server.log" >&2
    tail -n 40 "$work/server.log" "$work/launcher.log" >&2 2>/dev/null || true
    exit 1
    ;;
  halt)
    work="$2"
    if [[ -f "$work/trino.pid" ]]; then
      pid="$(cat "$work/trino.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$work/trino.pid"
    fi
    ;;
  *)
    echo "usage: $0 start|stop|serve <catalog-dir> <work-dir> <port>|halt <work-dir>" >&2
    exit 2
    ;;
esac
