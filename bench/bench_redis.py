#!/usr/bin/env python3
"""Redis benchmark (issue 6): aishell against the pipelined ceiling on the same server.

  Scan: N hashes of 8 fields (bench:k<12-digit id>), read three ways:
    aishell      SELECT count(f1), ..., count(f8) FROM b.default.bench   (SCAN + pipelined HGETALL)
    ceiling      redis-benchmark -c 1 -P <depth> HGETALL bench:k__rand_int__ -r N (N requests)
    redis-py     SCAN COUNT 1000 + pipelined HGETALL per 1000 keys, in one Python loop
  Key lookups: a join of K keys (a CSV file) against the table, aishell with the lookup join vs
  aishell with lookup joins and dynamic filtering off (a full scan + hash join).

  The ceiling is a fair (if anything, strict) bound for the aishell scan:
    - same server, same database, same keys: redis-benchmark replaces __rand_int__ by a 12-digit
      zero-padded number below -r N, which is exactly the bench:k%012d keys loaded here (every
      request hits a hash of 8 fields; keys are drawn with replacement, ~63% distinct);
    - one connection (-c 1), as aishell reads a table on one connection;
    - the pipeline depth that gives the most requests per second of -P 100 and -P 1000 (aishell
      sends 1000 HGETALLs per pipeline);
    - it only does HGETALL: aishell also SCANs the keyspace (N / 1000 SCAN MATCH calls, sent
      ahead with the value pipelines), checks every key against the pattern, de-duplicates the
      keys SCAN returns, converts the values to typed columns and aggregates them.
  --baseline-build-dir DIR times a second aishell binary (e.g. main's) in the same run, so a
  change is judged as a before/after ratio measured under the same load.

  python3 bench/bench_redis.py --scale tiny   # 20K hashes, 1K lookups (seconds; CI smoke)
  python3 bench/bench_redis.py --scale full   # 1M hashes, 10K lookups
  options: --url redis://... (default $AISHELL_TEST_REDIS_URL), --db N (40), --build-dir DIR,
           --baseline-build-dir DIR, --runs N (median of N, 3), --no-redis-py, --no-lookups

Loads its data with `redis-cli --pipe` into its own database (flushed first and at the end).
Prints one line per measurement and the ratios; exit status 1 if aishell fails or returns wrong
counts.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

from common import ROOT, timed
SCALES = {"tiny": (20_000, 1_000), "medium": (200_000, 2_000), "full": (1_000_000, 10_000)}
FIELDS = 8


def resp(*args):
    out = [f"*{len(args)}\r\n"]
    for a in args:
        b = str(a)
        out.append(f"${len(b.encode())}\r\n{b}\r\n")
    return "".join(out)


def key(i):
    return f"bench:k{i:012d}"


class Server:
    def __init__(self, url, db):
        p = urllib.parse.urlparse(url)
        self.host = p.hostname or "127.0.0.1"
        self.port = p.port or 6379
        self.password = urllib.parse.unquote(p.password or "")
        self.user = urllib.parse.unquote(p.username or "")
        self.db = db
        auth = ""
        if self.password:
            auth = (urllib.parse.quote(self.user) if self.user else "") + ":" + urllib.parse.quote(self.password) + "@"
        self.url = f"redis://{auth}{self.host}:{self.port}/{db}"

    def env(self):
        return dict(os.environ, REDISCLI_AUTH=self.password)

    def cli(self, *args, stdin=None):
        cmd = ["redis-cli", "--no-auth-warning", "-h", self.host, "-p", str(self.port), "-n", str(self.db)]
        out = subprocess.run(cmd + list(args), input=stdin, capture_output=True, env=self.env(), timeout=600)
        if out.returncode != 0:
            sys.exit(f"redis-cli {' '.join(args)} failed: {out.stderr.decode(errors='replace')}")
        return out.stdout.decode()


def load(server, n):
    server.cli("FLUSHDB")
    start = time.time()
    chunk = 50_000
    for lo in range(0, n, chunk):
        lines = []
        for i in range(lo, min(n, lo + chunk)):
            args = ["HSET", key(i)]
            for f in range(1, FIELDS + 1):
                args += [f"f{f}", f"value-{f}-{i}" if f % 2 else str(i * f)]
            lines.append(resp(*args))
        server.cli("--pipe", stdin="".join(lines).encode())
    size = int(server.cli("DBSIZE").strip())
    if size != n:
        sys.exit(f"loaded {size} keys, expected {n}")
    print(f"loaded {n} hashes of {FIELDS} fields in {time.time() - start:.1f}s", file=sys.stderr)


def server_cpu(server):
    """Seconds of CPU the server has used (INFO cpu: used_cpu_user + used_cpu_sys)."""
    total = 0.0
    for line in server.cli("INFO", "cpu").splitlines():
        if line.startswith(("used_cpu_user:", "used_cpu_sys:")):
            total += float(line.split(":", 1)[1])
    return total


def aishell(binary, home, *args):
    env = dict(os.environ, AISHELL_HOME=home, NO_COLOR="1")
    out = subprocess.run([binary] + list(args), capture_output=True, text=True, env=env, timeout=3600)
    if out.returncode != 0:
        sys.exit(f"aishell {args[0]} failed: {out.stderr.strip()}")
    return out.stdout


def ceiling(server, n):
    """redis-benchmark pipelined HGETALL of random existing keys on one connection: the best
    requests per second of pipeline depths 100 and 1000, and that depth."""
    best = (0.0, 0)
    for depth in (100, 1000):
        cmd = ["redis-benchmark", "-h", server.host, "-p", str(server.port), "--dbnum", str(server.db), "-n",
               str(n), "-c", "1", "-P", str(depth), "-r", str(n), "--csv"]
        if server.user:
            cmd += ["--user", server.user]
        if server.password:
            cmd += ["-a", server.password]
        cmd += ["HGETALL", "bench:k__rand_int__"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        if out.returncode != 0:
            sys.exit(f"redis-benchmark failed: {out.stderr.replace(server.password, '***') if server.password else out.stderr}")
        rps = None
        for line in out.stdout.splitlines():
            m = re.match(r'"HGETALL[^"]*","([0-9.]+)"', line)
            if m:
                rps = float(m.group(1))
        if rps is None:
            sys.exit(f"cannot read redis-benchmark output: {out.stdout!r}")
        print(f"  (redis-benchmark -c 1 -P {depth}: {rps:,.0f} HGETALL/s)", file=sys.stderr)
        best = max(best, (rps, depth))
    return best


def redis_py_scan(server):
    import redis

    r = redis.Redis(host=server.host, port=server.port, db=server.db, username=server.user or None,
                    password=server.password or None)
    rows = 0
    cursor = 0
    while True:
        cursor, keys = r.scan(cursor=cursor, match="bench:*", count=1000)
        if keys:
            pipe = r.pipeline(transaction=False)
            for k in keys:
                pipe.hgetall(k)
            for h in pipe.execute():
                if h:
                    rows += 1
        if cursor == 0:
            break
    r.close()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--url", default=os.environ.get("AISHELL_TEST_REDIS_URL", ""))
    ap.add_argument("--db", type=int, default=40)
    ap.add_argument("--build-dir", default=os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--baseline-build-dir", default="",
                    help="time this build's aishell too (before/after in the same run)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-redis-py", action="store_true", help="skip the (slow) redis-py loop")
    ap.add_argument("--no-lookups", action="store_true", help="skip the key lookup benchmark")
    args = ap.parse_args()
    if not args.url:
        if os.environ.get("CI") == "true":
            sys.exit("bench_redis: AISHELL_TEST_REDIS_URL is unset in CI (scripts/services/redis.sh start)")
        print("bench_redis: skipped, no Redis (scripts/services/redis.sh start, or --url)")
        return 0
    binary = os.path.join(args.build_dir, "aishell")
    n, lookups = SCALES[args.scale]
    server = Server(args.url, args.db)
    load(server, n)
    failed = False
    with tempfile.TemporaryDirectory(prefix="aishell-bench-redis-") as tmp:
        home = os.path.join(tmp, "home")
        aishell(binary, home, "connect", server.url, "--name", "b", "--property", "table.bench=bench:{id}")
        # Startup + catalog cost, subtracted from the aishell timings.
        base, _ = timed(lambda: aishell(binary, home, "query", "SELECT 1", "--format", "csv"), args.runs)
        counts = ", ".join(f"count(f{f})" for f in range(1, FIELDS + 1))
        scan_sql = f"SELECT {counts} FROM b.default.bench"

        def scan(binary_, home_):
            t, out = timed(lambda: aishell(binary_, home_, "query", scan_sql, "--format", "csv"), args.runs)
            got = out.strip().splitlines()[-1].split(",")
            if any(int(x) != n for x in got):
                print(f"aishell scan ({binary_}) returned {got}, expected {n} per column", file=sys.stderr)
                return t, False
            return t, True

        t_ai, ok = scan(binary, home)
        failed = failed or not ok
        # Server CPU of one scan: a load-independent view (Redis executes commands on one thread).
        cpu0 = server_cpu(server)
        scan_once = args.runs
        args.runs = 1
        scan(binary, home)
        args.runs = scan_once
        cpu_ai = server_cpu(server) - cpu0
        t_before = None
        if args.baseline_build_dir:
            before_bin = os.path.join(args.baseline_build_dir, "aishell")
            before_home = os.path.join(tmp, "home-before")
            aishell(before_bin, before_home, "connect", server.url, "--name", "b", "--property",
                    "table.bench=bench:{id}")
            base_before, _ = timed(lambda: aishell(before_bin, before_home, "query", "SELECT 1", "--format", "csv"),
                                   args.runs)
            t_before, ok = scan(before_bin, before_home)
            failed = failed or not ok
            t_before_net = max(t_before - base_before, 1e-6)
        t_py = None
        if not args.no_redis_py:
            t_py, rows = timed(lambda: redis_py_scan(server), 1)
            if rows != n:
                print(f"redis-py read {rows} rows, expected {n}", file=sys.stderr)
        cpu0 = server_cpu(server)
        rps, depth = ceiling(server, n)
        cpu_ceiling_both = server_cpu(server) - cpu0  # both depths
        t_ceiling = n / rps
        t_ai_net = max(t_ai - base, 1e-6)
        print(f"scan {n} hashes x {FIELDS} fields:")
        print(f"  aishell                 {t_ai:8.3f} s  ({t_ai_net:.3f} s without {base:.3f} s startup)"
              f"  {n / t_ai_net:12,.0f} rows/s")
        if t_before is not None:
            print(f"  aishell (baseline)      {t_before:8.3f} s  ({t_before_net:.3f} s without startup)"
                  f"  {n / t_before_net:12,.0f} rows/s  [{args.baseline_build_dir}]")
        print(f"  redis-benchmark -P {depth:<4d} {t_ceiling:8.3f} s  {rps:12,.0f} HGETALL/s (ceiling, -c 1)")
        if t_py is not None:
            print(f"  redis-py pipelined      {t_py:8.3f} s  {n / t_py:12,.0f} rows/s")
        print(f"  ratio aishell/ceiling   {t_ceiling / t_ai_net:8.2f}  (target >= 0.8)")
        print(f"  server CPU per scan     aishell {cpu_ai:.2f} s, redis-benchmark {cpu_ceiling_both / 2:.2f} s "
              f"(mean of its two runs; aishell's includes the SCANs) -> {cpu_ceiling_both / 2 / max(cpu_ai, 1e-6):.2f}")
        if t_before is not None:
            print(f"  ratio baseline/ceiling  {t_ceiling / t_before_net:8.2f}")
            print(f"  speed-up over baseline  {t_before_net / t_ai_net:8.2f}")
        if t_py is not None:
            print(f"  ratio aishell/redis-py  {t_py / t_ai_net:8.2f}  (> 1: aishell faster)")
        if args.no_lookups:
            server.cli("FLUSHDB")
            return 1 if failed else 0

        # Key lookups: K ids spread over the table, joined from a CSV file.
        keys_csv = os.path.join(tmp, "keys.csv")
        step = max(1, n // lookups)
        with open(keys_csv, "w") as f:
            f.write("id\n")
            for i in range(lookups):
                f.write(f"k{(i * step) % n:012d}\n")
        join_sql = (f"SELECT count(*), count(b.f1) FROM read_csv('{keys_csv}') k "
                    f"JOIN b.default.bench b ON b.id = k.id")
        results = {}
        for label, lookup, dynamic in [("lookup join", "true", "false"), ("dynamic filter", "false", "true"),
                                       ("full scan", "false", "false")]:
            aishell(binary, home, "config", "set", "federation.lookup_join", lookup)
            aishell(binary, home, "config", "set", "federation.dynamic_filtering", dynamic)
            t, out = timed(lambda: aishell(binary, home, "query", join_sql, "--format", "csv"), args.runs)
            got = out.strip().splitlines()[-1].split(",")
            if any(int(x) != lookups for x in got):
                print(f"{label}: returned {got}, expected {lookups}", file=sys.stderr)
                failed = True
            results[label] = max(t - base, 1e-6)
        print(f"{lookups} key lookups (join against a {lookups}-row CSV):")
        for label, t in results.items():
            print(f"  {label:22s}  {t:8.3f} s")
        print(f"  ratio full scan/lookup join     {results['full scan'] / results['lookup join']:8.2f}")
        print(f"  ratio full scan/dynamic filter  {results['full scan'] / results['dynamic filter']:8.2f}")
    server.cli("FLUSHDB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
