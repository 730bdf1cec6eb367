#!/usr/bin/env python3
"""PostgreSQL source benchmark: aishell against the physical limit (raw binary COPY through psql)
and against DuckDB's postgres scanner, on the test server of scripts/services/postgres.sh.

  python3 bench/bench_postgres.py --scale tiny    # 50K rows, seconds (CI smoke)
  python3 bench/bench_postgres.py --scale full    # 5M rows (the issue's benchmark)
  options: --runs N (median of N, default 5; 1 at tiny), --build-dir DIR, --threads N

1. Full scan of a table with 6 mixed-type columns (bigint, integer, numeric(12,2), double, text,
   timestamp), read three ways: `psql -c "COPY (SELECT ...) TO STDOUT (FORMAT binary)" > /dev/null`,
   aishell (every column decoded into batches and folded by an engine aggregate, pushdown off so
   that PostgreSQL only streams rows), and DuckDB attached with its postgres extension (same
   query). Prints seconds, MB/s of COPY data and the ratios aishell/COPY throughput (target >= 0.7)
   and DuckDB/aishell time (> 1: aishell is faster).
   The same full scan again in a warm session: one aishell shell process (`.timer on`) fed the
   queries on a pipe, keeping its connections between queries as the DuckDB connection does.
2. A selective filter plus an aggregate (pushdown matters: aishell sends the filter and the GROUP
   BY; DuckDB's scanner sends the filter), aishell against DuckDB, by the CLI and in the warm session.
Both engines' results are compared; exit status 1 if they differ or a query fails. Timings are
printed, never asserted.

The two engines' runs alternate (aishell, DuckDB, DuckDB, aishell, ...) so that drift of a shared
machine hits both alike, and each row also shows the client's CPU time (user+sys) and the server's
(the test cluster's postmaster and backends, from /proc), which on a loopback server on 2 cores
decides how fast either engine can go.
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
sys.path.insert(0, os.path.join(ROOT, "test"))
sys.path.insert(0, os.path.join(ROOT, "test", "util"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from common import AishellSession, cpu_seconds, timed  # noqa: E402

ROWS = {"tiny": 50_000, "full": 5_000_000}
SCHEMA = "aishell_bench"


def pg_env():
    """AISHELL_TEST_PG_URL and the psql binary, starting the test server if needed."""
    url = os.environ.get("AISHELL_TEST_PG_URL")
    bin_dir = os.environ.get("AISHELL_TEST_PG_BIN")
    if not url:
        base = os.environ.get("AISHELL_SERVICES_DIR", "/tmp/aishell-services")
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "services", "postgres.sh"), "start"],
                       check=True, stdout=subprocess.DEVNULL)
        for line in open(os.path.join(base, "postgres.env")):
            key, _, value = line.replace("export ", "", 1).strip().partition("=")
            if key == "AISHELL_TEST_PG_URL":
                url = value
            elif key == "AISHELL_TEST_PG_BIN":
                bin_dir = value
            elif key == "PGSSLMODE":  # the server takes TLS too: keep both engines on plain TCP
                os.environ.setdefault("PGSSLMODE", value)
    psql = os.path.join(bin_dir, "psql") if bin_dir else shutil.which("psql") or "psql"
    return url, psql


def psql(psql_bin, url, sql, stdout=subprocess.PIPE):
    return subprocess.run([psql_bin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          stdout=stdout, stderr=subprocess.PIPE, text=stdout is subprocess.PIPE,
                          check=True)


def ensure_table(psql_bin, url, rows):
    table = f"{SCHEMA}.scan_{rows}"
    exists = subprocess.run(
        [psql_bin, "-X", "-tA", "-d", url, "-c",
         f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
         f"WHERE n.nspname = '{SCHEMA}' AND c.relname = 'scan_{rows}' AND c.reltuples > {rows} * 0.9"],
        capture_output=True, text=True, check=True).stdout.strip()
    if exists == "1":
        return table
    start = time.time()
    psql(psql_bin, url, f"""
        CREATE SCHEMA IF NOT EXISTS {SCHEMA};
        DROP TABLE IF EXISTS {table};
        CREATE TABLE {table} AS
        SELECT i::bigint AS id,
               (i % 1000)::integer AS qty,
               ((i * 37) % 1000000 / 100.0)::numeric(12,2) AS amount,
               (i % 9973) * 1.25::double precision AS score,
               'label ' || (i % 5000) AS label,
               TIMESTAMP '2024-01-01' + (i % 100000) * INTERVAL '1 minute' AS created
        FROM generate_series(1, {rows}) AS i;
        ANALYZE {table};""")
    print(f"# created {table} ({rows} rows) in {time.time() - start:.1f}s", flush=True)
    return table


def server_cpu_counter():
    """A function giving the CPU seconds the PostgreSQL server has used so far: the postmaster of
    the test cluster (scripts/services/postgres.sh) with its live and finished backends, from
    /proc. Where that cluster's postmaster is not readable, the whole machine's busy time less this
    process tree's (so other load counts too). None where neither is available."""
    base = os.environ.get("AISHELL_SERVICES_DIR", "/tmp/aishell-services")
    tck = os.sysconf("SC_CLK_TCK")

    def stat(pid):
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    try:
        with open(os.path.join(base, "postgres", "data", "postmaster.pid")) as f:
            pm = int(f.readline())
        stat(pm)

        def postmaster_tree():
            f = stat(pm)
            total = sum(int(x) for x in f[11:15])  # utime stime cutime cstime
            for name in os.listdir("/proc"):
                if name.isdigit() and int(name) != pm:
                    try:
                        g = stat(name)
                        if int(g[1]) == pm:
                            total += int(g[11]) + int(g[12])
                    except (OSError, IndexError, ValueError):
                        pass
            return total / tck
        return postmaster_tree
    except (OSError, ValueError):
        pass
    try:
        with open("/proc/stat") as f:
            f.readline()
    except OSError:
        return None

    def machine_less_own():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (v[0] + v[1] + v[2] + v[5] + v[6]) / tck - own_cpu()
    return machine_less_own


def own_cpu():
    """User+sys CPU seconds of this process (in-process DuckDB) and its finished children (the
    aishell CLI processes)."""
    return cpu_seconds(children=False) + cpu_seconds(children=True)


def paired(fns, runs, session=None):
    """Runs each of `fns` (name -> callable) `runs` times, alternating their order every round
    (ABBA...). Returns name -> (median seconds, median client CPU, median server CPU, last result,
    the seconds of every round). The client CPU includes `session`'s (a running AishellSession)."""
    samples = {name: [] for name in fns}
    results = {}
    names = list(fns)
    server = server_cpu_counter()
    for i in range(runs):
        for name in (names if i % 2 == 0 else names[::-1]):
            extra = session.cpu if session else (lambda: 0.0)
            srv0, cpu0, t0 = server() if server else None, own_cpu() + extra(), time.perf_counter()
            results[name] = fns[name]()
            t = time.perf_counter() - t0
            cpu1 = own_cpu() + extra()
            if server:
                time.sleep(0.3)  # backends that exit are counted once the postmaster reaps them
            other = None if srv0 is None else max(0.0, server() - srv0)
            samples[name].append((t, cpu1 - cpu0, other))
    out = {}
    for name, rows in samples.items():
        others = [r[2] for r in rows if r[2] is not None]
        out[name] = (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
                     statistics.median(others) if others else float("nan"), results[name],
                     [r[0] for r in rows])
    return out


def print_speedup(label, duck_times, ais_times):
    """DuckDB time / aishell time, round by round (each round runs both back to back), as the
    median of the rounds' ratios and their range: steadier than a ratio of medians when the
    machine's speed drifts."""
    ratios = sorted(d / a for d, a in zip(duck_times, ais_times))
    spread = f" (rounds: {ratios[0]:.2f}-{ratios[-1]:.2f})" if len(ratios) > 1 else ""
    print(f"  {label:<30} {statistics.median(ratios):.2f}{spread}  (> 1: aishell faster)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=list(ROWS), default="full")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--keep-data", action="store_true")  # accepted for run-bench.sh; data stays
    args = ap.parse_args()
    runs = args.runs or (1 if args.scale == "tiny" else 5)
    rows = ROWS[args.scale]
    aishell = os.path.join(args.build_dir, "aishell")
    if not os.path.exists(aishell):
        print(f"bench_postgres: no {aishell}; build first (make build)", file=sys.stderr)
        return 1

    import duckdb_ext  # DuckDB with the PyPI postgres extension
    from duckdb_ext import libpq_dsn

    url, psql_bin = pg_env()
    table = ensure_table(psql_bin, url, rows)
    cols = "id, qty, amount, score, label, created"
    home = tempfile.mkdtemp(prefix="aishell-bench-pg-")
    env = dict(os.environ, AISHELL_HOME=home, NO_COLOR="1")
    subprocess.run([aishell, "connect", url, "--name", "pg"], env=env, check=True,
                   stdout=subprocess.DEVNULL)

    def run_aishell(sql):
        r = subprocess.run([aishell, "query", sql, "--format", "csv"], env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"aishell failed: {r.stderr.strip()}")
        return r.stdout.strip().splitlines()[1:]

    duck = duckdb_ext.connect_with("postgres")
    duck.execute(f"SET threads = {args.threads}")
    duck.execute("SET enable_progress_bar = false")
    duck.execute(f"ATTACH '{libpq_dsn(url)}' AS pg (TYPE postgres, READ_ONLY)")

    def run_duck(sql):
        return [",".join("" if v is None else str(v) for v in row)
                for row in duck.execute(sql).fetchall()]

    status = 0
    print(f"PostgreSQL benchmark, {rows} rows x 6 columns ({args.scale}), {runs} run(s), "
          f"{args.threads} threads")

    # aishell's fixed cost per query (process start, catalog, connecting), for reading the figures.
    t_start, _ = timed(lambda: run_aishell("SELECT 1"), runs)
    print(f"aishell startup (SELECT 1 through the CLI): {t_start:.3f}s")

    # 1. Full scan.
    copy_sql = f"COPY (SELECT {cols} FROM {table}) TO STDOUT (FORMAT binary)"
    copy_bytes = len(subprocess.run([psql_bin, "-X", "-q", "-d", url, "-c", copy_sql],
                                    capture_output=True, check=True).stdout)
    with open(os.devnull, "wb") as null:
        t_copy, _ = timed(lambda: subprocess.run([psql_bin, "-X", "-q", "-d", url, "-c", copy_sql],
                                                 stdout=null, check=True), runs)
    scan_sql = (f"SELECT count(*), sum(id), max(qty), max(amount), max(score), max(label), "
                f"max(created) FROM pg.{table}")
    full = paired({"aishell": lambda: run_aishell("SET SESSION pushdown = false; " + scan_sql),
                   "duckdb": lambda: run_duck(scan_sql)}, runs)
    (t_ais, c_ais, o_ais, r_ais, _), (t_duck, c_duck, o_duck, r_duck, _) = (full["aishell"],
                                                                            full["duckdb"])
    mb = copy_bytes / 1e6
    print(f"{'full scan':<28} {'seconds':>8} {'MB/s':>8} {'client CPU':>11} {'server CPU':>11}")
    print(f"{'  raw COPY (psql)':<28} {t_copy:8.3f} {mb / t_copy:8.1f}")
    print(f"{'  aishell':<28} {t_ais:8.3f} {mb / t_ais:8.1f} {c_ais:10.2f}s {o_ais:10.2f}s")
    print(f"{'  duckdb postgres scanner':<28} {t_duck:8.3f} {mb / t_duck:8.1f} {c_duck:10.2f}s "
          f"{o_duck:10.2f}s")
    print(f"  aishell / raw COPY throughput: {t_copy / t_ais:.2f}  (target >= 0.7)")
    print_speedup("duckdb time / aishell time:", full["duckdb"][4], full["aishell"][4])
    if [r.split(",")[0] for r in r_ais] != [r.split(",")[0] for r in r_duck]:
        print(f"  MISMATCH full scan: aishell {r_ais} duckdb {r_duck}")
        status = 1

    sel_sql = (f"SELECT qty, count(*), sum(amount), max(label) FROM pg.{table} "
               f"WHERE qty BETWEEN 10 AND 14 AND created >= TIMESTAMP '2024-01-10 00:00:00' "
               f"GROUP BY qty ORDER BY qty")

    # 1b. The same full scan in a warm session: one aishell shell process reads the queries from a
    # pipe and keeps its connections between them, as the DuckDB connection keeps its attached
    # database (and its connections) between queries. The rows above start a new aishell process,
    # which connects and authenticates again, for every query.
    session = AishellSession(aishell, env, threads=args.threads)
    try:
        session.query("SET SESSION pushdown = false")
        session.query(scan_sql)  # the session connects once, as DuckDB's ATTACH did
        warm = paired({"aishell": lambda: session.query(scan_sql),
                       "duckdb": lambda: run_duck(scan_sql)}, runs, session)
        session.query("SET SESSION pushdown = true")
        sel_warm = paired({"aishell": lambda: session.query(sel_sql),
                           "duckdb": lambda: run_duck(sel_sql)}, runs, session)
    finally:
        session.close()
    (t_ais_w, c_ais_w, o_ais_w, r_ais_w, _), (t_duck_w, c_duck_w, o_duck_w, _, _) = (
        warm["aishell"], warm["duckdb"])
    print(f"{'full scan, warm session':<28} {'seconds':>8} {'MB/s':>8} {'client CPU':>11} "
          f"{'server CPU':>11}")
    print(f"{'  aishell shell session':<28} {t_ais_w:8.3f} {mb / t_ais_w:8.1f} {c_ais_w:10.2f}s "
          f"{o_ais_w:10.2f}s")
    print(f"{'  duckdb postgres scanner':<28} {t_duck_w:8.3f} {mb / t_duck_w:8.1f} {c_duck_w:10.2f}s "
          f"{o_duck_w:10.2f}s")
    print(f"  aishell / raw COPY throughput: {t_copy / t_ais_w:.2f}  (target >= 0.7)")
    print_speedup("duckdb time / aishell time:", warm["duckdb"][4], warm["aishell"][4])
    if r_ais_w != r_ais:
        print(f"  MISMATCH warm full scan: session {r_ais_w} CLI {r_ais}")
        status = 1

    # 2. Selective filter + aggregate.
    sel = paired({"aishell": lambda: run_aishell(sel_sql), "duckdb": lambda: run_duck(sel_sql)},
                 runs)
    (t_ais2, c_ais2, o_ais2, r_ais2, _), (t_duck2, c_duck2, o_duck2, r_duck2, _) = (
        sel["aishell"], sel["duckdb"])
    print(f"{'selective filter + aggregate':<28} {'seconds':>8} {'':>8} {'client CPU':>11} "
          f"{'server CPU':>11}")
    print(f"{'  aishell':<28} {t_ais2:8.3f} {'':>8} {c_ais2:10.2f}s {o_ais2:10.2f}s")
    print(f"{'  duckdb postgres scanner':<28} {t_duck2:8.3f} {'':>8} {c_duck2:10.2f}s "
          f"{o_duck2:10.2f}s")
    print_speedup("duckdb time / aishell time:", sel["duckdb"][4], sel["aishell"][4])
    (t_ais3, c_ais3, o_ais3, r_ais3, _), (t_duck3, c_duck3, o_duck3, _, _) = (
        sel_warm["aishell"], sel_warm["duckdb"])
    print(f"{'  aishell shell session':<28} {t_ais3:8.3f} {'':>8} {c_ais3:10.2f}s {o_ais3:10.2f}s")
    print(f"{'  duckdb (same connection)':<28} {t_duck3:8.3f} {'':>8} {c_duck3:10.2f}s "
          f"{o_duck3:10.2f}s")
    print_speedup("warm: duckdb / aishell time:", sel_warm["duckdb"][4], sel_warm["aishell"][4])
    if r_ais3 != r_ais2:
        print(f"  MISMATCH warm selective query: session {r_ais3[:3]} CLI {r_ais2[:3]}")
        status = 1

    def key(lines):
        out = []
        for line in lines:
            f = line.split(",")
            out.append((int(f[0]), int(f[1]), round(float(f[2]), 2), f[3]))
        return out

    if key(r_ais2) != key(r_duck2) or not r_ais2:
        print(f"  MISMATCH selective query: aishell {r_ais2[:3]} duckdb {r_duck2[:3]}")
        status = 1
    shutil.rmtree(home, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
