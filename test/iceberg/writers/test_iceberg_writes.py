"""Tables aishell's Iceberg writer produces (src/connectors/iceberg/iceberg_writer.cpp) must be
readable by pyiceberg and DuckDB's iceberg extension, with equal results.

The gtest IcebergWriter.WritesTablesForExternalReaders writes them (through a Hadoop-style
catalog) into AISHELL_ICEBERG_WRITE_DIR; the rows are the deterministic TestBatch rows of
iceberg_writer_test.cpp, rebuilt here."""
import datetime
import decimal
import os
import subprocess

import pyarrow as pa
import pytest

import duckdb_oracle
import iceberg_compare
from aishell_cli import ROOT

TABLES = {"unpartitioned": 1000, "by_identity": 1000, "by_day": 1000, "by_month": 1000, "by_year_hour": 300,
          "empty": 0, "inserted": 1000, "avro_null": 200, "avro_snappy": 200, "avro_zstd": 200}
SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("category", pa.string()), ("qty", pa.int32()),
                    ("price", pa.float64()), ("amount", pa.decimal128(9, 2)), ("day", pa.date32()),
                    ("ts", pa.timestamp("us")), ("flag", pa.bool_())])
CATS = ["alpha", "beta", "gamma", "delta"]


def rows(n):
    out = []
    for k in range(n):
        null = k % 7 == 3
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=k % 45)
        out.append({
            "id": k,
            "name": None if null else f"name-{k % 13}",
            "category": None if k % 11 == 5 else CATS[k % 4],
            "qty": None if null else k % 5 - 2,
            "price": None if null else k * 0.5 - 3,
            "amount": None if null else decimal.Decimal(k * 1234 - 50000).scaleb(-2),
            "day": None if k % 17 == 9 else day,
            "ts": datetime.datetime.combine(day, datetime.time(k % 24)),
            "flag": k % 3 == 0,
        })
    return pa.Table.from_pylist(out, schema=SCHEMA)


# Tables pyiceberg creates (first 500 rows) that aishell's INSERT then appends to (rows 1000..1299).
OTHER_WRITER_TABLES = {"pyiceberg_unpartitioned": None, "pyiceberg_by_day": "day"}


def pyiceberg_table(out, name, partition_column):
    """A pyiceberg-written table in the Hadoop layout (<out>/db/<name>/metadata/v1.metadata.json and
    version-hint.text), with the schema of the gtest's TestColumns."""
    import shutil

    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import DayTransform
    from pyiceberg.types import (BooleanType, DateType, DecimalType, DoubleType, IntegerType, LongType, NestedField,
                                 StringType, TimestampType)
    cat = SqlCatalog("w", uri=f"sqlite:///{out}/pyiceberg-{name}.db", warehouse=f"file://{out}/unused")
    cat.create_namespace("db")
    schema = Schema(NestedField(1, "id", LongType()), NestedField(2, "name", StringType()),
                    NestedField(3, "category", StringType()), NestedField(4, "qty", IntegerType()),
                    NestedField(5, "price", DoubleType()), NestedField(6, "amount", DecimalType(9, 2)),
                    NestedField(7, "day", DateType()), NestedField(8, "ts", TimestampType()),
                    NestedField(9, "flag", BooleanType()))
    spec = PartitionSpec(PartitionField(source_id=7, field_id=1000, transform=DayTransform(), name="day_day")) \
        if partition_column else PartitionSpec()
    location = f"file://{out}/db/{name}"
    t = cat.create_table(f"db.{name}", schema=schema, partition_spec=spec, location=location)
    t.append(rows(500))
    t = cat.load_table(f"db.{name}")
    meta = out / "db" / name / "metadata"
    shutil.copyfile(t.metadata_location[len("file://"):], meta / "v1.metadata.json")
    (meta / "version-hint.text").write_text("1")


def appended_rows():
    both = rows(1300).to_pylist()
    return pa.Table.from_pylist(both[:500] + both[1000:], schema=SCHEMA)


@pytest.mark.parametrize("table", list(OTHER_WRITER_TABLES))
def test_insert_into_a_table_pyiceberg_wrote(written, table):
    from pyiceberg.table import StaticTable
    path = metadata_file(written, table)
    assert path.endswith("v2.metadata.json")
    t = StaticTable.from_metadata(path)
    assert len(t.metadata.snapshots) == 2
    want = appended_rows()
    got = t.scan().to_arrow().select(SCHEMA.names)
    iceberg_compare.assert_same_rows([list(r.values()) for r in got.to_pylist()], want, f"pyiceberg {table}")
    con = duckdb_oracle.connect("iceberg")
    got = duckdb_oracle.fetch_arrow(con, f"SELECT {', '.join(SCHEMA.names)} FROM iceberg_scan('{path}')")
    iceberg_compare.assert_same_rows([list(r.values()) for r in got.to_pylist()], want, f"duckdb {table}")
    # The parent's manifest-list entry is carried into the new list unchanged, partition summaries
    # (contains_null, contains_nan, bounds) included.
    first = StaticTable.from_metadata(path.replace("v2.metadata.json", "v1.metadata.json"))
    parent = {m.manifest_path: m for m in first.current_snapshot().manifests(first.io)}
    carried = [m for m in t.current_snapshot().manifests(t.io) if m.manifest_path in parent]
    assert len(carried) == len(parent) == 1
    def summary(m):
        return [(p.contains_null, p.contains_nan, p.lower_bound, p.upper_bound) for p in (m.partitions or [])]
    assert summary(carried[0]) == summary(parent[carried[0].manifest_path])


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    build = os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build"))
    binary = os.path.join(build, "aishell_unit_tests")
    if not os.path.exists(binary):
        pytest.fail(f"{binary} is missing: build first")
    out = tmp_path_factory.mktemp("iceberg-writes")
    for name, spec in OTHER_WRITER_TABLES.items():
        pyiceberg_table(out, name, spec)
    env = dict(os.environ, AISHELL_ICEBERG_WRITE_DIR=str(out), AISHELL_ICEBERG_APPEND_TO=",".join(OTHER_WRITER_TABLES))
    proc = subprocess.run([binary, "--gtest_filter=IcebergWriter.WritesTablesForExternalReaders"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0 and "[  PASSED  ] 1 test" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def metadata_file(written, table):
    meta = written / "db" / table / "metadata"
    version = (meta / "version-hint.text").read_text().strip()
    return str(meta / f"v{version}.metadata.json")


@pytest.mark.parametrize("table", list(TABLES))
def test_pyiceberg_reads_what_aishell_wrote(written, table):
    from pyiceberg.table import StaticTable
    t = StaticTable.from_metadata(metadata_file(written, table))
    got = t.scan().to_arrow()
    want = rows(TABLES[table])
    iceberg_compare.assert_same_rows([list(r.values()) for r in got.select(SCHEMA.names).to_pylist()], want,
                                     f"pyiceberg {table}")
    # Partition pruning through the manifests aishell wrote: pyiceberg plans with them.
    sel = t.scan(row_filter="day = '2024-01-05'").to_arrow()
    assert sel.num_rows == sum(1 for r in want.to_pylist() if r["day"] == datetime.date(2024, 1, 5))
    if table == "by_day":
        planned = list(t.scan(row_filter="day = '2024-01-05'").plan_files())
        assert len(planned) == 1, [p.file.file_path for p in planned]


# DuckDB 1.5.5's Avro reader does not know the optional "zstandard" codec ("File header contains
# an unknown codec"); pyiceberg reads that table above.
@pytest.mark.parametrize("table", [t for t in TABLES if t != "avro_zstd"])
def test_duckdb_reads_what_aishell_wrote(written, table):
    con = duckdb_oracle.connect("iceberg")
    cols = ", ".join(SCHEMA.names)
    got = duckdb_oracle.fetch_arrow(con, f"SELECT {cols} FROM iceberg_scan('{metadata_file(written, table)}')")
    iceberg_compare.assert_same_rows([list(r.values()) for r in got.to_pylist()], rows(TABLES[table]),
                                     f"duckdb {table}")


def test_manifests_carry_partition_values_and_column_stats(written):
    from pyiceberg.table import StaticTable
    t = StaticTable.from_metadata(metadata_file(written, "by_day"))
    assert str(t.spec().fields[0].transform) == "day"
    files = [task.file for task in t.scan().plan_files()]
    assert len(files) == 46  # 45 days and the null day
    assert sum(f.record_count for f in files) == 1000
    for f in files:
        assert f.value_counts[1] == f.record_count
        if f.partition[0] is not None:
            assert f.lower_bounds[7] == f.upper_bounds[7]  # one day per file
    snap = t.current_snapshot()
    assert snap.summary["total-records"] == "1000"


def test_inserts_append_snapshots_that_readers_see(written):
    """CREATE TABLE AS (400 rows) then two INSERTs (300 each): three snapshots, each readable."""
    from pyiceberg.table import StaticTable
    t = StaticTable.from_metadata(metadata_file(written, "inserted"))
    snaps = t.metadata.snapshots
    assert len(snaps) == 3
    assert [s.sequence_number for s in snaps] == [1, 2, 3]
    assert snaps[2].parent_snapshot_id == snaps[1].snapshot_id
    counts = [t.scan(snapshot_id=s.snapshot_id).to_arrow().num_rows for s in snaps]
    assert counts == [400, 700, 1000]
    con = duckdb_oracle.connect("iceberg")
    got = con.execute(f"SELECT count(*), sum(id) FROM iceberg_scan('{metadata_file(written, 'inserted')}')").fetchone()
    assert got == (1000, sum(range(1000)))
