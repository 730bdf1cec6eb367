"""Files written by aishell's Parquet writer read back equal in pyarrow, in DuckDB and in aishell.

The writer has no CLI entry point yet, so the unit-test binary writes the files
(ParquetWriter.WritesFilesForExternalReaders with AISHELL_PARQUET_WRITE_DIR) and this test checks
them against the same data computed here."""
import datetime
import decimal
import json
import os
import subprocess

import pytest

from aishell_cli import ROOT, aishell_binary

pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

CODECS = {"snappy": "SNAPPY", "zstd": "ZSTD", "gzip": "GZIP", "none": "UNCOMPRESSED", "plain": "SNAPPY"}
ROWS = {"snappy": 10000, "zstd": 10000, "gzip": 10000, "none": 10000, "plain": 2500, "empty": 0}
UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1)


def expected_row(r):
    """Mirrors TestRow() in src/formats/parquet/parquet_test.cpp."""
    if r % 7 == 3:
        return [None] * 10
    cats = ["red", "green", "blue"]
    return [
        r % 2 == 0,
        r * 3 - 1000,
        r * 1000003 - (1 << 40),
        r / 8.0,
        decimal.Decimal(r * 101 - 5000).scaleb(-2),
        f"row {r}" + (" ünïcødé" if r % 5 == 0 else ""),
        datetime.date(1970, 1, 1) + datetime.timedelta(days=18000 + r),
        EPOCH + datetime.timedelta(microseconds=1600000000000000 + r * 1000001),
        (EPOCH + datetime.timedelta(microseconds=-86400000000 + r * 7)).replace(tzinfo=UTC),
        cats[r % 3],
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("written")
    unit = os.path.join(os.path.dirname(aishell_binary()), "aishell_unit_tests")
    if not os.path.exists(unit):
        pytest.fail(f"{unit} is missing: build the unit tests first")
    env = dict(os.environ, AISHELL_PARQUET_WRITE_DIR=str(out))
    p = subprocess.run([unit, "--gtest_filter=ParquetWriter.WritesFilesForExternalReaders"], capture_output=True,
                       text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return out


def normalize(row):
    out = []
    for v in row:
        if isinstance(v, datetime.datetime) and v.tzinfo is not None:
            v = v.astimezone(UTC)
        out.append(v)
    return out


@pytest.mark.parametrize("name", sorted(ROWS))
def test_pyarrow_reads_what_we_write(written, name):
    path = written / f"all_types_{name}.parquet"
    table = pq.read_table(path)
    assert [str(t) for t in table.schema.types] == [
        "bool", "int32", "int64", "double", "decimal128(12, 2)", "string", "date32[day]", "timestamp[us]",
        "timestamp[us, tz=UTC]", "string"]
    rows = [normalize(list(r.values())) for r in table.to_pylist()]
    assert len(rows) == ROWS[name]
    for r, row in enumerate(rows):
        assert row == expected_row(r), f"row {r}"
    meta = pq.read_metadata(path)
    if ROWS[name]:
        assert meta.row_group(0).column(0).compression == CODECS[name]
        assert max(meta.row_group(g).num_rows for g in range(meta.num_row_groups)) <= 122880
        stats = meta.row_group(0).column(1).statistics
        assert stats.has_min_max and stats.min == -1000


def test_row_groups_are_bounded(written):
    meta = pq.read_metadata(written / "all_types_zstd.parquet")
    assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [3000, 3000, 3000, 1000]


@pytest.mark.parametrize("name", ["snappy", "zstd", "plain", "empty"])
def test_duckdb_reads_what_we_write(written, name):
    path = written / f"all_types_{name}.parquet"
    con = duckdb.connect()
    # TIMESTAMP WITH TIME ZONE as epoch microseconds (fetching it as datetime needs pytz).
    rows = con.execute(f"SELECT b, i, l, d, m, s, dt, ts, epoch_us(tz), cat FROM read_parquet('{path}')").fetchall()
    assert len(rows) == ROWS[name]
    for r, row in enumerate(rows):
        want = expected_row(r)
        if want[8] is not None:
            want[8] = -86400000000 + r * 7
        assert list(row) == want, f"row {r}"
    agg = con.execute(f"SELECT count(*), count(s), sum(i), min(cat) FROM read_parquet('{path}')").fetchone()
    exp = [expected_row(r) for r in range(ROWS[name])]
    assert agg[0] == len(exp)
    assert agg[1] == sum(1 for e in exp if e[5] is not None)
    assert (agg[2] or 0) == sum(e[1] for e in exp if e[1] is not None)


def test_aishell_reads_what_we_write(written, tmp_path):
    path = written / "all_types_gzip.parquet"
    env = dict(os.environ, AISHELL_HOME=str(tmp_path), NO_COLOR="1")
    sql = (f"SELECT cat, count(*) AS n, sum(i) AS si, min(dt) AS mn FROM read_parquet('{path}') "
           f"WHERE l < 0 GROUP BY cat ORDER BY cat")
    p = subprocess.run([aishell_binary(), "query", sql, "--format", "jsonl"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    got = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    exp = {}
    for r in range(ROWS["gzip"]):
        e = expected_row(r)
        if e[2] is None or e[2] >= 0:
            continue
        g = exp.setdefault(e[9], [0, 0, None])
        g[0] += 1
        g[1] += e[1]
        g[2] = e[6] if g[2] is None else min(g[2], e[6])
    want = [{"cat": k, "n": v[0], "si": v[1], "mn": v[2].isoformat()} for k, v in sorted(exp.items())]
    assert got == want
