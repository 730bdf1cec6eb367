"""federation.parallel: a hash join reads its build side on a thread of its own while its probe
side builds, so the build sides of a chain of joins over different sources are fetched at the
same time. Results must not depend on it: every query here runs with it on and off, with lookup
joins on and off, against a real PostgreSQL (two connections, so nothing is pushed down as one
remote join) and a CSV folder. The speed-up is measured in bench/bench_parallel_fetch.py.
"""
import os

import pytest

from aishell_cli import parse_json_rows, run_aishell

pytestmark = pytest.mark.connector("postgres")

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
if not PG_URL:
    if os.environ.get("CI") == "true":
        raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
    pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)", allow_module_level=True)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    base = tmp_path_factory.mktemp("parallel")
    data = base / "data"
    data.mkdir()
    lines = ["order_id,customer_id,country"]
    for i in range(1, 3001):
        lines.append(f"{i},{(i * 7) % 5200},{['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'XX'][i % 7]}")
    (data / "orders.csv").write_text("\n".join(lines) + "\n")
    h = base / "home"
    for args in (["connect", PG_URL, "--name", "pg"], ["connect", PG_URL, "--name", "pg2"],
                 ["connect", str(data), "--name", "f"]):
        r = run_aishell(args, h)
        assert r.returncode == 0, r.stderr
    return h


QUERIES = [
    # two hash joins: customers (pg) and customers again through the second connection (pg2)
    "SELECT o.country, count(*), count(c.name), count(c2.email), sum(c.customer_id) "
    "FROM f.orders o JOIN pg.public.customers c ON o.customer_id = c.customer_id "
    "LEFT JOIN pg2.public.customers c2 ON c2.customer_id = o.customer_id + 1 "
    "GROUP BY o.country ORDER BY 1",
    # the probe side is an aggregation, the build side a remote table
    "SELECT t.country, t.n, c.segment FROM (SELECT country, count(*) AS n, min(customer_id) AS m "
    "FROM f.orders GROUP BY country) t LEFT JOIN pg.public.customers c ON c.customer_id = t.m "
    "ORDER BY 1",
    # a chain of three joins over three connections
    "SELECT count(*), sum(c.customer_id), count(DISTINCT c2.country) FROM f.orders o "
    "JOIN pg.public.customers c ON o.customer_id = c.customer_id "
    "JOIN pg2.public.customers c2 ON c2.customer_id = c.customer_id "
    "JOIN (SELECT country, count(*) AS k FROM f.orders GROUP BY country) g ON g.country = o.country",
]


def rows(home, sql):
    r = run_aishell(["query", sql, "--format", "json"], home)
    assert r.returncode == 0, r.stderr
    return parse_json_rows(r.stdout)


@pytest.mark.parametrize("sql", QUERIES)
def test_same_rows_with_parallel_fetch_on_and_off(home, sql):
    results = []
    for parallel in ("true", "false"):
        for lookup in ("true", "false"):
            results.append(rows(home, f"SET SESSION parallel = {parallel}; "
                                      f"SET SESSION lookup_join = {lookup}; {sql}"))
    assert results[0], sql
    assert all(r == results[0] for r in results), sql


def test_setting_is_registered(home):
    r = run_aishell(["config", "set", "federation.parallel", "false"], home)
    assert r.returncode == 0, r.stderr
    r = run_aishell(["config", "list"], home)
    assert "federation.parallel" in r.stdout
    r = run_aishell(["config", "set", "federation.parallel", "sometimes"], home)
    assert r.returncode != 0
    run_aishell(["config", "unset", "federation.parallel"], home)


def test_explain_analyze_shows_the_concurrent_build(home):
    sql = "SET SESSION lookup_join = false; EXPLAIN ANALYZE " + QUERIES[0]
    on = run_aishell(["query", sql], home)
    assert on.returncode == 0, on.stderr
    assert "build=concurrent" in on.stdout, on.stdout
    off = run_aishell(["query", "SET SESSION parallel = false; " + sql], home)
    assert off.returncode == 0, off.stderr
    assert "HashJoin" in off.stdout and "build=concurrent" not in off.stdout
