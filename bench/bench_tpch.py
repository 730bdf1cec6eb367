#!/usr/bin/env python3
"""TPC-H: the 22 queries through aishell and through DuckDB over the same Parquet files.

Data: DuckDB's dbgen at SF 1 (--scale full) or SF 0.01 (tiny, the CI smoke), written to Parquet
once and cached outside the clone (bench/tpch_data.py, shared with test/tpch). Both engines read
the eight tables through views over read_parquet, with the same number of threads. The query
texts are DuckDB's own (tpch_queries()).

Each query runs --runs times in each engine, alternating, each run in a fresh process of its own:
  aishell: `aishell --threads N query --format csv <sql>`, timed as the whole process;
  duckdb:  a python child process (this script with --duckdb-child) that creates the views, then
           times the query (execute + fetch) inside itself, so its interpreter start-up is not
           counted; it prints the result for the comparison.
Peak RSS is each process's ru_maxrss (os.wait4), measured alike for both; the table shows the
largest over the runs of each query. Results must agree (decimals exactly, as test/tpch compares
them); exit status 1 if they do not or a query fails. Timings are printed, never asserted.

  python3 bench/bench_tpch.py [--scale tiny|full] [--runs N] [--threads N] [--only 1,6,19] [--build-dir DIR]
"""
import argparse
import csv
import decimal
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import common
import tpch_data

SCALES = {"tiny": 0.01, "full": 1}


def run_measured(args, env):
    """Runs a process: (wall seconds, peak RSS in MB, exit status, stdout, stderr)."""
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return elapsed, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read()


def run_aishell(binary, sql, threads, home):
    env = dict(os.environ, AISHELL_HOME=home, NO_COLOR="1")
    elapsed, rss, status, out, err = run_measured(
        [binary, "--threads", str(threads), "query", "--format", "csv", sql], env)
    if status != 0:
        raise RuntimeError(err.strip() or f"exit {status}")
    rows = list(csv.reader(io.StringIO(out)))[1:]
    return elapsed, rss, [r or [""] for r in rows]  # a one-column NULL row is an empty line


def run_duckdb(folder, nr, threads):
    """Query `nr` in a DuckDB child process: (its own timing of the query, peak RSS MB, types,
    rows)."""
    elapsed, rss, status, out, err = run_measured(
        [sys.executable, os.path.abspath(__file__), "--duckdb-child", folder, str(nr), str(threads)],
        dict(os.environ))
    if status != 0:
        raise RuntimeError(f"duckdb child: {err.strip() or f'exit {status}'}")
    result = json.loads(out)
    types = result["types"]

    def value(v, t):
        if v is None:
            return None
        if t.startswith("DECIMAL"):
            return decimal.Decimal(v)
        if t in ("DOUBLE", "FLOAT"):
            return float(v)
        if isinstance(v, int):
            return v
        return v

    rows = [[value(v, t) for v, t in zip(r, types)] for r in result["rows"]]
    return result["seconds"], rss, types, rows


def duckdb_child(folder, nr, threads):
    """--duckdb-child: runs query `nr` over the Parquet views and prints its timing and result."""
    import duckdb
    sql = dict(tpch_data.queries())[nr]
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    tpch_data.duckdb_views(con, folder)
    start = time.perf_counter()
    cur = con.execute(sql)
    rows = cur.fetchall()
    seconds = time.perf_counter() - start
    types = [str(c[1]) for c in cur.description]

    def text(v):
        if v is None or isinstance(v, (int, str)):
            return v
        if isinstance(v, float):
            return repr(v)
        return str(v)  # Decimal, date

    json.dump({"seconds": seconds, "types": types, "rows": [[text(v) for v in r] for r in rows]}, sys.stdout)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--duckdb-child":
        duckdb_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser(description="TPC-H: aishell vs DuckDB over the same Parquet files")
    common.add_standard_arguments(ap, SCALES)
    args = ap.parse_args()
    binary = common.aishell_binary(args.build_dir, "bench_tpch")
    sf = SCALES[args.scale]
    folder = tpch_data.data_dir(sf)
    queries = tpch_data.queries()
    if args.only:
        wanted = {int(q.strip().lstrip("qQ")) for q in args.only.split(",")}
        queries = [(nr, sql) for nr, sql in queries if nr in wanted]

    home = tempfile.mkdtemp(prefix="aishell-bench-tpch-")
    results, problems = [], []
    try:
        tpch_data.aishell_views(binary, home, folder)
        size = sum(os.path.getsize(os.path.join(folder, f"{t}.parquet")) for t in tpch_data.TABLES)
        startup = statistics.median(run_aishell(binary, "SELECT 1", args.threads, home)[0] for _ in range(3))
        print(f"TPC-H SF {sf:g} ({size / 1e6:.0f} MB of Parquet in {folder}), {args.threads} threads, "
              f"median of {args.runs} runs; aishell process start-up {startup:.3f}s (in its times)", flush=True)
        for nr, sql in queries:
            name = f"q{nr:02d}"
            ai_t, duck_t, ai_rss, duck_rss = [], [], [], []
            ai_rows = duck_rows = types = None
            try:
                for _ in range(args.runs):
                    t, rss, types, duck_rows = run_duckdb(folder, nr, args.threads)
                    duck_t.append(t)
                    duck_rss.append(rss)
                    t, rss, ai_rows = run_aishell(binary, sql, args.threads, home)
                    ai_t.append(t)
                    ai_rss.append(rss)
            except RuntimeError as e:
                message = str(e).splitlines()[0]
                problems.append(f"{name}: {message}")
                print(f"  {name} ERROR {message}", flush=True)
                results.append((name, "ERROR", statistics.median(duck_t) if duck_t else float("nan"),
                                None, max(duck_rss) if duck_rss else None))
                continue
            problem = tpch_data.differences(ai_rows, duck_rows, types, tpch_data.is_ordered(sql))
            if problem:
                problems.append(f"{name}: results differ: {problem}")
            results.append((name, statistics.median(ai_t), statistics.median(duck_t), max(ai_rss), max(duck_rss)))
            print(f"  {name} aishell {results[-1][1]:7.3f}s  duckdb {results[-1][2]:7.3f}s  "
                  f"{'same results' if not problem else 'MISMATCH'}", flush=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    print()
    print(f"{'query':<8} {'aishell s':>10} {'duckdb s':>10} {'ratio':>8} {'aishell MB':>11} {'duckdb MB':>10}")
    print("-" * 62)
    ratios = []
    for name, ai, duck, ai_mb, duck_mb in results:
        if isinstance(ai, str):
            dmb = f"{duck_mb:10.0f}" if duck_mb else f"{'-':>10}"
            print(f"{name:<8} {ai:>10} {duck:10.3f} {'-':>8} {'-':>11} {dmb}")
            continue
        ratios.append(common.ratio(ai, duck))
        print(f"{name:<8} {ai:10.3f} {duck:10.3f} {ratios[-1]:7.2f}x {ai_mb:11.0f} {duck_mb:10.0f}")
    if ratios:
        measured = [r for r in results if not isinstance(r[1], str)]
        print("-" * 62)
        print(f"{'geomean':<8} {'':>10} {'':>10} {common.geomean(ratios):7.2f}x   (target: within 1.0x)")
        print(f"{'peak RSS':<8} {'':>10} {'':>10} {'':>8} {max(r[3] for r in measured):11.0f} "
              f"{max(r[4] for r in measured):10.0f}")
    return common.report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())
