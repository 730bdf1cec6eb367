#!/usr/bin/env python3
"""federation.parallel: independent sources fetched at the same time, against the same engine
reading them one after the other (SET SESSION parallel = false) in the same run.

  python3 bench/bench_parallel_fetch.py --scale tiny    # seconds (CI smoke)
  python3 bench/bench_parallel_fetch.py --scale full
  options: --runs N (median of N, default 5; 1 at tiny), --build-dir DIR, --latency SECONDS

The sources are two connections to the PostgreSQL test server (scripts/services/postgres.sh),
each behind its own TCP proxy (test/util/fault_proxy.py) that holds every chunk the server sends
for --latency seconds, as a slow network would; the driving side is a local CSV. The query joins
the CSV with one table of each connection by hash joins (lookup joins off, so both tables are
read whole; the CSV is the larger side, so both tables are build sides), then aggregates. Printed: seconds with parallel fetch on and off, their ratio
(on/off; < 1 is faster), and the rows of both, which must be equal (exit status 1 otherwise).
Timings are printed, never asserted.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "util"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench_postgres import ensure_table, pg_env  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

ROWS = {"tiny": 50_000, "full": 500_000}
DRIVING = {"tiny": 200_000, "full": 2_000_000}

QUERY = ("SELECT count(*), sum(a.qty), sum(b.score) FROM f.orders o "
         "JOIN pg1.{table} a ON a.id = o.k JOIN pg2.{table} b ON b.id = o.k + 1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=list(ROWS), default="full")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--latency", type=float, default=None)
    ap.add_argument("--keep-data", action="store_true")  # accepted for run-bench.sh
    args = ap.parse_args()
    runs = args.runs or (1 if args.scale == "tiny" else 5)
    latency = args.latency if args.latency is not None else (0.002 if args.scale == "tiny" else 0.005)
    aishell = os.path.join(args.build_dir, "aishell")
    if not os.path.exists(aishell):
        print(f"bench_parallel_fetch: no {aishell}; build first (make build)", file=sys.stderr)
        return 1
    url, psql_bin = pg_env()
    table = ensure_table(psql_bin, url, ROWS[args.scale])
    hostport = url.split("@", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    proxies = [FaultProxy(host, port).start() for _ in range(2)]
    for p in proxies:
        p.latency(latency)
    home = tempfile.mkdtemp(prefix="aishell-bench-parallel-")
    data = os.path.join(home, "data")
    os.makedirs(data)
    n = DRIVING[args.scale]
    with open(os.path.join(data, "orders.csv"), "w") as f:
        f.write("k\n")
        for i in range(n):
            f.write(f"{(i * 7919) % ROWS[args.scale] + 1}\n")
    env = dict(os.environ, AISHELL_HOME=home, NO_COLOR="1")
    try:
        for i, p in enumerate(proxies, 1):
            subprocess.run([aishell, "connect", url.replace(hostport, f"127.0.0.1:{p.port}"),
                            "--name", f"pg{i}"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([aishell, "connect", data, "--name", "f"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        sql = QUERY.format(table=table)
        times = {"true": [], "false": []}
        outputs = {}
        for _ in range(runs):
            for parallel in ("true", "false") if _ % 2 == 0 else ("false", "true"):
                start = time.perf_counter()
                r = subprocess.run(
                    [aishell, "query", f"SET SESSION threads = {args.threads}; "
                     f"SET SESSION lookup_join = false; SET SESSION parallel = {parallel}; {sql}",
                     "--format", "csv"], env=env, capture_output=True, text=True)
                times[parallel].append(time.perf_counter() - start)
                if r.returncode != 0:
                    print(f"bench_parallel_fetch: query failed: {r.stderr.strip()}", file=sys.stderr)
                    return 1
                outputs.setdefault(parallel, r.stdout)
        on, off = statistics.median(times["true"]), statistics.median(times["false"])
        print(f"# {n} driving rows; two {ROWS[args.scale]}-row PostgreSQL tables, each behind a "
              f"proxy holding each chunk {latency * 1000:.0f} ms; {runs} run(s), medians")
        print(f"parallel fetch on   {on:8.3f} s")
        print(f"parallel fetch off  {off:8.3f} s")
        print(f"ratio on/off        {on / off:8.2f}")
        if outputs["true"] != outputs["false"]:
            print("bench_parallel_fetch: results differ between parallel on and off", file=sys.stderr)
            return 1
        return 0
    finally:
        for p in proxies:
            p.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
