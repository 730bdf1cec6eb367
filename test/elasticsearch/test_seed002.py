"""Seed 002's three-way plan, end to end against the live servers: Redis sessions -> PostgreSQL
users -> Elasticsearch page views, asking Elasticsearch only for the page views of the users the
first two sources selected (`terms` lookups, or a `terms` dynamic filter). Results are equal under
every lookup-join x dynamic-filtering setting and to the answer computed here; EXPLAIN shows the
terms request. Redis database 15 (against Elasticsearch) or 16 (OpenSearch)."""
import os
import subprocess
import urllib.parse

import pytest

from aishell_cli import parse_json_rows

REDIS_URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")
PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
PG_BIN = os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin")


def need(value, what):
    if value:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is unset in CI")
    pytest.skip(f"{what} is unset (scripts/services/*.sh start)")


pytestmark = [pytest.mark.connector("redis"), pytest.mark.connector("postgres")]


def redis_cli(db, *args, stdin=None):
    p = urllib.parse.urlparse(REDIS_URL)
    env = dict(os.environ, REDISCLI_AUTH=urllib.parse.unquote(p.password or ""))
    out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", p.hostname, "-p", str(p.port), "-n", str(db)]
                         + list(args), input=stdin, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def psql(sql):
    psql_bin = os.path.join(PG_BIN, "psql") if os.path.exists(os.path.join(PG_BIN, "psql")) else "psql"
    out = subprocess.run([psql_bin, PG_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def resp(args):
    return f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)


def test_sessions_users_page_views(es, index, shell):
    need(REDIS_URL, "AISHELL_TEST_REDIS_URL")
    need(PG_URL, "AISHELL_TEST_PG_URL")
    # Redis: 40 active sessions of users 1..400 (every 10th user).
    db = 15 if es.kind == "elasticsearch" else 16
    redis_cli(db, "FLUSHDB")
    sessions = {f"s{n}": n * 10 + 1 for n in range(40)}
    redis_cli(db, "--pipe", stdin="".join(resp(["HSET", f"session:{s}", "user_id", str(u), "page", "/home"])
                                      for s, u in sessions.items()))
    # PostgreSQL: 2,000 users, a quarter of them on the pro plan.
    table = f"users_{index}"
    psql(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id bigint PRIMARY KEY, name text, plan text); "
         f"INSERT INTO {table} SELECT g, 'user' || g, CASE WHEN g % 4 = 1 THEN 'pro' ELSE 'free' END "
         f"FROM generate_series(1, 2000) g")
    # Elasticsearch: 20,000 page views of all users.
    es.create(index, {"properties": {"user_id": {"type": "long"}, "url": {"type": "keyword"},
                                     "ms": {"type": "integer"}}})
    views = [{"_id": str(k), "user_id": k % 2000 + 1, "url": f"/p{k % 13}", "ms": k % 500} for k in range(20000)]
    es.load(index, views)
    try:
        shell.connect()
        p = shell.run("connect", REDIS_URL.rsplit("/", 1)[0] + f"/{db}", "--name", "sessions_db",
                      "--property", "table.sessions=session:{session_id}",
                      "--property", "column.sessions.user_id=bigint")
        assert p.returncode == 0, p.stderr
        p = shell.run("connect", PG_URL, "--name", "users_db")
        assert p.returncode == 0, p.stderr
        sql = (f"SELECT u.name, count(*) AS views, sum(v.ms) AS ms "
               f"FROM sessions_db.default.sessions s "
               f"JOIN users_db.public.{table} u ON u.id = s.user_id "
               f"JOIN es.default.{index} v ON v.user_id = u.id "
               f"WHERE u.plan = 'pro' GROUP BY u.name ORDER BY u.name")
        pro = {u for u in sessions.values() if u % 4 == 1}
        expected = {}
        for v in views:
            if v["user_id"] in pro:
                name = f"user{v['user_id']}"
                c, ms = expected.get(name, (0, 0))
                expected[name] = (c + 1, ms + v["ms"])
        expected_rows = [[name, c, ms] for name, (c, ms) in sorted(expected.items())]
        assert expected_rows, "the data selects no user"
        plan = shell.explain(sql)
        assert f"es.default.{index}" in plan
        assert '"terms":{"user_id":' in plan or "join keys" in plan, plan
        for lookup, dynamic in [("true", "true"), ("true", "false"), ("false", "true"), ("false", "false")]:
            assert shell.run("config", "set", "federation.lookup_join", lookup).returncode == 0
            assert shell.run("config", "set", "federation.dynamic_filtering", dynamic).returncode == 0
            r = shell.run("query", "--format", "json", sql)
            assert r.returncode == 0, r.stderr
            rows = [list(x.values()) if hasattr(x, "values") else x for x in parse_json_rows(r.stdout)]
            assert rows == expected_rows, (lookup, dynamic)
        # With lookups on, only the selected users' page views are read.
        assert shell.run("config", "set", "federation.lookup_join", "true").returncode == 0
        r = shell.run("explain", "--analyze", sql)
        assert r.returncode == 0, r.stderr
        print(r.stdout)
    finally:
        redis_cli(db, "FLUSHDB")
        psql(f"DROP TABLE IF EXISTS {table}")
