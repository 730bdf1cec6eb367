"""`aishell query --format parquet --output FILE` and `aishell export last --format parquet`:
the written files are read back with pyarrow and DuckDB and compared, value by value and type by
type, with what `--format json` prints for the same query."""
import datetime
import decimal
import json
import os
import shutil

import pytest

from aishell_cli import ROOT

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

# One row per interesting case: NULLs in every column, negative numbers, dates before 1970,
# timestamps with and without fractions, non-ASCII text, an empty string.
TYPED_SQL = """
SELECT * FROM (VALUES
  (1, 'alice', true, CAST(1.5 AS DOUBLE), CAST(12.34 AS DECIMAL(10,2)), DATE '2024-01-02',
   TIMESTAMP '2024-01-02 03:04:05.123456', CAST(10000000000 AS BIGINT),
   CAST('2024-01-01 00:02:02 UTC' AS TIMESTAMP WITH TIME ZONE)),
  (2, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 'ünïcode ✓', NULL, CAST(-2.25 AS DOUBLE), CAST(-0.05 AS DECIMAL(10,2)), DATE '1969-12-31',
   TIMESTAMP '1970-01-01 00:00:00', CAST(-1 AS BIGINT),
   CAST('1999-12-31 23:59:59.5 UTC' AS TIMESTAMP WITH TIME ZONE)),
  (4, '', true, CAST(0.1 AS DOUBLE), CAST(99999999.99 AS DECIMAL(10,2)), DATE '2000-02-29',
   TIMESTAMP '1960-06-15 12:00:00.000001', CAST(0 AS BIGINT), NULL)
) AS t (id, name, flag, score, amount, day, ts, big, tstz)
ORDER BY id
"""

# The Parquet/Arrow type each column must have.
TYPED_ARROW = {
    "id": pa.int32(),
    "name": pa.string(),
    "flag": pa.bool_(),
    "score": pa.float64(),
    "amount": pa.decimal128(10, 2),
    "day": pa.date32(),
    "ts": pa.timestamp("us"),
    "big": pa.int64(),
    "tstz": pa.timestamp("us", tz="UTC"),
}
TYPED_DUCKDB = {
    "id": "INTEGER",
    "name": "VARCHAR",
    "flag": "BOOLEAN",
    "score": "DOUBLE",
    "amount": "DECIMAL(10,2)",
    "day": "DATE",
    "ts": "TIMESTAMP",
    "big": "BIGINT",
    "tstz": "TIMESTAMP WITH TIME ZONE",
}


def ok(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def fails(proc, code):
    assert proc.returncode == code, (
        f"exit {proc.returncode}, expected {code}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert "Traceback" not in proc.stderr
    return proc


def json_result(proc):
    """(column names, rows) from `--format json`; decimals as Decimal, so they compare exactly."""
    text = ok(proc).stdout
    doc = json.loads(text, parse_float=decimal.Decimal, object_pairs_hook=list)
    assert isinstance(doc, list)
    names = [k for k, _ in doc[0]] if doc else []
    return names, [[v for _, v in obj] for obj in doc]


def parse_json_timestamp(text):
    # "2024-01-02T03:04:05.123456" or "...Z" for TIMESTAMP WITH TIME ZONE.
    if text.endswith("Z"):
        return datetime.datetime.fromisoformat(text[:-1]).replace(tzinfo=datetime.timezone.utc)
    return datetime.datetime.fromisoformat(text)


def same_value(got, want, arrow_type):
    """Whether a value read from Parquet equals the value --format json printed for that cell."""
    if want is None:
        return got is None
    if got is None:
        return False
    if pa.types.is_boolean(arrow_type):
        return isinstance(got, bool) and got == want
    if pa.types.is_integer(arrow_type):
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    if pa.types.is_floating(arrow_type):
        return isinstance(got, float) and got == float(want)
    if pa.types.is_decimal(arrow_type):
        return isinstance(got, decimal.Decimal) and got == decimal.Decimal(want)
    if pa.types.is_string(arrow_type):
        return isinstance(got, str) and got == want
    if pa.types.is_date(arrow_type):
        return isinstance(got, datetime.date) and got == datetime.date.fromisoformat(want)
    if pa.types.is_timestamp(arrow_type):
        expected = parse_json_timestamp(want)
        if not isinstance(got, datetime.datetime):
            return False
        if expected.tzinfo is not None:
            return got.tzinfo is not None and got.astimezone(datetime.timezone.utc) == expected
        return got.tzinfo is None and got == expected
    raise AssertionError(f"unexpected type {arrow_type}")


def check_file(path, names, rows, arrow_types, duckdb_types):
    """Reads `path` with pyarrow and DuckDB and compares with the JSON result."""
    assert os.path.getsize(path) > 0
    with open(path, "rb") as f:
        assert f.read(4) == b"PAR1"

    # pyarrow
    table = pq.read_table(path)
    assert table.column_names == names
    assert table.num_rows == len(rows)
    for name in names:
        assert table.schema.field(name).type == arrow_types[name], name
    got_rows = [list(r.values()) for r in table.to_pylist()]
    for i, (got, want) in enumerate(zip(got_rows, rows)):
        for name, g, w in zip(names, got, want):
            assert same_value(g, w, arrow_types[name]), f"pyarrow row {i} column {name}: {g!r} != {w!r}"

    # DuckDB
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
    assert rel.columns == names
    assert [str(t) for t in rel.types] == [duckdb_types[n] for n in names]
    # TIMESTAMP WITH TIME ZONE values come back as epoch microseconds (turning them into Python
    # datetimes would need pytz), converted here to aware UTC datetimes.
    tz_columns = [duckdb_types[n] == "TIMESTAMP WITH TIME ZONE" for n in names]
    select = ", ".join(f'epoch_us("{n}")' if tz else f'"{n}"' for n, tz in zip(names, tz_columns))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    got_rows = [
        [
            epoch + datetime.timedelta(microseconds=v) if tz and v is not None else v
            for v, tz in zip(row, tz_columns)
        ]
        for row in con.execute(f"SELECT {select} FROM read_parquet('{path}')").fetchall()
    ]
    assert len(got_rows) == len(rows)
    for i, (got, want) in enumerate(zip(got_rows, rows)):
        for name, g, w in zip(names, got, want):
            assert same_value(g, w, arrow_types[name]), f"duckdb row {i} column {name}: {g!r} != {w!r}"
    con.close()


def test_query_parquet_matches_json(cli, tmp_path):
    names, rows = json_result(cli("query", "--format", "json", TYPED_SQL))
    assert names == list(TYPED_ARROW)
    assert len(rows) == 4
    out = tmp_path / "typed.parquet"
    proc = ok(cli("query", "--format", "parquet", "--output", str(out), TYPED_SQL))
    assert proc.stdout == ""  # the data went to the file
    assert "Wrote 4 rows to" in proc.stderr
    check_file(str(out), names, rows, TYPED_ARROW, TYPED_DUCKDB)


def test_export_last_parquet_matches_json(cli, tmp_path):
    # Run once as a table (the result is kept for `export last`), then export it.
    ok(cli("query", TYPED_SQL))
    names, rows = json_result(cli("export", "last", "--format", "json"))
    assert names == list(TYPED_ARROW)
    out = tmp_path / "last.parquet"
    proc = ok(cli("export", "last", "--format", "PARQUET", "--output", str(out)))
    assert "Exported 4 rows to" in proc.stderr
    check_file(str(out), names, rows, TYPED_ARROW, TYPED_DUCKDB)


def test_query_and_export_write_the_same_rows(cli, tmp_path):
    """Over 10,000 rows from a CSV (several pages, dictionary-encoded strings, aggregates)."""
    data = tmp_path / "files"
    data.mkdir()
    shutil.copy(f"{ROOT}/test/data/big.csv", data / "big.csv")
    ok(cli("connect", f"file://{data}", "--name", "files"))
    sql = "SELECT n, grp, cat, val, val * 0.5 AS half FROM files.big ORDER BY n"
    names, rows = json_result(cli("query", "--format", "json", sql))
    assert len(rows) == 10000
    arrow_types = {}
    duck_types = {}
    q_out = tmp_path / "q.parquet"
    ok(cli("query", "--format", "parquet", "--output", str(q_out), sql))
    schema = pq.read_schema(str(q_out))
    for name in names:
        arrow_types[name] = schema.field(name).type
    # The types follow the engine's: integers, a string, and a double for val * 0.5.
    assert pa.types.is_integer(arrow_types["n"])
    assert pa.types.is_string(arrow_types["cat"])
    assert pa.types.is_floating(arrow_types["half"]) or pa.types.is_decimal(arrow_types["half"])
    con = duckdb.connect()
    for name, t in zip(names, con.sql(f"SELECT * FROM read_parquet('{q_out}')").types):
        duck_types[name] = str(t)
    con.close()
    check_file(str(q_out), names, rows, arrow_types, duck_types)

    e_out = tmp_path / "e.parquet"
    ok(cli("export", "last", "--format", "parquet", "--output", str(e_out)))
    check_file(str(e_out), names, rows, arrow_types, duck_types)
    assert pq.read_table(str(q_out)).equals(pq.read_table(str(e_out)))


def test_empty_result_has_columns(cli, tmp_path):
    sql = "SELECT id, name FROM (VALUES (1, 'a')) AS t (id, name) WHERE id > 5"
    out = tmp_path / "empty.parquet"
    ok(cli("query", "--format", "parquet", "--output", str(out), sql))
    table = pq.read_table(str(out))
    assert table.column_names == ["id", "name"]
    assert table.num_rows == 0
    assert duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchall() == [(0,)]


def test_existing_file_is_replaced(cli, tmp_path):
    out = tmp_path / "x.parquet"
    out.write_bytes(b"old content that is not parquet" * 100)
    ok(cli("query", "--format", "parquet", "--output", str(out), "SELECT 7 AS seven"))
    assert pq.read_table(str(out)).to_pylist() == [{"seven": 7}]


def test_parquet_without_output_is_a_usage_error(cli):
    proc = fails(cli("query", "--format", "parquet", "SELECT 1"), code=2)
    assert "--output" in proc.stderr
    assert proc.stdout == ""
    ok(cli("query", "SELECT 1"))
    proc = fails(cli("export", "last", "--format", "parquet"), code=2)
    assert "--output" in proc.stderr
    assert proc.stdout == ""


def test_failed_query_writes_no_file(cli, tmp_path):
    out = tmp_path / "bad.parquet"
    proc = fails(cli("query", "--format", "parquet", "--output", str(out), "SELECT 1/0"), code=1)
    assert "Error" in proc.stderr
    assert not out.exists()
    assert os.listdir(tmp_path) == ["home"]  # no temporary file left behind


def test_unwritable_output_is_an_error(cli, tmp_path):
    out = tmp_path / "no_such_dir" / "x.parquet"
    proc = cli("query", "--format", "parquet", "--output", str(out), "SELECT 1 AS one")
    assert proc.returncode not in (0, 2) and proc.returncode < 128
    assert "no_such_dir" in proc.stderr
    assert not out.exists()


def test_interval_column_is_refused(cli, tmp_path):
    out = tmp_path / "iv.parquet"
    proc = cli("query", "--format", "parquet", "--output", str(out), "SELECT INTERVAL '1' DAY AS d")
    assert proc.returncode == 1, proc.stderr
    assert "unsupported" in proc.stderr.lower()
    assert not out.exists()


def test_second_result_is_refused(cli, tmp_path):
    out = tmp_path / "two.parquet"
    proc = cli("query", "--format", "parquet", "--output", str(out), "SELECT 1 AS a; SELECT 2 AS b")
    assert proc.returncode == 1
    assert "one result per file" in proc.stderr
    # The first result was written and is intact.
    assert pq.read_table(str(out)).to_pylist() == [{"a": 1}]
