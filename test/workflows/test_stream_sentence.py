"""aishell stream with seed 002's sentence ("Watch for new orders in MongoDB and enrich with user
data from ... and product analytics from ..."), no --key: orders in a MongoDB database of this
test's own, users in SQLite, product analytics in an Elasticsearch index; the output nests
"user" and "analytics" as seed 002 shows, and a second run reads only the new orders.
Run: CI=true scripts/with-services.sh python3 -m pytest test/workflows/test_stream_sentence.py
"""
import datetime
import json
import sqlite3
import uuid

import pytest

from aishell_cli import run_aishell
from seed002_world import Es, need

SENTENCE = """
  Watch for new orders in MongoDB
  and enrich with user data from users-db
  and product analytics from Elasticsearch
"""


@pytest.fixture
def sources(tmp_path):
    tag = "st" + uuid.uuid4().hex[:8]
    mongo_url = need("AISHELL_TEST_MONGODB_URL")
    es_url = need("AISHELL_TEST_ES_URL")
    db = sqlite3.connect(str(tmp_path / "users.db"))
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, loyalty_tier TEXT)")
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?)",
                   [(i, f"user{i}@example.com", f"User {i}", "Gold" if i % 2 == 0 else "Silver")
                    for i in range(1, 6)])
    db.commit()
    import pymongo
    client = pymongo.MongoClient(mongo_url)
    es = Es()
    es.index(f"{tag}_product_analytics", {"properties": {"product_id": {"type": "keyword"},
                                                        "views": {"type": "integer"}}},
             [{"product_id": "PROD-0", "views": 120}, {"product_id": "PROD-1", "views": 45}])
    home = tmp_path / "home"
    mbase, _, mquery = mongo_url.partition("?")
    es_base, _, es_query = es_url.partition("?")
    for url, name in ((f"sqlite://{tmp_path / 'users.db'}", "users-db"),
                      (mbase.rstrip("/") + f"/{tag}" + ("?" + mquery if mquery else ""), "orders-db"),
                      (es_base.rstrip("/") + f"/{tag}_*" + ("?" + es_query if es_query else ""),
                       "analytics-db")):
        r = run_aishell(["connect", url, "--name", name], home)
        assert r.returncode == 0, r.stderr
    yield home, client[tag].orders
    client.drop_database(tag)
    es.call("DELETE", f"/{tag}_product_analytics")


def add_orders(orders, first, n):
    base = datetime.datetime(2025, 10, 27, 14, 23, 45)
    orders.insert_many([{"order_id": f"ORD-{9000 + i}", "user_id": 1 + i % 5, "total": 10.0 * i,
                         "created_at": base + datetime.timedelta(seconds=i),
                         "product_id": f"PROD-{i % 2}"} for i in range(first, first + n)])


def test_seed_sentence_without_key(sources, tmp_path):
    home, orders = sources
    add_orders(orders, 1, 3)
    out = tmp_path / "enriched-orders.jsonl"
    r = run_aishell(["stream", SENTENCE, "--output", str(out), "--once"], home, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Understood: watching orders-db." in r.stderr and 'as "user" (user_id = id)' in r.stderr
    assert 'as "analytics" (product_id = product_id)' in r.stderr
    assert "Key: created_at (when each row was made" in r.stderr, r.stderr
    assert "Events processed: 3" in r.stderr and "Enrichment success rate: 100%" in r.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    first = lines[0]
    assert first["order_id"] == "ORD-9001" and first["user_id"] == 2 and first["total"] == 10.0
    assert first["user"] == {"email": "user2@example.com", "name": "User 2", "loyalty_tier": "Gold"}
    assert first["analytics"] == {"views": 45}
    add_orders(orders, 4, 2)
    r = run_aishell(["stream", SENTENCE, "--output", str(out), "--once"], home, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Events processed: 2" in r.stderr
    assert [json.loads(x)["order_id"] for x in out.read_text().splitlines()] == \
        [f"ORD-{9000 + i}" for i in range(1, 6)]


def test_sentence_bad_input(sources):
    home, orders = sources
    add_orders(orders, 1, 1)
    r = run_aishell(["stream", "Watch for new invoices and enrich with user data", "--once"], home)
    assert r.returncode == 1 and "no table for 'invoices'" in r.stderr, r.stderr
    r = run_aishell(["stream", "Watch for new orders in Redis and enrich with user data", "--once"], home)
    assert r.returncode == 1 and "no table for 'orders' in redis" in r.stderr, r.stderr
    r = run_aishell(["stream", "Watch for new orders and enrich with product analytics from users-db",
                     "--once"], home)
    assert r.returncode == 1 and "no table for 'product analytics' in users-db" in r.stderr, r.stderr
