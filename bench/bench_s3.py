#!/usr/bin/env python3
"""Reading Parquet from S3-compatible storage (the test MinIO of scripts/services/minio.sh):
aishell's read_parquet('s3://...') against DuckDB's httpfs read_parquet on the same objects, same
thread count; median of --runs; results compared; prints query, aishell s, duckdb s, ratio.

  python3 bench/bench_s3.py --scale tiny|full [--runs N] [--threads N] [--build-dir DIR]

Needs AISHELL_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY/_BUCKET (scripts/with-services.sh sets
them); without them it says so and exits 0 (exit 1 under CI=true). Exit 1 if the engines disagree.
"""
import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time

import duckdb

import common

ROOT = common.ROOT
sys.path.insert(0, os.path.join(ROOT, "test", "util"))
from duckdb_ext import extension_path  # noqa: E402

SCALES = {"tiny": (200_000, 2), "full": (10_000_000, 8)}  # rows, files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="full", choices=list(SCALES) + ["small"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep-data", action="store_true")
    args = ap.parse_args()
    scale = "tiny" if args.scale == "small" else args.scale
    need = ["AISHELL_TEST_S3_ENDPOINT", "AISHELL_TEST_S3_ACCESS_KEY", "AISHELL_TEST_S3_SECRET_KEY",
            "AISHELL_TEST_S3_BUCKET"]
    if any(not os.environ.get(n) for n in need):
        print("bench_s3: no MinIO (run under scripts/with-services.sh); skipped")
        return 1 if os.environ.get("CI") == "true" else 0
    endpoint = os.environ["AISHELL_TEST_S3_ENDPOINT"]
    key, secret = os.environ["AISHELL_TEST_S3_ACCESS_KEY"], os.environ["AISHELL_TEST_S3_SECRET_KEY"]
    bucket = os.environ["AISHELL_TEST_S3_BUCKET"]
    rows, files = SCALES[scale]
    prefix = f"bench/s3-{scale}-v1"

    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{extension_path('httpfs')}'")
    con.execute(f"SET threads={args.threads}")
    host = endpoint.split("://", 1)[1]
    con.execute(f"""CREATE SECRET minio (TYPE s3, KEY_ID '{key}', SECRET '{secret}', REGION 'us-east-1',
                    ENDPOINT '{host}', URL_STYLE 'path', USE_SSL {str(endpoint.startswith('https')).lower()})""")
    # Data: written once per scale (DuckDB writes the Parquet files straight into MinIO).
    have = con.execute(f"SELECT count(*) FROM glob('s3://{bucket}/{prefix}/*.parquet')").fetchone()[0]
    if have != files:
        start = time.time()
        per = rows // files
        for i in range(files):
            con.execute(f"""COPY (SELECT i AS id, (i * 7919) % 1000 AS k1, 'g' || ((i * 17) % 100) AS k2,
                               (i * 31337) % 10007 AS v1, ((i * 104729) % 100000) / 100.0 AS v2
                        FROM range({i * per}, {(i + 1) * per}) t(i))
                        TO 's3://{bucket}/{prefix}/part-{i}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 122880)""")
        print(f"bench_s3: wrote {rows} rows in {files} files to s3://{bucket}/{prefix} in "
              f"{time.time() - start:.1f}s", file=sys.stderr)
    src = f"read_parquet('s3://{bucket}/{prefix}/*.parquet')"
    queries = [
        ("s3_count", f"SELECT count(*) FROM {src}"),
        ("s3_scan_filter", f"SELECT count(*), sum(v1), min(v2), max(v2) FROM {src} WHERE v2 > 900.0 AND k1 < 100"),
        ("s3_group_by", f"SELECT k2, count(*), sum(v1) FROM {src} GROUP BY k2 ORDER BY k2"),
    ]
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
               AWS_REGION="us-east-1")
    binary = os.path.join(args.build_dir, "aishell")
    status = 0
    print(f"{'query':<18} {'aishell s':>10} {'duckdb s':>10} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as home:
        for name, sql in queries:
            if args.only and name not in args.only.split(","):
                continue
            a_times, d_times = [], []
            a_rows = d_rows = None
            for _ in range(args.runs):
                try:
                    t, _, out = common.run_aishell_process(binary, ["query", "--format", "csv", sql], args.threads,
                                                           home, env=env)
                except RuntimeError as e:
                    print(f"{name}: aishell failed: {e}")
                    status = 1
                    break
                a_times.append(t)
                a_rows = [[float(v) if v.replace('.', '', 1).replace('-', '', 1).isdigit() else v for v in r]
                          for r in list(csv.reader(io.StringIO(out)))[1:]]
                t0 = time.perf_counter()
                d_rows = [[float(v) if isinstance(v, (int, float)) else v for v in r] for r in con.execute(sql).fetchall()]
                d_times.append(time.perf_counter() - t0)
            if a_rows is None:
                continue
            same = len(a_rows) == len(d_rows) and all(
                all((abs(x - y) <= 1e-6 * max(1.0, abs(y))) if isinstance(y, float) and isinstance(x, float) else x == y
                    for x, y in zip(ra, rd)) for ra, rd in zip(a_rows, d_rows))
            if not same:
                print(f"{name}: results differ: aishell {a_rows[:3]} duckdb {d_rows[:3]}")
                status = 1
            a, d = statistics.median(a_times), statistics.median(d_times)
            print(f"{name:<18} {a:>10.3f} {d:>10.3f} {a / d:>7.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
