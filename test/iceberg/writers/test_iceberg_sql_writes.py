"""CREATE TABLE AS and INSERT INTO an Iceberg catalog through the aishell CLI (IcebergConnector ->
iceberg_writer), on a filesystem catalog and a SQLite SQL catalog. The tables read back equal with
aishell, pyiceberg and DuckDB's iceberg extension; a failed INSERT leaves no new snapshot."""
import datetime
import decimal
import json
import os

import pytest

from aishell_cli import run_aishell

pyiceberg = pytest.importorskip("pyiceberg")

CTAS = ("CREATE TABLE {c}.sales.orders AS SELECT * FROM (VALUES "
        "(1, 'alpha', DATE '2024-01-02', CAST(10.50 AS DECIMAL(9,2)), 1.5, TRUE), "
        "(2, NULL, DATE '2024-02-03', CAST(-3.25 AS DECIMAL(9,2)), NULL, FALSE), "
        "(3, 'gamma', NULL, NULL, 2.25, NULL)) AS v(id, name, day, amount, score, flag)")
INSERT_VALUES = ("INSERT INTO {c}.sales.orders VALUES "
                 "(4, 'delta', DATE '2024-03-04', CAST(7.00 AS DECIMAL(9,2)), 4.0, TRUE)")
INSERT_SELECT = ("INSERT INTO {c}.sales.orders SELECT id + 10, upper(name), day, amount, score, flag "
                 "FROM {c}.sales.orders WHERE id <= 2")
# The cast fails on one row only, while the rows stream into the writer.
INSERT_BAD = ("INSERT INTO {c}.sales.orders SELECT id + 100, name, "
              "CAST(CASE WHEN id = 3 THEN 'not-a-date' ELSE '2024-05-05' END AS DATE), amount, score, flag "
              "FROM {c}.sales.orders")

EXPECTED = [
    (1, "alpha", datetime.date(2024, 1, 2), decimal.Decimal("10.50"), 1.5, True),
    (2, None, datetime.date(2024, 2, 3), decimal.Decimal("-3.25"), None, False),
    (3, "gamma", None, None, 2.25, None),
    (4, "delta", datetime.date(2024, 3, 4), decimal.Decimal("7.00"), 4.0, True),
    (11, "ALPHA", datetime.date(2024, 1, 2), decimal.Decimal("10.50"), 1.5, True),
    (12, None, datetime.date(2024, 2, 3), decimal.Decimal("-3.25"), None, False),
]


def aishell(home, *args, ok=True):
    proc = run_aishell(list(args), home=home)
    if ok:
        assert proc.returncode == 0, f"{args}\n{proc.stderr}"
    return proc


def aishell_rows(home, catalog):
    proc = aishell(home, "query", "--format", "jsonl",
                   f"SELECT id, name, CAST(day AS VARCHAR) AS day, CAST(amount AS VARCHAR) AS amount, score, flag "
                   f"FROM {catalog}.sales.orders ORDER BY id")
    out = []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        out.append((r["id"], r["name"], None if r["day"] is None else datetime.date.fromisoformat(r["day"]),
                    None if r["amount"] is None else decimal.Decimal(r["amount"]), r["score"], r["flag"]))
    return out


def normalize(rows):
    return sorted([(int(r[0]), r[1], r[2], None if r[3] is None else decimal.Decimal(r[3]),
                    None if r[4] is None else float(r[4]), r[5]) for r in rows], key=lambda r: r[0])


def snapshot_count(home, catalog):
    proc = aishell(home, "query", "--format", "jsonl", f'SELECT count(*) AS n FROM {catalog}.sales."orders$snapshots"')
    return json.loads(proc.stdout)["n"]


def duckdb_rows(metadata_location):
    import duckdb_ext
    con = duckdb_ext.connect_with("iceberg")
    path = metadata_location[len("file://"):] if metadata_location.startswith("file://") else metadata_location
    return normalize(con.execute("SELECT id, name, day, amount, score, flag FROM iceberg_scan(?)",
                                 [path]).fetchall())


def pyiceberg_rows(table):
    t = table.scan().to_arrow()
    return normalize([tuple(r[c] for c in ("id", "name", "day", "amount", "score", "flag")) for r in t.to_pylist()])


def write_and_fail(home, catalog):
    assert "3 rows" in aishell(home, "query", CTAS.format(c=catalog)).stdout
    aishell(home, "query", INSERT_VALUES.format(c=catalog))
    aishell(home, "query", INSERT_SELECT.format(c=catalog))
    assert snapshot_count(home, catalog) == 3
    proc = aishell(home, "query", INSERT_BAD.format(c=catalog), ok=False)
    assert proc.returncode != 0
    assert "not-a-date" in proc.stderr
    assert snapshot_count(home, catalog) == 3
    assert aishell_rows(home, catalog) == EXPECTED
    # CTAS onto an existing table is an error, not an overwrite.
    proc = aishell(home, "query", CTAS.format(c=catalog), ok=False)
    assert proc.returncode != 0 and "orders" in proc.stderr
    assert snapshot_count(home, catalog) == 3
    # Trino: CREATE TABLE IF NOT EXISTS on an existing table does nothing.
    proc = aishell(home, "query", CTAS.format(c=catalog).replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
    assert "0 rows" in proc.stdout, proc.stdout
    assert snapshot_count(home, catalog) == 3
    assert aishell_rows(home, catalog) == EXPECTED


def test_filesystem_catalog(tmp_path):
    home = str(tmp_path / "home")
    wh = tmp_path / "wh"
    wh.mkdir()
    aishell(home, "connect", f"file://{wh}", "--type", "iceberg", "--name", "fsw")
    write_and_fail(home, "fsw")
    meta = wh / "sales" / "orders" / "metadata"
    assert (meta / "version-hint.text").read_text().strip() == "3"
    metadata = str(meta / "v3.metadata.json")
    from pyiceberg.table import StaticTable
    assert pyiceberg_rows(StaticTable.from_metadata(metadata)) == EXPECTED
    assert duckdb_rows(metadata) == EXPECTED
    # No data file of the failed INSERT is left behind.
    assert len(list((wh / "sales" / "orders" / "data").iterdir())) == 3
    # A CTAS the writer rejects (a type Iceberg cannot hold) creates neither table nor namespace.
    proc = aishell(home, "query", "CREATE TABLE fsw.other.t AS SELECT INTERVAL '1' DAY AS i", ok=False)
    assert proc.returncode != 0 and "INTERVAL" in proc.stderr
    assert not (wh / "other").exists()
    # Metadata tables are read-only.
    proc = aishell(home, "query", 'INSERT INTO fsw.sales."orders$snapshots" SELECT * FROM fsw.sales."orders$snapshots"',
                   ok=False)
    assert proc.returncode != 0 and "read-only" in proc.stderr


def test_sqlite_sql_catalog(tmp_path):
    home = str(tmp_path / "home")
    (tmp_path / "wh").mkdir()
    aishell(home, "connect", f"sqlite:///{tmp_path}/catalog.db", "--type", "iceberg", "--name", "sqlw",
            "--property", f"warehouse=file://{tmp_path}/wh")
    write_and_fail(home, "sqlw")
    from pyiceberg.catalog.sql import SqlCatalog
    # aishell's SQL catalog uses the catalog name of the connection.
    cat = SqlCatalog("sqlw", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/wh")
    table = cat.load_table("sales.orders")
    assert len(table.metadata.snapshots) == 3
    assert pyiceberg_rows(table) == EXPECTED
    assert duckdb_rows(table.metadata_location) == EXPECTED
    assert os.path.exists(table.metadata_location[len("file://"):])


PARTITIONED_CTAS = (
    "CREATE TABLE fsp.sales.tx WITH (partitioning = ARRAY['day(transaction_date)', 'region'], "
    "format = 'PARQUET') AS SELECT * FROM (VALUES "
    "(1, 'eu', DATE '2024-01-02', 10.5), (2, 'us', DATE '2024-01-03', 3.0), "
    "(3, 'eu', DATE '2024-01-03', 4.0), (4, 'us', DATE '2024-02-01', 1.0)) "
    "AS v(id, region, transaction_date, amount)")
PARTITIONED_ROWS = [(1, "eu", datetime.date(2024, 1, 2), 10.5), (2, "us", datetime.date(2024, 1, 3), 3.0),
                    (3, "eu", datetime.date(2024, 1, 3), 4.0), (4, "us", datetime.date(2024, 2, 1), 1.0)]


def test_partitioned_ctas_with_properties(tmp_path):
    """Trino's CREATE TABLE ... WITH (partitioning = ARRAY[...], format = 'PARQUET') AS: the spec
    pyiceberg reads has the transforms, pyiceberg and DuckDB read equal rows, a one-day filter
    prunes to one data file; unknown properties and bad transforms fail with the SQL position."""
    home = str(tmp_path / "home")
    wh = tmp_path / "wh"
    wh.mkdir()
    aishell(home, "connect", f"file://{wh}", "--type", "iceberg", "--name", "fsp")
    aishell(home, "query", PARTITIONED_CTAS)
    from pyiceberg.table import StaticTable
    meta = wh / "sales" / "tx" / "metadata"
    metadata = str(sorted(meta.glob("*.metadata.json"))[-1])
    table = StaticTable.from_metadata(metadata)
    fields = [(f.name, str(f.transform)) for f in table.spec().fields]
    assert fields == [("transaction_date_day", "day"), ("region", "identity")]
    got = sorted((r["id"], r["region"], r["transaction_date"], r["amount"])
                 for r in table.scan().to_arrow().to_pylist())
    assert got == PARTITIONED_ROWS
    import duckdb_ext
    con = duckdb_ext.connect_with("iceberg")
    assert sorted(con.execute("SELECT id, region, transaction_date, amount FROM iceberg_scan(?)",
                              [metadata]).fetchall()) == PARTITIONED_ROWS
    proc = aishell(home, "query", "--format", "jsonl",
                   "SELECT id FROM fsp.sales.tx WHERE transaction_date = DATE '2024-01-03' ORDER BY id")
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines() if line.strip()] == [2, 3]
    proc = aishell(home, "query", "EXPLAIN SELECT * FROM fsp.sales.tx WHERE transaction_date = DATE '2024-01-02'")
    assert "1 of 4 data files after pruning" in proc.stdout, proc.stdout

    values = "SELECT * FROM (VALUES (1, 'eu', DATE '2024-01-02')) AS v(id, region, d)"
    cases = [
        ("CREATE TABLE fsp.sales.bad WITH (colour = 'red') AS " + values, "colour", "colour = "),
        ("CREATE TABLE fsp.sales.bad WITH (partitioning = ARRAY['bucket(id, 16)']) AS " + values, "bucket",
         "'bucket("),
        ("CREATE TABLE fsp.sales.bad WITH (partitioning = ARRAY['day(region)']) AS " + values, "day(region)",
         "'day(region)"),
        ("CREATE TABLE fsp.sales.bad WITH (partitioning = ARRAY['nope']) AS " + values, "nope", "'nope'"),
        ("CREATE TABLE fsp.sales.bad WITH (format = 'ORC') AS " + values, "PARQUET", "'ORC'"),
    ]
    for sql, word, at in cases:
        proc = aishell(home, "query", sql, ok=False)
        assert proc.returncode != 0 and word in proc.stderr, proc.stderr
        assert f"column {sql.index(at) + 1}:" in proc.stderr, proc.stderr
    assert not (wh / "sales" / "bad").exists()
