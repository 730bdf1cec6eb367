#!/usr/bin/env bash
# Installs what building and testing aishell needs, idempotently, by package name.
# Usage: scripts/install-deps.sh [build|test|bench]   (test and bench include build)
set -euo pipefail
what="${1:-build}"

APT_BUILD=(g++ cmake ninja-build pkg-config ccache libfmt-dev libre2-dev libxxhash-dev
  libedit-dev libsimdjson-dev libsqlite3-dev libgtest-dev sqlite3 libpq-dev)
# Parquet page codecs.
APT_BUILD+=(libsnappy-dev zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev)
# S3 storage: libcurl (HTTP) and OpenSSL (SigV4 signing).
APT_BUILD+=(libcurl4-openssl-dev libssl-dev)
# Time zones (src/common/time_zone.h): the date library over the system tz database.
APT_BUILD+=(libhowardhinnant-date-dev tzdata)
# aishell serve (src/server): cpp-httplib, built with OpenSSL for HTTPS.
APT_BUILD+=(libcpp-httplib-dev)
# MongoDB connector: the MongoDB C driver.
APT_BUILD+=(libmongoc-dev libbson-dev)
# Sync job files (src/workflows): yaml-cpp.
APT_BUILD+=(libyaml-cpp-dev)
# `aishell export last --format pdf`: libharu.
APT_BUILD+=(libhpdf-dev)
# Formatting check (CONTRIBUTING.md).
APT_BUILD+=(clang-format)
# libFuzzer for the fuzz targets (scripts/run-fuzz.sh).
APT_BUILD+=(clang-14 libclang-rt-14-dev)
# The Python package's extension module (python/): pybind11.
APT_BUILD+=(pybind11-dev)
APT_TEST=(python3-pip postgresql-15 redis-server redis-tools)
# The aishell serve dashboard test (test/server/test_monitor.py) loads /ui in headless Chromium.
APT_TEST+=(chromium)
# sync install-service's unit is checked with systemd-analyze verify (test/workflows).
APT_TEST+=(systemd)
# Naming check (scripts/check-naming.sh, .clang-tidy).
APT_TEST+=(clang-tidy-14)
# DuckDB is a test oracle and benchmark peer; 1.5.5 because its postgres/iceberg/httpfs/avro
# extensions are published on PyPI for that version (test/util/duckdb_ext.py loads them).
PIP_TEST=(duckdb==1.5.5 duckdb-extension-postgres==1.5.5 duckdb-extension-iceberg==1.5.5
  duckdb-extension-httpfs==1.5.5 duckdb-extension-avro==1.5.5 pyarrow pytest pytest-xdist)
# TPC-H data for test/tpch and bench/bench_tpch.py (DuckDB's dbgen; bench/tpch_data.py).
PIP_TEST+=(duckdb-extension-tpch==1.5.5)
# bench/bench_redis.py: the pipelined redis-py peer.
PIP_TEST+=(redis)
# MongoDB tests load their documents and compute expected answers with pymongo.
PIP_TEST+=(pymongo)
# export --format xlsx is read back with openpyxl (test/shell/test_export_xlsx.py).
PIP_TEST+=(openpyxl)
# The Python package's tests (test/python): pandas, and scikit-build-core for `pip install ./python`.
PIP_TEST+=(pandas scikit-build-core)
# bench/bench_elasticsearch.py: the official Python client as a peer (8.x, as the test server).
PIP_TEST+=(elasticsearch==8.17.2)
# Iceberg read tests write their tables with pyiceberg (SqlCatalog on SQLite); python-snappy lets
# it write snappy-compressed manifests.
PIP_TEST+=("pyiceberg[sql-sqlite,pyarrow]==0.12.0" python-snappy)
# aishell serve tests (test/server): trino-python-client with its SQLAlchemy dialect, pandas.
PIP_TEST+=("trino[sqlalchemy]" pandas)
# bench/bench_seed002.py: the Python way's PostgreSQL client (psycopg 3 with its bundled libpq).
PIP_TEST+=("psycopg[binary]")
APT_TEST+=(time)  # its peak RSS of each engine process (GNU time %M)
# S3 tests (test/storage) upload their data to MinIO with an independent client.
PIP_TEST+=(boto3)
# Iceberg independent writers (test/iceberg): pyiceberg, and Spark 3.5 with the Iceberg runtime
# jar (fetched by Maven into $HOME/.cache/aishell-jars; Java 17 runs it).
PIP_TEST+=(pyiceberg-core sqlalchemy pyspark==3.5.7)
APT_TEST+=(openjdk-17-jre-headless maven)
# scripts/services/elasticsearch.sh: the server's integration-test zip is fetched by Maven and
# unpacked with unzip; it runs on the Java 17 above.
APT_TEST+=(unzip)
# scripts/services/nessie.sh fetches Nessie's runner jar with the Maven above; it needs Java 21 or
# later, which Debian's archive here lacks: it runs on a JDK under /usr/lib/jvm (Temurin 25).
# PDF export tests render the pages (pdftoppm) and read their text (pdftotext).
APT_TEST+=(poppler-utils)
# Jars from Maven Central: the Iceberg runtime for Spark, and the JDBC drivers Spark uses as the
# Customer 360 benchmark peer (bench/spark_peer.py: PostgreSQL, and SQLite for Iceberg's JdbcCatalog).
JARS=(org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.8.0 org.postgresql:postgresql:42.7.4
      org.xerial:sqlite-jdbc:3.46.1.3)

# aishell serve tests (test/server): the trino CLI (executable jar) and the JDBC driver, run
# with Java 25; fetched by Maven like JARS, kept under the names the tests look for.
TRINO_CLIENT_JARS=(io.trino:trino-cli:476:jar:executable io.trino:trino-jdbc:476)

missing=()
pkgs=("${APT_BUILD[@]}")
if [[ "$what" != build ]]; then pkgs+=("${APT_TEST[@]}"); fi
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "$what" != build ]]; then
  # A spec is "name", "name==version" or "name[extras]==version"; the distribution's installed
  # version decides (importlib.metadata), so a pin upgrades or downgrades as needed.
  mapfile -t need < <(python3 - "${PIP_TEST[@]}" <<'PY'
import re, sys
from importlib import metadata
for spec in sys.argv[1:]:
    m = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?(==(.+))?$", spec)
    try:
        have = metadata.version(m.group(1))
    except metadata.PackageNotFoundError:
        print(spec); continue
    if m.group(4) and have != m.group(4):
        print(spec)
PY
  )
  if ((${#need[@]})); then
    echo "installing Python packages: ${need[*]}"
    python3 -m pip install -q --disable-pip-version-check "${need[@]}"
  fi
fi

if [[ "$what" != build ]]; then
  jars="$HOME/.cache/aishell-jars"
  for jar in "${JARS[@]}"; do
    IFS=: read -r _ artifact version <<<"$jar"
    if [[ ! -f "$jars/$artifact-$version.jar" ]]; then
      echo "fetching $jar into $jars"
      mkdir -p "$jars"
      mvn -q -B dependency:copy -Dartifact="$jar" -DoutputDirectory="$jars" >/dev/null ||
        { echo "install-deps: could not fetch $jar from Maven Central" >&2; exit 1; }
    fi
  done
fi

if [[ "$what" != build ]]; then
  jars="$HOME/.cache/aishell-jars"
  for jar in "${TRINO_CLIENT_JARS[@]}"; do
    IFS=: read -r _ artifact version _ classifier <<<"$jar"
    file="$artifact-$version${classifier:+-$classifier}.jar"
    if [[ ! -f "$jars/$file" ]]; then
      echo "fetching $jar into $jars"
      mkdir -p "$jars"
      mvn -q -B dependency:copy -Dartifact="$jar" -DoutputDirectory="$jars" >/dev/null ||
        { echo "install-deps: could not fetch $jar from Maven Central" >&2; exit 1; }
    fi
  done
fi
