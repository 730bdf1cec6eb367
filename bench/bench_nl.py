"""The English translator's speed on a 1,000-table catalog (issue 21: under 20 ms for the
translation itself). Seed 002's tables plus generated ones (realistic names, keys that join) in
SQLite files; each question runs as `aishell explain "<English>"`, whose panel reports the
translation time apart from reading the catalog and sampling values. The peer is the same
command given the generated SQL (`aishell explain "<SQL>"`): the ratio is the whole English
path's wall time against the SQL path's. Timings are printed, never asserted.

    python3 bench/bench_nl.py [--runs N] [--build-dir DIR] [--tables N] [--catalog-ttl 0]

`catalog` is the time to read the catalog: from the translator's catalog cache after the first
run (nl.catalog_ttl, 10 minutes by default); `--catalog-ttl 0` reads it from the sources every
time (the cost without the cache).
"""
import argparse
import datetime
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "nl"))
import nl_data  # noqa: E402

NOUNS = ["invoice", "shipment", "warehouse", "supplier", "ticket", "campaign", "coupon", "refund",
         "vendor", "employee", "department", "project", "task", "asset", "contract", "lead",
         "opportunity", "subscription", "plan", "device", "sensor", "reading", "alert", "incident",
         "article", "comment", "tag", "category", "brand", "store", "region_code", "currency"]
PREFIXES = ["legacy", "staging", "archive", "daily", "monthly", "raw", "clean", "mart", "stg",
            "dim", "fact", "tmp", "old", "new", "ext", "int", "hr", "fin", "ops", "mkt", "crm",
            "erp", "iot", "web", "app", "api", "bi", "ml", "etl", "src", "dst", "bak"]

QUESTIONS = [
    "Show me users from PostgreSQL who made purchases in MongoDB last week",
    "how many delivered orders by region",
    "total revenue by region",
    "top 3 users by total",
    "payments of Gold users",
    "average rating per region",
]


def make_catalog(folder, tables):
    today = datetime.date.today()
    sources = nl_data.generate_seed002(folder, today)
    rnd = random.Random(1000)
    names = set()
    while len(names) < tables - 11:
        names.add(f"{rnd.choice(PREFIXES)}_{rnd.choice(NOUNS)}_{len(names)}")
    names = sorted(names)
    dbs = [sqlite3.connect(f"{folder}/extra{k}.db") for k in range(3)]
    for i, name in enumerate(names):
        other = rnd.choice(NOUNS)
        dbs[i % 3].execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {other}_id INTEGER, "
                           f"label TEXT, status TEXT, amount DOUBLE, created_at TIMESTAMP)")
    for db in dbs:
        db.commit()
    return sources + [f"extra{k}" for k in range(3)]


def run(aishell, home, args):
    env = dict(os.environ, AISHELL_HOME=home, NO_COLOR="1")
    start = time.perf_counter()
    r = subprocess.run([aishell] + args, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--catalog-ttl", default=None, help="nl.catalog_ttl (0: no catalog cache)")
    ap.add_argument("--scale", default="tiny")  # accepted for scripts/run-bench.sh
    a = ap.parse_args()
    aishell = os.path.join(os.path.abspath(a.build_dir), "aishell")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        home = os.path.join(tmp, "home")
        for s in make_catalog(tmp, a.tables):
            _, r = run(aishell, home, ["connect", f"sqlite://{tmp}/{s}.db", "--name", s])
            assert r.returncode == 0, r.stderr
        if a.catalog_ttl is not None:
            _, r = run(aishell, home, ["config", "set", "nl.catalog_ttl", a.catalog_ttl])
            assert r.returncode == 0, r.stderr
        print(f"English translation on a {a.tables}-table catalog ({a.runs} runs, medians)")
        print("translate: the translation's CPU time (wall in brackets), without reading the catalog\n"
              "or sampling values; english / sql: `aishell explain` of the question / of its SQL")
        print(f"{'question':<60} {'translate':>18} {'catalog':>8} {'english':>8} {'sql':>6} {'ratio':>6}")
        for q in QUESTIONS:
            trans, trans_wall, load, wall_en, wall_sql = [], [], [], [], []
            sql = None
            for _ in range(a.runs):
                t, r = run(aishell, home, ["explain", q])
                if r.returncode != 0:
                    print(f"FAILED: {q}: {r.stderr.strip()[-300:]}")
                    failed = True
                    break
                m = re.search(r"translated in ([0-9.]+) ms CPU \(([0-9.]+) ms wall\) over (\d+) tables "
                              r"\(catalog read in ([0-9.]+) ms", r.stdout)
                trans.append(float(m.group(1)))
                trans_wall.append(float(m.group(2)))
                load.append(float(m.group(4)))
                wall_en.append(t)
                sql = re.search(r"Generated SQL:\n(.*?)\n\n", r.stdout, re.S).group(1)
                t2, r2 = run(aishell, home, ["explain", "--", " ".join(l.strip() for l in sql.splitlines())])
                if r2.returncode != 0:
                    t2, r2 = run(aishell, home, ["explain", " ".join(l.strip() for l in sql.splitlines())])
                wall_sql.append(t2)
            if not trans:
                continue
            en, sq = statistics.median(wall_en), statistics.median(wall_sql)
            tw = f"({statistics.median(trans_wall):.1f})"
            print(f"{q[:60]:<60} {statistics.median(trans):>8.2f}ms {tw:>8} {statistics.median(load):>6.0f}ms "
                  f"{en * 1000:>6.0f}ms {sq * 1000:>4.0f}ms {en / sq:>5.2f}x")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
