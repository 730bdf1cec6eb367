"""aishell sync --cache <conn>.<table> -> local-cache [--ttl]: a local Parquet copy read in the
table's place until it expires (EXPLAIN says so)."""
import os
import sqlite3
import sys

import pytest
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aishell_cli import parse_json_rows, run_aishell  # noqa: E402

pytestmark = [pytest.mark.connector("sqlite")]


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_cache_is_used_until_it_expires(tmp_path):
    home = tmp_path / "home"
    db_path = tmp_path / "users.db"
    db = sqlite3.connect(str(db_path))
    db.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    db.executemany("INSERT INTO users VALUES (?, ?)", [(i, f"u{i}") for i in range(1, 11)])
    db.commit()
    ok(run_aishell(["connect", f"sqlite://{db_path}", "--name", "users-db"], home))
    out = ok(run_aishell(["sync", "--cache", "users-db.users", "->", "local-cache", "--ttl", "2s"], home))
    assert "Cached users-db.main.users in a local Parquet copy: 10 rows" in out
    db.execute("DELETE FROM users WHERE id > 5")
    db.commit()
    q = ["query", "SELECT count(*) FROM \"users-db\".main.users", "--format", "json"]
    assert parse_json_rows(ok(run_aishell(q, home))) == [[10]]  # the copy
    plan = ok(run_aishell(["explain", "SELECT name FROM \"users-db\".main.users"], home))
    assert "[local cache: " in plan and "read_parquet" in plan
    time.sleep(2.1)
    assert parse_json_rows(ok(run_aishell(q, home))) == [[5]]  # expired: the source again
    assert "[local cache" not in ok(run_aishell(["explain", "SELECT name FROM \"users-db\".main.users"], home))
    # Caching again reads the source, not the old copy.
    ok(run_aishell(["sync", "--cache", "users-db.users", "to", "local-cache"], home))
    assert parse_json_rows(ok(run_aishell(q, home))) == [[5]]


def test_cache_bad_input(tmp_path):
    home = tmp_path / "home"
    db_path = tmp_path / "users.db"
    sqlite3.connect(str(db_path)).execute("CREATE TABLE users (id INTEGER)")
    ok(run_aishell(["connect", f"sqlite://{db_path}", "--name", "users-db"], home))
    r = run_aishell(["sync", "--cache", "users-db.usres", "->", "local-cache"], home)
    assert r.returncode == 1 and "no such table" in r.stderr and "did you mean 'users'" in r.stderr
    r = run_aishell(["sync", "--cache", "users-db.users", "->", "other.t"], home)
    assert r.returncode == 2 and "local-cache, not 'other.t'" in r.stderr
    r = run_aishell(["sync", "--cache", "users-db.users", "->", "local-cache", "--ttl", "soon"], home)
    assert r.returncode == 2 and "--ttl needs a duration" in r.stderr
    r = run_aishell(["sync", "--cache", "nowhere.users", "->", "local-cache"], home)
    assert r.returncode == 1 and "nowhere" in r.stderr
