"""aishell sync / validate-sync (src/workflows/): SQLite sources into PostgreSQL and SQLite targets.

PostgreSQL comes from scripts/services/postgres.sh (AISHELL_TEST_PG_URL); without it the
PostgreSQL tests skip, except with CI=true, where they fail.
Run: CI=true scripts/with-services.sh python3 -m pytest test/workflows -q
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aishell_cli import aishell_binary, parse_json_rows, run_aishell  # noqa: E402

pytestmark = pytest.mark.connector("sqlite")

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")


def need_pg():
    if PG_URL:
        return
    if os.environ.get("CI") == "true":
        raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
    pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)")


def psql(sql):
    binary = os.path.join(os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
    out = subprocess.run([binary, "-X", "-q", "-A", "-t", "-F", "\t", "-d", PG_URL, "-v", "ON_ERROR_STOP=1",
                          "-c", sql], capture_output=True, text=True, timeout=60, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def make_source(path, rows=20):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, password_hash TEXT, "
               "ssn TEXT, updated_at TIMESTAMP)")
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                   [(i, f"u{i}@example.com", f"User {i}", f"hash{i}", f"ssn{i}",
                     f"2025-10-{1 + i % 20:02d} 10:00:00") for i in range(1, rows + 1)])
    db.commit()
    db.close()


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    src = tmp_path / "users.db"
    dst = tmp_path / "cache.db"
    make_source(str(src))
    sqlite3.connect(str(dst)).close()
    ok(run_aishell(["connect", f"sqlite://{src}", "--name", "users-db"], home))
    ok(run_aishell(["connect", f"sqlite://{dst}", "--name", "cache-db"], home))
    return home, src, dst


def rows(home, sql):
    return [list(r) for r in parse_json_rows(ok(run_aishell(["query", sql, "--format", "json"], home)))]


def test_sync_new_table_then_incremental(env):
    home, src, dst = env
    out = ok(run_aishell(["sync", "users-db.users", "->", "cache-db.users_cache", "--mode", "incremental",
                          "--rename", "id=user_id", "--add-field", "synced_at=now()",
                          "--exclude", "password_hash,ssn"], home))
    assert "Rows written: 20" in out and "Watermark: none → 2025-10-20 10:00:00" in out
    db = sqlite3.connect(str(dst))
    cols = [r[1] for r in db.execute("PRAGMA table_info(users_cache)")]
    assert cols == ["user_id", "email", "name", "updated_at", "synced_at"]
    assert db.execute("SELECT count(*), count(DISTINCT user_id), count(synced_at) FROM users_cache").fetchone() == (20, 20, 20)
    # New and changed rows: only those (and the rows at the watermark) are read again.
    s = sqlite3.connect(str(src))
    s.execute("UPDATE users SET name = 'Changed', updated_at = '2025-11-01 00:00:00' WHERE id = 3")
    s.execute("INSERT INTO users VALUES (21, 'new@example.com', 'New', 'h', 's', '2025-11-02 00:00:00')")
    s.commit()
    out = ok(run_aishell(["sync", "users-db.users", "to", "cache-db.users_cache", "--rename", "id=user_id",
                          "--add-field", "synced_at=now()", "--exclude", "password_hash,ssn"], home))
    assert "Rows written: 3 (upserted by key)" in out, out  # ids 3, 21 and 20 (at the old watermark)
    assert "Watermark: 2025-10-20 10:00:00 → 2025-11-02 00:00:00" in out
    assert db.execute("SELECT count(*), count(DISTINCT user_id) FROM users_cache").fetchone() == (21, 21)
    assert db.execute("SELECT name FROM users_cache WHERE user_id = 3").fetchone() == ("Changed",)
    # Nothing new: nothing but the boundary row is written, and the table stays the same.
    out = ok(run_aishell(["sync", "run", "users-db-users-to-cache-db-users_cache"], home))
    assert "Rows written: 1 (upserted by key)" in out
    assert db.execute("SELECT count(*) FROM users_cache").fetchone() == (21,)
    # validate-sync: equal, then a deleted and a changed row are found.
    out = ok(run_aishell(["validate-sync", "users-db", "cache-db"], home))
    assert "Rows: source 21, target 21" in out and "Lag: up to date" in out
    db.execute("DELETE FROM users_cache WHERE user_id = 5")
    db.execute("UPDATE users_cache SET email = 'x' WHERE user_id = 7")
    db.commit()
    r = run_aishell(["validate-sync", "users-db-users-to-cache-db-users_cache"], home)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Rows: source 21, target 20" in r.stdout
    assert "user_id=5: missing in the target" in r.stdout and "user_id=7: values differ" in r.stdout
    s.execute("INSERT INTO users VALUES (22, 'n2@example.com', 'N2', 'h', 's', '2025-12-01 00:00:00')")
    s.commit()
    r = run_aishell(["validate-sync", "users-db", "cache-db"], home)
    assert "1 source row(s) newer than the watermark" in r.stdout


def test_full_mode_columns_and_conflicts(env):
    home, src, dst = env
    db = sqlite3.connect(str(dst))
    db.execute("CREATE TABLE people (id INTEGER, email TEXT, name TEXT)")
    db.execute("INSERT INTO people VALUES (1, 'kept@example.com', 'Target One')")
    db.commit()
    base = ["sync", "users-db.users", "--to", "cache-db.people", "--mode", "full", "--columns", "id,email,name"]
    ok(run_aishell(base + ["--conflict", "target_wins", "--name", "tw"], home))
    assert db.execute("SELECT email FROM people WHERE id = 1").fetchone() == ("kept@example.com",)
    assert db.execute("SELECT count(*), count(DISTINCT id) FROM people").fetchone() == (20, 20)
    # conflict: error fails on the first key already there, and writes nothing.
    s = sqlite3.connect(str(src))
    s.execute("INSERT INTO users VALUES (30, 'a', 'b', 'c', 'd', '2025-12-01 00:00:00')")
    s.commit()
    r = run_aishell(base + ["--conflict", "error", "--name", "err"], home)
    assert r.returncode == 1 and "already has a row with key id=1" in r.stderr, r.stderr
    assert db.execute("SELECT count(*) FROM people").fetchone() == (20,)
    st = ok(run_aishell(["sync", "status", "err", "--format", "json"], home))
    status = json.loads(st)[0]
    assert status["status"] == "failed" and "already has a row" in status["error"]
    ok(run_aishell(base + ["--conflict", "source_wins", "--name", "sw"], home))
    assert db.execute("SELECT email FROM people WHERE id = 1").fetchone() == ("u1@example.com",)
    assert db.execute("SELECT count(*), count(DISTINCT id) FROM people").fetchone() == (21, 21)


SEED_YAML = """sync_job:
  name: "Users to Orders Sync"
  source:
    database: users-db (SQLite)
    table: users
    columns: [id, email, name, updated_at]

  destination:
    database: cache-db (SQLite)
    collection: users_cache

  mode: incremental
  sync_key: updated_at
  schedule: "*/15 * * * *"  # Every 15 minutes

  transforms:
    - rename: {id: user_id}
    - add_field: {synced_at: NOW()}
    - exclude_fields: [password_hash, ssn]

  conflict_resolution: source_wins

  monitoring:
    alert_on_failure: true
    track_metrics: true
"""


def test_yaml_job_named_jobs_schedule_and_daemon(env, tmp_path):
    home, src, dst = env
    job = tmp_path / "job.yaml"
    job.write_text(SEED_YAML)
    out = ok(run_aishell(["sync", "--file", str(job)], home))
    assert "saved as job 'users-to-orders-sync'" in out and 'schedule: "*/15 * * * *"' in out
    assert "Next run:" in out
    assert "users-to-orders-sync" in ok(run_aishell(["sync", "list"], home))
    shown = ok(run_aishell(["sync", "show", "users-to-orders-sync"], home))
    assert "rename: {id: user_id}" in shown and "exclude_fields: [password_hash, ssn]" in shown
    st = json.loads(ok(run_aishell(["sync", "status", "--format", "json"], home)))
    assert st[0]["status"] == "never ran" and st[0]["next_run"].endswith("UTC")
    # The daemon runs a job whose scheduled minute came after its registration, once.
    later = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 3600))
    out = ok(run_aishell(["sync", "daemon", "--once", "--at", later], home))
    assert "users-to-orders-sync: 20 rows written" in out, out
    assert sqlite3.connect(str(dst)).execute("SELECT count(*) FROM users_cache").fetchone() == (20,)
    out = ok(run_aishell(["sync", "daemon", "--once", "--at", later], home))
    assert "rows written" not in out  # not due again within the same slot
    st = json.loads(ok(run_aishell(["sync", "status", "users-to-orders-sync", "--format", "json"], home)))
    assert st[0]["status"] == "ok" and st[0]["rows"] == 20 and st[0]["total_rows"] == 20
    assert "watermark 2025-10-20 10:00:00" in st[0]["lag"]
    # A failing scheduled run alerts through notify.command (monitoring.alert_on_failure).
    marker = tmp_path / "alert.txt"
    ok(run_aishell(["config", "set", "notify.command", f'echo "$AISHELL_SYNC_JOB" > {marker}'], home))
    sqlite3.connect(str(src)).execute("ALTER TABLE users RENAME COLUMN email TO mail")
    later2 = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 7200))
    r = run_aishell(["sync", "daemon", "--once", "--at", later2], home)
    assert r.returncode == 1 and "sync job 'users-to-orders-sync' failed" in r.stderr
    assert marker.read_text().strip() == "users-to-orders-sync"
    ok(run_aishell(["sync", "delete", "users-to-orders-sync"], home))
    assert "No sync jobs yet" in ok(run_aishell(["sync", "list"], home))


@pytest.mark.parametrize("args, message", [
    (["users-db.users", "->", "cache-db.t", "--schedule", "*/15 * * *"], "has 4 field(s)"),
    (["users-db.users", "->", "cache-db.t", "--schedule", "61 * * * *"], "minute field '61' is out of range"),
    (["nope.users", "->", "cache-db.t"], "sync source nope.users"),
    (["users-db.users", "->", "nowhere.t"], "sync target nowhere.t"),
    (["users-db.usres", "->", "cache-db.t"], "did you mean 'users'"),
    (["users-db.users", "->", "cache-db.t", "--exclude", "sn"], "has no column 'sn'; did you mean 'ssn'"),
    (["users-db.users", "->", "cache-db.t", "--rename", "idd=user_id"], "has no column 'idd'"),
    (["users-db.users", "->", "cache-db.t", "--sync-key", "changed"], "--sync-key"),
    (["users-db.users", "->", "cache-db.t", "--conflict", "mine"], "unknown conflict resolution 'mine'"),
    (["users-db.users", "->", "cache-db.t", "--mode", "sometimes"], "unknown sync mode"),
    (["users-db.users", "->", "cache-db.t", "--add-field", "synced_at"], "--add-field needs name=value"),
    (["users-db.users", "->", "cache-db.t", "--columns", "email,updated_at"], "the target key 'id' is not among"),
    (["users-db.users", "-"], "bash read the '>'"),
    (["users-db", "->", "cache-db.t"], "is not a table name"),
])
def test_bad_input(env, args, message):
    home, src, dst = env
    r = run_aishell(["sync"] + args, home)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr
    assert sqlite3.connect(str(dst)).execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_bad_yaml(env, tmp_path):
    home, _, _ = env
    job = tmp_path / "bad.yaml"
    job.write_text(SEED_YAML.replace("conflict_resolution", "conflict_resolutoin"))
    r = run_aishell(["sync", "--file", str(job)], home)
    assert r.returncode == 1 and "bad.yaml:21: unknown key 'conflict_resolutoin'" in r.stderr, r.stderr
    assert "did you mean 'conflict_resolution'" in r.stderr


@pytest.mark.connector("postgres")
def test_target_rejecting_a_write_keeps_it_unchanged(env):
    need_pg()
    home, src, _ = env
    table = "sync_reject_" + uuid.uuid4().hex[:8]
    psql(f"CREATE TABLE {table} (id INTEGER, email TEXT CHECK (email <> 'u7@example.com'), name TEXT, "
         "updated_at TIMESTAMP)")
    try:
        ok(run_aishell(["connect", PG_URL, "--name", "pg"], home))
        r = run_aishell(["sync", "users-db.users", "->", f"pg.public.{table}", "--exclude", "password_hash,ssn"],
                        home)
        assert r.returncode == 1 and "check constraint" in r.stderr, r.stderr
        assert "aishell-test-pw" not in r.stderr + r.stdout
        assert psql(f"SELECT count(*) FROM {table}") == [["0"]]
        st = json.loads(ok(run_aishell(["sync", "status", "--format", "json"], home)))
        assert st[0]["status"] == "failed" and "watermark" not in st[0]["lag"]
        # Fixed at the source: the next run writes everything.
        s = sqlite3.connect(str(src))
        s.execute("UPDATE users SET email = 'seven@example.com' WHERE id = 7")
        s.commit()
        ok(run_aishell(["sync", "users-db.users", "->", f"pg.public.{table}", "--exclude", "password_hash,ssn"], home))
        assert psql(f"SELECT count(*), count(DISTINCT id) FROM {table}") == [["20", "20"]]
    finally:
        psql(f"DROP TABLE IF EXISTS {table}")


def crash_runs(home, job, src, check_target, runs):
    """Runs `sync run job` `runs` times while the source changes, killing most runs at a random
    point; after each, the target holds no duplicate key; at the end one clean run makes it equal."""
    rng = random.Random(22)
    s = sqlite3.connect(str(src))
    next_id = 1000
    env = dict(os.environ, AISHELL_HOME=str(home))
    killed = 0
    # Kill points are drawn within the time one whole run takes here (a fixed window would kill
    # few runs on a fast machine and many on a slow one).
    start = time.monotonic()
    ok(run_aishell(["sync", "run", job], home))
    window = max(0.005, (time.monotonic() - start) * 0.9)
    for i in range(runs):
        # Source changes: new rows and updated rows, each with a newer version.
        for _ in range(rng.randint(0, 3)):
            next_id += 1
            s.execute("INSERT INTO items VALUES (?, ?, ?)", (next_id, f"v{i}", 1000 + i))
        s.execute("UPDATE items SET payload = ?, version = ? WHERE id = ?", (f"upd{i}", 1000 + i, rng.randint(1, 60)))
        s.commit()
        p = subprocess.Popen([aishell_binary(), "sync", "run", job], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < 0.8:
            time.sleep(rng.uniform(0, window))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
        p.wait()
        total, distinct = check_target()
        assert total == distinct, f"run {i}: duplicate keys in the target"
    ok(run_aishell(["sync", "run", job], home))
    return killed


def make_items(path, n=60):
    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE items (id INTEGER, payload TEXT, version INTEGER)")
    db.executemany("INSERT INTO items VALUES (?, ?, ?)", [(i, f"p{i}", i) for i in range(1, n + 1)])
    db.commit()


def test_crash_safety_sqlite_target(env, tmp_path):
    home, src, dst = env
    make_items(src)
    ok(run_aishell(["sync", "users-db.items", "->", "cache-db.items", "--sync-key", "version", "--name", "crash"],
                   home))
    d = sqlite3.connect(str(dst))
    killed = crash_runs(home, "crash", src,
                        lambda: d.execute("SELECT count(*), count(DISTINCT id) FROM items").fetchone(), 100)
    assert killed > 20
    s = sqlite3.connect(str(src))
    assert sorted(s.execute("SELECT * FROM items").fetchall()) == sorted(d.execute("SELECT * FROM items").fetchall())
    assert "✅" in ok(run_aishell(["validate-sync", "crash"], home))


@pytest.mark.connector("postgres")
def test_crash_safety_postgres_target(env):
    need_pg()
    home, src, _ = env
    make_items(src)
    table = "sync_crash_" + uuid.uuid4().hex[:8]
    ok(run_aishell(["connect", PG_URL, "--name", "pg"], home))
    try:
        ok(run_aishell(["sync", "users-db.items", "->", f"pg.public.{table}", "--sync-key", "version",
                        "--name", "crash"], home))

        def check():
            t, d = psql(f"SELECT count(*), count(DISTINCT id) FROM {table}")[0]
            return int(t), int(d)

        killed = crash_runs(home, "crash", src, check, 100)
        assert killed > 20
        s = sqlite3.connect(str(src))
        expected = sorted([str(a), b, str(c)] for a, b, c in s.execute("SELECT * FROM items").fetchall())
        assert sorted(psql(f"SELECT id, payload, version FROM {table}")) == expected
        assert "✅" in ok(run_aishell(["validate-sync", "users-db", "pg"], home))
    finally:
        psql(f"DROP TABLE IF EXISTS {table}")


MONGO_URL = os.environ.get("AISHELL_TEST_MONGODB_URL", "")


@pytest.mark.connector("mongodb")
def test_sync_into_mongodb(env):
    if not MONGO_URL:
        if os.environ.get("CI") == "true":
            raise RuntimeError("AISHELL_TEST_MONGODB_URL is not set in CI")
        pytest.skip("AISHELL_TEST_MONGODB_URL is not set (scripts/services/ferretdb.sh start)")
    import pymongo
    home, src, _ = env
    dbname = "sync_" + uuid.uuid4().hex[:8]
    url = MONGO_URL.replace("/?", f"/{dbname}?")
    client = pymongo.MongoClient(MONGO_URL)
    client[dbname]["seed"].insert_one({"x": 1})  # the database exists before connect
    try:
        ok(run_aishell(["connect", url, "--name", "orders-db"], home))
        out = ok(run_aishell(["sync", "users-db.users", "->", "orders-db.users_cache", "--rename", "id=user_id",
                              "--add-field", "synced_at=now()", "--exclude", "password_hash,ssn"], home))
        assert "Rows written: 20 into a new table" in out
        coll = client[dbname]["users_cache"]
        assert coll.count_documents({}) == 20
        doc = coll.find_one({"user_id": 4})
        assert doc["email"] == "u4@example.com" and "password_hash" not in doc and "synced_at" in doc
        s = sqlite3.connect(str(src))
        s.execute("UPDATE users SET name = 'Changed', updated_at = '2025-11-01 00:00:00' WHERE id = 4")
        s.commit()
        out = ok(run_aishell(["sync", "users-db.users", "->", "orders-db.users_cache", "--rename", "id=user_id",
                              "--add-field", "synced_at=now()", "--exclude", "password_hash,ssn"], home))
        assert "upserted by key" in out
        assert coll.count_documents({}) == 20 and coll.find_one({"user_id": 4})["name"] == "Changed"
        assert "✅" in ok(run_aishell(["validate-sync", "users-db", "orders-db"], home))
        # target_wins keeps the document there; error refuses and writes nothing.
        coll.update_one({"user_id": 5}, {"$set": {"name": "Mine"}})
        s.execute("UPDATE users SET name = 'Theirs', updated_at = '2025-11-05 00:00:00' WHERE id = 5")
        s.execute("INSERT INTO users VALUES (40, 'x@example.com', 'X', 'h', 's', '2025-11-06 00:00:00')")
        s.commit()
        r = run_aishell(["sync", "users-db.users", "->", "orders-db.users_cache", "--rename", "id=user_id",
                         "--exclude", "password_hash,ssn", "--conflict", "error", "--name", "m-err",
                         "--mode", "full"], home)
        assert r.returncode == 1 and "already has documents with" in r.stderr, r.stderr
        assert coll.count_documents({}) == 20
        ok(run_aishell(["sync", "users-db.users", "->", "orders-db.users_cache", "--rename", "id=user_id",
                        "--add-field", "synced_at=now()", "--exclude", "password_hash,ssn",
                        "--conflict", "target_wins"], home))
        assert coll.find_one({"user_id": 5})["name"] == "Mine"
        assert coll.count_documents({}) == 21
    finally:
        client.drop_database(dbname)


ES_URL = os.environ.get("AISHELL_TEST_ES_URL", "")


@pytest.mark.connector("elasticsearch")
def test_sync_into_elasticsearch(env):
    if not ES_URL:
        if os.environ.get("CI") == "true":
            raise RuntimeError("AISHELL_TEST_ES_URL is not set in CI")
        pytest.skip("AISHELL_TEST_ES_URL is not set (scripts/services/elasticsearch.sh start)")
    home, src, _ = env
    index = "sync_" + uuid.uuid4().hex[:8]
    ok(run_aishell(["connect", ES_URL, "--name", "es"], home))
    args = ["sync", "users-db.users", "->", f"es.{index}", "--rename", "id=user_id", "--exclude", "password_hash,ssn"]
    try:
        out = ok(run_aishell(args, home))
        assert "Rows written: 20 into a new table" in out
        s = sqlite3.connect(str(src))
        s.execute("UPDATE users SET name = 'Changed', updated_at = '2025-11-01 00:00:00' WHERE id = 4")
        s.commit()
        assert "upserted by key" in ok(run_aishell(args, home))
        got = rows(home, f'SELECT count(*), count(DISTINCT user_id) FROM es."default".{index}')
        assert got == [[20, 20]]
        assert rows(home, f'SELECT name FROM es."default".{index} WHERE user_id = 4') == [["Changed"]]
        assert "✅" in ok(run_aishell(["validate-sync", "users-db", "es"], home))
        r = run_aishell(args + ["--conflict", "error"], home)
        assert r.returncode == 1 and "conflict: error" in r.stderr and "source_wins or target_wins" in r.stderr
    finally:
        run_aishell(["query", f'DROP TABLE es."default".{index}'], home)


REDIS_URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")


def redis_cli(*args):
    out = subprocess.run(["redis-cli", "-h", os.environ["AISHELL_TEST_REDIS_HOST"], "-p",
                          os.environ["AISHELL_TEST_REDIS_PORT"], "--no-auth-warning", "-a",
                          os.environ["AISHELL_TEST_REDIS_PASSWORD"]] + list(args),
                         capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.split("\n")


@pytest.mark.connector("redis")
def test_sync_into_redis(env):
    if not REDIS_URL:
        if os.environ.get("CI") == "true":
            raise RuntimeError("AISHELL_TEST_REDIS_URL is not set in CI")
        pytest.skip("AISHELL_TEST_REDIS_URL is not set (scripts/services/redis.sh start)")
    home, src, _ = env
    prefix = "sync" + uuid.uuid4().hex[:8]
    # The table's fields come from a key already there.
    redis_cli("HSET", f"{prefix}:0", "email", "zero@example.com", "name", "Zero", "updated_at", "2025-01-01 00:00:00")
    ok(run_aishell(["connect", REDIS_URL, "--name", "sessions-db", "--property",
                    f"table.users_cache={prefix}:{{user_id}}"], home))
    args = ["sync", "users-db.users", "->", "sessions-db.users_cache", "--rename", "id=user_id",
            "--exclude", "password_hash,ssn"]
    try:
        out = ok(run_aishell(args, home))
        assert "Rows written: 20 (upserted by key)" in out, out
        assert redis_cli("HGET", f"{prefix}:4", "email")[0] == "u4@example.com"
        s = sqlite3.connect(str(src))
        s.execute("UPDATE users SET name = 'Changed', updated_at = '2025-11-01 00:00:00' WHERE id = 4")
        s.commit()
        ok(run_aishell(args, home))
        assert redis_cli("HGET", f"{prefix}:4", "name")[0] == "Changed"
        keys = [k for k in redis_cli("--scan", "--pattern", f"{prefix}:*") if k]
        assert len(keys) == 21
        # The key that was there before is reported: the target has a row the source has not.
        r = run_aishell(["validate-sync", "users-db-users-to-sessions-db-users_cache"], home)
        assert r.returncode == 1 and "user_id=0: only in the target" in r.stdout, r.stdout
        redis_cli("DEL", f"{prefix}:0")
        assert "✅" in ok(run_aishell(["validate-sync", "users-db", "sessions-db"], home))
        r = run_aishell(args + ["--conflict", "target_wins"], home)
        assert r.returncode == 1 and "only conflict source_wins is supported" in r.stderr, r.stderr
    finally:
        for k in redis_cli("--scan", "--pattern", f"{prefix}:*"):
            if k:
                redis_cli("DEL", k)


@pytest.mark.connector("file")
def test_sync_into_files(env, tmp_path):
    home, src, _ = env
    lake = tmp_path / "lake"
    lake.mkdir()
    ok(run_aishell(["connect", f"file://{lake}", "--name", "lake"], home))
    args = ["sync", "users-db.users", "->", "lake.users", "--columns", "id,email,updated_at"]
    assert "Rows written: 20 into a new table" in ok(run_aishell(args, home))
    s = sqlite3.connect(str(src))
    s.execute("UPDATE users SET email = 'new4@example.com', updated_at = '2025-11-01 00:00:00' WHERE id = 4")
    s.commit()
    assert "upserted by key" in ok(run_aishell(args, home))
    lines = (lake / "users.csv").read_text().splitlines()
    assert len(lines) == 21 and "4,new4@example.com,2025-11-01 00:00:00" in lines
    assert "✅" in ok(run_aishell(["validate-sync", "users-db", "lake"], home))
    r = run_aishell(args + ["--conflict", "error", "--mode", "full", "--name", "e"], home)
    assert r.returncode == 1 and "already has a row with key id=1" in r.stderr, r.stderr
    assert (lake / "users.csv").read_text().splitlines() == lines
