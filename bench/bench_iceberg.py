#!/usr/bin/env python3
"""aishell vs DuckDB on Iceberg tables: the same tables, the same machine, the same threads.

  iceberg_scan_agg     scan + aggregate over the whole partitioned table
  iceberg_filter_agg   filter on a non-partition column + group by
  iceberg_group_day    group by the partition source column
  iceberg_one_day      one day out of 90: partition pruning must skip the other 89 days' files
  customer360_*        seed 000's Customer 360 (PostgreSQL customers + Iceberg transactions and
                       products), aishell vs DuckDB with its postgres + iceberg extensions
                       (needs AISHELL_TEST_PG_URL: run under scripts/with-services.sh), and vs
                       Spark 3.5 (pyspark + Iceberg's JdbcCatalog + Spark's JDBC catalog for
                       PostgreSQL, bench/spark_peer.py) when pyspark and the jars are installed

The Iceberg tables are written by pyiceberg (partitioned by day) into a SQL catalog under
bench/data/iceberg-<scale>/ (regenerated when the scale changes). aishell reads them through
`aishell connect sqlite://... --type iceberg`; DuckDB through iceberg_scan(<metadata file>).

  python3 bench/bench_iceberg.py --scale full   # 10M-row table; Customer 360 on 1M transactions
  python3 bench/bench_iceberg.py --scale tiny   # seconds
  options: --runs N (3), --threads N (cores), --build-dir DIR, --only name[,name],
           --spark auto|off (auto: run the Spark peer when it can run here)

Prints one line per query (aishell s, duckdb s, ratio) and the geometric mean. Exit status 1 if
the engines disagree or aishell fails a query.
"""
import argparse
import datetime
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "test", "iceberg", "gen"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import common  # noqa: E402
import duckdb_oracle  # noqa: E402
import seed000_data  # noqa: E402

SCALES = {
    #        fact rows    customers  products  transactions
    "tiny": (200_000, 1_000, 100, 10_000),
    "small": (1_000_000, 10_000, 1_000, 100_000),
    "full": (10_000_000, 100_000, 10_000, 1_000_000),
}
BENCH_TODAY = datetime.date(2024, 6, 30)
FIRST_DAY = BENCH_TODAY - datetime.timedelta(days=89)


def generate(data_dir, scale):
    """bench/data/iceberg-<scale>/: events (fact rows, day-partitioned) and seed 000's tables."""
    fact_rows, customers, products, transactions = SCALES[scale]
    stamp_path = os.path.join(data_dir, ".stamp")
    stamp = f"v1 {scale} {SCALES[scale]}"
    if common.stamp_matches(stamp_path, stamp):
        return
    import shutil

    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import DayTransform
    from pyiceberg.types import DateType, DoubleType, LongType, NestedField, StringType

    shutil.rmtree(data_dir, ignore_errors=True)
    os.makedirs(data_dir)
    start = time.time()
    con = duckdb_oracle.connect()
    events = duckdb_oracle.fetch_arrow(con, f"""
        SELECT i AS id,
               (i * 7919) % 1000 AS k1,
               'g' || ((i * 17) % 100) AS k2,
               (i * 31337) % 10007 AS v1,
               ((i * 104729) % 100000) / 100.0 AS v2,
               DATE '{FIRST_DAY}' + CAST((i * 48271) % 90 AS INTEGER) AS day
        FROM range({fact_rows}) t(i)""")
    events = events.cast(pa.schema([("id", pa.int64()), ("k1", pa.int64()), ("k2", pa.string()),
                                    ("v1", pa.int64()), ("v2", pa.float64()), ("day", pa.date32())]))
    catalog = SqlCatalog("bench", uri=f"sqlite:///{data_dir}/catalog.db", warehouse=f"file://{data_dir}/warehouse")
    catalog.create_namespace("bench")
    schema = Schema(NestedField(1, "id", LongType()), NestedField(2, "k1", LongType()),
                    NestedField(3, "k2", StringType()), NestedField(4, "v1", LongType()),
                    NestedField(5, "v2", DoubleType()), NestedField(6, "day", DateType()))
    spec = PartitionSpec(PartitionField(source_id=6, field_id=1000, transform=DayTransform(), name="day_day"))
    t = catalog.create_table("bench.events", schema=schema, partition_spec=spec)
    t.append(events)
    # Seed 000's Iceberg tables, in their own catalog (namespace demo).
    seed000_data.write_iceberg(os.path.join(data_dir, "seed000"), customers, products, transactions, BENCH_TODAY)
    common.write_stamp(stamp_path, stamp)
    print(f"generated the Iceberg tables in {time.time() - start:.1f}s under {data_dir}", flush=True)


def run_spark(queries, seed_dir, pg_url, args, notes):
    """bench/spark_peer.py in its own process; {} (with a note) when Spark cannot run here."""
    import json
    import subprocess

    work = tempfile.mkdtemp(prefix="aishell-bench-spark-")
    qfile, rfile = os.path.join(work, "queries.json"), os.path.join(work, "results.json")
    json.dump([[n, sql] for n, sql, _ in queries], open(qfile, "w"))
    cmd = [sys.executable, os.path.join(ROOT, "bench", "spark_peer.py"), "--queries", qfile, "--out", rfile,
           "--catalog-db", os.path.join(seed_dir, "catalog.db"), "--warehouse", os.path.join(seed_dir, "warehouse"),
           "--pg-url", pg_url, "--runs", str(args.runs), "--threads", str(args.threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not os.path.exists(rfile):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        notes.append(f"Spark peer failed to run: {tail}")
        return {}
    res = json.load(open(rfile))
    if "error" in res:
        notes.append(f"Spark peer skipped: {res['error']}")
        return {}
    return res


def main():
    ap = argparse.ArgumentParser(description="aishell vs DuckDB on Iceberg")
    common.add_standard_arguments(ap, SCALES)
    ap.add_argument("--spark", choices=("auto", "off"), default="auto")
    args = ap.parse_args()
    binary = common.aishell_binary(args.build_dir, "bench_iceberg")
    data_dir = os.path.abspath(os.path.join(args.data_dir, f"iceberg-{args.scale}"))
    generate(data_dir, args.scale)
    _, customers, _, _ = SCALES[args.scale]

    from pyiceberg.catalog.sql import SqlCatalog
    events_meta = SqlCatalog("bench", uri=f"sqlite:///{data_dir}/catalog.db",
                             warehouse=f"file://{data_dir}/warehouse").load_table("bench.events").metadata_location
    seed_dir = os.path.join(data_dir, "seed000")
    seed_cat = SqlCatalog("iceberg", uri=f"sqlite:///{seed_dir}/catalog.db", warehouse=f"file://{seed_dir}/warehouse")

    con = duckdb_oracle.connect("iceberg", "postgres")
    con.execute(f"SET threads = {args.threads}")
    con.execute("ATTACH ':memory:' AS ice")
    con.execute("CREATE SCHEMA ice.bench")
    con.execute(f"CREATE VIEW ice.bench.events AS SELECT * FROM iceberg_scan('{events_meta}')")
    con.execute("ATTACH ':memory:' AS iceberg")
    con.execute("CREATE SCHEMA iceberg.demo")
    for t in ("transactions", "products"):
        con.execute(f"CREATE VIEW iceberg.demo.{t} AS SELECT * FROM "
                    f"iceberg_scan('{seed_cat.load_table('demo.' + t).metadata_location}')")

    home = tempfile.mkdtemp(prefix="aishell-bench-iceberg-")
    env_home = dict(os.environ, AISHELL_HOME=home)
    import subprocess

    def connect(*a):
        proc = subprocess.run([binary, "connect", *a], capture_output=True, text=True, env=env_home)
        return proc.returncode == 0, proc.stderr.strip()

    notes = []
    ok, err = connect(f"sqlite://{data_dir}/catalog.db", "--type", "iceberg", "--name", "ice",
                      "--property", f"warehouse=file://{data_dir}/warehouse")
    # Until aishell's Iceberg connector is built in, its side cannot run: say so, time DuckDB.
    no_iceberg = not ok and "iceberg" in err.lower() and ("unknown" in err.lower() or "type" in err.lower())
    if not ok:
        notes.append(f"aishell cannot connect an Iceberg catalog: {err.splitlines()[0] if err else 'failed'}")
    connect(f"sqlite://{seed_dir}/catalog.db", "--type", "iceberg", "--name", "iceberg",
            "--property", f"warehouse=file://{seed_dir}/warehouse")
    one_day = FIRST_DAY + datetime.timedelta(days=45)
    queries = [
        ("iceberg_scan_agg", "SELECT count(*), sum(v1), sum(v2) FROM ice.bench.events", False),
        ("iceberg_filter_agg", "SELECT k2, count(*), sum(v2) FROM ice.bench.events WHERE v1 < 5000 GROUP BY k2",
         False),
        ("iceberg_group_day", "SELECT day, count(*), sum(v1) FROM ice.bench.events GROUP BY day", False),
        ("iceberg_one_day", f"SELECT count(*), sum(v2), min(id) FROM ice.bench.events WHERE day = DATE '{one_day}'",
         False),
    ]
    pg_url = os.environ.get("AISHELL_TEST_PG_URL")
    if pg_url:
        seed000_data.load_postgres(pg_url, customers, BENCH_TODAY, os.environ.get("AISHELL_TEST_PG_BIN"))
        url = seed000_data.seed000_pg_url(pg_url)
        con.execute(f"ATTACH '{url}' AS postgresql (TYPE postgres, READ_ONLY)")
        connect(url, "--name", "postgresql")
        c360_from = """FROM iceberg.demo.transactions t
LEFT JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
LEFT JOIN iceberg.demo.products p ON t.product_id = p.product_id"""
        queries += [
            ("customer360_top", f"""SELECT t.transaction_id, c.customer_name, c.email, c.region, p.product_name,
    p.category, t.quantity, t.transaction_date, t.quantity * p.unit_price AS calculated_amount
{c360_from}
ORDER BY t.transaction_date DESC, t.transaction_id
LIMIT 100""", True),
            ("customer360_region", f"""SELECT c.region, count(*), sum(t.quantity * p.unit_price),
    count(DISTINCT c.customer_id)
{c360_from}
GROUP BY c.region""", False),
        ]
    else:
        notes.append("Customer 360 skipped: AISHELL_TEST_PG_URL is not set (run under scripts/with-services.sh)")
    if args.only:
        names = set(args.only.split(","))
        queries = [q for q in queries if q[0] in names]

    results, problems, spark_rows = [], [], {}
    print(f"scale {args.scale} ({SCALES[args.scale][0]:,} event rows, {SCALES[args.scale][3]:,} transactions), "
          f"{args.threads} threads, median of {args.runs} runs", flush=True)
    skip = "skipped: no Iceberg connector in this build" if no_iceberg else None
    for name, sql, ordered in queries:
        duck, duck_rows, ai, ai_rows, error = common.measure_query(con, binary, sql, args.runs, args.threads, home,
                                                                   skip)
        if error:
            if not error.startswith("skipped:"):
                problems.append(f"{name}: aishell failed: {error}")
            label = "n/a" if error.startswith("skipped:") else "ERROR"
            results.append((name, label, duck))
            print(f"  {name:<20} aishell {label:<5}   duckdb {duck:8.3f}s   {error}", flush=True)
            continue
        spark_rows[name] = duck_rows
        diff = common.compare(duck_rows, ai_rows, ordered)
        if diff:
            problems.append(f"{name}: results differ: {diff}")
        results.append((name, ai, duck))
        print(f"  {name:<20} aishell {ai:8.3f}s   duckdb {duck:8.3f}s   {'MISMATCH' if diff else 'same results'}",
              flush=True)
    common.print_ratio_table(results, "within 1.5x", width=20)
    spark = {}
    spark_queries = [(n, sql, o) for n, sql, o in queries if n.startswith("customer360")]
    if spark_queries and args.spark == "auto":
        spark = run_spark(spark_queries, seed_dir, url, args, notes)
        if not spark and os.environ.get("CI") == "true":
            problems.append("the Spark peer did not run (CI installs pyspark and its jars): " + notes[-1])
    if spark:
        print()
        print(f"{'query':<20} {'aishell s':>10} {'spark s':>10} {'spark/aishell':>14}")
        print("-" * 57)
        by_name = {r[0]: r for r in results}
        for name, sql, ordered in spark_queries:
            res, ai = spark.get(name, {}), by_name.get(name, (name, "n/a"))[1]
            if "error" in res:
                problems.append(f"{name}: Spark failed: {res['error']}")
                continue
            diff = common.compare(spark_rows[name], res["rows"], ordered) if name in spark_rows else None
            if diff:
                problems.append(f"{name}: Spark and DuckDB differ: {diff}")
            ai_text = f"{ai:10.3f}" if not isinstance(ai, str) else f"{ai:>10}"
            ratio = f"{res['seconds'] / ai:13.2f}x" if not isinstance(ai, str) and ai > 0 else f"{'-':>14}"
            print(f"{name:<20} {ai_text} {res['seconds']:10.3f} {ratio}")
        print("(Spark timed in one warm JVM, after a warm-up run; aishell as whole CLI processes)")
    for n in notes:
        print("note: " + n)
    return common.report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())
