"""aishell sync into an Iceberg table through the live REST catalog, data files in MinIO
(scripts/services/iceberg-rest.sh, minio.sh): the first run creates the table, later incremental
runs append new keys (one snapshot each), skip rows equal to the table's (the watermark's
boundary row, a rerun after a crash), and for a key the table holds with other values keep the
table's row (target_wins), fail naming the key (error), or fail saying that replacing it needs a
copy-on-write rewrite (source_wins): append-only, nothing half-written.
Run: CI=true scripts/with-services.sh python3 -m pytest test/workflows/test_sync_iceberg.py
"""
import os
import sqlite3
import uuid

import pytest

from aishell_cli import parse_json_rows, run_aishell


def need(*names):
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} unset in CI (scripts/with-services.sh)")
        pytest.skip(f"{', '.join(missing)} unset (scripts/with-services.sh)")


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture
def env(tmp_path):
    need("AISHELL_TEST_ICEBERG_REST_URL", "AISHELL_TEST_S3_ENDPOINT", "AISHELL_TEST_S3_SECRET_KEY")
    rest = os.environ["AISHELL_TEST_ICEBERG_REST_URL"]
    warehouse = os.environ.get("AISHELL_TEST_ICEBERG_REST_WAREHOUSE", "s3://openlakes/warehouse")
    endpoint = os.environ["AISHELL_TEST_S3_ENDPOINT"]
    ns = "syncice_" + uuid.uuid4().hex[:8]
    from pyiceberg.catalog.rest import RestCatalog
    cat = RestCatalog("rest", uri=rest, warehouse=warehouse, **{
        "s3.endpoint": endpoint, "s3.access-key-id": os.environ["AISHELL_TEST_S3_ACCESS_KEY"],
        "s3.secret-access-key": os.environ["AISHELL_TEST_S3_SECRET_KEY"],
        "s3.region": os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1"), "s3.path-style-access": "true"})
    home = tmp_path / "home"
    src = tmp_path / "users.db"
    db = sqlite3.connect(str(src))
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, updated_at TIMESTAMP)")
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?)",
                   [(i, f"u{i}@example.com", f"User {i}", f"2025-10-{i:02d} 10:00:00") for i in range(1, 11)])
    db.commit()
    ok(run_aishell(["connect", f"sqlite://{src}", "--name", "users-db"], home))
    ok(run_aishell(["connect", rest, "--type", "iceberg", "--name", "lake",
                    "--property", f"warehouse={warehouse}", "--property", f"s3.endpoint={endpoint}",
                    "--property", "s3.path-style-access=true",
                    "--property", f"s3.access-key-id={os.environ['AISHELL_TEST_S3_ACCESS_KEY']}",
                    "--property", f"s3.secret-access-key={os.environ['AISHELL_TEST_S3_SECRET_KEY']}"],
                   home))
    yield home, db, ns
    try:
        for ident in cat.list_tables(ns):
            cat.purge_table(ident)
        cat.drop_namespace(ns)
    except Exception as e:  # cleanup only
        print("cleanup:", e)


def table(home, ns):
    out = ok(run_aishell(["query", f"SELECT id, name FROM lake.{ns}.users ORDER BY id", "--format", "json"], home))
    return [tuple(r) for r in parse_json_rows(out)]


def snapshots(home, ns):
    out = ok(run_aishell(["query", f'SELECT count(*) FROM lake.{ns}."users$snapshots"', "--format", "json"], home))
    return parse_json_rows(out)[0][0]


def test_sync_into_an_existing_iceberg_table(env):
    home, db, ns = env
    target = f"lake.{ns}.users"
    # The table exists with rows 1..5 (CREATE TABLE AS); the first sync appends 6..10 and skips
    # the rows equal to the table's.
    ok(run_aishell(["query", f'CREATE TABLE {target} AS SELECT * FROM "users-db".main.users WHERE id <= 5'], home))
    out = ok(run_aishell(["sync", "users-db.users", "->", target, "--name", "ice"], home))
    assert "Rows written: 10" in out, out
    assert table(home, ns) == [(i, f"User {i}") for i in range(1, 11)]
    first = snapshots(home, ns)
    # Nothing new: the boundary row equals the table's and is skipped; no rows appended.
    out = ok(run_aishell(["sync", "run", "ice"], home))
    assert len(table(home, ns)) == 10
    # A new key is appended.
    db.execute("INSERT INTO users VALUES (11, 'n@example.com', 'New', '2025-11-01 00:00:00')")
    db.commit()
    ok(run_aishell(["sync", "run", "ice"], home))
    assert table(home, ns)[-1] == (11, "New") and len(table(home, ns)) == 11
    assert snapshots(home, ns) > first
    # A changed row: source_wins (the default) would need a rewrite: refused, nothing written.
    db.execute("UPDATE users SET name = 'Changed', updated_at = '2025-11-02 00:00:00' WHERE id = 3")
    db.execute("INSERT INTO users VALUES (12, 'm@example.com', 'Newer', '2025-11-03 00:00:00')")
    db.commit()
    before = snapshots(home, ns)
    r = run_aishell(["sync", "run", "ice"], home)
    assert r.returncode == 1
    assert "already holds the key id=3 with other values" in r.stderr and "copy-on-write" in r.stderr
    assert "--conflict target_wins" in r.stderr and snapshots(home, ns) == before
    assert len(table(home, ns)) == 11
    # --conflict error names the key; target_wins keeps the table's row and appends the new one.
    r = run_aishell(["sync", "users-db.users", "->", target, "--name", "ice", "--conflict", "error"], home)
    assert r.returncode == 1 and "already holds the key id=3" in r.stderr, r.stderr
    ok(run_aishell(["sync", "users-db.users", "->", target, "--name", "ice", "--conflict", "target_wins"], home))
    got = table(home, ns)
    assert (3, "User 3") in got and (12, "Newer") in got and len(got) == 12
    assert len({i for i, _ in got}) == 12  # no duplicates
