#!/usr/bin/env python3
"""`aishell serve` under load: 50 concurrent trino-python-client clients for a bounded time, a mix
of small queries (a point lookup, a filtered count) and large ones (a group-by over the whole
table, a 20,000-row result read in pages), against DuckDB answering the same queries from the same
number of threads (one cursor each) on the same CSV file.

  python3 bench/bench_serve.py --scale tiny    # seconds (CI smoke: 50 clients for 3 s)
  python3 bench/bench_serve.py --scale full    # 50 clients for 60 s on 2M rows
  options: --clients N (50), --seconds S, --build-dir DIR

Printed: queries, errors and queries/s for each engine and their ratio (aishell/duckdb; > 1 is
more queries per second), the server's resident memory (RSS) after a warm-up and after the load,
and whether the answers agree. Exit status 1 on any client error or disagreement. Timings and
memory are printed, never asserted.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import common  # noqa: E402

ROWS = {"tiny": 50_000, "full": 2_000_000}
SECONDS = {"tiny": 3, "full": 60}

SMALL = [
    "SELECT id, region, amount FROM {t} WHERE id = {k}",
    "SELECT count(*) FROM {t} WHERE region = 'r{r}' AND amount > 500",
]
LARGE = [
    "SELECT region, count(*) AS n, sum(amount) AS total FROM {t} GROUP BY region ORDER BY region",
    "SELECT id, region, amount FROM {t} WHERE id <= 20000 ORDER BY id",
]


def make_queries(rows, rng):
    """An endless mix: 3 small queries for every large one."""
    while True:
        if rng.random() < 0.75:
            yield rng.choice(SMALL).replace("{k}", str(rng.randint(1, rows))).replace(
                "{r}", str(rng.randint(0, 9)))
        else:
            yield rng.choice(LARGE)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def load(run_one, clients, seconds, rows):
    """Runs `clients` threads for `seconds`; returns (queries, errors, first error)."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    errors = []

    def worker(i):
        rng = random.Random(i)
        queries = make_queries(rows, rng)
        while time.monotonic() < stop:
            sql = next(queries)
            try:
                run_one(i, sql)
                counts[i] += 1
            except Exception as e:  # noqa: BLE001 - every failure counts
                errors.append(f"{sql}: {e}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), errors, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    common.add_standard_arguments(ap, ROWS, only=False)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float)
    args = ap.parse_args()
    import trino

    binary = common.aishell_binary(args.build_dir, "bench_serve")
    rows = ROWS[args.scale]
    seconds = args.seconds or SECONDS[args.scale]
    tmp = tempfile.mkdtemp(prefix="aishell-bench-serve-")
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    csv = os.path.join(data, "sales.csv")
    rng = random.Random(7)
    with open(csv, "w") as f:
        f.write("id,region,amount\n")
        for i in range(1, rows + 1):
            f.write(f"{i},r{rng.randint(0, 9)},{rng.randint(1, 1000)}\n")
    home = os.path.join(tmp, "home")
    env = dict(os.environ, AISHELL_HOME=home)
    subprocess.run([binary, "connect", f"file://{data}", "--name", "lake"], env=env, check=True,
                   capture_output=True)
    subprocess.run([binary, "config", "set", "server.max_concurrent_queries", "8"], env=env,
                   check=True, capture_output=True)
    server = subprocess.Popen([binary, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        port = int(line.split("listening on ")[1].split()[0].rsplit(":", 1)[1])
        table = "lake.default.sales"
        local = threading.local()

        def ai_cursor():
            if not hasattr(local, "cur"):
                local.cur = trino.dbapi.connect(host="127.0.0.1", port=port, user="bench").cursor()
            return local.cur

        def ai_run(i, sql):
            cur = ai_cursor()
            cur.execute(sql.replace("{t}", table))
            return cur.fetchall()

        duck = duckdb.connect()
        duck.execute(f"CREATE VIEW sales AS SELECT * FROM read_csv('{csv}')")
        duck_local = threading.local()

        def duck_run(i, sql):
            if not hasattr(duck_local, "cur"):
                duck_local.cur = duck.cursor()
            return duck_local.cur.execute(sql.replace("{t}", "sales")).fetchall()

        # Warm-up and agreement: every query shape once through both engines.
        problems = []
        for sql in SMALL + LARGE:
            sql = sql.replace("{k}", "17").replace("{r}", "3")
            diff = common.compare(duck_run(0, sql), ai_run(0, sql), ordered="ORDER BY" in sql)
            if diff:
                problems.append(f"results differ: {sql}: {diff}")
        rss_before = rss_kb(server.pid)
        ai_n, ai_errors, ai_s = load(ai_run, args.clients, seconds, rows)
        rss_after = rss_kb(server.pid)
        time.sleep(8)  # finished queries are forgotten 5 s after their last page
        rss_idle = rss_kb(server.pid)
        duck_n, duck_errors, duck_s = load(duck_run, args.clients, seconds, rows)
    finally:
        server.terminate()
        server.wait(timeout=60)
    ai_qps, duck_qps = ai_n / ai_s, duck_n / duck_s
    print(f"bench_serve ({args.scale}: {rows:,} rows, {args.clients} clients, {seconds:g} s, "
          "3 small : 1 large)")
    print(f"  {'engine':<14}{'queries':>9}{'errors':>8}{'queries/s':>11}")
    print(f"  {'aishell serve':<14}{ai_n:>9}{len(ai_errors):>8}{ai_qps:>11.1f}")
    print(f"  {'duckdb':<14}{duck_n:>9}{len(duck_errors):>8}{duck_qps:>11.1f}")
    print(f"  ratio (aishell/duckdb queries per second): {common.ratio(ai_qps, duck_qps):.2f}")
    print(f"  server RSS: {rss_before / 1024:.1f} MB after warm-up, "
          f"{rss_after / 1024:.1f} MB right after the load, "
          f"{rss_idle / 1024:.1f} MB once idle (8 s later)")
    for e in ai_errors[:5]:
        problems.append(f"aishell error: {e}")
    if ai_errors or problems:
        common.report_problems(problems)
        return 1
    print("  answers agree; 0 errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
