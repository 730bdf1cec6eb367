#!/usr/bin/env bash
# A throwaway Redis for the tests: 127.0.0.1:56379 with requirepass, and the same server over TLS
# on 127.0.0.1:56380 (a throwaway CA and server certificate made with openssl under the data dir),
# data under ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/redis. Loads no data (tests load their
# own). Usage: scripts/services/redis.sh start|stop
# `start` writes ${AISHELL_SERVICES_DIR}/redis.env with AISHELL_TEST_REDIS_URL (and host, port,
# password for redis-cli), AISHELL_TEST_REDISS_URL (rediss://) and AISHELL_TEST_REDIS_TLS_CA (the
# CA certificate that signed the server's).
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/redis"
port="${AISHELL_REDIS_PORT:-56379}"
tls_port="${AISHELL_REDISS_PORT:-56380}"
env_file="$base/redis.env"
pid_file="$dir/redis.pid"

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

# A CA and a server certificate for 127.0.0.1 / localhost (kept across restarts).
make_certs() {
  local t="$dir/tls"
  mkdir -p "$t"
  chmod 700 "$t"
  [[ -s "$t/server.crt" && -s "$t/ca.crt" ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=aishell test CA" \
    -keyout "$t/ca.key" -out "$t/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$t/ext.cnf"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
    -days 3650 -extfile "$t/ext.cnf" -out "$t/server.crt" 2>/dev/null
  chmod 600 "$t"/*.key
}

write_env() {
  {
    echo "export AISHELL_TEST_REDIS_URL=redis://:$pw@127.0.0.1:$port/0"
    echo "export AISHELL_TEST_REDIS_HOST=127.0.0.1"
    echo "export AISHELL_TEST_REDIS_PORT=$port"
    echo "export AISHELL_TEST_REDIS_PASSWORD=$pw"
    echo "export AISHELL_TEST_REDISS_URL=rediss://:$pw@127.0.0.1:$tls_port/0"
    echo "export AISHELL_TEST_REDIS_TLS_CA=$dir/tls/ca.crt"
  } > "$env_file"
  chmod 600 "$env_file"
}

case "$cmd" in
  start)
    if running; then
      # An instance started by an older version of this script has no TLS port: add it at run time.
      if ! grep -q AISHELL_TEST_REDISS_URL "$env_file" 2>/dev/null; then
        pw="$(cat "$dir/password")"
        make_certs
        cli() { REDISCLI_AUTH="$pw" redis-cli --no-auth-warning -h 127.0.0.1 -p "$port" "$@" >/dev/null; }
        cli CONFIG SET tls-cert-file "$dir/tls/server.crt" tls-key-file "$dir/tls/server.key" \
          tls-ca-cert-file "$dir/tls/ca.crt" tls-auth-clients no
        cli CONFIG SET tls-port "$tls_port"
        write_env
      fi
      echo "redis: already running on 127.0.0.1:$port (TLS on $tls_port)"
      exit 0
    fi
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
      SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    pw_file="$dir/password"
    [[ -s "$pw_file" ]] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pw_file"; chmod 600 "$pw_file"; }
    pw="$(cat "$pw_file")"
    make_certs
    conf="$dir/redis.conf"
    cat > "$conf" <<CONF
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
pidfile $pid_file
logfile $dir/redis.log
dir $dir
save ""
appendonly no
databases 64
requirepass $pw
tls-port $tls_port
tls-cert-file $dir/tls/server.crt
tls-key-file $dir/tls/server.key
tls-ca-cert-file $dir/tls/ca.crt
tls-auth-clients no
CONF
    chmod 600 "$conf"
    redis-server "$conf"
    for _ in $(seq 1 100); do
      if REDISCLI_AUTH="$pw" redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        write_env
        echo "redis: running on 127.0.0.1:$port, TLS on $tls_port (settings in $env_file)"
        exit 0
      fi
      sleep 0.1
    done
    echo "redis: the server did not accept connections on 127.0.0.1:$port within 10 s; see $dir/redis.log" >&2
    tail -n 20 "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    if running; then
      pid="$(cat "$pid_file")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "redis: stopped"
    else
      echo "redis: not running"
    fi
    rm -f "$env_file"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
