#!/usr/bin/env python3
"""The Python package in process: aishell (build/python, pybind11 + Arrow C Data Interface) vs
python duckdb, reading the same Parquet file (bench_parquet.py's lineitem-like file, 10M rows at
--scale full, 100K at tiny) into pyarrow (`.arrow()`), pandas (`.df()`) and Python rows
(`.fetchall()` of a slice), plus an aggregate whose result is small. The median of --runs runs
and the ratio aishell / duckdb are printed; results must agree (row counts and column sums).
pandas: DuckDB's .df() turns DECIMAL columns into float64, so aishell runs .df(exact_decimals=False)
here (its default keeps them exact as Python Decimal objects, about 5x slower at 10M rows).

  python3 bench/bench_python.py [--scale tiny|full] [--runs N] [--threads N] [--build-dir DIR]

Exit status 1 if the engines disagree or aishell fails.
"""
import argparse
import os
import sys
import tempfile

import duckdb

import bench_parquet
import common

SCALES = bench_parquet.SCALES


def main():
    ap = argparse.ArgumentParser(description="aishell's Python package vs python duckdb")
    common.add_standard_arguments(ap, SCALES, only=False)
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build_dir), "python"))
    try:
        import aishell
    except ImportError as e:
        sys.exit(f"bench_python: the aishell package is not built in {args.build_dir}/python ({e})")
    rows = SCALES[args.scale]
    path = os.path.abspath(os.path.join(args.data_dir, f"parquet-{args.scale}", "lineitem.parquet"))
    bench_parquet.generate(path, rows)

    duck = duckdb.connect()
    duck.execute(f"SET threads = {args.threads}")
    con = aishell.connect(home=tempfile.mkdtemp(prefix="aishell-bench-home-"))
    con.set("threads", args.threads)
    scan = f"SELECT l_orderkey, l_partkey, l_quantity, l_extendedprice, l_shipdate, l_shipmode FROM read_parquet('{path}')"
    slice_keys = min(rows, 200_000) // 4  # l_orderkey = row // 4: the same rows in both engines
    cases = [
        # duckdb 1.5: .arrow() is a RecordBatchReader, to_arrow_table() the Table.
        ("arrow", lambda c: c.sql(scan).arrow() if c is con else c.sql(scan).to_arrow_table(),
         lambda t: (t.num_rows, sum(t.column("l_partkey").to_pylist()[:1000]))),
        # DECIMAL as float64 on both sides (DuckDB's .df(); aishell's exact default is slower).
        ("pandas", lambda c: c.sql(scan).df(exact_decimals=False) if c is con else c.sql(scan).df(),
         lambda df: (len(df), int(df["l_partkey"].sum()))),
        ("fetchall slice", lambda c: c.sql(scan + f" WHERE l_orderkey < {slice_keys}").fetchall(),
         lambda r: (len(r), sum(x[1] for x in r))),
        ("aggregate", lambda c: c.sql(
            f"SELECT l_shipmode, count(*), sum(l_quantity) FROM read_parquet('{path}') GROUP BY 1 ORDER BY 1").fetchall(),
         lambda r: [(a, int(b), float(c_)) for a, b, c_ in r]),
    ]
    print(f"Python package: {rows} Parquet rows, {args.threads} threads, median of {args.runs} runs", flush=True)
    results, problems = [], []
    for name, run, digest in cases:
        try:
            duck_s, duck_out = common.timed(lambda: run(duck), args.runs)
            ai_s, ai_out = common.timed(lambda: run(con), args.runs)
            if digest(duck_out) != digest(ai_out):
                problems.append(f"{name}: duckdb {digest(duck_out)} vs aishell {digest(ai_out)}")
            results.append((name, ai_s, duck_s))
        except Exception as e:  # noqa: BLE001 (reported, the other cases still run)
            problems.append(f"{name}: {type(e).__name__}: {str(e).splitlines()[0]}")
            results.append((name, "ERROR", 0.0))
    common.print_ratio_table(results, "within 2x")
    return common.report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())
