#!/usr/bin/env python3
"""Join order: a 12-table chain and a 12-table star (FROM lists written in a scrambled order, join
conditions in WHERE), over Parquet files, aishell vs DuckDB. For each query: the planning time
(EXPLAIN of the query, in a warm aishell session and a DuckDB connection, so that process start is
not counted) and the run time, medians of --runs runs, with the ratio aishell / DuckDB. Results
must agree. Also the 20-table chain of 10-row tables from issue 25 (planning only matters there).

  python3 bench/bench_join_order.py [--scale tiny|full] [--runs N] [--threads N] [--build-dir DIR]

Data: bench/data/join_order-<scale>/ (gitignored), written once by DuckDB. Exit status 1 if the
engines disagree or aishell fails.
"""
import argparse
import csv
import os
import random
import statistics
import sys
import time

import duckdb

import common

SCALES = {"tiny": 1_000, "full": 100_000}  # rows of the chain tables and of the star's fact table


def generate(d, rows):
    stamp = os.path.join(d, "stamp")
    want = f"v1 {rows}"
    if common.stamp_matches(stamp, want):
        return
    os.makedirs(d, exist_ok=True)
    con = duckdb.connect()
    for i in range(1, 13):  # chain: c_i(k, v), v a permutation-ish of k, c_{i+1}.k = c_i.v
        con.execute(f"COPY (SELECT i AS k, (i * {2 * i + 1}) % {rows} AS v, i % 97 AS x "
                    f"FROM range({rows}) t(i)) TO '{d}/c{i}.parquet' (FORMAT parquet)")
    con.execute(f"COPY (SELECT i AS id, " + ", ".join(f"(i * {p}) % {10 * j} AS d{j}" for j, p in
                                                    zip(range(1, 12), [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]))
                + f", i % 1000 AS amount FROM range({rows}) t(i)) TO '{d}/fact.parquet' (FORMAT parquet)")
    for j in range(1, 12):
        con.execute(f"COPY (SELECT i AS id, 'dim{j}-' || i AS label FROM range({10 * j}) t(i)) "
                    f"TO '{d}/dim{j}.parquet' (FORMAT parquet)")
    for i in range(1, 21):  # 20 tables of 10 rows
        con.execute(f"COPY (SELECT i AS k, (i * 3 + {i}) % 10 AS v FROM range(10) t(i)) "
                    f"TO '{d}/s{i}.parquet' (FORMAT parquet)")
    common.write_stamp(stamp, want)


def queries(d):
    rnd = random.Random(7)
    order = list(range(1, 13))
    rnd.shuffle(order)
    chain = ("SELECT count(*), sum(c1.x), sum(c12.x) FROM "
             + ", ".join(f"read_parquet('{d}/c{i}.parquet') AS c{i}" for i in order)
             + " WHERE " + " AND ".join(f"c{i}.v = c{i + 1}.k" for i in range(1, 12)) + " AND c1.x < 10")
    dims = [f"read_parquet('{d}/dim{j}.parquet') AS dim{j}" for j in range(1, 12)]
    tables = dims + [f"read_parquet('{d}/fact.parquet') AS f"]
    rnd.shuffle(tables)
    star = ("SELECT count(*), sum(f.amount), min(dim3.label), max(dim11.label) FROM " + ", ".join(tables)
            + " WHERE " + " AND ".join(f"f.d{j} = dim{j}.id" for j in range(1, 12)) + " AND dim2.id < 5")
    order = list(range(1, 21))
    rnd.shuffle(order)
    chain20 = ("SELECT count(*), sum(s1.k) FROM "
               + ", ".join(f"read_parquet('{d}/s{i}.parquet') AS s{i}" for i in order)
               + " WHERE " + " AND ".join(f"s{i}.v = s{i + 1}.k" for i in range(1, 20)))
    return [("chain12", chain), ("star12", star), ("chain20_10rows", chain20)]


def median_seconds(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_standard_arguments(ap, SCALES, only=False)
    args = ap.parse_args()
    binary = common.aishell_binary(args.build_dir, "bench_join_order")
    d = os.path.join(args.data_dir, f"join_order-{args.scale}")
    generate(d, SCALES[args.scale])
    home = os.path.join(d, "home")
    env = dict(os.environ, AISHELL_HOME=home)
    session = common.AishellSession(binary, env, threads=args.threads)
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    plan_rows, run_rows, problems = [], [], []
    try:
        for name, sql in queries(d):
            session.query("EXPLAIN " + sql)  # warm: file metadata
            con.execute("EXPLAIN " + sql).fetchall()
            ai_plan = median_seconds(lambda: session.query("EXPLAIN " + sql), args.runs)
            duck_plan = median_seconds(lambda: con.execute("EXPLAIN " + sql).fetchall(), args.runs)
            plan_rows.append((name, ai_plan, duck_plan))
            ai_result = session.query(sql)
            duck_result = con.execute(sql).fetchall()
            ai_run = median_seconds(lambda: session.query(sql), args.runs)
            duck_run = median_seconds(lambda: con.execute(sql).fetchall(), args.runs)
            run_rows.append((name, ai_run, duck_run))
            ai_parsed = list(csv.reader(ai_result))
            diff = common.compare(duck_result, ai_parsed, ordered=True)
            if diff:
                problems.append(f"{name}: {diff}")
    except RuntimeError as e:
        problems.append(str(e).splitlines()[0])
    finally:
        session.close()
    print(f"join order, scale {args.scale} ({SCALES[args.scale]} rows), {args.runs} runs, "
          f"{args.threads} threads; planning = EXPLAIN in a warm session")
    print("\nplanning time")
    common.print_ratio_table(plan_rows, "within 1x")
    print("\nrun time")
    common.print_ratio_table(run_rows, "within 1x")
    return common.report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())
