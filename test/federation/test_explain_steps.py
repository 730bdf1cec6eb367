"""`aishell explain` in seed 002's step layout (src/planner/plan_steps.cpp) against the live Redis
and PostgreSQL: numbered steps per source with the exact remote request, estimated rows, the
join strategy ("batch fetch"), the order and why ("Start with smallest dataset"), the
optimizations and the estimated time; `--format json` and `--format text`; `--analyze` and
`query --stats` with actual rows next to the estimates, checked against the counts of the data
the test writes, and misestimates over 10x flagged. Redis databases 40-43."""
import json
import os
import subprocess
import urllib.parse

import pytest

from aishell_cli import parse_json_rows, run_aishell

REDIS_URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")
PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
PG_BIN = os.environ.get("AISHELL_TEST_PG_BIN", "")
# One schema and Redis database per pytest-xdist worker (module fixtures run once per worker).
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % 4
SCHEMA = f"explain_steps_{WORKER}"
REDIS_DB = str(40 + WORKER)
USERS = 5000
ORDERS = 12000
SESSIONS = 300


def need(url, what):
    if url:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is unset in CI")
    pytest.skip(f"{what} is unset (scripts/services/*.sh start)")


def psql(sql):
    exe = os.path.join(PG_BIN, "psql") if PG_BIN else "psql"
    r = subprocess.run([exe, PG_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr


def session_user(n):
    return n * 37 % USERS + 1


def order_user(g):
    return 1 + (g * 7) % USERS


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    need(REDIS_URL, "AISHELL_TEST_REDIS_URL")
    need(PG_URL, "AISHELL_TEST_PG_URL")
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; "
         f"CREATE TABLE {SCHEMA}.users(id int PRIMARY KEY, email text, region text); "
         f"INSERT INTO {SCHEMA}.users SELECT g, 'u' || g || '@example.com', "
         f"(ARRAY['west','east','south'])[1 + g % 3] FROM generate_series(1, {USERS}) g; "
         f"CREATE TABLE {SCHEMA}.orders(id int, user_id int, total numeric(10,2)); "
         f"INSERT INTO {SCHEMA}.orders SELECT g, 1 + (g * 7) % {USERS}, (g % 100) + 0.5 "
         f"FROM generate_series(1, {ORDERS}) g; ANALYZE {SCHEMA}.users; ANALYZE {SCHEMA}.orders;")
    parsed = urllib.parse.urlparse(REDIS_URL)
    env = dict(os.environ, REDISCLI_AUTH=urllib.parse.unquote(parsed.password or ""))
    cli = ["redis-cli", "--no-auth-warning", "-h", parsed.hostname, "-p", str(parsed.port), "-n", REDIS_DB]
    subprocess.run(cli + ["FLUSHDB"], env=env, check=True, capture_output=True, timeout=60)

    def resp(args):
        return f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    pipe = "".join(resp(["HSET", f"session:s{n}", "page", f"/p{n % 3}", "user_id", str(session_user(n))])
                   for n in range(SESSIONS))
    subprocess.run(cli + ["--pipe"], input=pipe, env=env, check=True, capture_output=True, text=True, timeout=60)
    h = tmp_path_factory.mktemp("explain_steps")
    ok(run_aishell(["connect", PG_URL, "--name", "users-db"], h))
    ok(run_aishell(["connect", REDIS_URL.rsplit("/", 1)[0] + "/" + REDIS_DB, "--name", "sessions-db",
                    "--property", "table.sessions=session:{session_id}"], h))
    yield h
    subprocess.run(cli + ["FLUSHDB"], env=env, capture_output=True, timeout=60)
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def ok(r):
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


THREE_WAY = (f'SELECT u.region, count(*), sum(o.total) FROM "sessions-db".default.sessions s '
             f'JOIN "users-db".{SCHEMA}.users u ON u.id = s.user_id '
             f'JOIN "users-db".{SCHEMA}.orders o ON o.user_id = u.id GROUP BY u.region ORDER BY 1')


def truth():
    users = {session_user(n) for n in range(SESSIONS)}
    orders = sum(1 for g in range(1, ORDERS + 1) if order_user(g) in users)
    return users, orders


def test_explain_shows_seed_002_steps(home):
    plan = ok(run_aishell(["explain", THREE_WAY], home)).stdout
    assert "Strategy: Start with smallest dataset (sessions, est. 300 rows)" in plan, plan
    assert "Step 1: Query Redis (sessions-db.default.sessions)" in plan, plan
    assert "SCAN 0 MATCH session:*" in plan, plan
    assert f"Step 2: Fetch users from PostgreSQL (users-db.{SCHEMA}.users)" in plan, plan
    # The exact request one batch sends, and the strategy.
    assert f'FROM "{SCHEMA}"."users" WHERE ("id" IN ($keys))' in plan, plan
    assert "batch fetch, 10,000 keys per query" in plan, plan
    assert f"Step 3: Fetch orders from PostgreSQL (users-db.{SCHEMA}.orders)" in plan, plan
    assert "Step 4: Aggregate in the engine" in plan, plan
    assert "Optimizations:" in plan and "Batch fetch of users-db." in plan, plan
    assert "Estimated time: " in plan, plan
    # The operator tree follows; --format text is the tree alone (as SQL EXPLAIN).
    assert "Operator tree:" in plan and "LookupJoin" in plan, plan
    text = ok(run_aishell(["explain", "--format", "text", THREE_WAY], home)).stdout
    assert "Execution Plan" not in text and "LookupJoin" in text, text


def test_explain_json(home):
    doc = json.loads(ok(run_aishell(["explain", "--format", "json", THREE_WAY], home)).stdout)
    kinds = [(s["kind"], s["source_type"], s["table"]) for s in doc["steps"]]
    assert kinds[:3] == [("scan", "redis", "sessions"), ("lookup", "postgres", "users"),
                         ("lookup", "postgres", "orders")], kinds
    assert doc["strategy"].startswith("Start with smallest dataset"), doc["strategy"]
    assert all(s["estimated_seconds"] is not None for s in doc["steps"])
    assert doc["estimated_seconds"] > 0 and doc["optimizations"] and "LookupJoin" in doc["plan"]
    assert "actual" not in doc["steps"][0]


def test_explain_analyze_actuals_match_the_data(home):
    users, orders = truth()
    doc = json.loads(ok(run_aishell(["explain", "--analyze", "--format", "json", THREE_WAY], home)).stdout)
    steps = {s["table"]: s for s in doc["steps"] if s["kind"] in ("scan", "lookup")}
    assert steps["sessions"]["actual"]["rows"] == SESSIONS
    assert steps["users"]["actual"]["rows"] == len(users)
    assert steps["orders"]["actual"]["rows"] == orders
    # One lookup batch per 10,000 keys; bytes counted by the PostgreSQL reader.
    assert steps["users"]["actual"]["round_trips"] == 1 and steps["users"]["actual"]["bytes"] > 0
    # The cardinality model: each source step within 10x of what it read (no flag).
    for name, s in steps.items():
        est, act = s["estimated_rows"], s["actual"]["rows"]
        assert act / 10 <= est <= act * 10, (name, est, act)
        assert s["misestimate"] is None, s
    text = ok(run_aishell(["explain", "--analyze", THREE_WAY], home)).stdout
    assert f"✓ actual {orders:,} rows" in text, text
    assert "round trip" in text and "actual" in text.split("Step 1:")[1].splitlines()[0], text


def test_misestimate_over_10x_is_flagged(home, tmp_path):
    csv = tmp_path / "k.csv"
    csv.write_text("k\n" + "".join(f"{i}\n" for i in range(1, 4001)))
    sql = f"SELECT count(*) FROM read_csv('{csv}') WHERE k <= 20"
    doc = json.loads(ok(run_aishell(["explain", "--analyze", "--format", "json", sql], home)).stdout)
    step = doc["steps"][0]
    assert step["actual"]["rows"] == 20, step
    assert step["misestimate"] and "rows than estimated" in step["misestimate"], step
    text = ok(run_aishell(["explain", "--analyze", sql], home)).stdout
    assert "⚠️ misestimate:" in text, text


def test_query_stats_on_stderr(home):
    users, orders = truth()
    r = ok(run_aishell(["query", "--stats", "--format", "json", THREE_WAY], home))
    rows = parse_json_rows(r.stdout)
    assert sum(int(row[1]) for row in rows) == orders
    assert "Step 1: Query Redis" in r.stderr and f"✓ actual {SESSIONS} rows" in r.stderr, r.stderr
    assert "Execution Plan" not in r.stdout


def test_source_throughput_setting(home):
    bad = run_aishell(["config", "set", "federation.source_throughput", "redis=fast"], home)
    assert bad.returncode != 0 and "redis=fast" in bad.stderr, bad.stderr
    ok(run_aishell(["config", "set", "federation.source_throughput", "redis=1000/1s/100"], home))
    try:
        doc = json.loads(ok(run_aishell(["explain", "--format", "json", THREE_WAY], home)).stdout)
        first = doc["steps"][0]
        # 300 rows at 100 per round trip: 4 round trips of 1 s, plus 300 / 1000 rows per second.
        assert first["estimated_round_trips"] == 4 and abs(first["estimated_seconds"] - 4.3) < 1e-6, first
    finally:
        ok(run_aishell(["config", "unset", "federation.source_throughput"], home))


def test_index_advice_after_explain_analyze(home):
    """A lookup key without an index on PostgreSQL (orders.user_id) gets its CREATE INDEX; the
    primary key (users.id) gets none; the statement is never run."""
    sql = (f'SELECT count(*), sum(o.total) FROM "sessions-db".default.sessions s '
           f'JOIN "users-db".{SCHEMA}.orders o ON o.user_id = s.user_id')
    plan = ok(run_aishell(["explain", "--analyze", sql], home)).stdout
    want = f'CREATE INDEX "idx_orders_user_id" ON "{SCHEMA}"."orders" ("user_id");'
    assert "💡 Add these indexes for better performance (not run):" in plan and want in plan, plan
    assert plan.index("💡") < plan.index("Operator tree:"), plan
    # Without --analyze there is no advice; by primary key there is none either.
    assert "💡" not in ok(run_aishell(["explain", sql], home)).stdout
    by_pk = (f'SELECT count(*) FROM "sessions-db".default.sessions s '
             f'JOIN "users-db".{SCHEMA}.users u ON u.id = s.user_id')
    assert "💡" not in ok(run_aishell(["explain", "--analyze", by_pk], home)).stdout
    exe = os.path.join(PG_BIN, "psql") if PG_BIN else "psql"
    n = subprocess.run([exe, PG_URL, "-At", "-c", f"SELECT count(*) FROM pg_indexes WHERE schemaname = '{SCHEMA}' "
                        "AND tablename = 'orders'"], capture_output=True, text=True, timeout=60)
    assert n.stdout.strip() == "0", n.stdout + n.stderr


def test_type_mappings_override_a_column_type(home, tmp_path):
    """federation.type_mappings reads PostgreSQL's integer users.id as varchar in every query: a
    join with text keys then compares text ('00042' no longer equals 42) and needs no conversion
    notice; without it, the int-vs-varchar key gets the notice and the text side is converted."""
    refs = tmp_path / "refs.csv"
    refs.write_text("ref\n42\n00042\n7\nx9\n")
    # 'x9' makes the column text (read_csv infers VARCHAR).
    sql = (f"SELECT count(*) FROM \"users-db\".{SCHEMA}.users u JOIN read_csv('{refs}') r "
           f"ON u.id = r.ref")
    plain = ok(run_aishell(["query", "--format", "json", sql], home))
    assert parse_json_rows(plain.stdout) == [[3]], plain.stdout  # 42, 00042 (as 42) and 7
    assert "Type mismatch" in plain.stderr, plain.stderr
    ok(run_aishell(["config", "set", "federation.type_mappings", f"users-db.{SCHEMA}.users.id: string"], home))
    try:
        mapped = ok(run_aishell(["query", "--format", "json", sql], home))
        assert parse_json_rows(mapped.stdout) == [[2]], mapped.stdout  # '42' and '7' only
        assert "Type mismatch" not in mapped.stderr, mapped.stderr
        typed = ok(run_aishell(["query", "--format", "csv", f"SELECT typeof(id) FROM \"users-db\".{SCHEMA}.users "
                                "WHERE id = '7'"], home))
        assert typed.stdout.splitlines() == ["typeof(id)", "varchar"], typed.stdout
    finally:
        ok(run_aishell(["config", "unset", "federation.type_mappings"], home))
    bad = run_aishell(["config", "set", "federation.type_mappings", "users-db.users.id string"], home)
    assert bad.returncode != 0 and "users-db.users.id string" in bad.stderr, bad.stderr
