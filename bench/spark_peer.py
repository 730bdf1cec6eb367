#!/usr/bin/env python3
"""Spark as a benchmark peer for seed 000's Customer 360 (bench/bench_iceberg.py runs this).

Seed 000 runs its queries in Trino over a PostgreSQL catalog and an Iceberg catalog; Spark 3.5 can
do the same: the Iceberg tables through Iceberg's JdbcCatalog over the same SQLite catalog database
pyiceberg wrote (catalog `iceberg`), and PostgreSQL through Spark's JDBC table catalog (catalog
`postgresql`), so the seed's SQL runs unchanged. One JVM, local[N], in-process timing of
`spark.sql(q).collect()` after one warm-up run per query: JVM start-up and planning caches are not
charged to Spark, while aishell's figures are whole CLI processes, so the comparison favours Spark.

  spark_peer.py --queries Q.json --out R.json --catalog-db DB --warehouse DIR --pg-url URL
                [--runs N] [--threads N] [--jars DIR]

Q.json: [[name, sql], ...]. R.json: {name: {"seconds": median, "rows": [[...], ...]}} or
{"error": "..."} when Spark cannot run here (the bench prints that as a note).
Jars (Maven Central, fetched by scripts/install-deps.sh into $HOME/.cache/aishell-jars):
iceberg-spark-runtime-3.5_2.12, org.postgresql:postgresql, org.xerial:sqlite-jdbc.
"""
import argparse
import datetime
import decimal
import glob
import json
import os
import sys
import urllib.parse

from common import timed

JAR_PATTERNS = ("iceberg-spark-runtime-3.5_2.12-*.jar", "postgresql-*.jar", "sqlite-jdbc-*.jar")


def jdbc_from_url(url):
    """postgres://user:pass@host:port/db?... -> (jdbc url, user, password)."""
    u = urllib.parse.urlsplit(url)
    host = u.hostname or "127.0.0.1"
    port = u.port or 5432
    return (f"jdbc:postgresql://{host}:{port}{u.path}", urllib.parse.unquote(u.username or ""),
            urllib.parse.unquote(u.password or ""))


def plain(v):
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return str(v)  # the same text as str() of DuckDB's values
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--catalog-db", required=True)
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--pg-url", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--jars", default=os.path.join(os.path.expanduser("~"), ".cache", "aishell-jars"))
    a = ap.parse_args()

    def fail(msg):
        json.dump({"error": msg}, open(a.out, "w"))
        return 0

    jars = []
    for pattern in JAR_PATTERNS:
        found = sorted(glob.glob(os.path.join(a.jars, pattern)))
        if not found:
            return fail(f"no {pattern} in {a.jars} (scripts/install-deps.sh fetches it)")
        jars.append(found[-1])
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        return fail(f"pyspark is not installed ({e})")

    jdbc, user, password = jdbc_from_url(a.pg_url)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (SparkSession.builder.master(f"local[{a.threads}]")
             .appName("aishell-bench-spark-peer")
             .config("spark.jars", ",".join(jars))
             .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
             .config("spark.sql.catalog.iceberg", "org.apache.iceberg.spark.SparkCatalog")
             .config("spark.sql.catalog.iceberg.catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
             .config("spark.sql.catalog.iceberg.uri", f"jdbc:sqlite:{a.catalog_db}")
             .config("spark.sql.catalog.iceberg.warehouse", f"file://{a.warehouse}")
             .config("spark.sql.catalog.postgresql",
                     "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog")
             .config("spark.sql.catalog.postgresql.url", jdbc)
             .config("spark.sql.catalog.postgresql.user", user)
             .config("spark.sql.catalog.postgresql.password", password)
             .config("spark.sql.catalog.postgresql.driver", "org.postgresql.Driver")
             .config("spark.sql.shuffle.partitions", str(a.threads))
             .config("spark.default.parallelism", str(a.threads))
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    results = {}
    for name, sql in json.load(open(a.queries)):
        try:
            spark.sql(sql).collect()  # warm-up: class loading, metadata caches
            seconds, rows = timed(lambda: spark.sql(sql).collect(), a.runs)
            results[name] = {"seconds": seconds, "rows": [[plain(v) for v in r] for r in rows]}
        except Exception as e:  # noqa: BLE001  (reported per query; the bench goes on)
            results[name] = {"error": str(e).splitlines()[0].replace(password, "***") if password
                             else str(e).splitlines()[0]}
    spark.stop()
    json.dump(results, open(a.out, "w"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
