#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests: 127.0.0.1:55432, scram password auth, user `aishell`,
# database `aishell_test` with test data (seed 000's public.customers, a types table, quoted names).
# The same server also accepts TLS (ssl=on): a throwaway CA and a server certificate for
# 127.0.0.1 / localhost are made with openssl at the first start under $DIR/tls. User `aishell`
# may connect with or without TLS; user `aishell_tls` (a member of `aishell`: reads its tables) only
# over TLS (pg_hba `hostnossl ... reject`), so a test using it cannot pass over plain TCP.
# Usage: scripts/services/postgres.sh start|stop|load|status
# Writes ${AISHELL_SERVICES_DIR:-/tmp/aishell-services}/postgres.env with AISHELL_TEST_PG_URL,
# AISHELL_TEST_PG_BIN, AISHELL_TEST_PG_TLS_URL (aishell_tls, sslmode=require),
# AISHELL_TEST_PG_TLS_CA (the CA certificate that signed the server's) and PGSSLMODE=disable: with
# ssl=on, libpq's default sslmode (prefer) would pick TLS for every sslmode-less URL, and the tests
# of the plain path (aishell reads COPY off the socket only without TLS) would quietly stop testing
# it. A URL's own sslmode= overrides PGSSLMODE.
set -euo pipefail

BASE="${AISHELL_SERVICES_DIR:-/tmp/aishell-services}"
DIR="$BASE/postgres"
DATA="$DIR/data"
PORT="${AISHELL_PG_PORT:-55432}"
USER_NAME=aishell
PASSWORD="aishell-test-pw"
DB=aishell_test
TLS_USER=aishell_tls
TLS_PASSWORD="aishell-tls-test-pw"
TLS_DIR="$DIR/tls"
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

# The cluster's client authentication (rewritten at every start, so an older cluster gets it too).
# The admin user connects over TCP without a password from the local machine; everyone else uses
# scram, with or without TLS, except aishell_tls, which is refused without TLS.
write_hba() {
  cat > "$DATA/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
hostnossl all $TLS_USER 127.0.0.1/32 reject
hostssl all $TLS_USER 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
HBA
  chown "$RUN_AS" "$DATA/pg_hba.conf" 2>/dev/null || true
}

# A throwaway CA and a server certificate for 127.0.0.1 / localhost, kept across restarts; the key
# is 0600 and owned by the server's user (the server refuses it otherwise).
make_certs() {
  mkdir -p "$TLS_DIR"
  if [[ ! -s "$TLS_DIR/server.crt" || ! -s "$TLS_DIR/server.key" || ! -s "$TLS_DIR/ca.crt" ]]; then
    command -v openssl >/dev/null || { echo "postgres.sh: openssl is needed for the TLS certificates" >&2; exit 1; }
    local t="$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=aishell postgres test CA" \
      -keyout "$t/ca.key" -out "$t/ca.crt" 2>"$t/openssl.log" &&
      openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$t/server.key" -out "$t/server.csr" 2>>"$t/openssl.log" &&
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$t/ext.cnf" &&
      openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
        -days 3650 -extfile "$t/ext.cnf" -out "$t/server.crt" 2>>"$t/openssl.log" ||
      { cat "$t/openssl.log" >&2; rm -f "$t/server.crt"; echo "postgres.sh: could not make the TLS certificates" >&2; exit 1; }
  fi
  chmod 755 "$TLS_DIR"
  chmod 644 "$TLS_DIR"/*.crt
  chmod 600 "$TLS_DIR"/*.key
  chown "$RUN_AS" "$TLS_DIR/server.key" "$TLS_DIR/server.crt" 2>/dev/null || true
}

# ssl=on with the certificate, in a file of its own that postgresql.conf includes (written at
# every start: an older cluster gets TLS on its next start, a running one on reload).
write_tls_conf() {
  make_certs
  cat > "$DATA/aishell_tls.conf" <<CONF
# Written by scripts/services/postgres.sh: TLS for the test cluster.
ssl = on
ssl_cert_file = '$TLS_DIR/server.crt'
ssl_key_file = '$TLS_DIR/server.key'
CONF
  chown "$RUN_AS" "$DATA/aishell_tls.conf" 2>/dev/null || true
  grep -q "^include_if_exists = 'aishell_tls.conf'" "$DATA/postgresql.conf" ||
    printf "\ninclude_if_exists = 'aishell_tls.conf'\n" >> "$DATA/postgresql.conf"
}

# The TLS-only role and a view showing whether the connection reading it uses TLS (for tests
# checking that a scan's connection really is encrypted). Idempotent.
ensure_tls_objects() {
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$TLS_USER'" | grep -q 1 ||
    psql_admin -d postgres -c "CREATE ROLE $TLS_USER LOGIN PASSWORD '$TLS_PASSWORD' IN ROLE $USER_NAME"
  PGPASSWORD="$PASSWORD" "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d "$DB" \
    -c "CREATE OR REPLACE VIEW public.connection_tls AS
          SELECT s.ssl, s.version AS tls_version, a.usename AS user_name, a.application_name,
                 current_setting('statement_timeout') AS statement_timeout
          FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid WHERE s.pid = pg_backend_pid()"
}

# Waits (10 s at most) until the server takes a TLS connection, e.g. after a reload turned ssl on.
wait_tls() {
  local i
  for i in $(seq 1 50); do
    PGPASSWORD="$TLS_PASSWORD" "$(pg_bin)/psql" -X -tA \
      "postgres://$TLS_USER@127.0.0.1:$PORT/$DB?sslmode=verify-full&sslrootcert=$TLS_DIR/ca.crt" \
      -c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" 2>/dev/null | grep -q '^t$' && return 0
    sleep 0.2
  done
  tail -20 "$DIR/server.log" >&2 || true
  echo "postgres.sh: the server on 127.0.0.1:$PORT does not accept TLS connections with $TLS_DIR/ca.crt (log: $DIR/server.log)" >&2
  exit 1
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
    # A cluster started by an older version of this script has no TLS yet: add it by a reload.
    if ! grep -q "^include_if_exists = 'aishell_tls.conf'" "$DATA/postgresql.conf" 2>/dev/null ||
       ! grep -q "$TLS_USER" "$DATA/pg_hba.conf" 2>/dev/null || [[ ! -s "$TLS_DIR/server.crt" ]]; then
      write_tls_conf
      write_hba
      as_user "$bin/pg_ctl" -D "$DATA" reload >/dev/null
      echo "postgres.sh: turned TLS on in the running server"
    fi
    ensure_tls_objects
    wait_tls
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
    fi
    write_tls_conf
    write_hba
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
    ensure_tls_objects
    wait_tls
  fi
  {
    echo "export AISHELL_TEST_PG_URL=postgres://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
    echo "export AISHELL_TEST_PG_BIN=$bin"
    echo "export AISHELL_TEST_PG_TLS_URL=postgres://$TLS_USER:$TLS_PASSWORD@127.0.0.1:$PORT/$DB?sslmode=require"
    echo "export AISHELL_TEST_PG_TLS_CA=$TLS_DIR/ca.crt"
    echo "export PGSSLMODE=disable"
  } > "$ENV_FILE"
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
