"""Differential tests: the same queries through aishell (pushdown on and off) and through DuckDB's
postgres extension attached to the same PostgreSQL database (scripts/services/postgres.sh).

Needs AISHELL_TEST_PG_URL and pip duckdb + duckdb-extension-postgres (scripts/install-deps.sh test).
Without the server the tests skip, except with CI=true, where they fail.
Run: python3 -m pytest test/postgres/test_postgres_duckdb.py
"""
import datetime
import decimal
import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "util"))
from aishell_cli import parse_json_rows, run_aishell  # noqa: E402

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
if not PG_URL:
    if os.environ.get("CI") == "true":
        raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
    pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)", allow_module_level=True)

import duckdb_ext  # noqa: E402
from duckdb_ext import libpq_dsn  # noqa: E402


@pytest.fixture(scope="module")
def duck():
    con = duckdb_ext.connect_or_skip("postgres")
    con.execute(f"ATTACH '{libpq_dsn(PG_URL)}' AS pg (TYPE postgres, READ_ONLY)")
    yield con
    con.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    h = tmp_path_factory.mktemp("pgduck") / "home"
    r = run_aishell(["connect", PG_URL, "--name", "pg"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    return h


NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def norm(v):
    """One textual form for both engines: numbers at 12 significant digits (aishell's JSON may
    hold decimals as numbers or text), timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, decimal.Decimal)):
        return f"{float(v):.12g}"
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
    if isinstance(v, datetime.date):
        return v.isoformat()
    s = str(v)
    if NUMBER.match(s):
        return f"{float(s):.12g}"
    if len(s) >= 19 and s[4] == "-" and s[10] in " T" and s[13] == ":":
        s = s.replace("T", " ", 1)
        if "." in s:
            s = s.rstrip("0").rstrip(".")
    return s


def aishell_rows(home, sql, pushdown=True):
    prefix = "" if pushdown else "SET SESSION pushdown = false; "
    r = run_aishell(["query", prefix + sql, "--format", "json"], home)
    assert r.returncode == 0, r.stderr + r.stdout
    return sorted(tuple(norm(v) for v in row) for row in parse_json_rows(r.stdout))


def duck_rows(duck, sql):
    return sorted(tuple(norm(v) for v in row) for row in duck.execute(sql).fetchall())


ORDERS = 'pg."Sales"."Orders"'
QUERIES = [
    # filters of every pushable kind
    "SELECT customer_id, name, country FROM pg.public.customers WHERE customer_id < 50 AND country = 'DE'",
    "SELECT customer_id FROM pg.public.customers WHERE name >= 'Customer 4' AND name < 'Customer 45'",
    "SELECT customer_id FROM pg.public.customers WHERE country IN ('FR', 'JP') AND customer_id BETWEEN 100 AND 160",
    "SELECT customer_id FROM pg.public.customers WHERE email LIKE 'customer2%' AND customer_id < 300",
    "SELECT customer_id FROM pg.public.customers WHERE email IS NULL",
    "SELECT customer_id FROM pg.public.customers WHERE email IS NULL OR customer_id <= 3",
    "SELECT customer_id, signup_date FROM pg.public.customers WHERE signup_date >= DATE '2023-01-01' "
    "AND signup_date < DATE '2023-01-15'",
    "SELECT customer_id, lifetime_value FROM pg.public.customers WHERE lifetime_value > 14000",
    "SELECT customer_id FROM pg.public.customers WHERE NOT is_active AND segment = 'consumer' AND customer_id < 100",
    "SELECT id, s FROM pg.public.tricky WHERE s IN ('it''s', 'back\\slash', '''; DROP TABLE tricky; --')",
    "SELECT id FROM pg.public.tricky WHERE s LIKE '%''%'",
    # order + limit
    "SELECT customer_id, name FROM pg.public.customers ORDER BY name DESC LIMIT 7",
    # aggregation
    "SELECT country, count(*), count(DISTINCT segment), sum(lifetime_value), min(signup_date), "
    "max(name) FROM pg.public.customers GROUP BY country",
    "SELECT segment, avg(customer_id), sum(customer_id) FROM pg.public.customers WHERE is_active GROUP BY segment",
    # joins inside the one catalog
    f"SELECT c.customer_id, o.order_id, o.amount FROM pg.public.customers c JOIN {ORDERS} o "
    "ON c.customer_id = o.customer_id WHERE c.country = 'DE' AND o.amount > 200 AND c.customer_id < 1000",
    f"SELECT c.customer_id, o.order_id FROM pg.public.customers c LEFT JOIN {ORDERS} o "
    "ON c.customer_id = o.customer_id AND o.amount > 240 WHERE c.customer_id < 80",
    f"SELECT c.customer_id FROM pg.public.customers c LEFT JOIN {ORDERS} o "
    "ON c.customer_id = o.customer_id AND o.amount > 249 WHERE o.order_id IS NULL AND c.customer_id < 100",
    f"SELECT c.country, count(*), sum(o.amount), max(o.ordered_at) FROM pg.public.customers c "
    f"JOIN {ORDERS} o ON c.customer_id = o.customer_id GROUP BY c.country",
    f"SELECT c.segment, t.s, count(*) FROM pg.public.customers c JOIN {ORDERS} o ON c.customer_id = o.customer_id "
    "JOIN pg.public.tricky t ON t.id = c.customer_id GROUP BY c.segment, t.s",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_same_rows_as_duckdb(home, duck, sql):
    theirs = duck_rows(duck, sql)
    ours = aishell_rows(home, sql)
    assert ours == theirs, sql
    assert aishell_rows(home, sql, pushdown=False) == theirs, sql
    assert len(ours) > 0, sql


def test_join_is_one_remote_query(home):
    sql = (f"SELECT c.country, count(*) FROM pg.public.customers c JOIN {ORDERS} o "
           "ON c.customer_id = o.customer_id WHERE o.amount > 100 GROUP BY c.country")
    r = run_aishell(["explain", "--format", "text", sql], home)
    assert r.returncode == 0, r.stderr + r.stdout
    plan = r.stdout
    assert plan.count("COPY (") == 1, plan
    assert " JOIN " in plan and "GROUP BY" in plan, plan
    assert "aishell-test-pw" not in plan


# The COPY data is read off the socket by aishell's own reader; AISHELL_PG_COPY_VIA_LIBPQ=1 (and
# any TLS connection) reads it through libpq's PQgetCopyData instead. Both give DuckDB's rows, on
# a parallel scan (several ranges, two COPY streams per thread) and on a single query.
@pytest.mark.parametrize("via_libpq", ["0", "1"])
@pytest.mark.parametrize("sql", [
    "SELECT k, count(*), sum(n), min(label), max(label) FROM pg.public.big_numbers GROUP BY k",
    "SELECT count(*), sum(n), max(label) FROM pg.public.big_numbers WHERE k IN (3, 7) OR n < 10",
    "SELECT * FROM pg.public.customers",
    f"SELECT * FROM {ORDERS} WHERE amount > 100",
])
def test_both_copy_readers_give_duckdbs_rows(home, duck, sql, via_libpq, monkeypatch):
    monkeypatch.setenv("AISHELL_PG_COPY_VIA_LIBPQ", via_libpq)
    theirs = duck_rows(duck, sql)
    assert aishell_rows(home, sql, pushdown=False) == theirs, sql
    assert aishell_rows(home, sql) == theirs, sql
