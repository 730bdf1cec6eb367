"""The MongoDB connector against a real MongoDB wire server (FerretDB, scripts/services/ferretdb.sh),
with pymongo as the independent oracle: it loads the documents and computes every expected answer."""
import datetime
import decimal
import json
import math
import random

import pytest
from bson import Binary, Int64, ObjectId

pytestmark = pytest.mark.connector("mongodb")

UTC = datetime.timezone.utc
BASE = datetime.datetime(2024, 5, 1, tzinfo=UTC)


def make_orders(n=600, seed=7):
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        d = {
            "_id": i + 1,
            "user_id": rnd.randint(1, 60),
            "status": rnd.choice(["paid", "shipped", "cancelled", "pending"]),
            "total": round(rnd.uniform(1, 500), 2),
            "qty": rnd.randint(1, 9),
            "created_at": BASE + datetime.timedelta(hours=rnd.randint(0, 24 * 60)),
            "region": rnd.choice(["EU", "US", "APAC"]),
            "address": {"city": rnd.choice(["Paris", "Berlin", "Austin", "Lyon"]), "zip": str(10000 + i)},
            "items": [{"sku": f"s{rnd.randint(1, 20)}", "price": rnd.randint(1, 99)}
                      for _ in range(rnd.randint(0, 3))],
        }
        if i % 10 == 3:
            del d["region"]  # missing field
        if i % 10 == 5:
            d["region"] = None  # explicit null
        if i % 17 == 0:
            d["qty"] = None
        docs.append(d)
    return docs


def iso_ms(dt):
    return dt.astimezone(UTC).replace(tzinfo=None)


def test_schema_inference_over_mixed_and_nested_documents(db, shell):
    oid = ObjectId()
    db.mixed.insert_many([
        {"_id": oid, "a": 1, "b": 1, "c": "x", "n": {"city": "Paris", "geo": {"lat": 1.5}},
         "tags": ["a", "b"], "mix": [1, {"x": 1}], "when": BASE, "blob": Binary(b"\x00\x01"),
         "flag": True},
        {"_id": ObjectId(), "a": Int64(2), "b": 2.5, "c": 3, "n": {"city": "Lyon"}, "tags": [],
         "mix": [2], "when": BASE + datetime.timedelta(days=1), "flag": False, "extra": "only here"},
    ])
    shell.connect()
    r = shell.run("query", "--format", "json", "DESCRIBE m.%s.mixed" % shell.database)
    assert r.returncode == 0, r.stderr
    cols = {row["Column"]: row for row in json.loads(r.stdout)}
    assert cols["_id"]["Type"] == "varchar"
    assert cols["a"]["Type"] == "bigint"      # int32 + int64
    assert cols["b"]["Type"] == "double"      # int + double
    assert cols["c"]["Type"] == "varchar"     # string + int
    assert cols["n"]["Type"].startswith("row(city varchar, geo row(lat double))")
    assert cols["tags"]["Type"] == "array(varchar)"
    assert cols["mix"]["Type"] == "json"      # elements disagree
    assert "timestamp" in cols["when"]["Type"] and "time zone" in cols["when"]["Type"]
    assert cols["blob"]["Type"] == "varbinary"
    assert cols["flag"]["Type"] == "boolean"
    assert "int32 in 50%" in cols["a"]["Comment"] and "int64 in 50%" in cols["a"]["Comment"]
    assert "missing in 50%" in cols["extra"]["Comment"]
    rows = shell.rows(f"SELECT _id, a, c, n.city, n.geo.lat, cardinality(tags), json_format(mix), blob "
                      f"FROM m.{shell.database}.mixed ORDER BY a")
    assert rows[0][0] == str(oid)
    assert rows[0][1:6] == [1, "x", "Paris", 1.5, 2]
    assert rows[1][1:6] == [2, "3", "Lyon", None, 0]
    assert rows[0][6] == '[1,{"x":1}]'
    assert rows[1][7] is None


def test_flatten_and_type_override_properties(db, shell):
    db.people.insert_many([{"_id": 1, "address": {"city": "Paris", "zip": "75001"}, "score": 1},
                           {"_id": 2, "address": {"city": "Berlin"}, "score": 2}])
    shell.connect("schema.flatten=true", "schema.people.score=decimal(10,2)")
    rows = shell.rows(f'SELECT "address.city", "address.zip", score, typeof(score) FROM m.{shell.database}.people ORDER BY _id')
    assert rows == [["Paris", "75001", 1.0, "decimal(10,2)"], ["Berlin", None, 2.0, "decimal(10,2)"]]
    # Filters on a flattened nested field go to the server.
    plan = shell.explain(f"SELECT _id FROM m.{shell.database}.people WHERE \"address.city\" = 'Berlin'")
    assert '"address.city"' in plan and "$eq" in plan


def test_scan_matches_pymongo(db, shell):
    docs = make_orders()
    db.orders.insert_many(docs)
    shell.connect()
    rows = shell.rows(f"SELECT _id, user_id, status, total, qty, region, address.city, cardinality(items) "
                      f"FROM m.{shell.database}.orders ORDER BY _id")
    expected = [[d["_id"], d["user_id"], d["status"], d["total"], d["qty"], d.get("region"),
                 d["address"]["city"], len(d["items"])] for d in db.orders.find().sort("_id", 1)]
    assert rows == expected


FILTERS = [
    ("status = 'paid'", lambda d: d["status"] == "paid"),
    ("status <> 'paid'", lambda d: d["status"] != "paid"),
    ("region <> 'EU'", lambda d: d.get("region") is not None and d["region"] != "EU"),
    ("region IS NULL", lambda d: d.get("region") is None),
    ("region IS NOT NULL", lambda d: d.get("region") is not None),
    ("qty IS NULL", lambda d: d.get("qty") is None),
    ("qty > 5", lambda d: d.get("qty") is not None and d["qty"] > 5),
    ("NOT (qty > 5)", lambda d: d.get("qty") is not None and not d["qty"] > 5),
    ("total BETWEEN 100 AND 200", lambda d: 100 <= d["total"] <= 200),
    ("user_id IN (1, 2, 3, 50)", lambda d: d["user_id"] in (1, 2, 3, 50)),
    ("region NOT IN ('EU', 'US')", lambda d: d.get("region") is not None and d["region"] not in ("EU", "US")),
    ("region IN ('EU', NULL)", lambda d: d.get("region") == "EU"),
    ("status LIKE 'p%'", lambda d: d["status"].startswith("p")),
    ("status LIKE '_aid'", lambda d: len(d["status"]) == 4 and d["status"].endswith("aid")),
    ("address.city = 'Paris'", lambda d: d["address"]["city"] == "Paris"),
    ("status = 'paid' OR qty < 2", lambda d: d["status"] == "paid" or (d.get("qty") is not None and d["qty"] < 2)),
    ("NOT (status = 'paid' OR region = 'EU')",
     lambda d: d["status"] != "paid" and d.get("region") is not None and d["region"] != "EU"),
    ("created_at >= TIMESTAMP '2024-06-01 00:00:00 UTC'",
     lambda d: d["created_at"] >= datetime.datetime(2024, 6, 1)),
    ("created_at < TIMESTAMP '2024-05-10 00:00:00 UTC' AND total > 250",
     lambda d: d["created_at"] < datetime.datetime(2024, 5, 10) and d["total"] > 250),
    ("_id = 17", lambda d: d["_id"] == 17),
]


@pytest.mark.parametrize("where,oracle", FILTERS, ids=[f[0] for f in FILTERS])
def test_filter_pushdown_equals_engine_and_pymongo(db, shell, where, oracle):
    db.orders.insert_many(make_orders(300))
    shell.connect()
    sql = f"SELECT _id FROM m.{shell.database}.orders WHERE {where} ORDER BY _id"
    pushed = shell.rows(sql)
    assert pushed == shell.rows(sql, pushdown=False)
    expected = [[d["_id"]] for d in db.orders.find().sort("_id", 1) if oracle(d)]
    assert pushed == expected
    # The filter went to the server (EXPLAIN shows the find filter as JSON).
    plan = shell.explain(sql)
    assert "db.orders.find({ \"" in plan or "db.orders.find({ \"$" in plan, plan


def test_only_widening_casts_are_pushed(db, shell):
    """CAST(int_col AS BIGINT) = 3 is the field's value and goes to the server; CAST(double_col AS
    INTEGER) rounds (CAST(99.6 AS INTEGER) = 100), which {total: 100} would not match: it stays in
    the engine, and the answer is SQL's."""
    docs = make_orders(300)
    db.orders.insert_many(docs)
    shell.connect()
    t = f"m.{shell.database}.orders"
    sql = f"SELECT _id FROM {t} WHERE CAST(total AS INTEGER) = 100 ORDER BY _id"
    expected = [[d["_id"]] for d in docs if math.floor(d["total"] + 0.5) == 100]
    assert expected and shell.rows(sql) == expected == shell.rows(sql, pushdown=False)
    assert '"$eq" : 100' not in shell.explain(sql) and 'find({ }' in shell.explain(sql)
    sql = f"SELECT _id FROM {t} WHERE CAST(qty AS BIGINT) = 3 ORDER BY _id"
    assert shell.rows(sql) == [[d["_id"]] for d in docs if d["qty"] == 3]
    assert '"qty" : { "$eq" : 3 }' in shell.explain(sql)


def test_ferretdb_default_pushes_one_pipeline_at_most(db, shell, mongo):
    """On FerretDB each pipeline reads the collection again, as slowly as a scan: by default only
    aggregations that need one pipeline go to the server."""
    db.orders.insert_many(make_orders(50))
    shell.connect()
    t = f"m.{shell.database}.orders"
    assert ".aggregate(" in shell.explain(f"SELECT status, count(*) FROM {t} GROUP BY status")
    plan = shell.explain(f"SELECT status, count(*), sum(qty) FROM {t} GROUP BY status")
    if mongo.admin.command("buildInfo").get("ferretdbVersion"):
        assert ".aggregate(" not in plan and ".find(" in plan, plan
    else:
        assert ".aggregate(" in plan, plan


def test_order_limit_and_projection_pushdown(db, shell):
    db.orders.insert_many(make_orders(300))
    shell.connect()
    sql = f"SELECT _id, total FROM m.{shell.database}.orders ORDER BY total DESC LIMIT 5"
    plan = shell.explain(sql)
    assert '.sort({"total": -1}).limit(5)' in plan, plan
    assert '"total" : 1' in plan and '"status"' not in plan
    expected = [[d["_id"], d["total"]] for d in db.orders.find().sort("total", -1).limit(5)]
    assert shell.rows(sql) == expected
    assert shell.rows(sql, pushdown=False) == expected


AGGREGATES = [
    "SELECT count(*) FROM {t}",
    "SELECT count(*) FROM {t} WHERE status = 'nothing'",
    "SELECT sum(qty), count(qty), avg(qty) FROM {t} WHERE status = 'nothing'",
    "SELECT status, count(*) FROM {t} GROUP BY status",
    "SELECT region, count(*), count(qty), sum(qty), avg(total) FROM {t} GROUP BY region",
    "SELECT region, status, count(*), sum(total) FROM {t} GROUP BY region, status",
    "SELECT user_id, count(DISTINCT status) FROM {t} WHERE total > 100 GROUP BY user_id",
    "SELECT count(DISTINCT region) FROM {t}",
    "SELECT address.city, sum(qty) FROM {t} GROUP BY address.city",
]


def _approx(rows):
    return sorted([[round(float(v), 6) if isinstance(v, (float, decimal.Decimal)) else v for v in r] for r in rows],
                  key=lambda r: [(v is None, str(v)) for v in r])


@pytest.mark.parametrize("sql", AGGREGATES)
def test_aggregation_pushdown_equals_engine(db, shell, sql):
    db.orders.insert_many(make_orders(400))
    shell.connect("aggregation.max_pipelines=8")  # every plan pushed, FerretDB's default is 1
    q = sql.format(t=f"m.{shell.database}.orders")
    pushed = shell.rows(q)
    assert _approx(pushed) == _approx(shell.rows(q, pushdown=False))
    plan = shell.explain(q)
    assert ".aggregate(" in plan and "$group" in plan, plan
    if "GROUP BY address.city" in q:  # a field of a ROW column is grouped by its path
        assert '"_id" : "$address.city"' in plan, plan


def test_group_by_row_fields_pushed_as_paths(db, shell):
    """GROUP BY a field of a ROW column (also nested, also with a column) becomes a $group on its
    path; a missing or null sub-document and a missing field are one NULL group, as in SQL, equal to
    pymongo's answer and to the engine's. Other group expressions stay in the engine."""
    docs = [{"_id": i, "qty": i % 5, "region": ["EU", "US"][i % 2],
             "address": {"city": ["Paris", "Lyon", None][i % 3], "geo": {"zone": f"z{i % 4}"}}}
            for i in range(60)]
    docs[1]["address"] = None
    del docs[2]["address"]
    del docs[3]["address"]["city"]
    db.orders.insert_many(docs)
    shell.connect("aggregation.max_pipelines=8")
    t = f"m.{shell.database}.orders"
    expected = {}
    for d in docs:
        city = (d.get("address") or {}).get("city")
        expected[(city, d["region"])] = expected.get((city, d["region"]), 0) + d["qty"]
    sql = f"SELECT address.city, region, sum(qty) FROM {t} GROUP BY address.city, region"
    rows = shell.rows(sql)
    assert _approx(rows) == _approx([[c, r, q] for (c, r), q in expected.items()])
    assert _approx(rows) == _approx(shell.rows(sql, pushdown=False))
    plan = shell.explain(sql)
    assert '"k0" : "$address.city"' in plan and '"k1" : "$region"' in plan, plan
    sql = f"SELECT address.geo.zone, count(*) FROM {t} GROUP BY address.geo.zone"
    rows = shell.rows(sql)
    zones = {}
    for d in docs:
        z = ((d.get("address") or {}).get("geo") or {}).get("zone")
        zones[z] = zones.get(z, 0) + 1
    assert _approx(rows) == _approx([[z, n] for z, n in zones.items()]) == _approx(shell.rows(sql, pushdown=False))
    assert '"$address.geo.zone"' in shell.explain(sql)
    sql = f"SELECT upper(region), count(*) FROM {t} GROUP BY upper(region)"
    assert _approx(shell.rows(sql)) == [["EU", 30], ["US", 30]]
    assert "$group" not in shell.explain(sql)


def test_aggregation_oracle_pymongo(db, shell):
    docs = make_orders(400)
    db.orders.insert_many(docs)
    shell.connect("aggregation.max_pipelines=8")
    rows = shell.rows(f"SELECT region, count(*), sum(qty) FROM m.{shell.database}.orders GROUP BY region")
    expected = {}
    for d in docs:
        key = d.get("region")
        n, s, c = expected.get(key, (0, 0, 0))
        q = d.get("qty")
        expected[key] = (n + 1, s + (q or 0), c + (q is not None))
    assert _approx(rows) == _approx([[k, n, s if c else None] for k, (n, s, c) in expected.items()])


def test_ferretdb_multi_accumulator_bug_never_reaches_users(db, shell, mongo):
    """FerretDB answers 0 for every accumulator after the first of a $group; the connector sends
    one accumulator per pipeline. This test fails if the wrong answer comes through."""
    db.orders.insert_many(make_orders(200))
    info = mongo.admin.command("buildInfo")
    shell.connect("aggregation.max_pipelines=8")
    assert ".aggregate(" in shell.explain(f"SELECT count(*), sum(qty), sum(total) FROM m.{shell.database}.orders")
    rows = shell.rows(f"SELECT count(*), sum(qty), sum(total) FROM m.{shell.database}.orders")
    docs = list(db.orders.find())
    assert rows[0][0] == len(docs)
    assert rows[0][1] == sum(d["qty"] or 0 for d in docs)
    assert math.isclose(rows[0][2], sum(d["total"] for d in docs), rel_tol=1e-9)
    if "ferretdbVersion" in info:
        # The bug itself is still there: a two-accumulator $group gives 0 for the second.
        r = list(db.orders.aggregate([{"$group": {"_id": None, "n": {"$sum": 1}, "t": {"$sum": "$qty"}}}]))
        assert r[0]["t"] == 0, "FerretDB fixed the multi-accumulator bug: the workaround may be relaxed"


def test_ferretdb_field_path_and_elemmatch_bugs_never_reach_users(db, shell, mongo):
    """FerretDB stores the literal "$v" for $addFields/$project with a field path and matches nothing
    for $elemMatch with a sub-document condition. Computed columns and conditions on array elements
    are computed by the engine: the answers equal Python's, and neither operator is sent."""
    docs = make_orders(300)
    db.orders.insert_many(docs)
    shell.connect()
    t = f"m.{shell.database}.orders"
    computed = f"SELECT _id, total * 2 AS t2, address.city AS city FROM {t} ORDER BY _id"
    elements = (f"SELECT count(DISTINCT o._id) FROM {t} o CROSS JOIN UNNEST(o.items) AS i (sku, price) "
                f"WHERE i.price >= 50 AND i.sku = 's3'")
    for sql in (computed, elements):
        plan = shell.explain(sql)
        assert "$addFields" not in plan and "$set" not in plan and "$elemMatch" not in plan, plan
    got = shell.rows(computed)
    assert [[r[0], float(r[1]), r[2]] for r in got] == \
        [[d["_id"], d["total"] * 2, d["address"]["city"]] for d in sorted(docs, key=lambda d: d["_id"])]
    assert shell.rows(elements) == [[sum(1 for d in docs if any(i["price"] >= 50 and i["sku"] == "s3"
                                                                for i in d["items"]))]]
    if mongo.admin.command("buildInfo").get("ferretdbVersion"):
        # The bugs are still there; if one is fixed, the note in the README may be relaxed.
        r = list(db.orders.aggregate([{"$match": {"_id": 1}}, {"$addFields": {"y": "$qty"}}]))
        assert r[0]["y"] == "$qty"
        n = db.orders.count_documents({"items": {"$elemMatch": {"price": {"$gte": 0}}}})
        assert n == 0 < sum(1 for d in docs if d["items"])


def test_seed_002_users_who_purchased_last_week(db, shell, tmp_path):
    """Users from PostgreSQL who made purchases in MongoDB in a week, as SQL, across both servers."""
    import os
    import subprocess
    pg_url = os.environ.get("AISHELL_TEST_PG_URL")
    if not pg_url:
        if os.environ.get("CI") == "true":
            pytest.fail("AISHELL_TEST_PG_URL is unset in CI")
        pytest.skip("no PostgreSQL")
    table = f"mongo_users_{shell.database[-20:]}"
    psql = lambda sql: subprocess.run(["psql", pg_url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                                      capture_output=True, text=True)
    psql(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id int primary key, name text, region text);"
         f"INSERT INTO {table} SELECT g, 'user ' || g, CASE g % 3 WHEN 0 THEN 'EU' WHEN 1 THEN 'US' ELSE 'APAC' END "
         f"FROM generate_series(1, 60) g")
    try:
        docs = make_orders(500)
        db.orders.insert_many(docs)
        shell.connect("aggregation.max_pipelines=8")
        r = shell.run("connect", pg_url, "--name", "users-db")
        assert r.returncode == 0, r.stderr
        sql = (f'SELECT u.id, u.name, count(*) AS orders FROM "users-db".public.{table} u '
               f"JOIN m.{shell.database}.orders o ON o.user_id = u.id "
               f"WHERE o.created_at >= TIMESTAMP '2024-06-01 00:00:00 UTC' "
               f"AND o.created_at < TIMESTAMP '2024-06-08 00:00:00 UTC' GROUP BY u.id, u.name ORDER BY u.id")
        rows = shell.rows(sql)
        lo, hi = datetime.datetime(2024, 6, 1, tzinfo=UTC), datetime.datetime(2024, 6, 8, tzinfo=UTC)
        counts = {}
        for d in docs:
            if lo <= d["created_at"] < hi:
                counts[d["user_id"]] = counts.get(d["user_id"], 0) + 1
        assert rows == [[u, f"user {u}", c] for u, c in sorted(counts.items())]
        plan = shell.explain(sql)
        assert "$gte" in plan and "$lt" in plan, plan
        # Revenue by region, MongoDB pre-aggregating by user before the cross-source join.
        sql2 = (f'SELECT u.region, sum(o.revenue) FROM "users-db".public.{table} u JOIN '
                f"(SELECT user_id, sum(total) AS revenue FROM m.{shell.database}.orders GROUP BY user_id) o "
                f"ON o.user_id = u.id GROUP BY u.region ORDER BY u.region")
        rows2 = shell.rows(sql2)
        rev = {}
        for d in docs:
            region = {0: "EU", 1: "US", 2: "APAC"}[d["user_id"] % 3]
            rev[region] = rev.get(region, 0) + d["total"]
        assert [[r[0], round(float(r[1]), 4)] for r in rows2] == [[k, round(v, 4)] for k, v in sorted(rev.items())]
        assert "$group" in shell.explain(sql2)
    finally:
        psql(f"DROP TABLE IF EXISTS {table}")


def test_lookup_join_fetches_only_matching_documents(db, shell, tmp_path):
    db.orders.insert_many(make_orders(500))
    shell.connect()
    keys = tmp_path / "keys.csv"
    keys.write_text("user_id\n3\n7\n11\n")
    sql = (f"SELECT o._id, o.user_id FROM read_csv('{keys}') k JOIN m.{shell.database}.orders o "
           f"ON o.user_id = CAST(k.user_id AS INTEGER) ORDER BY o._id")
    rows = shell.rows(sql)
    expected = [[d["_id"], d["user_id"]] for d in db.orders.find({"user_id": {"$in": [3, 7, 11]}}).sort("_id", 1)]
    assert rows == expected
    plan = shell.explain(sql)
    assert "$in" in plan, plan


def test_writes_create_table_as_insert_and_upsert(db, shell, mongo):
    shell.connect("key.accounts=id")
    t = f"m.{shell.database}"
    r = shell.run("query", f"CREATE TABLE {t}.copy AS SELECT * FROM (VALUES (1, 'a', 1.5E0, "
                           f"TIMESTAMP '2024-01-02 03:04:05.678 UTC', ARRAY[1, 2], ROW('x', 2))) "
                           f"AS v (id, name, amount, at, nums, r)")
    assert r.returncode == 0, r.stderr
    got = list(db.copy.find({}, {"_id": 0}))
    assert len(got) == 1
    assert got[0]["id"] == 1 and got[0]["name"] == "a" and got[0]["nums"] == [1, 2]
    assert got[0]["at"] == datetime.datetime(2024, 1, 2, 3, 4, 5, 678000)
    r = shell.run("query", f"INSERT INTO {t}.copy (id, name, amount, at, nums, r) SELECT id + 1, name || 'b', amount, at, nums, r FROM {t}.copy")
    assert r.returncode == 0, r.stderr
    assert db.copy.count_documents({}) == 2
    assert shell.rows(f"SELECT id, name FROM {t}.copy ORDER BY id") == [[1, "a"], [2, "ab"]]
    # Upserts keyed by id: the second write replaces the first document with id 1.
    r = shell.run("query", f"CREATE TABLE {t}.accounts AS SELECT * FROM (VALUES (1, 'old'), (2, 'two')) AS v (id, name)")
    assert r.returncode == 0, r.stderr
    r = shell.run("query", f"INSERT INTO {t}.accounts (id, name) VALUES (1, 'new'), (3, 'three')")
    assert r.returncode == 0, r.stderr
    assert sorted((d["id"], d["name"]) for d in db.accounts.find()) == [(1, "new"), (2, "two"), (3, "three")]
    # FerretDB drops the connection on a Decimal128: such a write is refused up front.
    if mongo.admin.command("buildInfo").get("ferretdbVersion"):
        r = shell.run("query", f"CREATE TABLE {t}.dec AS SELECT DECIMAL '1.50' AS amount")
        assert r.returncode != 0 and "Decimal128" in r.stderr and "CAST" in r.stderr, r.stderr
        assert "dec" not in db.list_collection_names()
    # CREATE TABLE AS over an existing collection is refused.
    r = shell.run("query", f"CREATE TABLE {t}.copy AS SELECT 1 AS x")
    assert r.returncode != 0 and "already exists" in r.stderr


def test_mismatch_beyond_sample_is_a_clear_error_or_null(db, shell, tmp_path):
    db.events.insert_many([{"_id": 1, "n": 1}, {"_id": 2, "n": 2}, {"_id": 3, "n": "three"}, {"_id": 4, "n": 4}])
    shell.connect("schema.sample_size=2", "aggregation.max_pipelines=8")  # a sample of 2 misses _id 3
    for pushdown in (True, False):  # the engine reading documents, and $sum (which skips strings)
        sql = f"SELECT sum(n) FROM m.{shell.database}.events"
        assert (".aggregate(" in shell.explain(sql)) or not pushdown
        r = shell.run("query", sql if pushdown else "SET SESSION pushdown = false; " + sql)
        assert r.returncode != 0
        assert "events" in r.stderr and "_id 3" in r.stderr and "'n'" in r.stderr and "integer" in r.stderr, r.stderr
    other = type(shell)(tmp_path / "home2", shell.database)
    other.connect("schema.sample_size=2", "schema.on_mismatch=null")
    assert other.rows(f"SELECT _id, n FROM m.{shell.database}.events ORDER BY _id", pushdown=False) == \
        [[1, 1], [2, 2], [3, None], [4, 4]]


def test_faults_wrong_password_missing_collection_no_secret(db, shell, tmp_path):
    import os
    import urllib.parse
    password = os.environ["AISHELL_TEST_MONGODB_PASSWORD"]
    bad = shell.url().replace(urllib.parse.quote(password, safe=""), "wrong-secret-pw")
    if bad == shell.url():
        bad = shell.url().replace(password, "wrong-secret-pw")
    r = shell.run("connect", bad, "--name", "bad")
    assert r.returncode != 0
    assert "mongodb source 'bad'" in r.stderr and "uthentication" in r.stderr, r.stderr
    assert "wrong-secret-pw" not in r.stderr + r.stdout
    shell.connect()
    r = shell.run("query", f"SELECT * FROM m.{shell.database}.no_such_collection")
    assert r.returncode != 0 and "no_such_collection" in r.stderr
    db.orders.insert_many(make_orders(20))
    for args in (["connections"], ["explain", f"SELECT * FROM m.{shell.database}.orders WHERE qty > 1"]):
        r = shell.run(*args)
        assert r.returncode == 0, r.stderr
        assert password not in r.stdout + r.stderr
    r = shell.connect(name="again")
    assert "MongoDB 7.0" in r.stdout and "orders 20 documents" in r.stdout, r.stdout


def test_server_down_at_connect_is_a_clear_error(shell):
    r = shell.run("connect", "mongodb://u:secretpw@127.0.0.1:1/x", "--name", "down")
    assert r.returncode != 0
    assert "mongodb source 'down'" in r.stderr and "secretpw" not in r.stderr, r.stderr


def test_mongodb_srv_without_dns_is_a_clear_error(tmp_path):
    """mongodb+srv:// needs a DNS SRV record; there is none for a .invalid host (and no DNS at all
    on the CI machine): connect, and a query over such a saved source, fail with a message naming
    the source and the SRV record, never a crash or the password. Needs no server."""
    import json
    from aishell_cli import run_aishell
    home = tmp_path / "home"
    url = "mongodb+srv://u:srv-secret-pw@cluster0.aishell.invalid/orders?retryWrites=true"
    r = run_aishell(["connect", url, "--name", "atlas"], home=home)
    assert r.returncode == 1, (r.returncode, r.stderr)  # an error, not a signal
    assert "mongodb source 'atlas'" in r.stderr and "_mongodb._tcp.cluster0.aishell.invalid" in r.stderr, r.stderr
    assert "SRV" in r.stderr and "mongodb://host1:port" in r.stderr, r.stderr
    assert "srv-secret-pw" not in r.stdout + r.stderr
    # A host with a port, or of fewer than three parts, is not a service name.
    r = run_aishell(["connect", "mongodb+srv://u:srv-secret-pw@localhost:27017/x", "--name", "bad"], home=home)
    assert r.returncode == 1 and "mongodb source 'bad'" in r.stderr and "three parts" in r.stderr, r.stderr
    assert "srv-secret-pw" not in r.stdout + r.stderr
    # A saved source (written by another machine, where DNS answered): queries fail the same way.
    home.mkdir(parents=True, exist_ok=True)
    (home / "connections.json").write_text(json.dumps(
        [{"name": "atlas", "type": "mongodb", "properties": {}, "url": url}]))
    r = run_aishell(["query", "SELECT * FROM atlas.orders.orders"], home=home)
    assert r.returncode == 1 and "mongodb source 'atlas'" in r.stderr and "SRV" in r.stderr, r.stderr
    r = run_aishell(["connections", "--status", "--format", "json"], home=home)
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["status"] == "unreachable" and "SRV" in row["summary"], row
    assert "srv-secret-pw" not in r.stdout + r.stderr


def test_server_killed_mid_scan_is_a_clear_error(tmp_path, mongo):
    """A private FerretDB (the binary scripts/services/ferretdb.sh built) is killed while a scan
    reads from it: the query ends with an error naming the source, no hang, no partial answer."""
    import glob
    import os
    import signal
    import socket
    import subprocess
    import time
    import pymongo
    from aishell_cli import aishell_binary
    binaries = sorted(glob.glob(os.path.expanduser("~/.cache/aishell-go/bin/ferretdb-*")))
    assert binaries, "scripts/services/ferretdb.sh builds the FerretDB binary first"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    data = tmp_path / "ferret"
    (data / "state").mkdir(parents=True)
    server = subprocess.Popen([binaries[-1], "--handler=sqlite", f"--sqlite-url=file:{data}/",
                               f"--listen-addr=127.0.0.1:{port}", "--telemetry=disable", "--debug-addr=-",
                               f"--state-dir={data}/state", "--log-level=error"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}/", serverSelectionTimeoutMS=10000)
        docs = [{"_id": i, "pad": "x" * 600, "n": i} for i in range(40000)]
        client.big.t.insert_many(docs, ordered=False)
        client.close()
        home = tmp_path / "home"
        env = dict(os.environ, AISHELL_HOME=str(home), NO_COLOR="1")
        subprocess.run([aishell_binary(), "connect", f"mongodb://127.0.0.1:{port}/big", "--name", "doomed"],
                       env=env, check=True, capture_output=True)
        query = subprocess.Popen([aishell_binary(), "query", "SELECT count(*), sum(length(pad)) FROM doomed.big.t "
                                  "WHERE n >= 0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        time.sleep(1.5)
        assert query.poll() is None, "the scan finished before the server was killed"
        server.send_signal(signal.SIGKILL)
        out, err = query.communicate(timeout=60)
        assert query.returncode != 0, out
        assert "mongodb source 'doomed'" in err and "big.t" in err, err
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()


def _kill_cursors_of(db, collection, after_id, upto_id):
    """killCursors on `collection` for every cursor id in (after_id, upto_id]: FerretDB gives
    cursors global, sequential ids (a 32-bit counter that wraps), and kills only those of this
    database, collection and user. The ids killed."""
    ids = list(range(after_id + 1, upto_id + 1)) if upto_id >= after_id else \
        list(range(after_id + 1, 2 ** 32)) + list(range(1, upto_id + 1))
    killed = []
    for start in range(0, len(ids), 10000):
        reply = db.command("killCursors", collection, cursors=[Int64(i) for i in ids[start:start + 10000]])
        killed += reply["cursorsKilled"]
    return killed


def _newest_cursor_id(db, collection):
    """A fresh cursor's id (every cursor made before it has a smaller one, modulo 2^32)."""
    probe = db[collection].find({}, batch_size=1)
    next(probe)
    cursor_id = probe.cursor_id
    probe.close()
    return cursor_id


def test_cursor_killed_or_timed_out_on_the_server_mid_scan(db, shell):
    """The server ends aishell's cursor between two batches (killCursors from another client: what
    a getMore sees when an idle cursor timed out, CursorNotFound): the query ends with a clear
    error naming the source and the collection, and fails instead of returning what it had read.

    Deterministic: with one thread the scan waits for the output, so aishell stops reading (its
    cursor idle on the server) once the unread stdout pipe is full; the cursor is killed then.
    Killing it during a getMore would race with FerretDB, which then answers a short last batch
    as if the cursor had ended (see the connector's README)."""
    import fcntl
    import os
    import struct
    import subprocess
    import termios
    import time
    from aishell_cli import aishell_binary
    n = 4000
    db.t.insert_many([{"_id": i, "pad": "x" * 1000} for i in range(n)], ordered=False)
    # 50 documents per getMore; the sample (5 documents) needs no getMore at all.
    shell.connect("scan.batch_size=50", "schema.sample_size=5")
    before = _newest_cursor_id(db, "t")
    env = dict(os.environ, AISHELL_HOME=str(shell.home), NO_COLOR="1")
    query = subprocess.Popen([aishell_binary(), "--threads", "1", "query", "--format", "csv",
                              f"SELECT _id, pad FROM m.{shell.database}.t"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        fd = query.stdout.fileno()
        pipe_size = fcntl.fcntl(fd, 1032)  # F_GETPIPE_SZ
        while query.poll() is None:
            unread = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
            if unread >= pipe_size:
                break  # aishell is blocked writing its first batch of rows
            time.sleep(0.01)
        assert query.poll() is None, "the query ended before its output filled the pipe"
        killed = _kill_cursors_of(db, "t", before, _newest_cursor_id(db, "t"))
        out, err = query.communicate(timeout=120)
    finally:
        if query.poll() is None:
            query.kill()
            query.wait()
    out, err = out.decode(), err.decode()
    assert len(killed) == 1, killed
    assert query.returncode != 0, "the query succeeded on a killed cursor"
    assert len(out.splitlines()) - 1 < n  # the rows printed before the error, not all of them
    assert "mongodb source 'm'" in err and f"reading {shell.database}.t" in err, err
    assert "cursor" in err and "closed the cursor" in err, err
    assert os.environ.get("AISHELL_TEST_MONGODB_PASSWORD", "-") not in err


def test_connections_status_reaches_every_source(db, shell):
    """`connections --status` shows the server, collections and document counts of a live source,
    and why a dead one cannot be reached, without either password."""
    import json
    import os
    db.orders.insert_many(make_orders(25))
    shell.connect(name="orders-db")
    path = shell.home / "connections.json"
    saved = json.loads(path.read_text())
    dead_password = "dead-secret-pw"
    saved.append({"name": "dead", "type": "mongodb", "properties": {},
                  "url": f"mongodb://aishell:{dead_password}@127.0.0.1:1/x?serverSelectionTimeoutMS=500"})
    path.write_text(json.dumps(saved))
    r = shell.run("connections", "--status", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["orders-db"]["status"] == "ok"
    summary = rows["orders-db"]["summary"]
    assert summary.startswith("MongoDB ") and f"database {shell.database}" in summary, summary
    assert "orders 25 documents" in summary, summary
    assert rows["dead"]["status"] == "unreachable" and "127.0.0.1:1" in rows["dead"]["summary"]
    password = os.environ["AISHELL_TEST_MONGODB_PASSWORD"]
    assert password not in r.stdout + r.stderr and dead_password not in r.stdout + r.stderr


def test_parallel_id_range_splits_read_every_document_once(db, shell):
    """scan.splits=3 reads three ObjectId ranges at once; together they hold every document once,
    with and without a pushed filter. Integer _ids are never split (a range matches one BSON type)."""
    import bson
    docs = make_orders(900)
    for d in docs:
        d["_id"] = bson.ObjectId()
    db.orders.insert_many(docs)
    shell.connect("scan.splits=3")
    t = f"m.{shell.database}.orders"
    r = shell.run("explain", "--analyze", f"SELECT _id, user_id, qty FROM {t}")
    assert r.returncode == 0, r.stderr
    assert "splits=3" in r.stdout and "read in 3 _id ranges at once (scan.splits)" in r.stdout, r.stdout
    for where, oracle in (("", lambda d: True), (" WHERE qty > 5", lambda d: d.get("qty") is not None and d["qty"] > 5)):
        rows = shell.rows(f"SELECT _id, user_id, qty FROM {t}{where} ORDER BY _id", pushdown=False)
        rows_pushed = shell.rows(f"SELECT _id, user_id, qty FROM {t}{where}")
        expected = sorted([[str(d["_id"]), d["user_id"], d["qty"]] for d in docs if oracle(d)])
        assert rows == expected
        assert sorted(rows_pushed) == expected  # each document exactly once across the splits
    # One document whose _id is not an ObjectId: no range could match it, so nothing is split.
    db.orders.insert_one({"_id": "not-an-oid", "user_id": 1, "qty": 1})
    other = type(shell)(shell.home.parent / "home2", shell.database)
    other.connect("scan.splits=3", "schema.sample_size=5000")
    r = other.run("explain", "--analyze", f"SELECT count(user_id) FROM {t}")
    assert r.returncode == 0 and "splits=1" in r.stdout, r.stdout
    assert other.rows(f"SELECT count(user_id) FROM {t}", pushdown=False) == [[901]]
    # The sample missed it (it is the last document): the server-side check still refuses to split.
    shell.connect("scan.splits=3", "schema.sample_size=10", name="s")
    r = shell.run("explain", "--analyze", f"SELECT count(user_id) FROM s.{shell.database}.orders")
    assert r.returncode == 0 and "splits=1" in r.stdout, r.stdout
    assert shell.rows(f"SELECT count(user_id) FROM s.{shell.database}.orders", pushdown=False) == [[901]]


def test_drop_table(db, shell):
    db.orders.insert_many(make_orders(10))
    db.keep.insert_one({"_id": 1})
    shell.connect()
    t = f"m.{shell.database}"
    assert shell.rows(f"SELECT count(*) FROM {t}.orders") == [[10]]
    r = shell.run("query", f"DROP TABLE {t}.orders")
    assert r.returncode == 0, r.stderr
    assert db.list_collection_names() == ["keep"]
    r = shell.run("query", f"DROP TABLE {t}.orders")
    assert r.returncode != 0 and "orders" in r.stderr
    r = shell.run("query", f"DROP TABLE IF EXISTS {t}.orders")
    assert r.returncode == 0, r.stderr


def test_ferretdb_lookups_only_for_few_keys(db, shell, mongo, tmp_path):
    """FerretDB reads the whole collection for every $in and compares each document with every key:
    a join driven by more than lookup.max_keys (100 there) keys stays a hash join over one scan."""
    if not mongo.admin.command("buildInfo").get("ferretdbVersion"):
        pytest.skip("a FerretDB default")
    db.orders.insert_many(make_orders(400))
    keys = tmp_path / "keys.csv"
    keys.write_text("id\n" + "\n".join(str(i) for i in range(1, 301, 2)) + "\n")  # 150 keys
    sql = (f"SELECT count(*), sum(o.total) FROM read_csv('{keys}') k JOIN %s.{shell.database}.orders o "
           f"ON o._id = CAST(k.id AS INTEGER)")
    shell.connect()
    shell.connect("lookup.max_keys=1000", name="mx")
    assert "$in" not in shell.explain(sql % "m")
    assert "$in" in shell.explain(sql % "mx")
    expected = [[150, sum(d["total"] for d in db.orders.find({"_id": {"$lt": 301, "$mod": [2, 1]}}))]]
    for name in ("m", "mx"):
        got = shell.rows(sql % name)
        assert got[0][0] == expected[0][0] and abs(float(got[0][1]) - expected[0][1]) < 1e-6


def test_index_advice_after_explain_analyze(db, shell):
    """Seed 002's "Use Indexes": a pushed filter on a field without an index gets the createIndex
    statement (listIndexes); it is never run, and an indexed field gets none."""
    db.orders.insert_many(make_orders(100))
    shell.connect()
    sql = f"SELECT count(*) FROM m.{shell.database}.orders WHERE status = 'paid'"
    r = shell.run("explain", "--analyze", sql)
    assert r.returncode == 0, r.stderr
    want = (f'db.getSiblingDB("{shell.database}").getCollection("orders").createIndex({{"status": 1}})')
    assert "💡 Add these indexes" in r.stdout and want in r.stdout, r.stdout
    assert [ix["key"] for ix in db.orders.list_indexes()] == [{"_id": 1}]  # advice only
    db.orders.create_index("status")
    r = shell.run("explain", "--analyze", sql)
    assert r.returncode == 0 and "💡" not in r.stdout, r.stdout
