#!/usr/bin/env bash
# A throwaway Elasticsearch for the tests: 8.17.0's integration-test distribution (a real server)
# on 127.0.0.1:59200 over HTTPS (a throwaway CA and server certificate made with openssl) with
# security on and file-realm users: `aishell` (superuser, a password generated once per data
# directory) and `reader` (role aishell_reader: read on indices allowed_* only, for 403 tests).
# Single node, 384 MB heap, data under ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/elasticsearch.
# Loads no data (tests load their own). Usage: scripts/services/elasticsearch.sh start|stop
# The zip comes from Maven Central once (`mvn dependency:copy`, about 13 s) and is cached in
# $HOME/.cache/aishell-elasticsearch; it is unpacked under the services folder because the server
# refuses to run as root and runs as `nobody`, who cannot read /root. Its quirks
# (../shared/design/servers.md): `GET /` answers 405, the security auto-configuration rewrites
# config/ unless security is set explicitly, gc.log and heap dumps go relative to the install.
# `start` writes ${AISHELL_SERVICES_DIR}/elasticsearch.env with AISHELL_TEST_ES_URL
# (elasticsearchs://aishell:<pw>@127.0.0.1:port?tls.ca-file=<ca>), AISHELL_TEST_ES_HTTP
# (https://127.0.0.1:port), AISHELL_TEST_ES_USER/_PASSWORD, AISHELL_TEST_ES_READER_PASSWORD,
# AISHELL_TEST_ES_CA, host and port.
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/elasticsearch"
port="${AISHELL_ES_PORT:-59200}"
transport_port="${AISHELL_ES_TRANSPORT_PORT:-59300}"
env_file="$base/elasticsearch.env"
VERSION="${AISHELL_ES_VERSION:-8.17.0}"
cache="$HOME/.cache/aishell-elasticsearch"
zip="$cache/elasticsearch-$VERSION.zip"
install="$dir/elasticsearch-$VERSION"
run="$dir/run"
pid_file="$run/es.pid"
heap="${AISHELL_ES_HEAP:-384m}"
run_as=nobody

tls="$run/conf/tls"
user=aishell

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }
healthy() {
  curl -s --max-time 5 --cacert "$tls/ca.crt" -u "$user:$pw" \
    "https://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null |
    grep -q '"status":"\(green\|yellow\)"'
}

# A CA and a server certificate for 127.0.0.1 / localhost, inside the config folder (the server
# reads certificates only from there); kept across restarts.
make_certs() {
  mkdir -p "$tls"
  [[ -s "$tls/server.crt" && -s "$tls/ca.crt" ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=aishell test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$tls/ext.cnf"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 3650 -extfile "$tls/ext.cnf" -out "$tls/server.crt" 2>/dev/null
  rm -f "$tls/ca.key"
}

# File-realm users and the limited role (the users files live in the config folder).
make_users() {
  local tool="$install/bin/elasticsearch-users"
  grep -q '^aishell_reader:' "$run/conf/roles.yml" 2>/dev/null || cat >> "$run/conf/roles.yml" <<'ROLES'
aishell_reader:
  cluster: ["monitor"]
  indices:
    - names: ["allowed_*"]
      privileges: ["read", "view_index_metadata", "monitor"]
ROLES
  for u in "$user:$pw:superuser" "reader:$reader_pw:aishell_reader"; do
    IFS=: read -r name password role <<<"$u"
    if ! grep -q "^$name:" "$run/conf/users" 2>/dev/null; then
      runuser -u "$run_as" -- env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$run/conf" \
        "$tool" useradd "$name" -p "$password" -r "$role" >/dev/null 2>&1
    fi
  done
}

fetch_zip() {
  [[ -s "$zip" ]] && return 0
  command -v mvn >/dev/null || { echo "elasticsearch: Maven is needed to fetch $VERSION" >&2; exit 1; }
  echo "elasticsearch: fetching the $VERSION integration-test zip from Maven Central (first time only)" >&2
  mkdir -p "$cache"
  mvn -q -B dependency:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$VERSION:zip" \
    -DoutputDirectory="$cache" >/dev/null
  [[ -s "$zip" ]] || { echo "elasticsearch: could not fetch $zip" >&2; exit 1; }
}

write_env() {
  {
    echo "export AISHELL_TEST_ES_URL='elasticsearchs://$user:$pw@127.0.0.1:$port?tls.ca-file=$tls/ca.crt'"
    echo "export AISHELL_TEST_ES_HTTP=https://127.0.0.1:$port"
    echo "export AISHELL_TEST_ES_USER=$user"
    echo "export AISHELL_TEST_ES_PASSWORD=$pw"
    echo "export AISHELL_TEST_ES_READER_PASSWORD=$reader_pw"
    echo "export AISHELL_TEST_ES_CA=$tls/ca.crt"
    echo "export AISHELL_TEST_ES_HOST=127.0.0.1"
    echo "export AISHELL_TEST_ES_PORT=$port"
    echo "export AISHELL_TEST_ES_PIDFILE=$pid_file"
  } > "$env_file"
  chmod 600 "$env_file"
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    chmod 755 "$dir"
    for f in password reader_password; do
      [[ -s "$dir/$f" ]] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/$f"; chmod 600 "$dir/$f"; }
    done
    pw="$(cat "$dir/password")"
    reader_pw="$(cat "$dir/reader_password")"
    if running && healthy; then
      write_env
      echo "elasticsearch: already running on 127.0.0.1:$port"
      exit 0
    fi
    if ! running; then
      fetch_zip
      java_home="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
      if [[ ! -x "$install/bin/elasticsearch" ]]; then
        mkdir -p "$dir"
        rm -rf "$dir/unpack"
        unzip -q "$zip" -d "$dir/unpack"
        mv "$dir/unpack/elasticsearch-$VERSION" "$install"
        rmdir "$dir/unpack"
      fi
      chmod 755 "$dir"
      mkdir -p "$run/data" "$run/logs" "$run/tmp"
      if [[ ! -d "$run/conf" ]]; then
        cp -r "$install/config" "$run/conf"
        # gc.log, heap dumps and error files go to the run folder, not the install.
        sed -i -e "s|file=logs/gc.log|file=$run/logs/gc.log|" \
          -e "s|HeapDumpPath=data|HeapDumpPath=$run/data|" \
          -e "s|ErrorFile=logs/|ErrorFile=$run/logs/|" "$run/conf/jvm.options"
      fi
      make_certs
      chown -R "$run_as" "$run"
      make_users
      chown -R "$run_as" "$run"
      rm -f "$pid_file"
      # -d returns once the node has started (or failed to).
      if ! runuser -u "$run_as" -- env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$run/conf" \
        ES_TMPDIR="$run/tmp" ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
        "$install/bin/elasticsearch" -d -p "$pid_file" \
        -E network.host=127.0.0.1 -E http.port="$port" -E transport.port="$transport_port" \
        -E discovery.type=single-node -E path.data="$run/data" -E path.logs="$run/logs" \
        -E xpack.security.enabled=true -E xpack.security.autoconfiguration.enabled=false \
        -E xpack.security.enrollment.enabled=false \
        -E xpack.security.http.ssl.enabled=true -E xpack.security.http.ssl.key=tls/server.key \
        -E xpack.security.http.ssl.certificate=tls/server.crt \
        -E xpack.security.http.ssl.certificate_authorities=tls/ca.crt \
        -E action.destructive_requires_name=false \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        -E indices.breaker.total.use_real_memory=false > "$dir/start.log" 2>&1; then
        echo "elasticsearch: the server did not start; see $dir/start.log and $run/logs" >&2
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
      echo "elasticsearch: not healthy on 127.0.0.1:$port within 60 s; see $run/logs" >&2
      exit 1
    fi
    write_env
    echo "elasticsearch: running on 127.0.0.1:$port"
    ;;
  stop)
    if running; then
      kill "$(cat "$pid_file")"
      for _ in $(seq 1 100); do running || break; sleep 0.1; done
    fi
    rm -f "$env_file"
    echo "elasticsearch: stopped"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
