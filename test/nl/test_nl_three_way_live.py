"""Seed 002's three-way question on the live servers: "Show me active users (Redis sessions) with
their profile data (PostgreSQL) and recent page views (Elasticsearch)". Users and profiles in a
PostgreSQL schema of this test, sessions in a Redis database of this test (some keys with a TTL:
active; some without), page views in an Elasticsearch index of this test. The translation must join
sessions -> users -> profiles and page views, keep the active sessions only, and its answer must
be the one computed here from the data written. Outside CI a missing server skips; with CI=true it
fails."""
import json
import os
import uuid

import pytest

from aishell_cli import parse_json_rows, run_aishell
from seed002_world import Es, need, psql

import seed002_world

pytestmark = [pytest.mark.connector("postgres"), pytest.mark.connector("redis"),
              pytest.mark.connector("elasticsearch")]
REDIS_DB = 48  # this test's Redis database
USERS = 12
ACTIVE = [1, 2, 3, 5, 8]     # sessions with a TTL (also a second session of user 2)
INACTIVE = [4, 6, 7]         # sessions without an expiry: not active


@pytest.fixture(scope="module")
def world(tmp_path_factory, monkeypatch_module):
    pg_url = need("AISHELL_TEST_PG_URL")
    redis_url = need("AISHELL_TEST_REDIS_URL")
    es_url = need("AISHELL_TEST_ES_URL")
    tag = "nl3w" + uuid.uuid4().hex[:6]
    psql(f"CREATE SCHEMA {tag}; "
         f"CREATE TABLE {tag}.users (id int PRIMARY KEY, email text, name text); "
         f"INSERT INTO {tag}.users SELECT g, 'user' || g || '@example.com', 'User ' || g "
         f"FROM generate_series(1, {USERS}) g; "
         f"CREATE TABLE {tag}.profiles (id int PRIMARY KEY, user_id int, bio text, age int); "
         f"INSERT INTO {tag}.profiles SELECT 100 + g, g, 'bio ' || g, 20 + g "
         f"FROM generate_series(1, {USERS}) g;")
    monkeypatch_module.setattr(seed002_world, "REDIS_DB", REDIS_DB)
    seed002_world.redis_cli("FLUSHDB")
    for u in ACTIVE + [2]:
        key = f"session:s{u}-{len(seed002_world.redis_cli('KEYS', f'session:s{u}-*').split())}"
        seed002_world.redis_cli("HSET", key, "user_id", u, "current_page", "/cart")
        seed002_world.redis_cli("EXPIRE", key, 1800)
    for u in INACTIVE:
        seed002_world.redis_cli("HSET", f"session:s{u}-0", "user_id", u, "current_page", "/home")
    es = Es()
    views = [{"user_id": 1 + i % USERS, "page": f"/p/{i % 4}",
              "viewed_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"} for i in range(40)]
    es.index(f"{tag}_page_views", {"properties": {"user_id": {"type": "integer"},
                                                  "page": {"type": "keyword"},
                                                  "viewed_at": {"type": "date"}}}, views)
    home = tmp_path_factory.mktemp("nl3w") / "home"
    es_base, _, es_query = es_url.partition("?")
    es_conn = es_base.rstrip("/") + f"/{tag}_*" + ("?" + es_query if es_query else "")
    for url, name, extra in ((pg_url, "users-db", []), (es_conn, "analytics-db", []),
                             (redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}", "sessions-db",
                              ["--property", "table.sessions=session:{session_id}"])):
        r = run_aishell(["connect", url, "--name", name] + extra, home)
        assert r.returncode == 0, r.stderr
    yield {"home": home, "tag": tag, "views": views}
    psql(f"DROP SCHEMA IF EXISTS {tag} CASCADE")
    seed002_world.redis_cli("FLUSHDB")
    es.call("DELETE", f"/{tag}_page_views")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_three_way_question_translates_and_runs(world):
    # The schema name settles which "users" (the shared test server holds others).
    q = (f"Show me active users (Redis sessions)\n  with their profile data (PostgreSQL {world['tag']})\n"
         f"  and recent page views (Elasticsearch)")
    r = run_aishell(["query", "--format", "json", q], world["home"])
    assert r.returncode == 0, r.stderr
    panel = r.stderr
    assert "Detected 3 data sources" in panel, panel
    assert "users.id = sessions.user_id" in panel and "users.id = profiles.user_id" in panel, panel
    assert f"users.id = {world['tag']}_page_views.user_id" in panel, panel
    assert "_ttl > 0" in panel, panel  # active: a running TTL
    assert "Estimated time:" in panel, panel
    rows = json.loads(r.stdout)
    got = parse_json_rows(r.stdout)
    assert got, r.stdout[:500]
    # The answer: one row per page view of an active user, with the user's and profile's columns.
    want = sorted((v["user_id"], f"user{v['user_id']}@example.com", f"bio {v['user_id']}",
                   20 + v["user_id"], v["page"]) for v in world["views"] if v["user_id"] in ACTIVE)
    cols = list(rows[0].keys()) if rows and isinstance(rows[0], dict) else None
    assert cols is not None, r.stdout[:300]
    pick = [cols.index(c) for c in ("id", "email", "bio", "age", "page")]
    have = sorted(tuple(row[i] for i in pick) for row in got)
    assert have == want
    # Most recent first.
    at = cols.index("viewed_at")
    times = [row[at] for row in got]
    assert times == sorted(times, reverse=True)
