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
import csv
import io
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
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
    with open(stamp_path, "w") as f:
        f.write(stamp)
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


def run_aishell(binary, sql, threads, home):
    env = dict(os.environ, AISHELL_HOME=home)
    start = time.perf_counter()
    proc = subprocess.run([binary, "--threads", str(threads), "query", "--format", "csv", sql],
                          capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or f"exit {proc.returncode}")
    rows = list(csv.reader(io.StringIO(proc.stdout)))[1:]
    return elapsed, rows


def run_duckdb(con, sql):
    start = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return time.perf_counter() - start, rows


def norm(v):
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v)
    try:
        return float(s)
    except ValueError:
        return s


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    return a == b


def compare(duck_rows, ai_rows, ordered):
    d = [[norm(v) for v in r] for r in duck_rows]
    a = [[norm(v) for v in r] for r in ai_rows]
    if not ordered:
        key = lambda r: [(x is None, str(type(x)), round(x, 4) if isinstance(x, float) else x) for x in r]  # noqa: E731
        d.sort(key=key)
        a.sort(key=key)
    if len(d) != len(a):
        return f"row count: duckdb {len(d)}, aishell {len(a)}"
    for i, (x, y) in enumerate(zip(d, a)):
        if len(x) != len(y) or not all(same(p, q) for p, q in zip(x, y)):
            return f"row {i + 1}: duckdb {x}, aishell {y}"
    return None


def main():
    ap = argparse.ArgumentParser(description="aishell vs DuckDB benchmark")
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", help="comma-separated query names")
    ap.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))
    args = ap.parse_args()
    binary = os.path.join(os.path.abspath(args.build_dir), "aishell")
    if not os.path.exists(binary):
        sys.exit(f"bench: {binary} is missing; build first (make build)")
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
    startup = statistics.median(run_aishell(binary, "SELECT 1", args.threads, home)[0] for _ in range(args.runs))
    print(f"scale {args.scale}, {args.threads} threads, median of {args.runs} runs; "
          f"aishell startup (SELECT 1): {startup:.3f}s", flush=True)
    for name, sql, ordered in selected:
        duck_times, ai_times = [], []
        duck_rows = ai_rows = None
        error = None
        for _ in range(args.runs):
            t, duck_rows = run_duckdb(con, sql)
            duck_times.append(t)
            try:
                t, ai_rows = run_aishell(binary, sql, args.threads, home)
                ai_times.append(t)
            except RuntimeError as e:
                error = str(e).splitlines()[0]
                break
        duck = statistics.median(duck_times)
        if error:
            problems.append(f"{name}: aishell failed: {error}")
            results.append((name, None, duck))
            print(f"  {name:<18} aishell ERROR   duckdb {duck:8.3f}s   {error}", flush=True)
            continue
        ai = statistics.median(ai_times)
        diff = compare(duck_rows, ai_rows, ordered)
        if diff:
            problems.append(f"{name}: results differ: {diff}")
        results.append((name, ai, duck))
        print(f"  {name:<18} aishell {ai:8.3f}s   duckdb {duck:8.3f}s   {'MISMATCH' if diff else 'same results'}",
              flush=True)

    print()
    print(f"{'query':<18} {'aishell s':>10} {'duckdb s':>10} {'ratio':>8}")
    print("-" * 49)
    ratios = []
    for name, ai, duck in results:
        if ai is None:
            print(f"{name:<18} {'ERROR':>10} {duck:10.3f} {'-':>8}")
            continue
        ratio = ai / duck if duck > 0 else float("inf")
        ratios.append(ratio)
        print(f"{name:<18} {ai:10.3f} {duck:10.3f} {ratio:7.2f}x")
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print("-" * 49)
        print(f"{'geometric mean':<18} {'':>10} {'':>10} {geo:7.2f}x   (target: within 3x)")
    if problems:
        print("\nFAILED:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
