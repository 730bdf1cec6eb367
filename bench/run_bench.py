#!/usr/bin/env python3
"""aishell vs DuckDB on the same machine, the same CSV files and the same thread count.

Generates deterministic data into bench/data/<scale>/ (gitignored), then runs each query through
the aishell CLI (timing the whole process; a trivial query reports the startup cost) and through
python duckdb (read_csv in the same query shape), takes the median of --runs runs each, checks
that both engines return the same results, and prints: query, aishell s, duckdb s, ratio.

  python3 bench/run_bench.py                 # full: 10M-row group-by/scan table, 10M x 1M join,
                                             #       Customer 360 on 1M/100K/10K rows
  python3 bench/run_bench.py --scale tiny    # CI smoke test (seconds)
  options: --runs N (3), --threads N (cores), --only name[,name], --build-dir DIR, --keep-data

Exit status 1 if the engines disagree or aishell fails a query.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import duckdb

import common

ROOT = common.ROOT
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gen_demo_data  # noqa: E402

SCALES = {
    #        fact rows   dim rows   customers  products  transactions
    "tiny": (20_000, 2_000, 1_000, 100, 10_000),
    "small": (1_000_000, 100_000, 10_000, 1_000, 100_000),
    "full": (10_000_000, 1_000_000, 100_000, 10_000, 1_000_000),
}
BENCH_TODAY = "2024-06-30"


def generate(data_dir, scale):
    fact_rows, dim_rows, customers, products, transactions = SCALES[scale]
    stamp_path = os.path.join(data_dir, ".stamp")
    stamp = f"v1 {scale} {SCALES[scale]}"
    if common.stamp_matches(stamp_path, stamp):
        return
    os.makedirs(data_dir, exist_ok=True)
    start = time.time()
    con = duckdb.connect()
    # Deterministic pseudo-random columns from the row number (no RNG state, any thread count).
    con.execute(f"""COPY (
        SELECT i AS id,
               (i * 7919) % 1000 AS k1,
               'g' || ((i * 17) % 100) AS k2,
               (i * 31337) % 10007 AS v1,
               ((i * 104729) % 100000) / 100.0 AS v2,
               (i * 48271) % {dim_rows} AS fk
        FROM range({fact_rows}) t(i)) TO '{data_dir}/fact.csv' (HEADER, DELIMITER ',')""")
    con.execute(f"""COPY (
        SELECT i AS id,
               'name_' || ((i * 7) % 50000) AS name,
               ((i * 69621) % 1000) / 10.0 AS w
        FROM range({dim_rows}) t(i)) TO '{data_dir}/dim.csv' (HEADER, DELIMITER ',')""")
    con.close()
    gen_demo_data.main(["--out", data_dir, "--customers", str(customers), "--products", str(products),
                        "--transactions", str(transactions), "--customers-format", "csv", "--today", BENCH_TODAY])
    common.write_stamp(stamp_path, stamp)
    print(f"generated {scale} data in {time.time() - start:.1f}s under {data_dir}", file=sys.stderr)


def queries(d):
    fact = f"read_csv('{d}/fact.csv')"
    dim = f"read_csv('{d}/dim.csv')"
    tx = f"read_csv('{d}/warehouse/demo/transactions.csv')"
    cu = f"read_csv('{d}/warehouse/demo/customers.csv')"
    pr = f"read_csv('{d}/warehouse/demo/products.csv')"
    c360_from = f"""FROM {tx} t
LEFT JOIN {cu} c ON t.customer_id = c.customer_id
LEFT JOIN {pr} p ON t.product_id = p.product_id"""
    # (name, sql, ordered): ordered results are compared row by row, others as multisets.
    return [
        ("scan_filter", f"SELECT count(*), sum(v1), min(v2), max(v2) FROM {fact} WHERE v2 > 900.0 AND k1 < 100", True),
        ("group_by", f"SELECT k1, count(*), sum(v1), avg(v2) FROM {fact} GROUP BY k1", False),
        ("group_by_string", f"SELECT k2, count(*), sum(v2) FROM {fact} GROUP BY k2", False),
        ("hash_join", f"SELECT count(*), sum(d.w), sum(f.v1) FROM {fact} f JOIN {dim} d ON f.fk = d.id", True),
        # Issue 25: grouping sets, DISTINCT aggregates (no global lock), FULL join probes on every
        # worker, a sliding RANGE frame (segment tree).
        ("rollup", f"SELECT k1 % 10, k2, count(*), sum(v1) FROM {fact} GROUP BY ROLLUP (k1 % 10, k2)", False),
        ("count_distinct", f"SELECT k1, count(DISTINCT v1), count(*) FROM {fact} GROUP BY k1", False),
        ("full_join", f"SELECT count(*), count(f.id), count(d.id) FROM {fact} f FULL JOIN {dim} d ON f.fk = d.id AND f.k1 < 500", True),
        ("window_range", f"""SELECT count(*), sum(w) FROM (SELECT sum(v1) OVER (PARTITION BY k1
    ORDER BY v1 RANGE BETWEEN 100 PRECEDING AND 100 FOLLOWING) AS w FROM {fact}) AS q""", True),
        ("top_n", f"SELECT id, v2 FROM {fact} ORDER BY v2 DESC, id LIMIT 100", True),
        ("sort", f"SELECT id, w FROM {dim} ORDER BY w DESC, id LIMIT 1000 OFFSET {SCALE_ROWS['dim'] // 2}", True),
        ("customer360", f"""SELECT 
    t.transaction_id,
    c.customer_name,
    c.email,
    c.region,
    p.product_name,
    p.category,
    t.quantity,
    t.transaction_date,
    t.quantity * p.unit_price AS calculated_amount
{c360_from}
ORDER BY t.transaction_date DESC, t.transaction_id
LIMIT 100""", True),
        ("customer360_agg", f"""SELECT c.region, count(*), sum(t.quantity * p.unit_price), count(DISTINCT c.customer_id)
{c360_from}
GROUP BY c.region""", False),
    ]


SCALE_ROWS = {}


def main():
    ap = argparse.ArgumentParser(description="aishell vs DuckDB benchmark")
    common.add_standard_arguments(ap, SCALES)
    args = ap.parse_args()
    binary = common.aishell_binary(args.build_dir, "bench")
    data_dir = os.path.abspath(os.path.join(args.data_dir, args.scale))
    generate(data_dir, args.scale)
    SCALE_ROWS["dim"] = SCALES[args.scale][1]
    selected = queries(data_dir)
    if args.only:
        names = set(args.only.split(","))
        unknown = names - {q[0] for q in selected}
        if unknown:
            sys.exit(f"bench: unknown queries {sorted(unknown)}; choose from {[q[0] for q in selected]}")
        selected = [q for q in selected if q[0] in names]

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    home = tempfile.mkdtemp(prefix="aishell-bench-home-")
    results = []
    problems = []
    startup = statistics.median(common.run_aishell(binary, "SELECT 1", args.threads, home)[0] for _ in range(args.runs))
    print(f"scale {args.scale}, {args.threads} threads, median of {args.runs} runs; "
          f"aishell startup (SELECT 1): {startup:.3f}s", flush=True)
    for name, sql, ordered in selected:
        duck, duck_rows, ai, ai_rows, error = common.measure_query(con, binary, sql, args.runs, args.threads, home)
        if error:
            problems.append(f"{name}: aishell failed: {error}")
            results.append((name, "ERROR", duck))
            print(f"  {name:<18} aishell ERROR   duckdb {duck:8.3f}s   {error}", flush=True)
            continue
        diff = common.compare(duck_rows, ai_rows, ordered)
        if diff:
            problems.append(f"{name}: results differ: {diff}")
        results.append((name, ai, duck))
        print(f"  {name:<18} aishell {ai:8.3f}s   duckdb {duck:8.3f}s   {'MISMATCH' if diff else 'same results'}",
              flush=True)

    common.print_ratio_table(results, "within 3x")
    return common.report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())
