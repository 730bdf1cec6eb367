"""The same queries through `aishell serve` (trino-python-client) and `aishell query --format json`
give the same rows."""
import datetime
import decimal
import math

import pytest

# The served home has a SQLite source (test/util/aishell_serve.py).
pytestmark = pytest.mark.connector("sqlite")

trino = pytest.importorskip("trino")

QUERIES = [
    "SELECT id, name, age, city FROM lake.default.people ORDER BY id",
    "SELECT p.city, count(*) AS n, sum(o.amount) AS total FROM lake.default.people p "
    "JOIN lake.default.orders o ON p.id = o.person_id GROUP BY p.city ORDER BY p.city",
    "SELECT i.name, i.price FROM shop.main.items i ORDER BY i.id",
    "SELECT p.name, i.name AS item FROM lake.default.people p JOIN shop.main.items i "
    "ON p.id = i.id ORDER BY p.name",
    "SELECT status, avg(amount) AS a, min(order_date) AS first FROM lake.default.orders "
    "GROUP BY status ORDER BY status",
    "SELECT id, \"user\".name AS uname, cardinality(scores) AS n, ok FROM docs.default.events "
    "ORDER BY id",
    "SELECT table_name, column_name, data_type FROM shop.information_schema.columns "
    "WHERE table_schema = 'main' ORDER BY 1, ordinal_position",
    "SELECT table_schema, table_name FROM lake.information_schema.tables ORDER BY 1, 2",
    "SELECT CAST(1.25 AS DECIMAL(5,2)) AS d, DATE '2024-02-29' AS dt, NULL AS n, 'x''y' AS s",
]


def normalize(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        f = float(v)
        return round(f, 9) if not math.isnan(f) else "NaN"
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat().replace("T", " ")
    if isinstance(v, str):
        return v.replace("T", " ") if len(v) >= 10 and v[4:5] == "-" and v[7:8] == "-" else v
    if isinstance(v, (list, tuple)):
        return [normalize(x) for x in v]
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    return v


@pytest.mark.parametrize("sql", QUERIES)
def test_server_matches_query_json(served, query_json, sql):
    conn = trino.dbapi.connect(host=served.host, port=served.port, user="tester")
    cur = conn.cursor()
    cur.execute(sql)
    got = [normalize(list(r)) for r in cur.fetchall()]
    names = [d.name for d in cur.description]
    expected = [normalize([row[n] for n in names]) for row in query_json(served.home, sql)]
    assert got == expected
