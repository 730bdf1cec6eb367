"""Writes test/sql/elasticsearch/pushdown.test (and pushdown_opensearch.test, its copy for OpenSearch): the same rows aishell writes into Elasticsearch
(CREATE OR REPLACE TABLE AS ... through _bulk) are built in DuckDB, and each query's expected
result is DuckDB's answer. Run: python3 test/elasticsearch/gen_pushdown_test.py"""
import os

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "sql", "elasticsearch", "pushdown.test")

CREATE_AISHELL = (
    "CREATE OR REPLACE TABLE es.default.slt_orders AS SELECT CAST(n AS VARCHAR) AS _id, n AS id, "
    "CASE WHEN n % 17 = 0 THEN NULL ELSE n % 37 END AS user_id, "
    "CASE n % 4 WHEN 0 THEN 'paid' WHEN 1 THEN 'shipped' WHEN 2 THEN 'cancelled' ELSE 'pending' END AS status, "
    "CAST(n AS DOUBLE) / 8 AS total, "
    "TIMESTAMP '2024-05-01 00:00:00 UTC' + n * INTERVAL '1' HOUR AS created_at, "
    "CAST(ROW('c' || CAST(n % 5 AS VARCHAR), n % 3) AS ROW(city VARCHAR, zone INTEGER)) AS address, "
    "n % 2 = 0 AS even, "
    "CASE WHEN n % 7 = 0 THEN NULL ELSE ARRAY[CAST(ROW('s' || CAST(n % 5 AS VARCHAR), n % 4) AS ROW(sku VARCHAR, qty INTEGER)), "
    "CAST(ROW(CASE WHEN n % 3 = 0 THEN NULL ELSE 't' || CAST(n % 3 AS VARCHAR) END, n % 6) AS ROW(sku VARCHAR, qty INTEGER))] "
    "END AS items FROM n1000")
CREATE_DUCKDB = (
    "CREATE TABLE slt_orders AS SELECT CAST(n AS VARCHAR) AS _id, n AS id, "
    "CASE WHEN n % 17 = 0 THEN NULL ELSE n % 37 END AS user_id, "
    "CASE n % 4 WHEN 0 THEN 'paid' WHEN 1 THEN 'shipped' WHEN 2 THEN 'cancelled' ELSE 'pending' END AS status, "
    "CAST(n AS DOUBLE) / 8 AS total, "
    "TIMESTAMPTZ '2024-05-01 00:00:00+00' + n * INTERVAL 1 HOUR AS created_at, "
    "{'city': 'c' || CAST(n % 5 AS VARCHAR), 'zone': CAST(n % 3 AS INTEGER)} AS address, "
    "n % 2 = 0 AS even, "
    "CASE WHEN n % 7 = 0 THEN NULL ELSE [{'sku': 's' || CAST(n % 5 AS VARCHAR), 'qty': CAST(n % 4 AS INTEGER)}, "
    "{'sku': CASE WHEN n % 3 = 0 THEN NULL ELSE 't' || CAST(n % 3 AS VARCHAR) END, 'qty': CAST(n % 6 AS INTEGER)}] "
    "END AS items FROM range(1000) t(n)")

# (types, aishell SQL, DuckDB SQL or None when it is the same with the catalog prefix removed)
QUERIES = [
    ("I", "SELECT count(*) FROM es.slt_orders WHERE status = 'paid'", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE user_id IS NULL", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE user_id IS NOT NULL", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE user_id <> 3", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE user_id IN (1, 2, 3, NULL)", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE user_id NOT IN (1, 2, 3)", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE status LIKE '%ed'", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE status LIKE 'pa%'", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE status LIKE 'p_n%ng'", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE status NOT LIKE 'p%'", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE address.city = 'c1' AND total > 60", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE address.zone >= 1 AND address.zone < 2", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE created_at >= TIMESTAMP '2024-05-20 00:00:00 UTC' "
          "AND created_at < TIMESTAMP '2024-05-21 00:00:00 UTC'",
     "SELECT count(*) FROM slt_orders WHERE created_at >= TIMESTAMPTZ '2024-05-20 00:00:00+00' "
     "AND created_at < TIMESTAMPTZ '2024-05-21 00:00:00+00'"),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE created_at = TIMESTAMP '2024-05-02 01:00:00 UTC'",
     "SELECT count(*) FROM slt_orders WHERE created_at = TIMESTAMPTZ '2024-05-02 01:00:00+00'"),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE NOT (status = 'paid' OR user_id < 10)", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE even AND NOT (user_id BETWEEN 5 AND 30)", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE NOT even", None),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE _id = '17' OR id = 999", None),
    ("R", "SELECT sum(total) FROM es.slt_orders WHERE address.zone = 2 AND status IN ('paid', 'pending')", None),
    ("IIR", "SELECT count(*), count(user_id), sum(total) FROM es.slt_orders", None),
    ("TIIRRR", "SELECT status, count(*), sum(user_id), min(total), max(total), avg(total) FROM es.slt_orders "
               "GROUP BY status ORDER BY status", None),
    ("III", "SELECT user_id, count(*), max(id) FROM es.slt_orders WHERE id < 300 GROUP BY user_id "
            "ORDER BY user_id NULLS FIRST LIMIT 4", None),
    ("TII", "SELECT address.city, address.zone, count(*) FROM es.slt_orders GROUP BY address.city, address.zone "
            "ORDER BY 1, 2 LIMIT 5", None),
    ("TII", "SELECT status, even, count(*) FROM es.slt_orders GROUP BY status, even ORDER BY 1, 2", None),
    ("IR", "SELECT id, total FROM es.slt_orders ORDER BY total DESC LIMIT 3", None),
    ("II", "SELECT id, user_id FROM es.slt_orders WHERE status = 'shipped' ORDER BY user_id NULLS FIRST, id LIMIT 4", None),
    ("IT", "SELECT o.id, o.status FROM es.slt_orders o JOIN (VALUES (7), (12), (36)) AS k(u) ON o.user_id = k.u "
           "WHERE o.id < 200 ORDER BY o.id",
     "SELECT o.id, o.status FROM slt_orders o JOIN (VALUES (7), (12), (36)) AS k(u) ON o.user_id = k.u "
     "WHERE o.id < 200 ORDER BY o.id"),
    ("I", "SELECT count(*) FROM (SELECT * FROM es.slt_orders LIMIT 7)", None),
    ("II", "SELECT count(DISTINCT user_id), count(*) FROM es.slt_orders WHERE id > 100", None),
    ("TII", "SELECT status, count(DISTINCT user_id), count(*) FROM es.slt_orders GROUP BY status ORDER BY status", None),
    ("III", "SELECT user_id, count(DISTINCT status), count(*) FROM es.slt_orders GROUP BY user_id "
            "ORDER BY user_id NULLS FIRST LIMIT 3", None),
    ("TI", "SELECT address.city, count(*) FROM es.slt_orders WHERE total > 50 GROUP BY address.city ORDER BY 1",
     "SELECT address.city, count(*) FROM slt_orders WHERE total > 50 GROUP BY address.city ORDER BY 1"),
    ("III", "SELECT count(*), sum(c), max(c) FROM (SELECT date_trunc('day', created_at) AS d, count(*) AS c "
            "FROM es.slt_orders GROUP BY 1) t WHERE c = 24", None),
    ("IIR", "SELECT count(*), max(c), sum(s) FROM (SELECT date_trunc('week', created_at) AS d, address.city AS city, "
            "count(*) AS c, sum(total) AS s FROM es.slt_orders GROUP BY 1, 2) t", None),
    ("IRI", "SELECT count(*), sum(s), min(n) FROM (SELECT date_trunc('month', created_at) AS d, sum(total) AS s, "
            "count(DISTINCT user_id) AS n FROM es.slt_orders GROUP BY 1) t", None),
    # items is a nested field (ARRAY(ROW)): these are `nested` queries, each element on its own.
    ("I", "SELECT count(*) FROM es.slt_orders WHERE any_match(items, x -> x.sku = 's1' AND x.qty = 1)",
     "SELECT count(*) FROM slt_orders WHERE len(list_filter(items, x -> x.sku = 's1' AND x.qty = 1)) > 0"),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE any_match(items, x -> x.sku = 's1' AND x.qty = 5)",
     "SELECT count(*) FROM slt_orders WHERE len(list_filter(items, x -> x.sku = 's1' AND x.qty = 5)) > 0"),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE any_match(items, x -> x.sku IS NULL OR x.qty > 4)",
     "SELECT count(*) FROM slt_orders WHERE len(list_filter(items, x -> x.sku IS NULL OR x.qty > 4)) > 0"),
    ("I", "SELECT count(*) FROM es.slt_orders WHERE contains(transform(items, x -> x.sku), 't2') AND status = 'paid'",
     "SELECT count(*) FROM slt_orders WHERE list_contains(list_transform(items, x -> x.sku), 't2') AND status = 'paid'"),
    ("TI", "SELECT status, count(*) FROM es.slt_orders WHERE any_match(items, x -> x.sku LIKE 's%' AND x.qty >= 3) "
           "OR user_id IS NULL GROUP BY status ORDER BY status",
     "SELECT status, count(*) FROM slt_orders WHERE len(list_filter(items, x -> x.sku LIKE 's%' AND x.qty >= 3)) > 0 "
     "OR user_id IS NULL GROUP BY status ORDER BY status"),
]


def fmt(v, t):
    if v is None:
        return "NULL"
    if t == "R":
        return repr(float(v)) if float(v) != int(float(v)) else str(int(float(v)))
    if t == "T" and isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def main():
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    db.execute(CREATE_DUCKDB)
    lines = [
        "# name: test/sql/elasticsearch/pushdown.test",
        "# description: an index written by CREATE OR REPLACE TABLE AS (_bulk, _id from a column) and read",
        "#   back with filters (term, terms, range, exists, prefix, wildcard, bool, NOT, nested), ROW fields, sort,",
        "#   limit, composite aggregations (date_trunc as date_histogram) and joins pushed down and not; the\n#   expected results were computed",
        "#   by DuckDB over the same rows (test/elasticsearch/gen_pushdown_test.py writes this file)",
        "# group: [elasticsearch]",
        "",
        "require elasticsearch",
        "",
        "statement ok",
        "CREATE VIEW d AS SELECT * FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t (x)",
        "",
        "statement ok",
        "CREATE VIEW n1000 AS SELECT a.x * 100 + b.x * 10 + c.x AS n FROM d a, d b, d c",
        "",
        "statement ok",
        CREATE_AISHELL,
        "",
        "foreach pushdown true false",
        "",
        "statement ok",
        "SET SESSION pushdown = ${pushdown}",
        "",
    ]
    for types, sql, duck in QUERIES:
        duck = duck or sql.replace("es.slt_orders", "slt_orders")
        rows = db.execute(duck).fetchall()
        lines += ["query " + types, sql, "----"]
        for row in rows:
            lines.append("\t".join(fmt(v, types[i]) for i, v in enumerate(row)))
        lines.append("")
    lines += ["endloop", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    # The same file against OpenSearch (catalog os), the connector's second target.
    text = "\n".join(lines)
    text = text.replace("test/sql/elasticsearch/pushdown.test", "test/sql/elasticsearch/pushdown_opensearch.test")
    text = text.replace("# group: [elasticsearch]", "#   (this copy runs against OpenSearch)\n# group: [elasticsearch]")
    text = text.replace("require elasticsearch", "require opensearch").replace(" es.", " os.")
    with open(OUT.replace("pushdown.test", "pushdown_opensearch.test"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
