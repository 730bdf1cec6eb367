#!/usr/bin/env python3
"""Spilling to disk: a group-by, a sort and a join over an input several times the memory limit,
in aishell (federation.max_memory, spill files under a temp federation.spill_path) and in DuckDB
with the same memory_limit and a temp_directory. Both read the same Parquet file (written by
DuckDB from generated CSV before the limit is set; DuckDB's CSV reader needs more than a small
limit for its buffers).

  python3 bench/bench_spill.py --scale tiny    # seconds (CI smoke)
  python3 bench/bench_spill.py --scale full
  options: --runs N (median of N; 1 at tiny), --threads N, --build-dir DIR

Printed: per query the seconds of both and the ratio aishell / duckdb, and whether aishell
spilled (EXPLAIN ANALYZE's spilled bytes). The rows of both must agree (exit status 1 otherwise);
timings are printed, never asserted.
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, compare, print_ratio_table, report_problems, run_aishell_process, run_duckdb  # noqa: E402

ROWS = {"tiny": 700_000, "full": 10_000_000}
LIMIT = {"tiny": "64MB", "full": "256MB"}

QUERIES = [
    ("group_by", "SELECT s, count(*), sum(v), min(id) FROM {t} GROUP BY s", False),
    ("sort", "SELECT s, v, id FROM {t} ORDER BY s, v DESC, id", True),
    ("join", "SELECT a.s, count(*), sum(b.v) FROM {t} a JOIN {t} b ON a.s = b.s AND a.id <> b.id "
             "GROUP BY a.s", False),
]


def make_data(path, rows):
    rng = random.Random(11)
    with open(path, "w") as f:
        f.write("id,s,v\n")
        for i in range(rows):
            f.write(f"{i},k{rng.randint(0, rows // 3):08d},{rng.randint(0, 100000)}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=list(ROWS), default="full")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--keep-data", action="store_true")  # accepted for run-bench.sh
    args, _ = ap.parse_known_args()
    runs = args.runs or (1 if args.scale == "tiny" else 3)
    aishell = os.path.join(os.path.abspath(args.build_dir), "aishell")
    if not os.path.exists(aishell):
        print(f"bench_spill: no {aishell}; build first (make build)", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="aishell-bench-spill-")
    try:
        csv_path = os.path.join(work, "t.csv")
        make_data(csv_path, ROWS[args.scale])
        home = os.path.join(work, "home")
        ai_spill = os.path.join(work, "ai_spill")
        duck_spill = os.path.join(work, "duck_spill")
        os.makedirs(ai_spill)
        os.makedirs(duck_spill)
        env = dict(os.environ, AISHELL_HOME=home, NO_COLOR="1")
        subprocess.run([aishell, "config", "set", "federation.spill_path", ai_spill], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        limit = LIMIT[args.scale]
        data_path = os.path.join(work, "t.parquet")
        duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{data_path}' (FORMAT parquet)")
        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{limit}'")
        con.execute(f"SET temp_directory = '{duck_spill}'")
        con.execute(f"SET threads = {args.threads}")
        print(f"bench_spill: {ROWS[args.scale]:,} rows ({os.path.getsize(csv_path) / 2**20:.1f} MiB as CSV), "
              f"memory limit {limit} in both engines")
        results, problems = [], []
        for name, sql, ordered in QUERIES:
            ai_sql = sql.format(t=f"read_parquet('{data_path}')")
            duck_sql = sql.format(t=f"read_parquet('{data_path}')")
            duck_times, ai_times = [], []
            duck_rows = ai_rows = None
            error = None
            for _ in range(runs):
                try:
                    t, duck_rows = run_duckdb(con, duck_sql)
                    duck_times.append(t)
                except duckdb.Error as e:
                    error = f"duckdb: {str(e).splitlines()[0]}"
                    break
                try:
                    t, _, out = run_aishell_process(
                        aishell, ["query", "--format", "csv", "--max-memory", limit, ai_sql], args.threads, home)
                    ai_times.append(t)
                    ai_rows = [line.split(",") for line in out.splitlines()[1:]]
                except RuntimeError as e:
                    error = f"aishell: {str(e).splitlines()[0]}"
                    break
            if error:
                problems.append(f"{name}: {error}")
                results.append((name, "ERROR", statistics.median(duck_times) if duck_times else 0.0))
                continue
            diff = compare(duck_rows, ai_rows, ordered)
            if diff:
                problems.append(f"{name}: {diff}")
            _, _, explain = run_aishell_process(
                aishell, ["query", "--max-memory", limit, "EXPLAIN ANALYZE " + ai_sql], args.threads, home)
            m = re.search(r"spilled to disk: ([0-9.]+ \w+)", explain)
            print(f"  {name}: aishell spilled {m.group(1) if m else 'nothing'}")
            results.append((name, statistics.median(ai_times), statistics.median(duck_times)))
        print_ratio_table(results, "spilling within 3x of DuckDB")
        return report_problems(problems)
    finally:
        if not args.keep_data:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
