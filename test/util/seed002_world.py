"""Seed 002's world on the test servers (scripts/services/*.sh): users-db (PostgreSQL tables under a
unique prefix), orders-db (a MongoDB database of its own), analytics-db (Elasticsearch indices under
a unique prefix) and sessions-db (a Redis database), with small data whose answers the tests know.
Outside CI a missing server skips; with CI=true it fails."""
import base64
import json
import os
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from aishell_cli import run_aishell

# This suite's Redis database (others use 20-32): one per xdist worker (gw0 -> 50, gw1 -> 51, ...).
REDIS_DB = 50 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % 14


def need(var):
    value = os.environ.get(var, "")
    if not value:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{var} is unset in CI (scripts/with-services.sh starts the servers)")
        pytest.skip(f"{var} is unset (scripts/with-services.sh starts the servers)")
    return value


def psql(sql):
    url = need("AISHELL_TEST_PG_URL")
    binary = os.path.join(os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
    out = subprocess.run([binary, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def redis_cli(*args):
    url = urllib.parse.urlparse(need("AISHELL_TEST_REDIS_URL"))
    env = dict(os.environ, REDISCLI_AUTH=urllib.parse.unquote(url.password or ""))
    out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", url.hostname, "-p", str(url.port),
                          "-n", str(REDIS_DB)] + [str(a) for a in args], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


class Es:
    def __init__(self):
        self.base = need("AISHELL_TEST_ES_HTTP")
        user = os.environ.get("AISHELL_TEST_ES_USER", "")
        password = os.environ.get("AISHELL_TEST_ES_PASSWORD", "")
        self.headers = {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
        self.context = ssl.create_default_context(cafile=os.environ.get("AISHELL_TEST_ES_CA")) \
            if self.base.startswith("https") else None

    def call(self, method, path, body=None, ndjson=False):
        data = None
        headers = dict(self.headers)
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = "application/x-ndjson" if ndjson else "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60, context=self.context) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            if method == "DELETE" and e.code == 404:
                return {}
            raise AssertionError(f"{method} {path}: {e.code} {e.read()[:300]}")

    def index(self, name, mappings, docs):
        self.call("DELETE", "/" + name)
        self.call("PUT", "/" + name, {"mappings": mappings})
        lines = []
        for i, d in enumerate(docs):
            lines.append(json.dumps({"index": {"_index": name, "_id": str(i)}}))
            lines.append(json.dumps(d))
        self.call("POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)


PRODUCTS = [
    (1, "Logitech MX Master 3 Wireless Mouse", "ergonomic wireless mouse", 99.99, 45),
    (2, "Razer DeathAdder V2 Pro Wireless", "gaming mouse, wireless", 129.99, 23),
    (3, "Apple Magic Mouse", "wireless mouse for Mac", 79.0, 12),
    (4, "Mechanical Keyboard", "quiet keys", 234.99, 8),
    (5, "USB-C Cable", "braided cable", 12.5, 300),
]


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """Connects the four sources under seed 002's names in a fresh AISHELL_HOME; yields a dict
    with home, the unique prefix and the helpers."""
    pg_url = need("AISHELL_TEST_PG_URL")
    redis_url = need("AISHELL_TEST_REDIS_URL")
    mongo_url = need("AISHELL_TEST_MONGODB_URL")
    es_url = need("AISHELL_TEST_ES_URL")
    tag = "wf1" + uuid.uuid4().hex[:6]
    # PostgreSQL: products and users.
    values = ", ".join(f"({i}, '{n}', '{d}', {p}, {s})" for i, n, d, p, s in PRODUCTS)
    psql(f"CREATE TABLE public.{tag}_products (id int PRIMARY KEY, name text, description text, "
         f"price double precision, stock int); INSERT INTO public.{tag}_products VALUES {values};"
         f"CREATE TABLE public.{tag}_users (id int PRIMARY KEY, email text, name text);"
         f"INSERT INTO public.{tag}_users SELECT g, 'user' || g || '@example.com', 'User ' || g "
         f"FROM generate_series(1, 40) g;")
    # MongoDB: orders with items.
    import pymongo
    client = pymongo.MongoClient(mongo_url)
    mdb = client[tag]
    mdb.orders.insert_many([
        {"order_id": f"ORD-{i}", "user_id": 1 + i % 40, "total": 10.0 * (i % 7 + 1),
         "item": ["Logitech MX Master 3 wireless mouse", "USB-C Cable", "Apple Magic Mouse"][i % 3]}
        for i in range(30)])
    # Elasticsearch: page views and a search log.
    es = Es()
    es.index(f"{tag}_page_views", {"properties": {"user_id": {"type": "integer"},
                                                  "title": {"type": "text"},
                                                  "url": {"type": "keyword"}}},
             [{"user_id": i % 40 + 1, "title": ["Logitech MX Master 3 wireless mouse",
                                                "Standing desk", "Apple Magic Mouse wireless"][i % 3],
               "url": f"/p/{i % 3}"} for i in range(12)])
    es.index(f"{tag}_search_logs", {"properties": {"query": {"type": "text", "fields": {
        "keyword": {"type": "keyword"}}}, "user_id": {"type": "integer"}}},
        [{"query": q, "user_id": 1} for q in ["wireless mouse ergonomic"] * 5 + ["wireless mouse gaming"] * 3
         + ["wireless mouse for mac"] * 2 + ["standing desk converter"] * 4])
    # Redis: sessions with a 30 minute TTL.
    redis_cli("FLUSHDB")
    for i in range(1, 21):
        redis_cli("HSET", f"session:s{i}", "user_id", i, "page", "/products/wireless-mouse" if i % 2 else "/cart")
        redis_cli("EXPIRE", f"session:s{i}", 1800)
    home = tmp_path_factory.mktemp("world") / "home"
    es_base, _, es_query = es_url.partition("?")
    es_conn = es_base.rstrip("/") + f"/{tag}_*" + ("?" + es_query if es_query else "")
    sessions_url = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    mongo_base, _, mongo_query = mongo_url.partition("?")
    orders_url = mongo_base.rstrip("/") + f"/{tag}" + ("?" + mongo_query if mongo_query else "")
    for url, name, extra in ((pg_url, "users-db", []), (orders_url, "orders-db", []),
                             (es_conn, "analytics-db", []),
                             (sessions_url, "sessions-db", ["--property", "table.sessions=session:{session_id}"])):
        r = run_aishell(["connect", url, "--name", name] + extra, home)
        assert r.returncode == 0, r.stderr
    yield {"home": home, "tag": tag, "psql": psql, "redis": redis_cli, "es": es, "mongo": mdb}
    psql(f"DROP TABLE IF EXISTS public.{tag}_products, public.{tag}_users")
    client.drop_database(tag)
    es.call("DELETE", f"/{tag}_page_views")
    es.call("DELETE", f"/{tag}_search_logs")
    redis_cli("FLUSHDB")
