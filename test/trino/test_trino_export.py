"""Scale-out to Trino: `aishell export-catalogs --to trino` over live PostgreSQL, OpenSearch,
Redis and an Iceberg REST catalog (MinIO), plus MongoDB (FerretDB) and Elasticsearch; then a
single-node Trino 476 started with the exported catalogs (scripts/services/trino.sh serve) runs
seed 000's Customer 360 SQL and seed 002-shaped federation queries (the customer_summary view from
views.sql among them); both engines must return the same rows (doubles with a relative tolerance).

Two test servers cannot serve Trino, so their catalogs are checked less: FerretDB 1.24 refuses the
`collation` Trino's mongodb connector sends with every find (SHOW SCHEMAS works, reads do not), and
the Elasticsearch integration-test distribution answers 405 to the `GET /` Trino's client starts
with. Seed 002's orders therefore come from PostgreSQL in the comparison (connection `orders-db`),
its analytics from OpenSearch."""
import base64
import datetime
import decimal
import json
import os
import random
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request

import pytest

from aishell_cli import ROOT, run_aishell

NEEDS = ["AISHELL_TEST_PG_URL", "AISHELL_TEST_PG_BIN", "AISHELL_TEST_MONGODB_URL",
         "AISHELL_TEST_ES_URL", "AISHELL_TEST_ES_PASSWORD", "AISHELL_TEST_OS_HTTP",
         "AISHELL_TEST_OS_URL", "AISHELL_TEST_REDIS_URL", "AISHELL_TEST_ICEBERG_REST_URL",
         "AISHELL_TEST_ICEBERG_REST_WAREHOUSE", "AISHELL_TEST_TRINO_HOME"]
REDIS_DB = 13  # Trino reads every key of a Redis database as one table: this test owns db 13
TODAY = datetime.date.today()


def _need():
    missing = [n for n in NEEDS if not os.environ.get(n)]
    if missing:
        message = f"{', '.join(missing)} not set: run under scripts/with-services.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true)")
        pytest.skip(message)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The data: seed 000 (customers, products, transactions) and seed 002 (users, orders,
# analytics, sessions), small and deterministic.
def _data():
    r = random.Random(2024)
    regions = ["North", "South", "East", "West"]
    categories = ["Electronics", "Books", "Garden", "Toys"]
    customers = [(i, f"Customer {i}", f"c{i}@example.com", regions[i % 4]) for i in range(1, 201)]
    products = [(i, f"Product {i}", categories[i % 4], round(r.uniform(1, 500), 2))
                for i in range(1, 51)]
    transactions = []
    for i in range(1, 2001):
        day = TODAY - datetime.timedelta(days=r.randrange(0, 90))
        transactions.append((i, r.randrange(1, 231), r.randrange(1, 51), r.randrange(1, 6),
                             day.isoformat(), round(r.uniform(5, 900), 2)))
    users = [(i, f"user{i}@example.com", f"User {i}") for i in range(1, 301)]
    orders = []
    for i in range(1, 3001):
        u = r.randrange(1, 281)  # users 281..300 have no orders
        orders.append({"id": i, "user_id": u, "total": round(r.uniform(3, 400), 2),
                       "created_at": datetime.datetime(2025, 1, 1) + datetime.timedelta(minutes=r.randrange(0, 400000))})
    analytics = [{"user_id": i, "page_views_30d": r.randrange(0, 500)} for i in range(1, 301, 2)]
    sessions = [(f"s{i:04d}", r.randrange(1, 301), r.choice(["web", "ios", "android"]))
                for i in range(1, 121)]
    return locals()


def _psql(sql):
    url = os.environ["AISHELL_TEST_PG_URL"]
    subprocess.run([os.path.join(os.environ["AISHELL_TEST_PG_BIN"], "psql"), url, "-q", "-v",
                    "ON_ERROR_STOP=1"], input=sql, check=True, capture_output=True, text=True)


def _sql_values(rows):
    def lit(v):
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return repr(v)
    return ",".join("(" + ",".join(lit(v) for v in row) + ")" for row in rows)


def _load_postgres(d):
    _psql("DROP SCHEMA IF EXISTS trino_x CASCADE; CREATE SCHEMA trino_x;"
          "CREATE TABLE trino_x.customers (customer_id bigint, customer_name text, email text, region text);"
          "CREATE TABLE trino_x.users (id bigint, email text, name text);"
          "CREATE TABLE trino_x.orders (id bigint, user_id bigint, total double precision, created_at timestamp);"
          f"INSERT INTO trino_x.orders VALUES {_sql_values([(o['id'], o['user_id'], o['total'], o['created_at'].isoformat(sep=' ')) for o in d['orders']])};"
          f"INSERT INTO trino_x.customers VALUES {_sql_values(d['customers'])};"
          f"INSERT INTO trino_x.users VALUES {_sql_values(d['users'])};"
          "ANALYZE trino_x.customers; ANALYZE trino_x.users; ANALYZE trino_x.orders;")


def _mongo_url(db):
    url = os.environ["AISHELL_TEST_MONGODB_URL"]
    return url.replace("/?", f"/{db}?") if "/?" in url else url.rstrip("/") + f"/{db}"


def _load_mongo(d):
    import pymongo

    client = pymongo.MongoClient(os.environ["AISHELL_TEST_MONGODB_URL"])
    db = client["trino_x"]
    db.drop_collection("orders")
    db.drop_collection("_schema")  # Trino's own table definitions, from an earlier run
    db["orders"].insert_many([dict(o) for o in d["orders"]])
    client.close()


def _os(method, path, body=None):
    data = None
    headers = {}
    if body is not None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        headers["Content-Type"] = "application/x-ndjson" if isinstance(body, str) else "application/json"
    req = urllib.request.Request(os.environ["AISHELL_TEST_OS_HTTP"] + path, data=data,
                                 method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        if method == "DELETE" and e.code == 404:
            return {}
        raise


def _load_es(d):
    _os("DELETE", "/trino_x_user_analytics")
    _os("PUT", "/trino_x_user_analytics", {"mappings": {"properties": {
        "user_id": {"type": "long"}, "page_views_30d": {"type": "integer"}}}})
    lines = []
    for a in d["analytics"]:
        lines.append(json.dumps({"index": {}}))
        lines.append(json.dumps(a))
    _os("POST", "/trino_x_user_analytics/_bulk?refresh=true", "\n".join(lines) + "\n")


def _redis_url():
    url = os.environ["AISHELL_TEST_REDIS_URL"]
    return url.rsplit("/", 1)[0] + f"/{REDIS_DB}"


def _load_redis(d):
    import redis

    r = redis.Redis.from_url(_redis_url())
    r.flushdb()
    for sid, user_id, device in d["sessions"]:
        r.hset(f"session:{sid}", mapping={"user_id": user_id, "device": device})
    r.close()


class Trino:
    """The client REST protocol: POST /v1/statement, then follow nextUri."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def query(self, sql):
        req = urllib.request.Request(self.base + "/v1/statement", data=sql.encode(), method="POST",
                                     headers={"X-Trino-User": "aishell-test"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            doc = json.loads(resp.read())
        columns, rows = None, []
        while True:
            if "error" in doc:
                raise AssertionError(f"Trino failed: {doc['error'].get('message')}\n{sql}")
            columns = columns or doc.get("columns")
            rows.extend(doc.get("data") or [])
            if "nextUri" not in doc:
                break
            with urllib.request.urlopen(doc["nextUri"], timeout=120) as resp:
                doc = json.loads(resp.read())
        return [c["name"] for c in (columns or [])], rows


def _aishell_rows(home, sql):
    r = run_aishell(["query", "--format", "json", "--max-rows", "0", sql], home)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout) if r.stdout.strip() else []
    names = list(doc[0].keys()) if doc else []
    return names, [list(row.values()) for row in doc]


def _norm(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v) if v.strip() and v.replace(".", "", 1).lstrip("-").isdigit() else v.replace("T", " ")
        except ValueError:
            return v
    return v


def _timestamp(text):
    """'2025-01-02 03:04:05.120000 UTC', '2025-01-02T03:04:05.12Z' -> '2025-01-02 03:04:05.12'."""
    text = text.replace("T", " ")
    for suffix in (" UTC", "Z", "+00:00"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    if "." in text[10:]:
        text = text.rstrip("0").rstrip(".")
    return text


def _same(a_rows, t_rows, ordered):
    a = [[_norm(v) for v in row] for row in a_rows]
    t = [[_norm(v) for v in row] for row in t_rows]
    if not ordered:
        key = lambda row: [("" if v is None else str(round(v, 4)) if isinstance(v, float) else str(v)) for v in row]
        a, t = sorted(a, key=key), sorted(t, key=key)
    assert len(a) == len(t), f"{len(a)} rows from aishell, {len(t)} from Trino"
    for ra, rt in zip(a, t):
        assert len(ra) == len(rt)
        for x, y in zip(ra, rt):
            if isinstance(x, float) and isinstance(y, float):
                assert x == pytest.approx(y, rel=1e-9, abs=1e-9), (ra, rt)
            elif isinstance(x, str) and isinstance(y, str) and x[:4].isdigit() and x.startswith(y[:10]):
                assert _timestamp(x) == _timestamp(y), (ra, rt)
            else:
                assert x == y, (ra, rt)


@pytest.fixture
def federation(tmp_path):
    _need()
    d = _data()
    tmp = tmp_path
    home = tmp / "home"
    _load_postgres(d)
    _load_mongo(d)
    _load_es(d)
    _load_redis(d)

    # The Iceberg SQL catalog's table and files of an earlier run.
    _psql("DO $$ BEGIN IF to_regclass('public.iceberg_tables') IS NOT NULL THEN "
          "DELETE FROM public.iceberg_tables WHERE catalog_name = 'trino_x'; END IF; END $$;")
    if os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1":
        import boto3
        from botocore.config import Config

        s3 = boto3.client("s3", endpoint_url=os.environ["AISHELL_TEST_S3_ENDPOINT"],
                          aws_access_key_id=os.environ["AISHELL_TEST_S3_ACCESS_KEY"],
                          aws_secret_access_key=os.environ["AISHELL_TEST_S3_SECRET_KEY"],
                          region_name=os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1"),
                          config=Config(s3={"addressing_style": "path"}))
        bucket = os.environ["AISHELL_TEST_S3_BUCKET"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="trino-x-jdbc/"):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
    # A folder of files: one Parquet file in sales/, one JSON Lines file in events/ (tables for
    # Trino's hive connector), two CSV files side by side at the top (a note: one folder, two tables).
    import pyarrow as pa
    import pyarrow.parquet as pq

    lake = tmp / "lake"
    (lake / "sales").mkdir(parents=True)
    (lake / "events").mkdir()
    pq.write_table(pa.table({
        "order_id": pa.array([o["id"] for o in d["orders"][:500]], pa.int64()),
        "user_id": pa.array([o["user_id"] for o in d["orders"][:500]], pa.int64()),
        "amount": pa.array([o["total"] for o in d["orders"][:500]], pa.float64()),
        "region": pa.array([d["customers"][o["id"] % 200][3] for o in d["orders"][:500]]),
        "ordered_at": pa.array([o["created_at"] for o in d["orders"][:500]], pa.timestamp("us")),
    }), lake / "sales" / "orders.parquet")
    (lake / "events" / "clicks.jsonl").write_text("".join(
        json.dumps({"user_id": (i * 7) % 300 + 1, "page": f"/p{i % 13}", "ms": i * 3})
        + "\n" for i in range(400)))
    (lake / "a.csv").write_text("x\n1\n")
    (lake / "b.csv").write_text("y\n2\n")

    rest = os.environ["AISHELL_TEST_ICEBERG_REST_URL"]
    warehouse = os.environ["AISHELL_TEST_ICEBERG_REST_WAREHOUSE"]
    connects = [
        ["connect", os.environ["AISHELL_TEST_PG_URL"], "--name", "users-db"],
        ["connect", os.environ["AISHELL_TEST_PG_URL"], "--name", "orders-db"],
        ["connect", os.environ["AISHELL_TEST_OS_URL"], "--name", "analytics-db"],
        ["connect", _mongo_url("trino_x"), "--name", "orders-mongo"],
        ["connect", os.environ["AISHELL_TEST_ES_URL"], "--name", "search-es"],
        ["connect", f"file://{lake}", "--name", "lake"],
    ]
    if os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1":
        # An Iceberg SQL catalog in PostgreSQL (Trino's jdbc catalog), its warehouse in MinIO.
        connects.append(
            ["connect", os.environ["AISHELL_TEST_PG_URL"], "--type", "iceberg", "--name", "ice-jdbc",
             "--property", "catalog-name=trino_x",
             "--property", f"warehouse=s3://{os.environ['AISHELL_TEST_S3_BUCKET']}/trino-x-jdbc",
             "--property", f"s3.endpoint={os.environ['AISHELL_TEST_S3_ENDPOINT']}",
             "--property", "s3.path-style-access=true",
             "--property", f"s3.region={os.environ.get('AISHELL_TEST_S3_REGION', 'us-east-1')}",
             "--property", f"s3.access-key-id={os.environ['AISHELL_TEST_S3_ACCESS_KEY']}",
             "--property", f"s3.secret-access-key={os.environ['AISHELL_TEST_S3_SECRET_KEY']}"])
    connects += [
        ["connect", _redis_url(), "--name", "sessions-db", "--property",
         "table.sessions=session:{session_id}", "--property", "column.sessions.user_id=BIGINT"],
        ["connect", rest, "--type", "iceberg", "--name", "iceberg", "--property",
         f"warehouse={warehouse}"] + (
            ["--property", f"s3.endpoint={os.environ['AISHELL_TEST_S3_ENDPOINT']}",
             "--property", "s3.path-style-access=true",
             "--property", f"s3.access-key-id={os.environ['AISHELL_TEST_S3_ACCESS_KEY']}",
             "--property", f"s3.secret-access-key={os.environ['AISHELL_TEST_S3_SECRET_KEY']}",
             "--property", f"s3.region={os.environ.get('AISHELL_TEST_S3_REGION', 'us-east-1')}"]
            if os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1" else []),
    ]
    for args in connects:
        r = run_aishell(args, home)
        assert r.returncode == 0, r.stderr

    # Seed 000's Iceberg tables, written by aishell through the REST catalog.
    csv_dir = tmp / "csv"
    csv_dir.mkdir()
    (csv_dir / "products.csv").write_text(
        "product_id,product_name,category,unit_price\n" +
        "".join(f"{p[0]},{p[1]},{p[2]},{p[3]}\n" for p in d["products"]))
    (csv_dir / "transactions.csv").write_text(
        "transaction_id,customer_id,product_id,quantity,transaction_date,total_amount\n" +
        "".join(",".join(str(v) for v in t) + "\n" for t in d["transactions"]))
    # The namespace, through the REST API (aishell has no CREATE SCHEMA).
    req = urllib.request.Request(rest + "/v1/namespaces", method="POST",
                                 data=json.dumps({"namespace": ["trino_x"]}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req).read()
    except urllib.error.HTTPError as e:
        assert e.code == 409, e.read()  # it exists
    for table in ["products", "transactions"]:  # from an earlier run (aishell has no DROP here)
        req = urllib.request.Request(
            f"{rest}/v1/namespaces/trino_x/tables/{table}?purgeRequested=true", method="DELETE")
        try:
            urllib.request.urlopen(req).read()
        except urllib.error.HTTPError as e:
            assert e.code == 404, e.read()
    jdbc = os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1"
    for stmt in ([
        f"CREATE TABLE \"ice-jdbc\".trino_x.products AS SELECT CAST(product_id AS BIGINT) AS product_id, "
        f"product_name, category, CAST(unit_price AS DOUBLE) AS unit_price "
        f"FROM read_csv('{csv_dir}/products.csv')"] if jdbc else []) + [
        f"CREATE TABLE iceberg.trino_x.products AS SELECT CAST(product_id AS BIGINT) AS product_id, "
        f"product_name, category, CAST(unit_price AS DOUBLE) AS unit_price "
        f"FROM read_csv('{csv_dir}/products.csv')",
        f"CREATE TABLE iceberg.trino_x.transactions AS SELECT CAST(transaction_id AS BIGINT) AS transaction_id, "
        f"CAST(customer_id AS BIGINT) AS customer_id, CAST(product_id AS BIGINT) AS product_id, "
        f"CAST(quantity AS BIGINT) AS quantity, CAST(transaction_date AS DATE) AS transaction_date, "
        f"CAST(total_amount AS DOUBLE) AS total_amount FROM read_csv('{csv_dir}/transactions.csv')",
    ]:
        r = run_aishell(["query", stmt], home)
        assert r.returncode == 0, (stmt, r.stderr)

    # Seed 002's virtual table, as written in the seed ([source].table names).
    view = """SELECT
  u.id,
  u.email,
  u.name,
  COUNT(o.id) as total_orders,
  SUM(o.total) as lifetime_value,
  MAX(o.created_at) as last_order_date,
  es.page_views_30d
FROM
  [users-db].trino_x.users u
  LEFT JOIN [orders-db].trino_x.orders o ON u.id = o.user_id
  LEFT JOIN [analytics-db].trino_x_user_analytics es ON u.id = es.user_id
GROUP BY u.id, u.email, u.name, es.page_views_30d"""
    r = run_aishell(["create-view", "customer_summary", view], home)
    assert r.returncode == 0, r.stderr

    out = tmp / "trino-export"
    r = run_aishell(["export-catalogs", "--to", "trino", str(out)], home)
    assert r.returncode == 0, r.stderr
    secrets = [os.environ["AISHELL_TEST_ES_PASSWORD"], os.environ.get("AISHELL_TEST_REDIS_PASSWORD", "-"),
               os.environ.get("AISHELL_TEST_MONGODB_PASSWORD", "-"), "aishell-test-pw",
               os.environ.get("AISHELL_TEST_S3_SECRET_KEY", "-")]
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text()
            for s in secrets:
                assert s not in text, path
    for s in secrets:
        assert s not in r.stdout + r.stderr

    # The secrets go to Trino through the environment the catalogs reference.
    env = dict(os.environ)
    from urllib.parse import unquote, urlsplit
    env["AISHELL_USERS_DB_PASSWORD"] = unquote(urlsplit(os.environ["AISHELL_TEST_PG_URL"]).password)
    env["AISHELL_ORDERS_DB_PASSWORD"] = env["AISHELL_USERS_DB_PASSWORD"]
    env["AISHELL_ORDERS_MONGO_PASSWORD"] = urlsplit(os.environ["AISHELL_TEST_MONGODB_URL"]).password
    env["AISHELL_SEARCH_ES_PASSWORD"] = os.environ["AISHELL_TEST_ES_PASSWORD"]
    env["AISHELL_SESSIONS_DB_PASSWORD"] = unquote(urlsplit(os.environ["AISHELL_TEST_REDIS_URL"]).password)
    if os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1":
        env["AISHELL_ICEBERG_S3_SECRET_KEY"] = os.environ["AISHELL_TEST_S3_SECRET_KEY"]
        env["AISHELL_ICE_JDBC_S3_SECRET_KEY"] = os.environ["AISHELL_TEST_S3_SECRET_KEY"]
        env["AISHELL_ICE_JDBC_PASSWORD"] = env["AISHELL_USERS_DB_PASSWORD"]
    notes = (out / "NOTES.md").read_text()
    for name in ["AISHELL_USERS_DB_PASSWORD", "AISHELL_ORDERS_DB_PASSWORD",
                 "AISHELL_ORDERS_MONGO_PASSWORD", "AISHELL_SEARCH_ES_PASSWORD",
                 "AISHELL_SESSIONS_DB_PASSWORD"]:
        assert name in notes

    port = _free_port()
    work = tmp / "trino-run"
    script = os.path.join(ROOT, "scripts", "services", "trino.sh")
    started = subprocess.run(["bash", script, "serve", str(out / "etc" / "catalog"), str(work), str(port)],
                             env=env, capture_output=True, text=True, timeout=300)
    try:
        assert started.returncode == 0, started.stderr
        trino = Trino(port)
        for stmt in ((out / "tables.sql").read_text() + (out / "views.sql").read_text()).split(";\n"):
            body = "\n".join(l for l in stmt.splitlines() if not l.startswith("--")).strip()
            if body:
                trino.query(body)
        yield home, trino, out
    finally:
        subprocess.run(["bash", script, "halt", str(work)], capture_output=True, timeout=60)


def _check_catalog_files(trino, out):
    catalogs = sorted(p.name for p in (out / "etc" / "catalog").iterdir())
    if "ice_jdbc.properties" in catalogs:
        catalogs.remove("ice_jdbc.properties")
        jdbc = (out / "etc" / "catalog" / "ice_jdbc.properties").read_text()
        assert "iceberg.catalog.type=jdbc\n" in jdbc
    assert catalogs == ["aishell_views.properties", "analytics_db.properties", "iceberg.properties",
                        "lake.properties", "orders_db.properties", "orders_mongo.properties", "search_es.properties",
                        "sessions_db.properties", "users_db.properties"]
    assert (out / "etc" / "redis" / "sessions_db" / "sessions.json").exists()
    _, rows = trino.query("SHOW CATALOGS")
    assert {"users_db", "orders_db", "analytics_db", "sessions_db", "iceberg", "aishell_views",
            "orders_mongo", "search_es"} <= {r[0] for r in rows}
    es = (out / "etc" / "catalog" / "search_es.properties").read_text()
    assert "connector.name=elasticsearch\n" in es
    assert "elasticsearch.tls.enabled=true\n" in es
    assert f"elasticsearch.tls.truststore-path={os.environ['AISHELL_TEST_ES_CA']}\n" in es
    assert "elasticsearch.auth.password=${ENV:AISHELL_SEARCH_ES_PASSWORD}\n" in es
    assert "connector.name=opensearch\n" in (out / "etc" / "catalog" / "analytics_db.properties").read_text()
    notes = (out / "NOTES.md").read_text()
    assert "lake: schema default (2 tables in one folder) does not carry over" in notes


def _check_mongodb_catalog(trino):
    # The URL, user and ${ENV:...} password reach FerretDB (reads do not: see the module doc).
    _, rows = trino.query("SHOW SCHEMAS FROM orders_mongo")
    assert "trino_x" in {r[0] for r in rows}


SEED_000 = {
    "customer_360": ("""SELECT t.transaction_id, c.customer_name, c.email, c.region, p.product_name,
    p.category, t.quantity, t.transaction_date, t.quantity * p.unit_price AS calculated_amount
FROM {ice}.trino_x.transactions t
LEFT JOIN {pg}.trino_x.customers c ON t.customer_id = c.customer_id
LEFT JOIN {ice}.trino_x.products p ON t.product_id = p.product_id
ORDER BY t.transaction_date DESC, t.transaction_id
LIMIT 100""", True),
    "regional": ("""SELECT c.region, COUNT(*) as total_transactions,
    SUM(t.quantity * p.unit_price) as total_revenue, AVG(t.quantity * p.unit_price) as avg_transaction,
    COUNT(DISTINCT c.customer_id) as unique_customers
FROM {ice}.trino_x.transactions t
JOIN {pg}.trino_x.customers c ON t.customer_id = c.customer_id
JOIN {ice}.trino_x.products p ON t.product_id = p.product_id
WHERE t.transaction_date >= CURRENT_DATE - INTERVAL '30' DAY
GROUP BY c.region ORDER BY total_revenue DESC""", True),
    "category": ("""SELECT p.category, COUNT(*) AS total_transactions, SUM(t.quantity) AS total_units_sold,
    SUM(t.quantity * p.unit_price) AS total_revenue
FROM {ice}.trino_x.transactions t
LEFT JOIN {pg}.trino_x.customers c ON t.customer_id = c.customer_id
LEFT JOIN {ice}.trino_x.products p ON t.product_id = p.product_id
GROUP BY p.category""", False),
    "region_category": ("""SELECT c.region, p.category, SUM(t.quantity * p.unit_price) as revenue
FROM {ice}.trino_x.transactions t
JOIN {pg}.trino_x.customers c ON t.customer_id = c.customer_id
JOIN {ice}.trino_x.products p ON t.product_id = p.product_id
GROUP BY c.region, p.category""", False),
    "enriched_count": ("""SELECT count(*) FROM {ice}.trino_x.transactions t
LEFT JOIN {pg}.trino_x.customers c ON t.customer_id = c.customer_id
LEFT JOIN {ice}.trino_x.products p ON t.product_id = p.product_id
WHERE c.customer_name IS NOT NULL AND p.product_name IS NOT NULL""", True),
}

SEED_002 = {
    "users_with_orders": ("""SELECT u.id, u.email, count(*) AS orders, sum(o.total) AS spent
FROM {pg}.trino_x.users u JOIN {orders}.trino_x.orders o ON u.id = o.user_id
WHERE o.created_at >= TIMESTAMP '2025-06-01 00:00:00'
GROUP BY u.id, u.email""", False),
    "analytics_join": ("""SELECT u.id, u.name, a.page_views_30d
FROM {pg}.trino_x.users u JOIN {es}."default".trino_x_user_analytics a ON u.id = a.user_id
WHERE a.page_views_30d > 250""", False),
    "sessions_to_orders": ("""SELECT s.device, count(DISTINCT s.user_id) AS users, count(o.id) AS orders
FROM {redis}."default".sessions s JOIN {pg}.trino_x.users u ON s.user_id = u.id
LEFT JOIN {orders}.trino_x.orders o ON o.user_id = u.id
GROUP BY s.device""", False),
    "iceberg_jdbc": ("""SELECT p.category, count(*) AS n, sum(p.unit_price) AS total,
    sum(t.quantity) AS units
FROM {icej}.trino_x.products p LEFT JOIN {ice}.trino_x.transactions t ON t.product_id = p.product_id
GROUP BY p.category""", False),
    "file_tables": ("""SELECT s.region, count(*) AS n, sum(s.amount) AS amount, max(s.ordered_at) AS last,
    count(c.page) AS clicks
FROM {lake}.sales.orders s LEFT JOIN {lake}.events.clicks c ON c.user_id = s.user_id AND c.ms < 300
GROUP BY s.region""", False),
    "view_filtered": ("SELECT id, email, total_orders, lifetime_value, page_views_30d "
                      "FROM {views}customer_summary WHERE total_orders > 10", False),
    "view_tiers": ("""SELECT CASE WHEN total_orders > 14 THEN 'VIP' WHEN total_orders > 11 THEN 'Gold'
    WHEN total_orders > 8 THEN 'Silver' ELSE 'Bronze' END as tier,
  COUNT(*) as customer_count, AVG(lifetime_value) as avg_ltv
FROM {views}customer_summary GROUP BY 1""", False),
}

AISHELL_NAMES = {"pg": '"users-db"', "orders": '"orders-db"', "es": '"analytics-db"',
                 "redis": '"sessions-db"', "ice": "iceberg", "views": "", "lake": "lake", "icej": '"ice-jdbc"'}
TRINO_NAMES = {"pg": "users_db", "orders": "orders_db", "es": "analytics_db", "redis": "sessions_db",
               "ice": "iceberg", "views": "aishell_views.default.", "lake": "lake", "icej": "ice_jdbc"}


def test_trino_reads_the_exported_catalogs_with_the_same_results(federation):
    # One test (one Trino server): pytest-xdist would start a server per worker otherwise.
    home, trino, out = federation
    _check_catalog_files(trino, out)
    _check_mongodb_catalog(trino)
    failures = []
    queries = {**SEED_000, **SEED_002}
    if os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") != "1":
        queries.pop("iceberg_jdbc")  # its warehouse is in MinIO
    for name, (sql, ordered) in sorted(queries.items()):
        try:
            a_names, a_rows = _aishell_rows(home, sql.format(**AISHELL_NAMES))
            t_names, t_rows = trino.query(sql.format(**TRINO_NAMES))
            # Unnamed expressions: aishell names them after their text, Trino _colN.
            assert [n.lower() if not t.startswith("_col") else t
                    for n, t in zip(a_names, t_names)] == t_names or not a_rows
            assert t_rows, "Trino returned no rows"
            _same(a_rows, t_rows, ordered)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
    assert not failures, "\n\n".join(failures)
