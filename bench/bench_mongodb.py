#!/usr/bin/env python3
"""MongoDB benchmark (issue 17): aishell against the raw driver cursor on the same server.

  Scan: N order documents (~700 bytes: ids, status, amounts, a date, an address sub-document and
  an items array), read three ways, every field of every document decoded:
    aishell   SELECT count(*), max(status), sum(total), ... FROM m.<db>.orders  with pushdown off,
              so every document travels and is decoded into vectors (no $group)
    ceiling   bench/mongodb_raw_scan.c: one libmongoc find({}) cursor, every field visited with
              bson_iter (compiled here with cc against Debian's libmongoc-dev)
    pymongo   list(collection.find({})) in this process
  with each client's CPU per document (the server sets the pace: FerretDB reads about 6,000
  documents a second, so wall time is mostly the server's; the CPU figures compare the clients).
  Aggregation: a selective GROUP BY pushed down as $group pipelines, against the engine's own
  aggregation over the documents (pushdown off).
  Lookups: a join of K keys, and of 100 keys (a CSV file) against orders: the default plan, $in
  rounds (the lookup join, forced with lookup.max_keys) and a full scan with lookup joins and
  dynamic filtering off.

  python3 bench/bench_mongodb.py --scale tiny   # 2,000 documents, 100 keys (CI smoke)
  python3 bench/bench_mongodb.py --scale medium # 20,000 documents, 1,000 keys
  python3 bench/bench_mongodb.py --scale full   # 100,000 documents, 10,000 keys
  options: --url (default $AISHELL_TEST_MONGODB_URL), --build-dir DIR, --runs N,
           --only scan,group,lookups (the parts to run; all by default)

Loads its data once per scale into database bench_<scale> (kept between runs; reloaded when the
count differs). Exit status 1 if aishell fails or disagrees with pymongo.
"""
import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

from common import ROOT, add_standard_arguments, aishell_binary, cpu_seconds, run_aishell_process

SCALES = {"tiny": (2_000, 100), "medium": (20_000, 1_000), "full": (100_000, 10_000)}


def documents(n):
    rnd = random.Random(42)
    base = datetime.datetime(2024, 1, 1)
    for i in range(n):
        yield {"_id": i, "user_id": rnd.randint(1, n // 10 + 1),
               "status": rnd.choice(["paid", "shipped", "cancelled", "pending"]),
               "total": round(rnd.uniform(1, 900), 2), "qty": rnd.randint(1, 9),
               "created_at": base + datetime.timedelta(minutes=i),
               "region": rnd.choice(["EU", "US", "APAC", "LATAM"]),
               "address": {"street": f"{rnd.randint(1, 999)} Main Street", "city": rnd.choice(["Paris", "Austin", "Lyon"]),
                           "zip": f"{rnd.randint(10000, 99999)}"},
               "items": [{"sku": f"sku-{rnd.randint(1, 5000):05d}", "price": rnd.randint(1, 300), "qty": rnd.randint(1, 4)}
                         for _ in range(rnd.randint(1, 4))],
               "note": "x" * rnd.randint(100, 300)}


def with_database(url, database):
    p = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, "/" + database, p.query, ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_standard_arguments(ap, SCALES, only=False)
    ap.add_argument("--url", default=os.environ.get("AISHELL_TEST_MONGODB_URL", ""))
    ap.add_argument("--only", default="scan,group,lookups", help="comma-separated parts: scan, group, lookups")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    if parts - {"scan", "group", "lookups"}:
        sys.exit(f"bench_mongodb: unknown part(s) {', '.join(sorted(parts - {'scan', 'group', 'lookups'}))}")
    if not args.url:
        if os.environ.get("CI") == "true":
            sys.exit("bench_mongodb: AISHELL_TEST_MONGODB_URL is unset (scripts/services/ferretdb.sh start)")
        print("bench_mongodb: AISHELL_TEST_MONGODB_URL is unset; skipped")
        return 0
    import pymongo
    n, keys = SCALES[args.scale]
    binary = aishell_binary(args.build_dir, "bench_mongodb")
    database = f"bench_{args.scale}"
    client = pymongo.MongoClient(args.url)
    coll = client[database].orders
    if coll.estimated_document_count() != n:
        coll.drop()
        batch = []
        start = time.perf_counter()
        for d in documents(n):
            batch.append(d)
            if len(batch) == 5000:
                coll.insert_many(batch, ordered=False)
                batch = []
        if batch:
            coll.insert_many(batch, ordered=False)
        print(f"loaded {n} documents in {time.perf_counter() - start:.1f} s")

    work = tempfile.mkdtemp(prefix="bench-mongodb-")
    problems = []
    try:
        raw = os.path.join(work, "mongodb_raw_scan")
        cc = shutil.which("cc") or shutil.which("gcc")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmongoc-1.0"], capture_output=True,
                               text=True, check=True).stdout.split()
        subprocess.run([cc, "-O2", os.path.join(ROOT, "bench", "mongodb_raw_scan.c"), "-o", raw] + flags,
                       check=True)
        home = os.path.join(work, "home")
        url = with_database(args.url, database)
        run_aishell_process(binary, ["connect", url, "--name", "m"], 2, home)
        # The same server with $in lookups of any size allowed (FerretDB's default is 100 keys).
        run_aishell_process(binary, ["connect", url, "--name", "mx", "--property", "lookup.max_keys=100000000"],
                            2, home)

        def best(fn):
            results = [fn() for _ in range(max(1, args.runs))]
            return sorted(results, key=lambda r: r[0])[len(results) // 2]

        if "scan" in parts:
            # --- full scan ---
            def raw_scan():
                cpu0, t0 = cpu_seconds(True), time.perf_counter()
                out = subprocess.run([raw, args.url, database, "orders"], capture_output=True, text=True, check=True)
                return time.perf_counter() - t0, cpu_seconds(True) - cpu0, int(out.stdout.split()[0])

            scan_sql = ("SET SESSION pushdown = false; SELECT count(*), max(status), sum(total), max(created_at), "
                        "max(address.city), sum(cardinality(items)), max(length(note)), count(region) "
                        "FROM m.%s.orders" % database)

            def aishell_scan():
                wall, cpu, out = run_aishell_process(binary, ["query", "--format", "csv", scan_sql], 2, home)
                return wall, cpu, int(out.splitlines()[1].split(",")[0])

            def pymongo_scan():
                cpu0, t0 = time.process_time(), time.perf_counter()
                count = len(list(coll.find({})))
                return time.perf_counter() - t0, time.process_time() - cpu0, count

            # Round-robin runs, so that a change in the machine's load (the server sets the pace) falls
            # on every client alike; the median of each.
            clients = {"ceiling (libmongoc cursor)": raw_scan, "aishell": aishell_scan, "pymongo": pymongo_scan}
            runs = {name: [] for name in clients}
            for _ in range(max(1, args.runs)):
                for name, fn in clients.items():
                    runs[name].append(fn())
            results = {name: sorted(r, key=lambda x: x[0])[len(r) // 2] for name, r in runs.items()}
            print(f"full scan of {n} documents (median of {args.runs}):")
            for name, (wall, cpu, count) in results.items():
                if count != n:
                    problems.append(f"{name} read {count} documents, expected {n}")
                print(f"  {name:28s} {wall:7.3f} s  {n / wall:9.0f} docs/s  client CPU {cpu * 1e6 / n:6.1f} us/doc")
            ceiling = results["ceiling (libmongoc cursor)"]
            ours = results["aishell"]
            print(f"  aishell speed / ceiling: {ceiling[0] / ours[0]:.2f} (target >= 0.9); "
                  f"aishell CPU / ceiling CPU: {ours[1] / max(ceiling[1], 1e-9):.2f} "
                  f"(process start and planning included; target <= 1.5)")

        if "group" in parts:
            # --- aggregation pushdown ---
            group_sql = ("SELECT status, count(*), sum(qty) FROM m.%s.orders WHERE region = 'EU' GROUP BY status "
                         "ORDER BY status" % database)
            pushed = best(lambda: run_aishell_process(binary, ["query", "--format", "csv", group_sql], 2, home))
            engine = best(lambda: run_aishell_process(
                binary, ["query", "--format", "csv", "SET SESSION pushdown = false; " + group_sql], 2, home))
            if pushed[2] != engine[2]:
                problems.append(f"$group pushdown disagrees with the engine:\n{pushed[2]}\n{engine[2]}")
            print(f"GROUP BY status (region = 'EU'): $group pushed {pushed[0]:.3f} s, engine {engine[0]:.3f} s, "
                  f"speedup {engine[0] / pushed[0]:.2f}x")

        if "lookups" in parts:
            # --- $in lookups against a full scan: K keys, and 100 keys ---
            rnd = random.Random(7)
            ferretdb = bool(client.admin.command("buildInfo").get("ferretdbVersion"))
            scan_settings = "SET SESSION lookup_join = false; SET SESSION dynamic_filtering = false; "
            for count in sorted({keys, min(100, keys)}, reverse=True):
                key_file = os.path.join(work, f"keys{count}.csv")
                chosen = rnd.sample(range(n), count)
                with open(key_file, "w") as f:
                    f.write("id\n" + "\n".join(str(k) for k in chosen) + "\n")
                join_sql = (f"SELECT count(*), sum(o.qty) FROM read_csv('{key_file}') k JOIN %s.{database}.orders o "
                            f"ON o._id = CAST(k.id AS INTEGER)")
                default = best(lambda: run_aishell_process(binary, ["query", "--format", "csv", join_sql % "m"], 2, home))
                if ferretdb and count > 100:
                    # Each $in query reads the whole collection in Go and compares every document with
                    # every key: 10,000 keys take about ten scans. The default plan does not do it.
                    lookup = (float("nan"), 0.0, default[2])
                else:
                    lookup = best(lambda: run_aishell_process(binary, ["query", "--format", "csv", join_sql % "mx"], 2,
                                                              home))
                scan = best(lambda: run_aishell_process(
                    binary, ["query", "--format", "csv", scan_settings + join_sql % "m"], 2, home))
                expected = sum(d["qty"] for d in coll.find({"_id": {"$in": chosen}}, {"qty": 1}))
                for label, got in (("default plan", default), ("$in lookups", lookup), ("scan", scan)):
                    if got[0] != got[0]:
                        continue  # not run
                    if got[2] != scan[2] or str(expected) not in got[2]:
                        problems.append(f"{count} keys, {label}: {got[2]!r}, pymongo sum {expected}")
                forced = "not run on FerretDB past 100 keys" if lookup[0] != lookup[0] else f"{lookup[0]:.3f} s"
                print(f"join of {count} keys: default plan {default[0]:.3f} s, $in lookups {forced}, "
                      f"full scan + hash join {scan[0]:.3f} s; lookups / scan {lookup[0] / scan[0]:.2f}, "
                      f"default / scan {default[0] / scan[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        client.close()
    for p in problems:
        print("FAILED:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
