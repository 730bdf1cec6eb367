"""aishell stream: new rows (by a key that only grows) enriched by the query's joins, written as
nested JSON Lines; the position is kept across Ctrl-C and crashes (no loss, no duplicates)."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aishell_cli import aishell_binary, run_aishell  # noqa: E402

pytestmark = [pytest.mark.connector("sqlite")]

SQL = ('SELECT o.id AS order_id, o.user_id, o.total, o.created_at, u.email AS "user.email", '
       'u.name AS "user.name" FROM orders.main.orders o LEFT JOIN users.main.users u ON u.id = o.user_id')


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    users = sqlite3.connect(str(tmp_path / "users.db"))
    users.execute("CREATE TABLE users (id INTEGER, email TEXT, name TEXT)")
    users.executemany("INSERT INTO users VALUES (?, ?, ?)", [(i, f"u{i}@example.com", f"User {i}") for i in range(1, 6)])
    users.commit()
    orders = sqlite3.connect(str(tmp_path / "orders.db"))
    orders.execute("CREATE TABLE orders (id INTEGER, user_id INTEGER, total DOUBLE, created_at TIMESTAMP)")
    orders.commit()
    ok(run_aishell(["connect", f"sqlite://{tmp_path / 'users.db'}", "--name", "users"], home))
    ok(run_aishell(["connect", f"sqlite://{tmp_path / 'orders.db'}", "--name", "orders"], home))
    return home, orders, tmp_path / "enriched.jsonl"


def add_orders(db, first, n):
    db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)",
                   [(i, 1 + i % 7, i * 1.5, f"2025-10-27 14:{i // 60:02d}:{i % 60:02d}") for i in range(first, first + n)])
    db.commit()


def test_stream_once_resumes_and_nests(env):
    home, orders, out = env
    add_orders(orders, 1, 4)
    r = run_aishell(["stream", SQL, "--key", "created_at", "--output", str(out), "--once"], home)
    ok(r)
    assert "Events processed: 4" in r.stderr and "Enrichment success rate: 100%" in r.stderr
    assert "New event (created_at = 2025-10-27 14:00:01)" in r.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0] == {"order_id": 1, "user_id": 2, "total": 1.5, "created_at": "2025-10-27T14:00:01",
                        "user": {"email": "u2@example.com", "name": "User 2"}}
    add_orders(orders, 5, 3)  # users 6 and 7 do not exist: not enriched
    r = run_aishell(["stream", SQL, "--key", "created_at", "--output", str(out), "--once"], home)
    ok(r)
    assert "Events processed: 3" in r.stderr and "Enrichment success rate: 33%" in r.stderr
    ids = [json.loads(x)["order_id"] for x in out.read_text().splitlines()]
    assert ids == list(range(1, 8))
    assert json.loads(out.read_text().splitlines()[5])["user"] == {"email": None, "name": None}
    # Without --output the lines go to stdout.
    add_orders(orders, 8, 1)
    r = run_aishell(["stream", SQL, "--key", "created_at", "--once", "--name", "to-stdout"], home)
    assert len(ok(r).splitlines()) == 8


def test_stream_ctrl_c_and_crashes_lose_and_repeat_nothing(env):
    home, orders, out = env
    add_orders(orders, 1, 5)
    args = [aishell_binary(), "stream", SQL, "--key", "created_at", "--output", str(out), "--interval", "50ms"]
    penv = dict(os.environ, AISHELL_HOME=str(home))
    p = subprocess.Popen(args, env=penv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if out.exists() and len(out.read_text().splitlines()) >= 5:
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert "Events processed: 5" in err and "the next run resumes after it" in err
    rng = random.Random(6)
    next_id = 6
    for _ in range(25):
        add_orders(orders, next_id, 3)
        next_id += 3
        p = subprocess.Popen(args, env=penv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.15))
        p.kill()
        p.wait()
    ok(run_aishell(["stream", SQL, "--key", "created_at", "--output", str(out), "--once"], home))
    ids = [json.loads(x)["order_id"] for x in out.read_text().splitlines()]
    assert ids == list(range(1, next_id))


def test_stream_bad_input(env):
    home, orders, out = env
    r = run_aishell(["stream", SQL, "--key", ""], home)
    assert r.returncode == 2 and "--key needs a column whose values only grow" in r.stderr
    r = run_aishell(["stream", SQL, "--key", "when"], home)
    assert r.returncode == 1 and "has no column 'when'" in r.stderr and "created_at" in r.stderr
    r = run_aishell(["stream", SQL, "--key", "created_at", "--interval", "often"], home)
    assert r.returncode == 2 and "--interval needs a duration" in r.stderr
    r = run_aishell(["stream", "SELECT * FROM nowhere.main.t", "--key", "id", "--once"], home)
    assert r.returncode == 1 and "nowhere" in r.stderr


def test_stream_chooses_the_key(env, tmp_path):
    """Without --key: order_id (an integer named as the orders table's key), then a created_at
    timestamp, and a clear error when no column only grows."""
    home, orders, out = env
    add_orders(orders, 1, 3)
    r = run_aishell(["stream", SQL, "--output", str(out), "--once"], home)
    ok(r)
    assert "Key: order_id (an integer named as orders's key" in r.stderr, r.stderr
    assert "New event (order_id = 3)" in r.stderr and "Events processed: 3" in r.stderr
    add_orders(orders, 4, 2)
    r = run_aishell(["stream", SQL, "--output", str(out), "--once"], home)
    ok(r)
    assert "Events processed: 2" in r.stderr
    assert [json.loads(x)["order_id"] for x in out.read_text().splitlines()] == [1, 2, 3, 4, 5]
    # No integer key among the columns: created_at.
    sql = "SELECT o.total, o.created_at FROM orders.main.orders o"
    r = run_aishell(["stream", sql, "--once"], home)
    ok(r)
    assert "Key: created_at (when each row was made" in r.stderr
    assert len(r.stdout.splitlines()) == 5
    # Nothing that only grows: the error lists the columns and says how to go on.
    r = run_aishell(["stream", "SELECT o.user_id, o.total FROM orders.main.orders o", "--once"], home)
    assert r.returncode == 1
    assert "stream cannot choose a key" in r.stderr and "columns: user_id BIGINT, total DOUBLE" in r.stderr
    assert "--key <column>" in r.stderr and "ctid" in r.stderr
