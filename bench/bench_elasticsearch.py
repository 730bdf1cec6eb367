#!/usr/bin/env python3
"""Elasticsearch benchmark (issue 18): aishell against a raw point-in-time + search_after loop in
C over libcurl + simdjson (the ceiling, bench/es_scan_ceiling.cpp, built here) and against the
official Python client, on the same index of the server of scripts/services/elasticsearch.sh.

  Scan: N page-view documents (id, user_id, page, dur, ts); aishell reads user_id and page
        (SELECT count(*), sum(user_id + 0), sum(length(page)): nothing pushed but the projection)
        with --threads 1 (one slice) and --threads 2 (two slices), against the ceiling reading
        the same two fields with 1 and 2 slices, and the Python client's search_after loop.
  Aggregation: GROUP BY page with count/sum/avg pushed down as a composite aggregation, against
        the same query computed in the engine (SET SESSION pushdown = false).
  Lookups: K ids (a CSV file) joined to the index: terms lookups of federation.batch_size keys,
        against a full scan and hash join (lookup join and dynamic filtering off).

  python3 bench/bench_elasticsearch.py --scale tiny   # 20K documents, 1K keys (CI smoke)
  python3 bench/bench_elasticsearch.py --scale full   # 1M documents, 10K keys
  options: --http http://host:port (default $AISHELL_TEST_ES_HTTP), --runs N (median, 3),
           --build-dir DIR

The index (bench_pv_<N>) is built once with aishell's own _bulk writer (CREATE TABLE AS) and kept
on the server; a later run reuses it when its document count matches. Prints one line per
measurement and the ratios (> 1 means aishell is faster); exit status 1 if an answer is wrong.
"""
import argparse
import base64
import json
import os
import resource
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

from common import ROOT, timed

SCALES = {"tiny": (20_000, 1_000), "medium": (200_000, 2_000), "full": (1_000_000, 10_000)}


USER = os.environ.get("AISHELL_TEST_ES_USER", "")
PASSWORD = os.environ.get("AISHELL_TEST_ES_PASSWORD", "")
CA = os.environ.get("AISHELL_TEST_ES_CA", "")


def http(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if USER:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    context = ssl.create_default_context(cafile=CA) if base.startswith("https://") else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=600, context=context) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return {"status": e.code}


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def aishell(binary, home, *args, threads=None):
    env = dict(os.environ, AISHELL_HOME=home)
    cmd = [binary] + (["--threads", str(threads)] if threads else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        # The arguments may hold a URL with a password: name the command only.
        raise RuntimeError(f"aishell {args[0] if args else ''}: {p.stderr.strip()}")
    return p.stdout


def last_row(out):
    return out.strip().splitlines()[-1].split(",")


def load(base, binary, home, index, n):
    count = http(base, "GET", f"/{index}/_count").get("count")
    if count == n:
        print(f"index {index}: {n:,} documents (cached on the server)")
        return
    http(base, "DELETE", f"/{index}")
    start = time.perf_counter()
    blocks = n // 10_000 if n >= 10_000 else 1
    width = 10_000 if n >= 10_000 else n
    sql = (f"CREATE TABLE es.{index} AS SELECT a * {width} + b AS id, (a * {width} + b) % 50000 AS user_id, "
           f"'page' || CAST((a * {width} + b) % 97 AS VARCHAR) AS page, CAST(b AS DOUBLE) / 8 AS dur, "
           f"TIMESTAMP '2024-01-01 00:00:00 UTC' + (a * {width} + b) * INTERVAL '1' SECOND AS ts "
           f"FROM UNNEST(sequence(0, {blocks - 1})) AS s(a) CROSS JOIN UNNEST(sequence(0, {width - 1})) AS t(b)")
    aishell(binary, home, "query", sql)
    http(base, "POST", f"/{index}/_forcemerge?max_num_segments=1")
    took = time.perf_counter() - start
    print(f"index {index}: loaded {n:,} documents with aishell's _bulk writer in {took:.1f} s "
          f"({n / took:,.0f} documents/s)")


def build_ceiling(tmp):
    out = os.path.join(tmp, "es_scan_ceiling")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libcurl", "simdjson"], capture_output=True,
                           text=True, check=True).stdout.split()
    subprocess.run(["g++", "-O2", "-std=c++20", os.path.join(ROOT, "bench", "es_scan_ceiling.cpp"), "-o", out]
                   + flags + ["-lpthread"], check=True)
    return out


def python_client_scan(base, index):
    """The official client's PIT + search_after loop (one slice): the documents read and a sum."""
    from elasticsearch import Elasticsearch
    auth = {"basic_auth": (USER, PASSWORD)} if USER else {}
    if CA:
        auth["ca_certs"] = CA
    es = Elasticsearch(base, request_timeout=600, **auth)
    pit = es.open_point_in_time(index=index, keep_alive="1m")["id"]
    n, total, after = 0, 0, None
    while True:
        kw = {"search_after": after} if after else {}
        r = es.search(pit={"id": pit, "keep_alive": "1m"}, size=10_000, sort=["_shard_doc"],
                      source_includes=["user_id", "page"], track_total_hits=False, **kw)
        hits = r["hits"]["hits"]
        for h in hits:
            total += h["_source"]["user_id"]
        n += len(hits)
        pit = r.get("pit_id", pit)
        if len(hits) < 10_000:
            break
        after = hits[-1]["sort"]
    es.close_point_in_time(id=pit)
    return n, total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--http", default=os.environ.get("AISHELL_TEST_ES_HTTP", ""))
    ap.add_argument("--build-dir", default=os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="ignored (the scan is timed at 1 and 2 threads)")
    args = ap.parse_args()
    if not args.http:
        if os.environ.get("CI") == "true":
            sys.exit("bench_elasticsearch: AISHELL_TEST_ES_HTTP is unset in CI (scripts/services/elasticsearch.sh)")
        print("bench_elasticsearch: skipped, no server (scripts/services/elasticsearch.sh start, or --http)")
        return 0
    binary = os.path.join(args.build_dir, "aishell")
    n, keys = SCALES[args.scale]
    index = f"bench_pv_{n}"
    expected_sum = sum(i % 50000 for i in range(n))
    failed = False
    # The connection URL: $AISHELL_TEST_ES_URL (credentials and CA) for the test server.
    url = os.environ.get("AISHELL_TEST_ES_URL") if args.http == os.environ.get("AISHELL_TEST_ES_HTTP") else ""
    if not url:
        scheme = "elasticsearchs://" if args.http.startswith("https://") else "elasticsearch://"
        url = scheme + args.http.split("://", 1)[1]
    with tempfile.TemporaryDirectory(prefix="aishell-bench-es-") as tmp:
        home = os.path.join(tmp, "home")
        aishell(binary, home, "connect", url, "--name", "es")
        load(args.http, binary, home, index, n)
        ceiling = build_ceiling(tmp)
        base, _ = timed(lambda: aishell(binary, home, "query", "--format", "csv", "SELECT 1"), args.runs)

        scan_sql = f"SELECT count(*), sum(user_id + 0), sum(length(page)) FROM es.{index}"
        results = {}
        for threads in (1, 2):
            cpu0 = children_cpu()
            t, out = timed(lambda: aishell(binary, home, "query", "--format", "csv", scan_sql, threads=threads),
                           args.runs)
            cpu = (children_cpu() - cpu0) / args.runs
            got = last_row(out)
            if int(got[0]) != n or int(got[1]) != expected_sum:
                print(f"aishell scan ({threads} thread(s)) returned {got}, expected {n}, {expected_sum}",
                      file=sys.stderr)
                failed = True
            results[f"aishell{threads}"] = (max(t - base, 1e-6), cpu)
            cpu0 = children_cpu()
            ceiling_env = dict(os.environ, ES_USER=USER, ES_PASSWORD=PASSWORD, ES_CA=CA) if USER else None
            t, out = timed(lambda: subprocess.run([ceiling, args.http, index, str(threads), "10000", "user_id",
                                                   "page"], capture_output=True, text=True, check=True,
                                                  env=ceiling_env).stdout,
                           args.runs)
            cpu = (children_cpu() - cpu0) / args.runs
            if int(out.split()[0]) != n:
                print(f"ceiling read {out.split()[0]} documents, expected {n}", file=sys.stderr)
            results[f"ceiling{threads}"] = (t, cpu)
        start = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        py_n, _ = python_client_scan(args.http, index)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        t_py = time.perf_counter() - start
        cpu_py = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        if py_n != n:
            print(f"python client read {py_n}, expected {n}", file=sys.stderr)
        print(f"full scan of {n:,} documents (user_id, page), median of {args.runs}:")
        for label, key in [("aishell, 1 slice", "aishell1"), ("C ceiling, 1 slice", "ceiling1"),
                           ("aishell, 2 slices", "aishell2"), ("C ceiling, 2 slices", "ceiling2")]:
            t, cpu = results[key]
            extra = f" (without {base:.3f} s startup)" if key.startswith("aishell") else ""
            print(f"  {label:22s} {t:8.3f} s{extra}  {n / t:12,.0f} docs/s  client CPU {cpu / n * 1e6:6.2f} us/doc")
        print(f"  {'python client, 1 slice':22s} {t_py:8.3f} s  {n / t_py:12,.0f} docs/s  "
              f"client CPU {cpu_py / n * 1e6:6.2f} us/doc")
        r1 = results["ceiling1"][0] / results["aishell1"][0]
        r2 = results["ceiling2"][0] / results["aishell2"][0]
        print(f"  ratio aishell/ceiling, 1 slice   {r1:6.2f}  (target >= 0.9)")
        print(f"  ratio aishell/ceiling, 2 slices  {r2:6.2f}")
        print(f"  scaling aishell 1 -> 2 slices    {results['aishell1'][0] / results['aishell2'][0]:6.2f}")
        print(f"  ratio aishell/python client      {t_py / results['aishell1'][0]:6.2f}  (> 1: aishell faster)")

        agg_sql = f"SELECT page, count(*), sum(user_id), avg(dur) FROM es.{index} GROUP BY page ORDER BY page"
        t_push, out_push = timed(lambda: aishell(binary, home, "query", "--format", "csv", agg_sql), args.runs)
        t_eng, out_eng = timed(lambda: aishell(binary, home, "query", "--format", "csv",
                                               "SET SESSION pushdown = false; " + agg_sql), args.runs)
        if out_push.strip().splitlines()[-97:] != out_eng.strip().splitlines()[-97:]:
            print("aggregation: pushed and engine answers differ", file=sys.stderr)
            failed = True
        print(f"GROUP BY page (97 groups) over {n:,} documents:")
        print(f"  composite aggregation pushed  {t_push - base:8.3f} s")
        print(f"  computed in the engine        {t_eng - base:8.3f} s")
        print(f"  ratio engine/pushed           {(t_eng - base) / max(t_push - base, 1e-6):8.2f}")

        keys_csv = os.path.join(tmp, "keys.csv")
        step = max(1, n // keys)
        with open(keys_csv, "w") as f:
            f.write("id\n")
            for i in range(keys):
                f.write(f"{(i * step) % n}\n")
        join_sql = f"SELECT count(*), sum(v.user_id) FROM read_csv('{keys_csv}') k JOIN es.{index} v ON v.id = k.id"
        timings = {}
        for label, lookup, dynamic in [("terms lookups", "true", "false"), ("full scan", "false", "false")]:
            aishell(binary, home, "config", "set", "federation.lookup_join", lookup)
            aishell(binary, home, "config", "set", "federation.dynamic_filtering", dynamic)
            t, out = timed(lambda: aishell(binary, home, "query", "--format", "csv", join_sql), args.runs)
            if int(last_row(out)[0]) != keys:
                print(f"{label}: returned {last_row(out)}, expected {keys} rows", file=sys.stderr)
                failed = True
            timings[label] = max(t - base, 1e-6)
        print(f"{keys:,}-key join against the index:")
        for label, t in timings.items():
            print(f"  {label:16s} {t:8.3f} s")
        print(f"  ratio full scan/terms lookups  {timings['full scan'] / timings['terms lookups']:8.2f}")
    print("reproduce: scripts/with-services.sh python3 bench/bench_elasticsearch.py --scale " + args.scale)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
