"""A write of a nested row into Redis (INSERT and sync): a ROW/ARRAY column has no Redis form that
reads back as the same type, so the write is refused before anything is written, with the way
that works (a JSON column, CAST(... AS JSON)), which then round-trips through hashes and JSON
strings. The rows come from MongoDB (a sub-document is a ROW column); Redis from
scripts/services/redis.sh (AISHELL_TEST_REDIS_URL), in database 44 under this test's own key
prefix. Run: CI=true scripts/with-services.sh python3 -m pytest test/workflows/test_redis_nested_write.py
"""
import json
import os
import subprocess
import urllib.parse
import uuid

import pytest

from aishell_cli import parse_json_rows, run_aishell

DB = 44


def redis_url():
    url = os.environ.get("AISHELL_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("AISHELL_TEST_REDIS_URL is unset in CI (scripts/with-services.sh starts Redis)")
        pytest.skip("AISHELL_TEST_REDIS_URL is unset (scripts/with-services.sh starts Redis)")
    return url.rsplit("/", 1)[0] + f"/{DB}"


def redis_cli(*args):
    url = urllib.parse.urlparse(redis_url())
    env = dict(os.environ, REDISCLI_AUTH=urllib.parse.unquote(url.password or ""))
    out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", url.hostname, "-p", str(url.port),
                          "-n", str(DB)] + [str(a) for a in args], capture_output=True, text=True,
                         env=env, timeout=60, check=True)
    return out.stdout


def need(var):
    value = os.environ.get(var, "")
    if not value:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{var} is unset in CI (scripts/with-services.sh starts the servers)")
        pytest.skip(f"{var} is unset (scripts/with-services.sh starts the servers)")
    return value


@pytest.fixture
def env(tmp_path):
    """people in MongoDB (address a sub-document: a ROW column), Redis tables under a unique prefix."""
    prefix = "nested" + uuid.uuid4().hex[:8]
    import pymongo
    mongo_url = need("AISHELL_TEST_MONGODB_URL")
    client = pymongo.MongoClient(mongo_url)
    client[prefix].people.insert_many([
        {"id": "1", "name": "Ann", "address": {"street": "Main St", "no": 5}},
        {"id": "2", "name": "Bob", "address": {"street": "High St", "no": 7}}])
    base, _, query = mongo_url.partition("?")
    home = tmp_path / "home"
    r = run_aishell(["connect", base.rstrip("/") + f"/{prefix}" + ("?" + query if query else ""),
                     "--name", "m"], home)
    assert r.returncode == 0, r.stderr
    r = run_aishell(["connect", redis_url(), "--name", "r",
                     "--property", f"table.prof=prof{prefix}:{{id}}",
                     "--property", "column.prof.name=varchar",
                     "--property", "column.prof.address=row(street varchar, no integer)",
                     "--property", f"table.pj=pj{prefix}:{{id}}", "--property", "format.pj=json",
                     "--property", "column.pj.address=json",
                     "--property", f"table.ph=ph{prefix}:{{id}}",
                     "--property", "column.ph.name=varchar", "--property", "column.ph.address=json"],
                    home)
    assert r.returncode == 0, r.stderr
    yield home, prefix
    client.drop_database(prefix)
    keys = redis_cli("KEYS", f"*{prefix}:*").split()
    if keys:
        redis_cli("DEL", *keys)


def test_nested_row_is_refused_and_nothing_written(env):
    home, prefix = env
    r = run_aishell(["query", "INSERT INTO r.prof (id, name, address) SELECT id, name, address "
                     "FROM m.people"], home)
    assert r.returncode == 1
    assert ("redis source 'r': table 'prof' column 'address' is ROW(street VARCHAR, no INTEGER)"
            in r.stderr), r.stderr
    assert "--property column.prof.address=json" in r.stderr and "CAST(address AS JSON)" in r.stderr
    assert redis_cli("KEYS", f"prof{prefix}:*").split() == []
    # The same through sync (an upsert keyed by the key pattern): refused the same way.
    r = run_aishell(["sync", "m.people", "->", "r.prof", "--mode", "full", "--key", "id",
                     "--exclude", "_id"], home)
    assert r.returncode == 1 and "column 'address' is ROW(" in r.stderr, r.stderr
    assert redis_cli("KEYS", f"prof{prefix}:*").split() == []


@pytest.mark.parametrize("table", ["pj", "ph"])
def test_nested_row_as_json_round_trips(env, table):
    home, prefix = env
    r = run_aishell(["query", f"INSERT INTO r.{table} (id, address) SELECT id, CAST(address AS JSON) "
                     "FROM m.people"], home)
    assert r.returncode == 0, r.stderr
    r = run_aishell(["query", f"SELECT id, json_format(address) FROM r.{table} ORDER BY id",
                     "--format", "json"], home)
    assert r.returncode == 0, r.stderr
    got = [(str(i), json.loads(a)) for i, a in parse_json_rows(r.stdout)]
    assert got == [("1", {"street": "Main St", "no": 5}), ("2", {"street": "High St", "no": 7})]
    if table == "pj":  # a JSON string holds the object itself, not its text
        assert json.loads(redis_cli("GET", f"pj{prefix}:1")) == {"address": {"street": "Main St", "no": 5}}
    else:  # a hash field holds the JSON text
        assert json.loads(redis_cli("HGET", f"ph{prefix}:2", "address")) == {"street": "High St", "no": 7}
