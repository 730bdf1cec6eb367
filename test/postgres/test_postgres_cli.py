"""PostgreSQL source through the aishell CLI, checked against psql on the same server.

Needs the server of scripts/services/postgres.sh (AISHELL_TEST_PG_URL, AISHELL_TEST_PG_BIN).
Without it the tests skip, except with CI=true, where they fail.
Run: python3 -m pytest test/postgres
"""
import csv
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aishell_cli import parse_json_rows, run_aishell  # noqa: E402

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
PASSWORD = PG_URL.split("://", 1)[-1].split("@", 1)[0].split(":", 1)[-1] if "@" in PG_URL else ""

if not PG_URL:
    if os.environ.get("CI") == "true":
        raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
    pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)", allow_module_level=True)


def psql_rows(sql):
    """Rows from psql as lists of strings ('' for NULL)."""
    psql = os.path.join(os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
    out = subprocess.run([psql, "-X", "-q", "-A", "-t", "-F", "\t", "-d", PG_URL, "-c", sql],
                         capture_output=True, text=True, timeout=60, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def norm(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    r = run_aishell(["connect", PG_URL, "--name", "pg"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    return h


def query(home, sql):
    r = run_aishell(["query", sql, "--format", "json"], home)
    assert r.returncode == 0, r.stderr + r.stdout
    return [[norm(v) for v in row] for row in parse_json_rows(r.stdout)]


def both(home, sql):
    """The rows with pushdown on and off (they must agree), sorted."""
    on = sorted(query(home, sql))
    off = sorted(query(home, "SET SESSION pushdown = false; " + sql))
    assert on == off, sql
    return on


@pytest.mark.parametrize("where", [
    "customer_id < 50 AND country = 'DE'",
    "name >= 'Customer 4' AND name < 'Customer 45'",
    "country IN ('FR', 'JP') AND customer_id BETWEEN 100 AND 160",
    "email LIKE 'customer2%' AND customer_id < 300",
    "email IS NULL",
    "email IS NULL OR customer_id <= 3",
    "signup_date >= DATE '2023-01-01' AND signup_date < DATE '2023-01-15'",
    "NOT is_active AND segment = 'consumer' AND customer_id < 100",
])
def test_filters_match_psql(home, where):
    ours = both(home, f"SELECT customer_id, name, country FROM pg.public.customers WHERE {where}")
    theirs = sorted(psql_rows(f"SELECT customer_id, name, country FROM public.customers WHERE {where}"))
    assert ours == theirs
    assert len(ours) > 0


def test_group_by_matches_psql(home):
    ours = both(home, "SELECT segment, count(*), count(DISTINCT country), sum(customer_id) "
                      "FROM pg.public.customers GROUP BY segment")
    theirs = sorted(psql_rows("SELECT segment, count(*), count(DISTINCT country), sum(customer_id) "
                              "FROM public.customers GROUP BY segment"))
    assert ours == theirs


AGG_QUERIES = [
    # (aishell SQL over pg.public, the same query for psql)
    ("SELECT country, count(*), count(email), count(DISTINCT segment), min(name), max(signup_date) "
     "FROM {t}customers GROUP BY country",
     "SELECT country, count(*), count(email), count(DISTINCT segment), min(name COLLATE \"C\"), "
     "max(signup_date) FROM {t}customers GROUP BY country"),
    ("SELECT segment, sum(lifetime_value), min(lifetime_value), max(lifetime_value), "
     "count(DISTINCT is_active) FROM {t}customers GROUP BY segment", None),
    ("SELECT is_active, count(*), avg(customer_id), sum(customer_id) FROM {t}customers GROUP BY is_active",
     None),
    ("SELECT s, count(*), count(id), min(id), max(id) FROM {t}tricky WHERE id NOT IN (5, 9) GROUP BY s",
     "SELECT s, count(*), count(id), min(id), max(id) FROM {t}tricky WHERE id NOT IN (5, 9) GROUP BY s"),
    ("SELECT count(*), count(email), sum(lifetime_value), avg(customer_id), min(signup_date), "
     "max(signup_date) FROM {t}customers WHERE customer_id < 0", None),
    ("SELECT segment, count(*) FROM {t}customers WHERE customer_id < 0 GROUP BY segment", None),
    ("SELECT k, count(*), sum(n), min(n), max(label) FROM {t}big_numbers WHERE k < 5 GROUP BY k",
     "SELECT k, count(*), sum(n), min(n), max(label COLLATE \"C\") FROM {t}big_numbers WHERE k < 5 "
     "GROUP BY k"),
]


@pytest.mark.parametrize("sql,psql_sql", AGG_QUERIES)
def test_aggregation_pushdown_matches_engine_and_psql(home, sql, psql_sql):
    ours = both(home, sql.format(t="pg.public."))
    if psql_sql:  # only where psql prints values the same way (no decimals, no avg)
        theirs = sorted(psql_rows(psql_sql.format(t="public.")))
        assert ours == theirs


def test_aggregation_pushdown_over_empty_table(home):
    psql_rows("DROP TABLE IF EXISTS public.aggpush_empty; "
              "CREATE TABLE public.aggpush_empty (g text, v integer, d numeric(10,2))")
    try:
        assert both(home, "SELECT g, count(*), sum(v), avg(d), min(g), max(v) "
                          "FROM pg.public.aggpush_empty GROUP BY g") == []
        assert both(home, "SELECT count(*), count(v), count(DISTINCT g), sum(v), avg(v), min(d), max(g) "
                          "FROM pg.public.aggpush_empty") == [["0", "0", "0", "", "", "", ""]]
    finally:
        psql_rows("DROP TABLE IF EXISTS public.aggpush_empty")


def test_explain_shows_pushed_group_by(home):
    sql = "SELECT segment, count(*), sum(customer_id) FROM pg.public.customers WHERE country = 'DE' GROUP BY segment"
    r = run_aishell(["explain", sql], home)
    assert r.returncode == 0, r.stderr
    # The remote SQL carries the GROUP BY; no Aggregate is left in the engine's plan.
    assert "COPY (SELECT" in r.stdout and "GROUP BY \"segment\"" in r.stdout and "count(*)" in r.stdout, r.stdout
    assert "Aggregate" not in r.stdout, r.stdout
    r = run_aishell(["query", "SET SESSION pushdown = false; EXPLAIN " + sql], home)
    assert r.returncode == 0, r.stderr
    assert "Aggregate" in r.stdout and "GROUP BY \"segment\"" not in r.stdout, r.stdout


def test_customer_360_join_with_local_csv(home, tmp_path):
    path = tmp_path / "transactions.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["txn_id", "customer_id", "amount"])
        for i in range(1, 2001):
            w.writerow([i, (i * 13) % 5200, i % 97])
    ours = both(home, f"SELECT c.country, count(*), sum(t.amount) FROM read_csv('{path}') t "
                      "JOIN pg.public.customers c ON c.customer_id = t.customer_id GROUP BY c.country")
    countries = {r[0]: r[1] for r in psql_rows("SELECT customer_id, country FROM public.customers")}
    expect = {}
    for i in range(1, 2001):
        cid = str((i * 13) % 5200)
        if cid in countries:
            n, s = expect.get(countries[cid], (0, 0))
            expect[countries[cid]] = (n + 1, s + i % 97)
    assert ours == sorted([k, str(n), str(s)] for k, (n, s) in expect.items())


def test_quotes_and_backslashes(home):
    assert both(home, "SELECT id FROM pg.public.tricky WHERE s = 'back\\slash'") == [["3"]]
    assert both(home, "SELECT id FROM pg.public.tricky WHERE s = '''; DROP TABLE tricky; --'") == [["6"]]
    assert query(home, "SELECT count(*) FROM pg.public.tricky") == [["10"]]


def test_explain_shows_remote_sql_and_no_password(home):
    r = run_aishell(["explain", "SELECT name FROM pg.public.customers WHERE country = 'US' LIMIT 5"], home)
    assert r.returncode == 0, r.stderr
    assert "COPY (SELECT" in r.stdout and "LIMIT 5" in r.stdout
    assert PASSWORD not in r.stdout
    r = run_aishell(["connections"], home)
    assert PASSWORD not in r.stdout and "***" in r.stdout


def test_wrong_password_and_missing_table(home, tmp_path):
    bad = PG_URL.replace(":" + PASSWORD + "@", ":not-the-password@")
    r = run_aishell(["connect", bad, "--name", "bad"], tmp_path / "h2")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "password authentication failed" in out
    assert "not-the-password" not in out
    r = run_aishell(["query", "SELECT * FROM pg.public.no_such_table"], home)
    assert r.returncode != 0
    assert "no_such_table" in r.stdout + r.stderr


def test_explain_analyze_cuts_long_dynamic_key_lists(home, tmp_path):
    """A hash join's 3000 build keys reach PostgreSQL as one IN list (the rows prove it), while
    EXPLAIN ANALYZE prints its first 20 keys and the count instead of all 3000."""
    keys = tmp_path / "keys.csv"
    keys.write_text("k\n" + "".join(f"{i * 7}\n" for i in range(1, 3001)))
    sql = (f"SELECT count(*), sum(b.k) FROM read_csv('{keys}') k "
           "JOIN pg.public.big_numbers b ON b.n = k.k")
    expected = psql_rows("SELECT count(*), sum(k) FROM public.big_numbers "
                         "WHERE n % 7 = 0 AND n <= 21000")
    assert query(home, "SET SESSION lookup_join = false; " + sql) == expected
    r = run_aishell(["query", "SET SESSION lookup_join = false; EXPLAIN ANALYZE " + sql], home)
    assert r.returncode == 0, r.stderr + r.stdout
    plan = r.stdout
    assert "dynamic filter pg.big_numbers.n IN 3000 key(s) accepted" in plan, plan
    assert '("n" IN (7, 14, 21, ' in plan and "140 /* ... 3000 keys in all */))" in plan, plan
    # Only the remote SQL of the scan line: its timing figures may contain any digits.
    scan_sql = plan.split("TableScan pg.public.big_numbers", 1)[1].split("\n")[0].split("]", 1)[0]
    assert "147" not in scan_sql, plan
    assert len(plan) < 4000, plan


def test_shell_session_keeps_connections_and_results_stay_right(home):
    """One shell session runs parallel scans (which leave their connections cached), a scan
    abandoned by a LIMIT (its connections are cancelled and closed, never cached), a failing
    statement, and the same scans again: every result equals psql's."""
    script = [
        ("SET SESSION pushdown = false", None),
        ("SELECT count(*), sum(n) FROM pg.public.big_numbers",
         "SELECT count(*), sum(n) FROM public.big_numbers"),
        ("SELECT count(*) FROM pg.public.customers WHERE country = 'DE'",
         "SELECT count(*) FROM public.customers WHERE country = 'DE'"),
        ("SELECT count(*) FROM (SELECT n FROM pg.public.big_numbers LIMIT 5) t", "SELECT 5"),
        ("SELECT * FROM pg.public.no_such_table", None),
        ("SELECT count(*), sum(n) FROM pg.public.big_numbers",
         "SELECT count(*), sum(n) FROM public.big_numbers"),
        ("SET SESSION pushdown = true", None),
        ("SELECT country, count(*) FROM pg.public.customers GROUP BY country ORDER BY country",
         "SELECT country, count(*) FROM public.customers GROUP BY country ORDER BY country"),
        ("SELECT count(*), max(n) FROM pg.public.big_numbers WHERE n % 3 = 0",
         "SELECT count(*), max(n) FROM public.big_numbers WHERE n % 3 = 0"),
    ]
    text = ".format csv\n.timer on\n" + "".join(sql + ";\n" for sql, _ in script)
    r = run_aishell([], home, stdin=text)
    assert r.returncode == 1, r.stderr  # the missing table
    assert "no_such_table" in r.stderr and PASSWORD not in r.stdout + r.stderr
    # The results, one per statement, each ended by its Run Time line.
    blocks, current = [], []
    for line in r.stdout.splitlines():
        if line.startswith("Run Time (s): "):
            blocks.append(current)
            current = []
        else:
            current.append(line)
    assert len(blocks) == len(script), r.stdout
    for (sql, psql_sql), block in zip(script, blocks):
        if psql_sql is None:
            continue
        got = [row for row in csv.reader(block)][1:]
        assert got == psql_rows(psql_sql), sql


def test_parallel_scan_keeps_the_tables_order(home):
    """A table read as parallel ctid ranges comes out in ctid order, like one sequential read,
    with the filter pushed or not; a LIMIT takes the table's first rows."""
    plan = run_aishell(["--threads", "2", "query", "EXPLAIN ANALYZE SELECT n FROM pg.public.big_numbers"],
                       home).stdout
    assert "Exchange (2 workers, scan order)" in plan and "splits=5" in plan, plan
    expected = [r[0] for r in psql_rows("SELECT n FROM public.big_numbers ORDER BY ctid")]
    assert [r[0] for r in query(home, "SELECT n FROM pg.public.big_numbers")] == expected
    expected = [r[0] for r in psql_rows(
        "SELECT n FROM public.big_numbers WHERE n % 11 = 0 ORDER BY ctid")]
    for pre in ("", "SET SESSION pushdown = false; "):
        got = query(home, pre + "SELECT n FROM pg.public.big_numbers WHERE n % 11 = 0")
        assert [r[0] for r in got] == expected, pre
    first = [r[0] for r in psql_rows(
        "SELECT n FROM public.big_numbers WHERE n % 11 = 0 ORDER BY ctid LIMIT 7")]
    got = query(home, "SET SESSION pushdown = false; "
                "SELECT n FROM pg.public.big_numbers WHERE n % 11 = 0 LIMIT 7")
    assert [r[0] for r in got] == first


def test_drop_table(home):
    """DROP TABLE removes the table on the server; IF EXISTS is quiet about a missing one; a view is
    refused with PostgreSQL's own hint."""
    psql_rows("DROP TABLE IF EXISTS public.drop_me; DROP VIEW IF EXISTS public.drop_view; "
              "CREATE TABLE public.drop_me (x int); CREATE VIEW public.drop_view AS SELECT 1 AS x")
    try:
        assert query(home, "SELECT count(*) FROM pg.public.drop_me") == [["0"]]
        r = run_aishell(["query", "DROP TABLE pg.public.drop_me"], home)
        assert r.returncode == 0, r.stderr
        assert psql_rows("SELECT count(*) FROM pg_tables WHERE tablename = 'drop_me'") == [["0"]]
        r = run_aishell(["query", "SELECT * FROM pg.public.drop_me"], home)
        assert r.returncode != 0 and "drop_me" in r.stderr
        r = run_aishell(["query", "DROP TABLE pg.public.drop_me"], home)
        assert r.returncode != 0 and "drop_me" in r.stderr and "not found" in r.stderr.lower(), r.stderr
        r = run_aishell(["query", "DROP TABLE IF EXISTS pg.public.drop_me"], home)
        assert r.returncode == 0, r.stderr
        r = run_aishell(["query", "DROP TABLE pg.public.drop_view"], home)
        assert r.returncode != 0 and "drop_view" in r.stderr and "DROP VIEW" in r.stderr, r.stderr
        assert psql_rows("SELECT count(*) FROM pg_views WHERE viewname = 'drop_view'") == [["1"]]
    finally:
        psql_rows("DROP TABLE IF EXISTS public.drop_me; DROP VIEW IF EXISTS public.drop_view")
