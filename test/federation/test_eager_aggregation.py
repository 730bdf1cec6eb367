"""Eager aggregation below a cross-source join (planner/optimizer/eager_aggregation.cpp), against
a real PostgreSQL and a CSV folder.

Each query runs with federation.eager_aggregation on and off (equal results), and against SQLite
over the same rows (the CSV, and the PostgreSQL table as psql prints it) as the oracle. EXPLAIN
shows the partial aggregate reaching PostgreSQL as a GROUP BY.
"""
import os
import random
import sqlite3
import subprocess

import pytest

from aishell_cli import parse_json_rows, run_aishell

pytestmark = pytest.mark.connector("postgres")

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
if not PG_URL:
    if os.environ.get("CI") == "true":
        raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
    pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)", allow_module_level=True)

# Hash joins: a lookup join would be preferred to pre-aggregation (see the last test).
SESSION = "SET SESSION lookup_join = false; "


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("eager")
    data = base / "data"
    data.mkdir()
    rnd = random.Random(7)
    orders = []
    for i in range(1, 4001):
        cid = rnd.randint(1, 5200) if i % 50 else None  # some keys miss, some are NULL
        qty = rnd.randint(1, 9) if i % 13 else None
        orders.append((i, cid, qty, rnd.choice(["new", "paid", "shipped"])))
    with open(data / "orders.csv", "w") as f:
        f.write("order_id,customer_id,qty,status\n")
        for o in orders:
            f.write(",".join("" if v is None else str(v) for v in o) + "\n")
    (data / "segments.csv").write_text(
        "segment,label\nenterprise,large\nsmb,small\nconsumer,small\nconsumer,retail\n")
    home = base / "home"
    for args in (["connect", PG_URL, "--name", "pg"], ["connect", str(data), "--name", "f"]):
        r = run_aishell(args, home)
        assert r.returncode == 0, r.stderr
    psql = os.path.join(os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
    out = subprocess.run([psql, "-X", "-q", "-A", "-t", "-F", "\t", "-d", PG_URL, "-c",
                          "SELECT customer_id, name, country, segment, is_active FROM public.customers"],
                         capture_output=True, text=True, check=True).stdout
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (order_id INTEGER, customer_id INTEGER, qty INTEGER, status TEXT)")
    db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", orders)
    db.execute("CREATE TABLE segments (segment TEXT, label TEXT)")
    db.executemany("INSERT INTO segments VALUES (?, ?)", [("enterprise", "large"), ("smb", "small"),
                                                         ("consumer", "small"), ("consumer", "retail")])
    db.execute("CREATE TABLE customers (customer_id INTEGER, name TEXT, country TEXT, segment TEXT, is_active INTEGER)")
    rows = [line.split("\t") for line in out.splitlines() if line]
    db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
                   [(int(r[0]), r[1], r[2], r[3], 1 if r[4] == "t" else 0) for r in rows])
    return home, db


CASES = [
    # calls over the CSV, grouped by a PostgreSQL column: the CSV is pre-aggregated by customer_id
    ("SELECT c.country, sum(o.qty), count(*), count(o.qty), min(o.order_id), max(o.status) "
     "FROM f.orders o JOIN pg.public.customers c ON c.customer_id = o.customer_id "
     "GROUP BY c.country ORDER BY 1", "f"),
    # calls over PostgreSQL, grouped by a CSV column, on a key that repeats in PostgreSQL:
    # PostgreSQL gets the GROUP BY (its primary key, customer_id, would not be pre-aggregated)
    ("SELECT s.label, sum(c.customer_id), count(c.name), min(c.name), max(c.country), count(*) "
     "FROM f.segments s JOIN pg.public.customers c ON c.segment = s.segment "
     "GROUP BY s.label ORDER BY 1", "pg"),
    # groups from both inputs, a filter on each, HAVING
    ("SELECT c.segment, o.status, sum(o.qty) AS q, count(*) AS n "
     "FROM f.orders o JOIN pg.public.customers c ON c.customer_id = o.customer_id "
     "WHERE o.qty > 2 AND c.country <> 'DE' GROUP BY c.segment, o.status HAVING count(*) > 10 "
     "ORDER BY 1, 2", "f"),
    # a group on the aggregated input's own column, besides its key
    ("SELECT c.country, o.status, max(o.qty), count(*) FROM f.orders o "
     "JOIN pg.public.customers c ON c.customer_id = o.customer_id GROUP BY c.country, o.status "
     "ORDER BY 1, 2", "f"),
]


def aishell_rows(home, sql):
    r = run_aishell(["query", sql, "--format", "json"], home)
    assert r.returncode == 0, r.stderr
    return parse_json_rows(r.stdout)


def explain(home, sql):
    r = run_aishell(["query", SESSION + "EXPLAIN " + sql], home)
    assert r.returncode == 0, r.stderr
    return r.stdout


def oracle(db, sql):
    lite = sql.replace("f.orders", "orders").replace("f.segments", "segments").replace("pg.public.customers", "customers")
    return [list(r) for r in db.execute(lite).fetchall()]


@pytest.mark.parametrize("sql,aggregated", CASES)
def test_equal_with_eager_aggregation_on_off_and_sqlite(env, sql, aggregated):
    home, db = env
    on = aishell_rows(home, SESSION + sql)
    off = aishell_rows(home, SESSION + "SET SESSION eager_aggregation = false; " + sql)
    assert on == off
    assert on == oracle(db, sql)
    assert len(on) > 1
    plan = explain(home, sql)
    if aggregated == "pg":  # the partial aggregate runs in PostgreSQL, the final one here
        remote = next(line for line in plan.splitlines() if "Scan pg.public.customers" in line)
        assert "GROUP BY \"segment\"" in remote, remote
        assert plan.count("Aggregate") == 1, plan
    else:  # the partial aggregate over the CSV and the final one, both here
        assert plan.count("Aggregate") == 2, plan


@pytest.mark.parametrize("sql", [
    # not decomposable
    "SELECT c.country, count(DISTINCT o.status) FROM f.orders o JOIN pg.public.customers c "
    "ON c.customer_id = o.customer_id GROUP BY 1 ORDER BY 1",
    # a global aggregate: count over no joined rows must stay 0
    "SELECT count(*), sum(o.qty) FROM f.orders o JOIN pg.public.customers c "
    "ON c.customer_id = o.customer_id WHERE c.customer_id < 0",
    # calls over both inputs
    "SELECT o.status, sum(o.qty + c.customer_id) FROM f.orders o JOIN pg.public.customers c "
    "ON c.customer_id = o.customer_id GROUP BY 1 ORDER BY 1",
    # an outer join
    "SELECT c.country, sum(o.qty) FROM pg.public.customers c LEFT JOIN f.orders o "
    "ON c.customer_id = o.customer_id GROUP BY 1 ORDER BY 1",
])
def test_not_applied_where_it_would_change_the_answer(env, sql):
    home, db = env
    plan = explain(home, sql)
    assert plan.count("Aggregate") == 1, plan
    assert aishell_rows(home, SESSION + sql) == oracle(db, sql)


def test_lookup_join_wins_over_pre_aggregation(env):
    """A small driving side and a source that reads by key: the lookup join stays."""
    home, db = env
    sql = ("SELECT o.status, sum(c.customer_id), count(*) FROM "
           "(SELECT * FROM f.orders WHERE order_id <= 20) o "
           "JOIN pg.public.customers c ON c.customer_id = o.customer_id GROUP BY 1 ORDER BY 1")
    plan = run_aishell(["explain", "--format", "text", sql], home).stdout
    assert "LookupJoin" in plan and plan.count("Aggregate") == 1, plan
    assert aishell_rows(home, sql) == oracle(db, sql)


def test_pre_aggregation_wins_when_the_keys_cover_the_source(env):
    """Four segment keys against PostgreSQL's three distinct segments: a lookup join would read
    every customer, so the partial aggregate goes to PostgreSQL instead (statistics decide)."""
    home, db = env
    sql = ("SELECT s.label, count(*), min(c.name) FROM f.segments s "
           "JOIN pg.public.customers c ON c.segment = s.segment GROUP BY 1 ORDER BY 1")
    plan = run_aishell(["explain", "--format", "text", sql], home).stdout
    remote = next(line for line in plan.splitlines() if "Scan pg.public.customers" in line)
    assert "GROUP BY" in remote and "LookupJoin" not in plan, plan
    assert aishell_rows(home, sql) == oracle(db, sql)
