"""The Redis connector through the `aishell` command line, against the server of
scripts/services/redis.sh (AISHELL_TEST_REDIS_URL). Skipped when that is unset, failed when CI=true.
Each test owns one Redis database (20-32; the C++ tests use 4-15)."""
import os
import sqlite3
import subprocess
import urllib.parse

import pytest

from aishell_cli import parse_json_rows, run_aishell

URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")


@pytest.fixture
def redis_db(request, tmp_path):
    if not URL:
        if os.environ.get("CI") == "true":
            pytest.fail("AISHELL_TEST_REDIS_URL is unset in CI (scripts/services/redis.sh start)")
        pytest.skip("AISHELL_TEST_REDIS_URL is unset (run scripts/services/redis.sh start)")
    db = request.param
    parsed = urllib.parse.urlparse(URL)
    password = urllib.parse.unquote(parsed.password or "")

    def cli(*args, stdin=None):
        env = dict(os.environ, REDISCLI_AUTH=password)
        out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", parsed.hostname, "-p", str(parsed.port),
                              "-n", str(db)] + list(args), input=stdin, capture_output=True, text=True, env=env,
                             timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout

    cli("FLUSHDB")
    url = URL.rsplit("/", 1)[0] + f"/{db}"
    yield {"url": url, "cli": cli, "password": password, "db": db}
    cli("FLUSHDB")


@pytest.fixture
def aishell(tmp_path):
    home = tmp_path / "home"

    def run(*args, stdin=None):
        return run_aishell(list(args), home=home, stdin=stdin)

    return run


def load_sessions(cli):
    # Seed 002: active sessions with a 30-minute TTL; one session has expired already (no TTL left
    # to check, so it is modelled as a session without a TTL that the query filters out).
    for sid, uid, device in [("a1", 1, "web"), ("a2", 2, "ios"), ("a3", 1, "android")]:
        cli("HSET", f"session:{sid}", "user_id", str(uid), "device", device)
        cli("EXPIRE", f"session:{sid}", "1800")
    cli("HSET", "session:old", "user_id", "3", "device", "web")


ACTIVE_USERS = """
SELECT u.name, u.email, count(*) AS sessions
FROM sessions_db.default.sessions s JOIN {users} u ON s.user_id = u.id
WHERE s._ttl IS NOT NULL
GROUP BY u.name, u.email ORDER BY u.name
"""


@pytest.mark.parametrize("redis_db", [20], indirect=True)
def test_active_users_with_profiles_csv_and_sqlite(redis_db, aishell, tmp_path):
    load_sessions(redis_db["cli"])
    users_csv = tmp_path / "users.csv"
    users_csv.write_text("id,name,email\n1,Ann,ann@example.com\n2,Bob,bob@example.com\n3,Cid,cid@example.com\n")
    db = tmp_path / "app.db"
    con = sqlite3.connect(db)
    con.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);"
                      "INSERT INTO users VALUES (1,'Ann','ann@example.com'),(2,'Bob','bob@example.com'),"
                      "(3,'Cid','cid@example.com');")
    con.commit()
    con.close()
    r = aishell("connect", redis_db["url"], "--name", "sessions_db", "--property", "table.sessions=session:{session_id}")
    assert r.returncode == 0, r.stderr
    assert redis_db["password"] not in r.stdout + r.stderr
    r = aishell("connect", f"sqlite://{db}", "--name", "app")
    assert r.returncode == 0, r.stderr
    expected = [["Ann", "ann@example.com", 2], ["Bob", "bob@example.com", 1]]
    for users in (f"read_csv('{users_csv}')", "app.main.users"):
        r = aishell("query", ACTIVE_USERS.format(users=users), "--format", "json")
        assert r.returncode == 0, r.stderr
        assert parse_json_rows(r.stdout) == expected
    # The same with pushdown off.
    r = aishell("config", "set", "federation.pushdown", "false")
    assert r.returncode == 0, r.stderr
    r = aishell("query", ACTIVE_USERS.format(users="app.main.users"), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert parse_json_rows(r.stdout) == expected


@pytest.mark.parametrize("redis_db", [21], indirect=True)
def test_explain_shows_redis_commands(redis_db, aishell):
    load_sessions(redis_db["cli"])
    aishell("connect", redis_db["url"], "--name", "sessions_db", "--property", "table.sessions=session:{session_id}")
    r = aishell("explain", "SELECT device FROM sessions_db.default.sessions WHERE session_id IN ('a1', 'a2')")
    assert r.returncode == 0, r.stderr
    assert "pipelined HGETALL for session:a1 session:a2" in r.stdout
    assert "SCAN 0" not in r.stdout
    r = aishell("explain", "SELECT device FROM sessions_db.default.sessions WHERE session_id LIKE 'a%' LIMIT 5")
    assert r.returncode == 0, r.stderr
    assert "SCAN 0 MATCH session:a* COUNT" in r.stdout
    r = aishell("explain", "SELECT device FROM sessions_db.default.sessions LIMIT 2")
    assert "stops after 2 row(s)" in r.stdout


@pytest.mark.parametrize("redis_db", [31], indirect=True)
def test_key_lookups_from_predicate_domains_match_pushdown_off(redis_db, aishell):
    load_sessions(redis_db["cli"])
    aishell("connect", redis_db["url"], "--name", "sessions_db", "--property", "table.sessions=session:{session_id}")
    table = "sessions_db.default.sessions"
    cases = [
        # (WHERE, what EXPLAIN shows, rows)
        ("session_id = 'a1' OR session_id = 'a3'", "pipelined HGETALL for session:a1 session:a3 (2 key(s), no SCAN)",
         [["a1", "web"], ["a3", "android"]]),
        ("session_id IS NOT DISTINCT FROM 'a2'", "pipelined HGETALL for session:a2 (1 key(s), no SCAN)",
         [["a2", "ios"]]),
        ("session_id <> 'a1'", "SCAN 0 MATCH session:* COUNT", [["a2", "ios"], ["a3", "android"], ["old", "web"]]),
        ("session_id = NULL", "no keys can match", []),
    ]
    for where, plan, rows in cases:
        sql = f"SELECT session_id, device FROM {table} WHERE {where} ORDER BY session_id"
        r = aishell("explain", sql)
        assert r.returncode == 0, r.stderr
        assert plan in r.stdout, (where, r.stdout)
        r = aishell("query", sql, "--format", "json")
        assert r.returncode == 0, r.stderr
        assert parse_json_rows(r.stdout) == rows, where
    # The engine's own filtering gives the same rows.
    assert aishell("config", "set", "federation.pushdown", "false").returncode == 0
    for where, _, rows in cases:
        sql = f"SELECT session_id, device FROM {table} WHERE {where} ORDER BY session_id"
        r = aishell("query", sql, "--format", "json")
        assert r.returncode == 0, r.stderr
        assert parse_json_rows(r.stdout) == rows, where


@pytest.mark.parametrize("redis_db", [22], indirect=True)
def test_insert_then_read_back_with_redis_cli(redis_db, aishell):
    r = aishell("connect", redis_db["url"], "--name", "cache",
                "--property", "table.carts=cart:{user_id}", "--property", "column.carts.user_id=bigint",
                "--property", "column.carts.sku=varchar", "--property", "column.carts.qty=bigint",
                "--property", "ttl.carts=600",
                "--property", "table.profiles=profile:{id}", "--property", "format.profiles=json",
                "--property", "column.profiles.name=varchar", "--property", "column.profiles.score=double")
    assert r.returncode == 0, r.stderr
    r = aishell("query", "INSERT INTO cache.default.carts (user_id, sku, qty) VALUES (1, 'A-1', 2), (2, 'B-7', 1)")
    assert r.returncode == 0, r.stderr
    cli = redis_db["cli"]
    assert cli("HGET", "cart:1", "sku").strip() == "A-1"
    assert cli("HGET", "cart:2", "qty").strip() == "1"
    assert 0 < int(cli("TTL", "cart:1")) <= 600
    r = aishell("query", "INSERT INTO cache.default.profiles (id, name, score) VALUES ('p1', 'Ann \"A\"', 4.5)")
    assert r.returncode == 0, r.stderr
    assert cli("GET", "profile:p1").strip() == '{"name":"Ann \\"A\\"","score":4.5}'
    r = aishell("query", "SELECT user_id, sku, qty FROM cache.default.carts ORDER BY user_id", "--format", "json")
    assert parse_json_rows(r.stdout) == [[1, "A-1", 2], [2, "B-7", 1]]


@pytest.mark.parametrize("redis_db", [23], indirect=True)
def test_wrong_password_names_source_and_hides_password(redis_db, aishell):
    parsed = urllib.parse.urlparse(redis_db["url"])
    bad = f"redis://:not-the-pass-42@{parsed.hostname}:{parsed.port}/{redis_db['db']}"
    r = aishell("connect", bad, "--name", "sessions_db")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "redis source 'sessions_db'" in out and "authentication failed" in out
    assert "not-the-pass-42" not in out
    r = aishell("connections")
    assert "sessions_db" not in r.stdout


@pytest.mark.parametrize("redis_db", [24], indirect=True)
def test_inferred_tables_and_bad_json(redis_db, aishell):
    cli = redis_db["cli"]
    cli("SET", "user:1001:profile", '{"name":"Ann","age":31}')
    cli("SET", "user:1002:profile", '{"name":"Bob","age":40}')
    cli("ZADD", "leaderboard", "10", "ann", "25", "bob")
    r = aishell("connect", redis_db["url"], "--name", "kv")
    assert r.returncode == 0, r.stderr
    r = aishell("query", "SHOW TABLES FROM kv.default", "--format", "json")
    assert sorted(row[0] for row in parse_json_rows(r.stdout)) == ["leaderboard", "user_profile"]
    r = aishell("query", "SELECT id, name, age FROM kv.default.user_profile ORDER BY id", "--format", "json")
    assert parse_json_rows(r.stdout) == [[1001, "Ann", 31], [1002, "Bob", 40]]
    r = aishell("query", "SELECT member, score FROM kv.default.leaderboard ORDER BY score DESC", "--format", "json")
    assert parse_json_rows(r.stdout) == [["bob", 25.0], ["ann", 10.0]]
    cli("SET", "user:1003:profile", "{broken")
    r = aishell("query", "SELECT name FROM kv.default.user_profile")
    assert r.returncode != 0
    assert "redis source 'kv'" in r.stderr and "user:1003:profile" in r.stderr and "JSON" in r.stderr


@pytest.mark.parametrize("redis_db", [25], indirect=True)
def test_server_down_and_empty_pattern(redis_db, aishell):
    r = aishell("connect", "redis://:secret-xyz@127.0.0.1:1/0", "--name", "down")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "redis source 'down': cannot connect to 127.0.0.1:1" in out
    assert "secret-xyz" not in out
    r = aishell("connect", redis_db["url"], "--name", "kv", "--property", "table.ghosts=ghost:{id}")
    assert r.returncode == 0, r.stderr
    r = aishell("query", "SELECT * FROM kv.default.ghosts")
    assert r.returncode != 0
    assert "redis source 'kv': table 'ghosts': no key matches the pattern 'ghost:{id}'" in r.stderr
    r = aishell("connect", redis_db["url"], "--name", "kv2", "--property", "table.bad=bad:{id")
    assert r.returncode != 0
    assert "unclosed" in r.stdout + r.stderr


@pytest.mark.parametrize("redis_db", [30], indirect=True)
def test_values_that_are_not_utf8_read_as_varbinary(redis_db, aishell):
    """A hash field holding bytes that are not UTF-8 makes its column VARBINARY (every byte kept);
    text fields stay VARCHAR."""
    parsed = urllib.parse.urlparse(URL)
    env = dict(os.environ, REDISCLI_AUTH=redis_db["password"])
    base = ["redis-cli", "--no-auth-warning", "-h", parsed.hostname, "-p", str(parsed.port), "-n", str(redis_db["db"])]
    blobs = {1: b"\xff\x00abc", 2: b"\x80\x81"}
    for i, data in blobs.items():
        subprocess.run(base + ["-x", "HSET", f"blob:{i}", "data"], input=data, check=True, env=env,
                       capture_output=True, timeout=30)
        redis_db["cli"]("HSET", f"blob:{i}", "label", f"b{i}")
    r = aishell("connect", redis_db["url"], "--name", "kv")
    assert r.returncode == 0, r.stderr
    r = aishell("query", "SELECT id, typeof(data), to_hex(data), label FROM kv.default.blob ORDER BY id",
                "--format", "json")
    assert r.returncode == 0, r.stderr
    assert parse_json_rows(r.stdout) == [[i, "varbinary", blobs[i].hex().upper(), f"b{i}"] for i in sorted(blobs)]


@pytest.mark.parametrize("redis_db", [32], indirect=True)
def test_english_question_over_redis_sessions(redis_db, aishell, tmp_path):
    # The offline translator (src/nl/) over a live Redis table and a SQLite one: "active" reads
    # the keys' running TTL, the join comes from user_id <-> users.id.
    load_sessions(redis_db["cli"])
    db = tmp_path / "app.db"
    con = sqlite3.connect(db)
    con.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);"
                      "INSERT INTO users VALUES (1,'Ann','ann@example.com'),(2,'Bob','bob@example.com'),"
                      "(3,'Cid','cid@example.com');")
    con.commit()
    con.close()
    assert aishell("connect", redis_db["url"], "--name", "sessions_db", "--property",
                   "table.sessions=session:{session_id}").returncode == 0
    assert aishell("connect", f"sqlite://{db}", "--name", "app").returncode == 0
    r = aishell("query", "how many active sessions in Redis", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["3"]
    assert "sessions._ttl > 0" in r.stderr
    r = aishell("query", "Show me active users (Redis sessions)", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = sorted(parse_json_rows(r.stdout))
    assert rows == [[1, "Ann", "ann@example.com"], [2, "Bob", "bob@example.com"]]
    assert redis_db["password"] not in r.stdout + r.stderr
