"""The result cache: `aishell cache enable --ttl 300 | disable | clear | status`, hits shown as
"cached, N s old", a key that ignores spacing and case but not the settings that change results,
--fresh-data, invalidation by a write through aishell (files, PostgreSQL) and by a new Iceberg
snapshot written elsewhere, the TTL, the size cap (LRU) and one cache per AISHELL_HOME.
Run: CI=true scripts/with-services.sh python3 -m pytest test/shell/test_result_cache.py
"""
import json
import os
import shutil
import time

import pytest

from aishell_cli import run_aishell

SQL = "SELECT region, sum(amount) AS total FROM lake.orders GROUP BY region ORDER BY region"


def ok(r):
    assert r.returncode == 0, r.stderr + r.stdout
    return r


@pytest.fixture
def home(tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "orders.csv").write_text("id,region,amount\n1,West,10.5\n2,East,20.25\n3,West,5\n")
    h = tmp_path / "home"
    ok(run_aishell(["connect", f"file://{lake}", "--name", "lake"], h))
    return h


def cached(r):
    return "cached, " in r.stderr and "(cached, " in r.stdout


def test_hit_shown_and_key_normalized(home):
    r = ok(run_aishell(["cache", "enable", "--ttl", "300"], home))
    assert "Result cache enabled: results are reused for 5m" in r.stdout
    first = ok(run_aishell(["query", SQL], home))
    assert not cached(first)
    again = ok(run_aishell(["query", "select  region, SUM(amount) as total\nfrom lake.orders group by region "
                                     "order by region ;"], home))
    assert cached(again), again.stderr
    assert again.stdout.split("Execution time")[0] == first.stdout.split("Execution time")[0]
    # A string literal keeps its case: another query.
    r = ok(run_aishell(["query", "SELECT count(*) FROM lake.orders WHERE region = 'west'"], home))
    r = ok(run_aishell(["query", "SELECT count(*) FROM lake.orders WHERE region = 'West'"], home))
    assert not cached(r) and "│        2 │" in r.stdout
    # A setting that changes results is part of the key.
    r = ok(run_aishell(["query", "SET SESSION on_source_failure = 'continue'; " + SQL], home))
    assert "cached, " not in r.stderr
    status = ok(run_aishell(["cache", "status"], home)).stdout
    assert "Result cache: enabled, ttl 5m" in status and "Entries: 4" in status
    # export last works from a cached result.
    ok(run_aishell(["query", SQL], home))
    assert ok(run_aishell(["export", "last", "--format", "csv"], home)).stdout == "region,total\nEast,20.25\nWest,15.5\n"


def test_fresh_data_and_writes_invalidate(home):
    ok(run_aishell(["cache", "enable"], home))
    ok(run_aishell(["query", SQL], home))
    r = ok(run_aishell(["query", SQL, "--fresh-data"], home))
    assert not cached(r)
    assert cached(ok(run_aishell(["query", SQL], home)))
    # A write through aishell to the source the query read.
    ok(run_aishell(["query", "CREATE TABLE lake.more AS SELECT 1 AS x"], home))
    assert not cached(ok(run_aishell(["query", SQL], home)))
    assert cached(ok(run_aishell(["query", SQL], home)))


def test_clear_disable_and_ttl(home):
    ok(run_aishell(["cache", "enable", "--ttl", "1s"], home))
    ok(run_aishell(["query", SQL], home))
    time.sleep(1.2)  # past the TTL (no speed is measured)
    assert not cached(ok(run_aishell(["query", SQL], home)))
    ok(run_aishell(["cache", "enable", "--ttl", "300"], home))
    ok(run_aishell(["query", SQL], home))
    assert "Cleared 1 cached result" in ok(run_aishell(["cache", "clear"], home)).stdout
    assert not cached(ok(run_aishell(["query", SQL], home)))
    assert "Result cache disabled" in ok(run_aishell(["cache", "disable"], home)).stdout
    ok(run_aishell(["query", SQL], home))
    assert not cached(ok(run_aishell(["query", SQL], home)))
    assert "Result cache: disabled" in ok(run_aishell(["cache", "status"], home)).stdout


def test_size_cap_evicts_least_recently_used(home):
    ok(run_aishell(["cache", "enable", "--max-size", "1KB"], home))
    queries = [f"SELECT id, region, amount + {i} AS a FROM lake.orders ORDER BY id" for i in range(12)]
    for q in queries:
        ok(run_aishell(["query", q], home))
        ok(run_aishell(["query", queries[0]], home))  # the first one stays in use
    assert cached(ok(run_aishell(["query", queries[0]], home)))
    assert not cached(ok(run_aishell(["query", queries[1]], home)))  # evicted long ago
    files = os.listdir(home / "cache" / "results")
    assert sum(os.path.getsize(home / "cache" / "results" / f) for f in files if f.endswith(".bin")) <= 1024


def test_results_never_cross_homes(home, tmp_path):
    ok(run_aishell(["cache", "enable"], home))
    ok(run_aishell(["query", SQL], home))
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(home / "connections.json", other / "connections.json")
    ok(run_aishell(["cache", "enable"], other))
    assert not cached(ok(run_aishell(["query", SQL], other)))
    assert oct(os.stat(home / "cache" / "results").st_mode & 0o777) == "0o700"


def test_iceberg_snapshot_change_invalidates(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    reader, writer = tmp_path / "reader", tmp_path / "writer"
    for h in (reader, writer):
        ok(run_aishell(["connect", f"file://{warehouse}", "--type", "iceberg", "--name", "ice"], h))
    ok(run_aishell(["query", "CREATE TABLE ice.demo.t AS SELECT 1 AS x"], writer))
    ok(run_aishell(["cache", "enable"], reader))
    q = "SELECT count(*) AS n FROM ice.demo.t"
    ok(run_aishell(["query", q], reader))
    assert cached(ok(run_aishell(["query", q], reader)))
    # Another AISHELL_HOME commits a snapshot: the reader's cache cannot know of the write, but
    # the snapshot id it compares changed.
    ok(run_aishell(["query", "INSERT INTO ice.demo.t SELECT 2"], writer))
    r = ok(run_aishell(["query", q, "--format", "json"], reader))
    assert "cached, " not in r.stderr and json.loads(r.stdout) == [{"n": 2}]


def test_bad_input(home):
    for args, message in ((["cache", "enable", "--ttl", "abc"], "--ttl: invalid value 'abc'"),
                          (["cache", "enable", "--ttl", "0"], "--ttl must be above 0"),
                          (["cache", "enable", "--max-size", "lots"], "--max-size 'lots'"),
                          (["cache", "clear", "--ttl", "5"], "--ttl and --max-size go with `cache enable`"),
                          (["cache", "statu"], "did you mean 'status'?"),
                          (["cache"], "cache needs one of enable, disable, clear, status"),
                          (["cache", "enable", "--tll", "5"], "did you mean --ttl?")):
        r = run_aishell(args, home)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)


def test_postgres_write_through_aishell_invalidates(world, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(world["home"] / "connections.json", home / "connections.json")
    ok(run_aishell(["cache", "enable"], home))
    tag = world["tag"]
    q = f"SELECT count(*) AS n FROM [users-db].{tag}_users"
    assert json.loads(ok(run_aishell(["query", q, "--format", "json"], home)).stdout) == [{"n": 40}]
    assert cached(ok(run_aishell(["query", q], home)))
    try:
        ok(run_aishell(["query", f"INSERT INTO [users-db].{tag}_users VALUES (41, 'x@example.com', 'X')"], home))
        r = ok(run_aishell(["query", q, "--format", "json"], home))
        assert "cached, " not in r.stderr and json.loads(r.stdout) == [{"n": 41}]
    finally:
        world["psql"](f"DELETE FROM public.{tag}_users WHERE id = 41")
