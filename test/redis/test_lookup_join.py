"""Lookup joins and dynamic filtering against the real Redis (scripts/services/redis.sh) and, for seed
002's PostgreSQL half, the real PostgreSQL (scripts/services/postgres.sh). Every query runs with the
optimizations on and off; the results must be equal and equal to the expected rows computed here.
EXPLAIN shows the operator, the batch size and the Redis commands of one batch; EXPLAIN ANALYZE the
batches and keys looked up. Databases 26-29 (test_redis_cli.py uses 20-25)."""
import os
import subprocess
import urllib.parse

import pytest

from aishell_cli import parse_json_rows, run_aishell

URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")
PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")

SETTINGS = [("true", "true"), ("true", "false"), ("false", "true"), ("false", "false")]


def need(url, what):
    if url:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is unset in CI")
    pytest.skip(f"{what} is unset (scripts/services/*.sh start)")


@pytest.fixture
def redis_db(request):
    need(URL, "AISHELL_TEST_REDIS_URL")
    db = request.param
    parsed = urllib.parse.urlparse(URL)
    password = urllib.parse.unquote(parsed.password or "")

    def cli(*args, stdin=None):
        env = dict(os.environ, REDISCLI_AUTH=password)
        out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", parsed.hostname, "-p", str(parsed.port),
                              "-n", str(db)] + list(args), input=stdin, capture_output=True, text=True, env=env,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    cli("FLUSHDB")
    yield {"url": URL.rsplit("/", 1)[0] + f"/{db}", "cli": cli, "password": password}
    cli("FLUSHDB")


@pytest.fixture
def aishell(tmp_path):
    home = tmp_path / "home"

    def run(*args):
        r = run_aishell(list(args), home=home)
        return r

    return run


def load(cli, sessions=300, users=1000):
    """Seed 002: sessions (30-minute TTL, a few without) and user profiles, as hashes."""
    lines = []
    for n in range(sessions):
        fields = f"page /p{n % 3}" + ("" if n == 7 else f" user_id {n * 7 % 1100 + 1}")
        lines.append(f"HSET session:s{n} {fields}")
        if n % 10 != 9:
            lines.append(f"EXPIRE session:s{n} 1800")
    for u in range(1, users + 1):
        lines.append(f"HSET profile:{u} name User{u} plan {'pro' if u % 4 == 1 else 'free'}")
    cli("--pipe", stdin="".join(_resp(line.split()) for line in lines))


def _resp(args):
    return f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)


def connect(aishell, url):
    r = aishell("connect", url, "--name", "sessions_db", "--property", "table.sessions=session:{session_id}",
                "--property", "table.profiles=profile:{user_id}")
    assert r.returncode == 0, r.stderr


def query_all_settings(aishell, sql):
    """Rows of `sql` under every lookup_join x dynamic_filtering setting (asserted equal)."""
    results = []
    for lookup, dynamic in SETTINGS:
        assert aishell("config", "set", "federation.lookup_join", lookup).returncode == 0
        assert aishell("config", "set", "federation.dynamic_filtering", dynamic).returncode == 0
        r = aishell("query", sql, "--format", "json")
        assert r.returncode == 0, r.stderr
        results.append(parse_json_rows(r.stdout))
    for other in results[1:]:
        assert other == results[0]
    return results[0]


@pytest.mark.parametrize("redis_db", [26], indirect=True)
def test_lookup_join_explain_and_results(redis_db, aishell):
    load(redis_db["cli"])
    connect(aishell, redis_db["url"])
    sql = ("SELECT s.session_id, p.name FROM sessions_db.default.sessions s "
           "JOIN sessions_db.default.profiles p ON p.user_id = s.user_id "
           "WHERE s.session_id IN ('s1', 's2', 's7', 's157') ORDER BY s.session_id")
    r = aishell("explain", sql)
    assert r.returncode == 0, r.stderr
    assert "LookupJoin" in r.stdout, r.stdout
    assert "10000 keys per batch" in r.stdout
    assert "KeyLookup sessions_db.default.profiles" in r.stdout
    assert "pipelined HGETALL profile:{user_id} per key" in r.stdout
    assert redis_db["password"] not in r.stdout
    r = aishell("explain", "--analyze", sql)
    assert r.returncode == 0, r.stderr
    assert "batches=1 keys=3" in r.stdout, r.stdout  # s7 has no user_id; s157's user has no profile
    expected = [["s1", "User8"], ["s2", "User15"]]
    assert query_all_settings(aishell, sql) == expected

    # Many rounds: 300 sessions driving lookups 7 keys at a time.
    assert aishell("config", "set", "federation.batch_size", "7").returncode == 0
    sql = ("SELECT count(*), count(p.name), sum(s.user_id) FROM sessions_db.default.sessions s "
           "LEFT JOIN sessions_db.default.profiles p ON p.user_id = s.user_id")
    sessions = {f"s{n}": (None if n == 7 else n * 7 % 1100 + 1) for n in range(300)}
    matched = [u for u in sessions.values() if u is not None and u <= 1000]
    expected = [[300, len(matched), sum(u for u in sessions.values() if u is not None)]]
    assert query_all_settings(aishell, sql) == expected
    assert aishell("config", "set", "federation.lookup_join", "true").returncode == 0
    r = aishell("explain", "--analyze", sql)
    assert "LookupJoin" in r.stdout and "batch_size=7" in r.stdout, r.stdout
    distinct = len(set(u for u in sessions.values() if u is not None))
    assert f"keys={distinct}" in r.stdout, r.stdout


@pytest.mark.parametrize("redis_db", [27], indirect=True)
def test_dynamic_filter_turns_scan_into_key_reads(redis_db, aishell, tmp_path):
    load(redis_db["cli"])
    connect(aishell, redis_db["url"])
    ids = tmp_path / "ids.csv"
    ids.write_text("id\n3\n5\n5\n999\n5000\n")
    sql = (f"SELECT p.user_id, p.name FROM sessions_db.default.profiles p JOIN read_csv('{ids}') i "
           f"ON p.user_id = i.id ORDER BY p.user_id, p.name")
    expected = [[3, "User3"], [5, "User5"], [5, "User5"], [999, "User999"]]
    assert query_all_settings(aishell, sql) == expected
    assert aishell("config", "set", "federation.lookup_join", "false").returncode == 0
    assert aishell("config", "set", "federation.dynamic_filtering", "true").returncode == 0
    r = aishell("explain", "--analyze", sql)
    assert r.returncode == 0, r.stderr
    assert "dynamic filter sessions_db.profiles.user_id IN 4 key(s) accepted" in r.stdout, r.stdout
    assert "pipelined HGETALL for profile:" in r.stdout and "SCAN 0" not in r.stdout, r.stdout


@pytest.mark.parametrize("redis_db", [28], indirect=True)
def test_seed002_active_users_from_local_file(redis_db, aishell, tmp_path):
    """Seed 002 with the users in a local CSV file: Redis sessions probe a hash join whose build keys
    are offered back to the Redis scan (refused: user_id is a hash field, not a key placeholder)."""
    load(redis_db["cli"])
    connect(aishell, redis_db["url"])
    users = tmp_path / "users.csv"
    users.write_text("id,name,email\n" + "".join(f"{u},User{u},u{u}@example.com\n" for u in range(1, 1101, 3)))
    sql = (f"SELECT count(*), count(DISTINCT u.id), sum(u.id) FROM sessions_db.default.sessions s "
           f"JOIN read_csv('{users}') u ON u.id = s.user_id WHERE s._ttl IS NOT NULL")
    ids = [n * 7 % 1100 + 1 for n in range(300) if n != 7 and n % 10 != 9]
    matched = [u for u in ids if u % 3 == 1]
    assert query_all_settings(aishell, sql) == [[len(matched), len(set(matched)), sum(matched)]]


@pytest.mark.parametrize("redis_db", [29], indirect=True)
def test_seed002_active_users_from_postgres(redis_db, aishell):
    """Seed 002: active users (Redis sessions with a TTL) with their profile data in PostgreSQL
    (scripts/services/postgres.sh's public.customers: 'Customer <i>', country by i % 6)."""
    need(PG_URL, "AISHELL_TEST_PG_URL")
    load(redis_db["cli"])
    connect(aishell, redis_db["url"])
    r = aishell("connect", PG_URL, "--name", "users_db")
    assert r.returncode == 0, r.stderr
    sql = ("SELECT c.country, count(*), count(DISTINCT c.customer_id) FROM sessions_db.default.sessions s "
           "JOIN users_db.public.customers c ON c.customer_id = s.user_id WHERE s._ttl IS NOT NULL "
           "GROUP BY c.country ORDER BY c.country")
    countries = ["US", "DE", "FR", "GB", "JP", "BR"]
    counts = {}
    for n in range(300):
        if n == 7 or n % 10 == 9:
            continue
        u = n * 7 % 1100 + 1
        if u > 5000:
            continue
        counts.setdefault(countries[u % 6], []).append(u)
    expected = [[c, len(us), len(set(us))] for c, us in sorted(counts.items())]
    assert query_all_settings(aishell, sql) == expected
    r = aishell("explain", sql)
    assert r.returncode == 0, r.stderr
    assert PG_URL.split("@")[0].split(":")[-1] not in r.stdout  # no password in EXPLAIN
