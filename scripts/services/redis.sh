#!/usr/bin/env bash
# A throwaway Redis for the tests: 127.0.0.1:56379 with requirepass, data under
# ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/redis. Loads no data (tests load their own).
# Usage: scripts/services/redis.sh start|stop
# `start` writes ${AISHELL_SERVICES_DIR}/redis.env with AISHELL_TEST_REDIS_URL (and host, port,
# password for redis-cli).
set -euo pipefail
cmd="${1:-start}"
base="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
dir="$base/redis"
port="${AISHELL_REDIS_PORT:-56379}"
env_file="$base/redis.env"
pid_file="$dir/redis.pid"

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

case "$cmd" in
  start)
    if running; then echo "redis: already running on 127.0.0.1:$port"; exit 0; fi
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
CONF
    chmod 600 "$conf"
    redis-server "$conf"
    for _ in $(seq 1 100); do
      if REDISCLI_AUTH="$pw" redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        {
          echo "export AISHELL_TEST_REDIS_URL=redis://:$pw@127.0.0.1:$port/0"
          echo "export AISHELL_TEST_REDIS_HOST=127.0.0.1"
          echo "export AISHELL_TEST_REDIS_PORT=$port"
          echo "export AISHELL_TEST_REDIS_PASSWORD=$pw"
        } > "$env_file"
        chmod 600 "$env_file"
        echo "redis: running on 127.0.0.1:$port (settings in $env_file)"
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
