"""aishell.connect().sql(...): relations into Python rows, Arrow and pandas, with nested types,
decimals, timestamps and NULLs; a differential check against `aishell query --format json`."""
import datetime
import decimal
import json
import os
import sqlite3
import subprocess

import pandas as pd
import pyarrow as pa
import pytest

import aishell
from aishell_cli import aishell_binary, run_aishell

NESTED = """
SELECT 1 AS id, ARRAY[1, 2, NULL] AS a, map(ARRAY['k1', 'k2'], ARRAY[10, 20]) AS m,
       CAST(ROW(7, 'x') AS ROW(n INTEGER, s VARCHAR)) AS r,
       ARRAY[CAST(ROW(1, ARRAY['p']) AS ROW(n INTEGER, tags ARRAY(VARCHAR)))] AS ar
UNION ALL
SELECT 2, NULL, NULL, NULL, NULL
ORDER BY id
"""

SCALARS = """
SELECT CAST('12345.67' AS DECIMAL(12, 2)) AS d,
       CAST('12345678901234567890.123456789' AS DECIMAL(38, 9)) AS big,
       TIMESTAMP '2024-02-29 13:45:01.123456' AS ts,
       DATE '2024-02-29' AS dt,
       CAST(NULL AS VARCHAR) AS nothing,
       'héllo' AS s, TRUE AS b, 2.5 AS x, CAST(3 AS BIGINT) AS n
"""


def test_columns_types_and_rows(con):
    rel = con.sql("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, NULL ORDER BY a")
    assert rel.columns == ["a", "b"]
    assert rel.types == ["INTEGER", "VARCHAR"]
    assert rel.fetchone() == (1, "x")
    assert rel.fetchone() == (2, None)
    assert rel.fetchone() is None
    # fetchall after the rows were read runs the query again.
    assert rel.fetchall() == [(1, "x"), (2, None)]


def test_scalars_into_python_arrow_and_pandas(con):
    rel = con.sql(SCALARS)
    row = rel.fetchall()[0]
    assert row[0] == decimal.Decimal("12345.67")
    assert row[1] == decimal.Decimal("12345678901234567890.123456789")
    assert row[2] == datetime.datetime(2024, 2, 29, 13, 45, 1, 123456)
    assert row[3] == datetime.date(2024, 2, 29)
    assert row[4] is None
    assert row[5:] == ("héllo", True, row[7], 3)
    assert float(row[7]) == 2.5

    table = con.sql(SCALARS).arrow()
    assert table.schema.field("d").type == pa.decimal128(12, 2)
    assert table.schema.field("big").type == pa.decimal128(38, 9)
    assert table.schema.field("ts").type == pa.timestamp("us")
    assert table.schema.field("dt").type == pa.date32()
    assert table.column("nothing").null_count == 1

    df = con.sql(SCALARS).df()
    assert df["d"][0] == decimal.Decimal("12345.67")
    assert str(df["ts"].dtype).startswith("datetime64")
    assert df["ts"][0].isoformat() == "2024-02-29T13:45:01.123456"
    assert pd.isna(df["nothing"][0])
    assert df["n"][0] == 3


def test_timestamp_with_time_zone_is_utc(con):
    [(ts,)] = con.sql("SELECT CAST(TIMESTAMP '2024-01-02 03:04:05' AS TIMESTAMP WITH TIME ZONE)").fetchall()
    assert ts.utcoffset() == datetime.timedelta(0)
    assert con.sql("SELECT CAST(TIMESTAMP '2024-01-02 03:04:05' AS TIMESTAMP WITH TIME ZONE) t").arrow(
    ).schema.field("t").type == pa.timestamp("us", tz="UTC")


def test_nested_types_into_arrow(con):
    table = con.sql(NESTED).arrow()
    assert table.schema.field("a").type == pa.list_(pa.field("element", pa.int32())) or \
        pa.types.is_list(table.schema.field("a").type)
    assert pa.types.is_map(table.schema.field("m").type)
    r = table.schema.field("r").type
    assert pa.types.is_struct(r) and [r.field(i).name for i in range(r.num_fields)] == ["n", "s"]
    rows = table.to_pylist(maps_as_pydicts="strict")
    assert rows[0]["a"] == [1, 2, None]
    assert rows[0]["m"] == {"k1": 10, "k2": 20}
    assert rows[0]["r"] == {"n": 7, "s": "x"}
    assert rows[0]["ar"] == [{"n": 1, "tags": ["p"]}]
    assert rows[1] == {"id": 2, "a": None, "m": None, "r": None, "ar": None}


def test_nested_types_into_pandas_and_rows(con):
    df = con.sql(NESTED).df()
    assert list(df["a"][0][:2]) == [1, 2] and pd.isna(df["a"][0][2])
    assert df["m"][0] == {"k1": 10, "k2": 20}
    assert df["r"][0] == {"n": 7, "s": "x"}
    assert df["a"][1] is None
    rows = con.sql(NESTED).fetchall()
    assert rows[0][1:4] == ([1, 2, None], {"k1": 10, "k2": 20}, {"n": 7, "s": "x"})
    assert rows[1][1:] == (None, None, None, None)


def test_arrow_is_zero_copy_from_the_engine(con):
    # The column's data buffer lives in memory the engine allocated, not in pyarrow's pool.
    before = pa.total_allocated_bytes()
    table = con.sql("SELECT CAST(x * 20 + y AS BIGINT) AS i FROM unnest(sequence(0, 9999)) a(x) CROSS JOIN unnest(sequence(0, 19)) b(y) ORDER BY i").arrow()
    assert table.num_rows == 200000
    assert table.column("i").to_pylist()[-1] == 199999
    assert pa.total_allocated_bytes() - before < 200000 * 8 // 4


def test_arrow_c_stream_protocol(con):
    rel = con.sql("SELECT i, i * 2 AS j FROM unnest(sequence(0, 4999)) t(i)")
    table = pa.table(rel)  # through __arrow_c_stream__
    assert table.num_rows == 5000
    assert table.column("j").to_pylist()[:3] == [0, 2, 4]
    reader = con.sql("SELECT 1 AS one").record_batch_reader()
    assert reader.read_all().to_pylist() == [{"one": 1}]


def test_empty_result_keeps_its_schema(con):
    table = con.sql("SELECT CAST(1 AS INTEGER) AS a, 'x' AS b WHERE 1 = 0").arrow()
    assert table.num_rows == 0
    assert table.schema.names == ["a", "b"]
    assert con.sql("SELECT 1 AS a WHERE 1 = 0").fetchall() == []


def test_saved_connections_of_home(home, tmp_path, monkeypatch):
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE items (id INTEGER, name TEXT, price REAL)")
        c.executemany("INSERT INTO items VALUES (?, ?, ?)", [(1, "pen", 1.5), (2, "ink", 7.25)])
    r = run_aishell(["connect", f"sqlite://{db}", "--name", "shop"], home)
    assert r.returncode == 0, r.stderr
    r = run_aishell(["query", "CREATE VIEW cheap AS SELECT name FROM shop.items WHERE price < 2"], home)
    assert r.returncode == 0, r.stderr

    con = aishell.connect(home=str(home))
    assert con.catalogs() == ["shop"]
    assert con.sql("SELECT name, price FROM shop.items ORDER BY id").fetchall() == [
        ("pen", 1.5), ("ink", 7.25)]
    assert con.sql("SELECT * FROM cheap").fetchall() == [("pen",)]
    # $AISHELL_HOME is the default.
    monkeypatch.setenv("AISHELL_HOME", str(home))
    assert aishell.connect().sql("SELECT count(*) FROM shop.items").fetchone() == (2,)


def test_statements_without_rows(con, home):
    rel = con.sql("CREATE VIEW v AS SELECT 42 AS answer")
    assert rel.message
    assert con.sql("SELECT answer FROM v").fetchall() == [(42,)]
    # The view was saved in home.
    assert json.loads((home / "views.json").read_text())


def _cli_rows(home, sql):
    r = run_aishell(["query", "--format", "json", sql], home)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _jsonable(v):
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


@pytest.mark.parametrize("sql", [
    "SELECT i, i * 1.5 AS x, 'n' || CAST(i AS VARCHAR) AS s, i % 3 = 0 AS b FROM unnest(sequence(0, 49)) t(i)",
    SCALARS,
    NESTED,
    "SELECT g, count(*) AS n, sum(v) AS total FROM (SELECT i % 4 AS g, CAST(i AS DOUBLE) AS v "
    "FROM unnest(sequence(0, 999)) t(i)) GROUP BY g ORDER BY g",
])
def test_same_rows_as_the_command_line(con, home, sql):
    cli = _cli_rows(home, sql)
    rel = con.sql(sql)
    names = rel.columns
    py = [dict(zip(names, (_jsonable(v) for v in row))) for row in rel.fetchall()]
    assert len(py) == len(cli)
    for p, c in zip(py, cli):
        assert list(c.keys()) == names
        for name in names:
            a, b = p[name], c[name]
            if isinstance(a, float) or isinstance(b, float):
                assert b is not None and a == pytest.approx(float(b), rel=1e-12), name
            else:
                assert a == b, name


def test_ctrl_c_cancels_a_running_query(con):
    import signal
    import threading

    con.set("max_cartesian_rows", 0)
    sql = ("SELECT count(*) FROM unnest(sequence(0, 9999)) a(x) CROSS JOIN unnest(sequence(0, 9999)) b(y) "
           "CROSS JOIN unnest(sequence(0, 9999)) c(z)")  # 10^12 rows: it only ends by the interrupt
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            con.sql(sql).fetchall()
    finally:
        timer.cancel()
    assert con.sql("SELECT 42").fetchall() == [(42,)]


def test_df_with_float_decimals(con):
    df = con.sql("SELECT CAST('12.50' AS DECIMAL(10, 2)) AS d, 'x' AS s").df(exact_decimals=False)
    assert str(df["d"].dtype) == "float64" and df["d"][0] == 12.5


def test_loading_the_package_leaves_no_driver_counters_file():
    # The MongoDB driver initializes itself when the extension loads; the package tells it to keep
    # its counters in memory, so a killed Python process leaves nothing in /dev/shm.
    import sys

    code = ("import os, aishell; "
            "print(os.path.exists('/dev/shm/mongoc-%d' % os.getpid()))")
    env = dict(os.environ)
    env.pop("MONGOC_DISABLE_SHM", None)
    env["PYTHONPATH"] = os.path.join(os.path.dirname(aishell_binary()), "python")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False", r.stdout + r.stderr
