#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests: 127.0.0.1:55432, scram password auth, user `aishell`,
# database `aishell_test` with test data (seed 000's public.customers, a types table, quoted names).
# Usage: scripts/services/postgres.sh start|stop|load|status
# Writes ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/postgres.env with AISHELL_TEST_PG_URL.
set -euo pipefail

BASE="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
DIR="$BASE/postgres"
DATA="$DIR/data"
PORT="${AISHELL_PG_PORT:-55432}"
USER_NAME=aishell
PASSWORD="aishell-test-pw"
DB=aishell_test
ENV_FILE="$BASE/postgres.env"
RUN_AS=postgres   # initdb and postgres refuse to run as root

pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
  done
  return 1
}

install_server() {
  if ! pg_bin >/dev/null; then
    echo "postgres.sh: installing postgresql-15" >&2
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 postgresql-15 libpq-dev >/dev/null
  fi
}

as_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

is_running() {
  local bin; bin=$(pg_bin) || return 1
  [[ -f "$DATA/postmaster.pid" ]] && as_user "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

psql_admin() {
  local bin; bin=$(pg_bin)
  as_user "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"
}

load() {
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 ||
    psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $USER_NAME"
  PGPASSWORD="$PASSWORD" "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d "$DB" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS public.customers, public.pg_types, public."MixedCase", public.big_numbers, public.tricky CASCADE;
DROP SCHEMA IF EXISTS "Sales" CASCADE;
DROP TYPE IF EXISTS mood;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');

-- Seed 000's customer master.
CREATE TABLE public.customers (
  customer_id integer PRIMARY KEY,
  name text NOT NULL,
  email varchar(200),
  country char(2),
  segment text,
  signup_date date,
  lifetime_value numeric(12,2),
  is_active boolean
);
INSERT INTO public.customers
SELECT i,
       'Customer ' || i,
       CASE WHEN i % 17 = 0 THEN NULL ELSE 'customer' || i || '@example.com' END,
       (ARRAY['US','DE','FR','GB','JP','BR'])[1 + i % 6],
       (ARRAY['enterprise','smb','consumer'])[1 + i % 3],
       DATE '2020-01-01' + (i % 1500),
       round((i * 37 % 100000) / 7.0, 2),
       i % 5 <> 0
FROM generate_series(1, 5000) AS i;

-- One column per type of the issue's mapping table.
CREATE TABLE public.pg_types (
  id bigint PRIMARY KEY,
  c_small smallint, c_int integer, c_big bigint,
  c_num numeric(10,3), c_num_free numeric,
  c_real real, c_double double precision,
  c_text text, c_varchar varchar(20), c_char char(5),
  c_bool boolean,
  c_date date, c_ts timestamp, c_tstz timestamptz,
  c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea,
  c_int_array integer[], c_text_array text[],
  c_mood mood, c_inet inet, c_interval interval
);
INSERT INTO public.pg_types VALUES
 (1, 1, 10, 10000000000, 1.5, 123.456789, 1.25, 2.5, 'plain', 'vc', 'ab',
  true, '2024-01-15', '2024-01-15 10:30:00.123456', '2024-01-15 10:30:00+00',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', '\x00ff10',
  '{1,2,3}', '{"x","y z"}', 'happy', '192.168.0.1/32', '1 day 2 hours'),
 (2, -32768, -2147483648, -9223372036854775808, -9999999.999, -0.5, -3.5e10, -1e-300,
  'it''s a "quote" and a back\slash', 'O''Brien', 'x', false,
  '1969-12-31', '1900-01-01 00:00:00', '2000-06-30 23:59:59.999999+02',
  '00000000-0000-0000-0000-000000000000', '[]', '{}', '\x',
  '{}', '{NULL}', 'sad', '::1', '-3 months'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 32767, 2147483647, 9223372036854775807, 0, 1e20, 'NaN', 'Infinity', '', 'ü日本', 'é',
  true, '2099-12-31', '2024-02-29 12:00:00', '2024-02-29 12:00:00-05',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', '"s"', '\x5c27',
  '{-1}', '{"a,b","c\\d"}', 'ok', '10.0.0.0/8', '00:00:01');

-- Mixed-case quoted names.
CREATE TABLE public."MixedCase" ("Id" integer, "Full Name" text, lower_col text);
INSERT INTO public."MixedCase" VALUES (1, 'Ann', 'a'), (2, 'Bob', 'b'), (3, NULL, 'c');
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Orders" (order_id integer, customer_id integer, amount numeric(10,2), ordered_at timestamp);
INSERT INTO "Sales"."Orders"
SELECT i, 1 + i % 5000, (i % 1000) / 4.0, TIMESTAMP '2024-01-01' + i * INTERVAL '1 hour'
FROM generate_series(1, 20000) AS i;
CREATE VIEW "Sales".big_orders AS SELECT * FROM "Sales"."Orders" WHERE amount >= 200;

-- Strings full of quotes and backslashes.
CREATE TABLE public.tricky (id integer, s text);
INSERT INTO public.tricky VALUES
 (1, 'plain'), (2, 'it''s'), (3, 'back\slash'), (4, '"double"'), (5, E'tab\there'),
 (6, '''; DROP TABLE tricky; --'), (7, '%_wild'), (8, NULL), (9, E'new\nline'), (10, '\\');

-- Enough rows for parallel ctid splits.
CREATE TABLE public.big_numbers (n bigint, k integer, label text);
INSERT INTO public.big_numbers SELECT i, i % 100, 'label ' || (i % 1000) FROM generate_series(1, 300000) AS i;
ANALYZE public.customers, public.pg_types, public."MixedCase", "Sales"."Orders", public.tricky, public.big_numbers;
SQL
}

start() {
  install_server
  local bin; bin=$(pg_bin)
  mkdir -p "$DIR"
  if is_running; then
    echo "postgres.sh: already running on port $PORT"
  else
    chown "$RUN_AS" "$DIR" 2>/dev/null || true
    [[ $(id -u) -eq 0 ]] && chmod 755 "$BASE" 2>/dev/null || true
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
      rm -rf "$DATA"
      local pwfile="$DIR/pw"
      printf '%s\n' "$PASSWORD" > "$pwfile"
      chown "$RUN_AS" "$pwfile" 2>/dev/null || true
      as_user "$bin/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
        { cat "$DIR/initdb.log" >&2; echo "postgres.sh: initdb failed" >&2; exit 1; }
      rm -f "$pwfile"
      # The admin user connects over TCP without a password from the local machine; everyone else uses scram.
      {
        echo "host all postgres 127.0.0.1/32 trust"
        echo "host all all 127.0.0.1/32 scram-sha-256"
        echo "local all all trust"
      } > "$DATA/pg_hba.conf"
    fi
    as_user "$bin/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 30 \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c max_connections=50" start >/dev/null ||
      { tail -20 "$DIR/server.log" >&2; echo "postgres.sh: the server did not start (log: $DIR/server.log)" >&2; exit 1; }
    local i
    for i in $(seq 1 30); do
      as_user "$bin/pg_isready" -h 127.0.0.1 -p "$PORT" -q && break
      sleep 1
    done
    as_user "$bin/pg_isready" -h 127.0.0.1 -p "$PORT" -q ||
      { echo "postgres.sh: the server does not accept connections on 127.0.0.1:$PORT" >&2; exit 1; }
    psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'" | grep -q 1 ||
      psql_admin -d postgres -c "CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD'"
    load
  fi
  echo "export AISHELL_TEST_PG_URL=postgres://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB" > "$ENV_FILE"
  echo "export AISHELL_TEST_PG_BIN=$bin" >> "$ENV_FILE"
  echo "postgres.sh: ready on 127.0.0.1:$PORT (settings in $ENV_FILE)"
}

stop() {
  local bin
  if bin=$(pg_bin) && [[ -f "$DATA/postmaster.pid" ]]; then
    as_user "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -f "$ENV_FILE"
  echo "postgres.sh: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  load) load ;;
  status) if is_running; then echo running; else echo stopped; exit 1; fi ;;
  *) echo "usage: $0 start|stop|load|status" >&2; exit 2 ;;
esac
