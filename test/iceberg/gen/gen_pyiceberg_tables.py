#!/usr/bin/env python3
"""Iceberg tables written by pyiceberg + pyarrow (an independent writer), for differential tests.

Writes, under OUT:
  catalog.db                  a pyiceberg SqlCatalog (SQLite), namespace `pyi`
  warehouse/pyi.db/<table>/   the tables (format v2)
  expected/<table>.parquet    what the table holds at its current snapshot (pyiceberg's own scan,
                              or for equality deletes, which pyiceberg cannot read, the rows the
                              generator kept)
  expected/<table>@<snapshot-id>.parquet   the table at each older snapshot (time travel)
  tables.json                 per table: metadata location, sort key, expected files, notes

Tables:
  all_types            every primitive type, nulls, two appends
  part_identity, part_bucket, part_truncate, part_year, part_month, part_day, part_hour
                       one partition transform each, two appends
  part_float, part_double, part_dec38
                       identity partitions on a float, a double and a decimal(38,10) column
                       (issue 16's wrong answers: a filter on them found no rows, or failed)
  part_evolved         partition spec evolution: identity(category), then day(ts)
  evolution            schema evolution: add, rename, drop, reorder, widen (int->long,
                       float->double, decimal(9,2)->decimal(18,2))
  pos_deletes          a position delete file (committed by hand through pyiceberg's manifest
                       writer: pyiceberg's own delete() rewrites files instead)
  eq_deletes           equality delete files (on id, and on (category, flag)), then rows
                       appended after them that the deletes must not touch
  overwritten          append, overwrite with a filter, copy-on-write delete
  snapshots            three appends, each snapshot's rows saved for time travel

Usage: gen_pyiceberg_tables.py OUT       (deterministic data; snapshot ids and times vary)
"""
import datetime
import decimal
import json
import os
import sys
import uuid
import warnings

import pyarrow as pa
import pyarrow.parquet as pq

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat, ManifestContent, ManifestWriterV2
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table.snapshots import Operation
from pyiceberg.table.update.snapshot import _FastAppendFiles
from pyiceberg.transforms import (BucketTransform, DayTransform, HourTransform, IdentityTransform, MonthTransform,
                                  TruncateTransform, YearTransform)
from pyiceberg.typedef import Record
from pyiceberg.types import (BinaryType, BooleanType, DateType, DecimalType, DoubleType, FixedType, FloatType,
                             IntegerType, LongType, NestedField, StringType, TimestampType, TimestamptzType, TimeType,
                             UUIDType)

NS = "pyi"
EPOCH = datetime.datetime(2024, 1, 1)


def field_id_meta(fid):
    return {b"PARQUET:field_id": str(fid).encode()}


# --- every primitive type ---------------------------------------------------------------------

ALL_TYPES_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "b", BooleanType()),
    NestedField(3, "i", IntegerType()),
    NestedField(4, "l", LongType()),
    NestedField(5, "f", FloatType()),
    NestedField(6, "d", DoubleType()),
    NestedField(7, "dec", DecimalType(9, 2)),
    NestedField(8, "dec38", DecimalType(38, 10)),
    NestedField(9, "dt", DateType()),
    NestedField(10, "tm", TimeType()),
    NestedField(11, "ts", TimestampType()),
    NestedField(12, "tstz", TimestamptzType()),
    NestedField(13, "s", StringType()),
    NestedField(14, "u", UUIDType()),
    NestedField(15, "fx", FixedType(4)),
    NestedField(16, "bin", BinaryType()),
)


def all_types_rows(lo, hi):
    rows = []
    for k in range(lo, hi):
        null = k % 7 == 3
        neg = -1 if k % 2 else 1
        rows.append({
            "id": k,
            "b": None if null else k % 3 == 0,
            "i": None if null else neg * k * 1000003 % 2147483647,
            "l": None if null else neg * k * 1234567890123,
            "f": None if null else neg * k * 0.25,
            "d": None if null else neg * k * 1.0 / 3.0,
            "dec": None if null else decimal.Decimal(neg * k * 12345).scaleb(-2),
            "dec38": None if null else decimal.Decimal(neg * k * 123456789012345678901).scaleb(-10),
            "dt": None if null else datetime.date(1969, 12, 25) + datetime.timedelta(days=k * 37),
            "tm": None if null else datetime.time(k % 24, (k * 7) % 60, (k * 13) % 60, k * 1001 % 1000000),
            "ts": None if null else EPOCH + datetime.timedelta(days=k * 3, seconds=k * 3607, microseconds=k * 11),
            "tstz": None if null else (EPOCH + datetime.timedelta(hours=k * 5, microseconds=k)).replace(
                tzinfo=datetime.timezone.utc),
            "s": None if null else ("" if k == 5 else f"str-{k}-é✓" * (1 + k % 3)),
            "u": None if null else uuid.UUID(int=(k * 0x1234567890ABCDEF1234567 + 1) % (1 << 128)).bytes,
            "fx": None if null else bytes([k % 256, 1, 2, 255 - k % 256]),
            "bin": None if null else bytes(range(k % 9)),
        })
    return rows


def all_types_arrow(rows):
    schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("b", pa.bool_()),
        pa.field("i", pa.int32()),
        pa.field("l", pa.int64()),
        pa.field("f", pa.float32()),
        pa.field("d", pa.float64()),
        pa.field("dec", pa.decimal128(9, 2)),
        pa.field("dec38", pa.decimal128(38, 10)),
        pa.field("dt", pa.date32()),
        pa.field("tm", pa.time64("us")),
        pa.field("ts", pa.timestamp("us")),
        pa.field("tstz", pa.timestamp("us", tz="UTC")),
        pa.field("s", pa.string()),
        pa.field("u", pa.uuid()),
        pa.field("fx", pa.binary(4)),
        pa.field("bin", pa.binary()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


# --- partitioned tables -----------------------------------------------------------------------

PART_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "name", StringType()),
    NestedField(3, "category", StringType()),
    NestedField(4, "amount", DoubleType()),
    NestedField(5, "d", DateType()),
    NestedField(6, "ts", TimestampType()),
)
PART_ARROW = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("name", pa.string()),
    pa.field("category", pa.string()),
    pa.field("amount", pa.float64()),
    pa.field("d", pa.date32()),
    pa.field("ts", pa.timestamp("us")),
])
CATEGORIES = ["alpha", "beta", "gamma", "delta", None]


def part_rows(lo, hi):
    rows = []
    for k in range(lo, hi):
        ts = datetime.datetime(2023, 12, 30, 1) + datetime.timedelta(hours=k * 7, minutes=k % 60)
        rows.append({
            "id": k,
            "name": None if k % 11 == 4 else f"name{k % 23:02d}",
            "category": CATEGORIES[k % 5],
            "amount": round(k * 1.5 - 40, 2),
            "d": None if k % 13 == 6 else ts.date(),
            "ts": None if k % 17 == 8 else ts,
        })
    return pa.Table.from_pylist(rows, schema=PART_ARROW)


TRANSFORMS = {
    "part_identity": (3, IdentityTransform(), "category"),
    "part_bucket": (1, BucketTransform(8), "id_bucket"),
    "part_truncate": (2, TruncateTransform(5), "name_trunc"),
    "part_year": (6, YearTransform(), "ts_year"),
    "part_month": (5, MonthTransform(), "d_month"),
    "part_day": (6, DayTransform(), "ts_day"),
    "part_hour": (6, HourTransform(), "ts_hour"),
}


# --- identity partitions on float, double and decimal(38) (issue 16) ---------------------------

TYPED_PART_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "f", FloatType()),
    NestedField(3, "d", DoubleType()),
    NestedField(4, "dec38", DecimalType(38, 10)),
    NestedField(5, "name", StringType()),
)
TYPED_PART_ARROW = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("f", pa.float32()),
    pa.field("d", pa.float64()),
    pa.field("dec38", pa.decimal128(38, 10)),
    pa.field("name", pa.string()),
])
# Values a user types as literals: 3.1 and 0.1 are not exact in binary; the decimals need more
# than 18 digits (and one needs all 38).
TYPED_PART_FLOATS = [3.1, 0.1, -2.5, 1e-3, None]
TYPED_PART_DOUBLES = [0.1, 3.1, -0.3, 1e300, None]
TYPED_PART_DECIMALS = [decimal.Decimal("12345678901234567890.1234567890"), decimal.Decimal("-0.0000000001"),
                       decimal.Decimal("9999999999999999999999999999.9999999999"), decimal.Decimal("42"), None]
TYPED_PARTS = {"part_float": (2, "f"), "part_double": (3, "d"), "part_dec38": (4, "dec38")}


def typed_part_rows(lo, hi):
    return pa.Table.from_pylist([{
        "id": k,
        "f": TYPED_PART_FLOATS[k % 5],
        "d": TYPED_PART_DOUBLES[(k // 5) % 5],
        "dec38": TYPED_PART_DECIMALS[(k // 2) % 5],
        "name": f"n{k}",
    } for k in range(lo, hi)], schema=TYPED_PART_ARROW)


# --- delete files written by hand -------------------------------------------------------------

class _DeleteManifestWriter(ManifestWriterV2):
    def content(self):
        return ManifestContent.DELETES

    @property
    def _meta(self):
        return {**super()._meta, "content": "deletes"}


class _AddDeleteFiles(_FastAppendFiles):
    """A snapshot that adds delete files (in a delete manifest) and keeps every existing manifest."""

    def new_manifest_writer(self, spec):
        return _DeleteManifestWriter(spec=spec, schema=self.schema(), output_file=self.new_manifest_output(),
                                     snapshot_id=self._snapshot_id, avro_compression=self._compression)


def commit_delete_file(table, data_file):
    with table.transaction() as tx:
        producer = _AddDeleteFiles(operation=Operation.DELETE, transaction=tx, io=table.io)
        producer.append_data_file(data_file)
        producer.commit()


def write_delete_file(table, name, arrow_table, content, equality_ids=None):
    path = f"{table.location()}/data/{name}.parquet"
    local = path[len("file://"):] if path.startswith("file://") else path
    os.makedirs(os.path.dirname(local), exist_ok=True)
    pq.write_table(arrow_table, local)
    return DataFile.from_args(
        content=content,
        file_path=path,
        file_format=FileFormat.PARQUET,
        partition=Record(),
        record_count=arrow_table.num_rows,
        file_size_in_bytes=os.path.getsize(local),
        equality_ids=equality_ids,
        spec_id=table.metadata.default_spec_id,
        sort_order_id=None,
    )


# --- the generator ----------------------------------------------------------------------------

def main(out):
    os.makedirs(os.path.join(out, "warehouse"), exist_ok=True)
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    catalog = SqlCatalog("pyi", uri=f"sqlite:///{out}/catalog.db", warehouse=f"file://{out}/warehouse")
    catalog.create_namespace(NS)
    tables = {}

    def expect(name, table, sort_key, notes="", expected_rows=None, time_travel=None):
        table = catalog.load_table(f"{NS}.{name}")
        data = expected_rows if expected_rows is not None else table.scan().to_arrow()
        pq.write_table(data, os.path.join(out, "expected", f"{name}.parquet"))
        tables[name] = {
            "metadata_location": table.metadata_location,
            "location": table.location(),
            "sort_key": sort_key,
            "expected": f"expected/{name}.parquet",
            "snapshots": [s.snapshot_id for s in table.metadata.snapshots],
            "time_travel": time_travel or {},
            "notes": notes,
        }

    # Every primitive type.
    t = catalog.create_table(f"{NS}.all_types", schema=ALL_TYPES_SCHEMA)
    t.append(all_types_arrow(all_types_rows(0, 15)))
    t.append(all_types_arrow(all_types_rows(15, 30)))
    expect("all_types", t, ["id"])

    # One table per partition transform.
    for name, (source_id, transform, pname) in TRANSFORMS.items():
        spec = PartitionSpec(PartitionField(source_id=source_id, field_id=1000, transform=transform, name=pname))
        t = catalog.create_table(f"{NS}.{name}", schema=PART_SCHEMA, partition_spec=spec)
        t.append(part_rows(0, 120))
        t.append(part_rows(120, 240))
        expect(name, t, ["id"], notes=f"partitioned by {transform}")

    # Identity partitions on float, double and decimal(38,10).
    for name, (source_id, pname) in TYPED_PARTS.items():
        spec = PartitionSpec(PartitionField(source_id=source_id, field_id=1000, transform=IdentityTransform(),
                                            name=pname))
        t = catalog.create_table(f"{NS}.{name}", schema=TYPED_PART_SCHEMA, partition_spec=spec)
        t.append(typed_part_rows(0, 30))
        t.append(typed_part_rows(30, 60))
        expect(name, t, ["id"], notes=f"identity({pname})")

    # Partition spec evolution.
    spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=IdentityTransform(), name="category"))
    t = catalog.create_table(f"{NS}.part_evolved", schema=PART_SCHEMA, partition_spec=spec)
    t.append(part_rows(0, 100))
    with t.update_spec() as u:
        u.remove_field("category")
        u.add_field("ts", DayTransform(), "ts_day")
    t = catalog.load_table(f"{NS}.part_evolved")
    t.append(part_rows(100, 200))
    expect("part_evolved", t, ["id"], notes="spec 0 identity(category), spec 1 day(ts)")

    # Schema evolution.
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "a", IntegerType()),
        NestedField(3, "b", StringType()),
        NestedField(4, "c", FloatType()),
        NestedField(5, "x", StringType()),
        NestedField(6, "m", DecimalType(9, 2)),
    )
    t = catalog.create_table(f"{NS}.evolution", schema=schema)
    arrow0 = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("a", pa.int32()),
                        pa.field("b", pa.string()), pa.field("c", pa.float32()), pa.field("x", pa.string()),
                        pa.field("m", pa.decimal128(9, 2))])
    t.append(pa.Table.from_pylist([{"id": k, "a": k * 10, "b": f"b{k}", "c": k / 4, "x": f"x{k}",
                                    "m": decimal.Decimal(k * 101).scaleb(-2)} for k in range(10)], schema=arrow0))
    with t.update_schema() as u:
        u.add_column("added", StringType())
    t = catalog.load_table(f"{NS}.evolution")
    arrow1 = arrow0.append(pa.field("added", pa.string()))
    t.append(pa.Table.from_pylist([{"id": k, "a": k * 10, "b": f"b{k}", "c": k / 4, "x": f"x{k}",
                                    "m": decimal.Decimal(k * 101).scaleb(-2), "added": f"new{k}"}
                                   for k in range(10, 20)], schema=arrow1))
    with t.update_schema() as u:
        u.rename_column("b", "b_renamed")
        u.delete_column("x")
        u.update_column("a", field_type=LongType())
        u.update_column("c", field_type=DoubleType())
        u.update_column("m", field_type=DecimalType(18, 2))
        u.move_first("added")
    t = catalog.load_table(f"{NS}.evolution")
    arrow2 = pa.schema([pa.field("added", pa.string()), pa.field("id", pa.int64(), nullable=False),
                        pa.field("a", pa.int64()), pa.field("b_renamed", pa.string()), pa.field("c", pa.float64()),
                        pa.field("m", pa.decimal128(18, 2))])
    t.append(pa.Table.from_pylist([{"added": f"new{k}", "id": k, "a": k * 10_000_000_000, "b_renamed": f"b{k}",
                                    "c": k / 3, "m": decimal.Decimal(k * 1_000_000_007).scaleb(-2)}
                                   for k in range(20, 30)], schema=arrow2))
    expect("evolution", t, ["id"], notes="add, rename, drop, reorder, widen")

    # Position deletes.
    t = catalog.create_table(f"{NS}.pos_deletes", schema=PART_SCHEMA,
                             properties={"write.delete.mode": "merge-on-read"})
    t.append(part_rows(0, 50))
    t.append(part_rows(50, 80))
    t = catalog.load_table(f"{NS}.pos_deletes")
    files = sorted((task.file.file_path, task.file.record_count) for task in t.scan().plan_files())
    positions = []
    for fi, (path, count) in enumerate(files):
        for pos in ([3, 7, 10, 11, 12, 13, 14, 49] if fi == 0 else [0, count - 1]):
            if pos < count:
                positions.append((path, pos))
    pos_schema = pa.schema([pa.field("file_path", pa.string(), nullable=False, metadata=field_id_meta(2147483546)),
                            pa.field("pos", pa.int64(), nullable=False, metadata=field_id_meta(2147483545))])
    pos_table = pa.Table.from_pylist([{"file_path": p, "pos": n} for p, n in positions], schema=pos_schema)
    commit_delete_file(t, write_delete_file(t, "pos-deletes-00001", pos_table, DataFileContent.POSITION_DELETES))
    expect("pos_deletes", t, ["id"], notes="position deletes")

    # Equality deletes: pyiceberg cannot read them, so the expected rows are computed here.
    t = catalog.create_table(f"{NS}.eq_deletes", schema=PART_SCHEMA,
                             properties={"write.delete.mode": "merge-on-read"})
    first = part_rows(0, 60)
    t.append(first)
    t = catalog.load_table(f"{NS}.eq_deletes")
    ids = [1, 2, 30, 59]
    eq1 = pa.Table.from_pylist([{"id": k} for k in ids],
                               schema=pa.schema([pa.field("id", pa.int64(), nullable=False,
                                                          metadata=field_id_meta(1))]))
    commit_delete_file(t, write_delete_file(t, "eq-deletes-00001", eq1, DataFileContent.EQUALITY_DELETES, [1]))
    t = catalog.load_table(f"{NS}.eq_deletes")
    # A two-column equality delete, null matching null: (category, name).
    pairs = [{"category": "gamma", "name": "name07"}, {"category": None, "name": "name14"},
             {"category": "beta", "name": None}]
    eq2 = pa.Table.from_pylist(pairs, schema=pa.schema([
        pa.field("category", pa.string(), metadata=field_id_meta(3)),
        pa.field("name", pa.string(), metadata=field_id_meta(2))]))
    commit_delete_file(t, write_delete_file(t, "eq-deletes-00002", eq2, DataFileContent.EQUALITY_DELETES, [3, 2]))
    t = catalog.load_table(f"{NS}.eq_deletes")
    # Rows appended later have a higher sequence number: the deletes do not apply to them.
    later = part_rows(0, 5)
    t.append(later)
    kept = [r for r in first.to_pylist()
            if r["id"] not in ids and not any(r["category"] == p["category"] and r["name"] == p["name"]
                                              for p in pairs)]
    expected = pa.Table.from_pylist(kept + later.to_pylist(), schema=PART_ARROW)
    expect("eq_deletes", t, ["id", "name"], notes="equality deletes (pyiceberg cannot read them)",
           expected_rows=expected)

    # Overwrite and copy-on-write delete.
    t = catalog.create_table(f"{NS}.overwritten", schema=PART_SCHEMA)
    t.append(part_rows(0, 40))
    t = catalog.load_table(f"{NS}.overwritten")
    replacement = part_rows(1000, 1005)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t.overwrite(replacement, overwrite_filter="id < 10")
        t = catalog.load_table(f"{NS}.overwritten")
        t.delete(delete_filter="id >= 35")
    expect("overwritten", t, ["id"], notes="append, overwrite(id < 10), delete(id >= 35)")

    # Several snapshots, for time travel.
    t = catalog.create_table(f"{NS}.snapshots", schema=PART_SCHEMA)
    travel = {}
    for lo, hi in ((0, 10), (10, 25), (25, 45)):
        t.append(part_rows(lo, hi))
        t = catalog.load_table(f"{NS}.snapshots")
        sid = t.metadata.current_snapshot_id
        pq.write_table(t.scan(snapshot_id=sid).to_arrow(), os.path.join(out, "expected", f"snapshots@{sid}.parquet"))
        travel[str(sid)] = f"expected/snapshots@{sid}.parquet"
    expect("snapshots", t, ["id"], notes="three appends", time_travel=travel)

    with open(os.path.join(out, "tables.json"), "w") as f:
        json.dump({"namespace": NS, "catalog": f"{out}/catalog.db", "warehouse": f"{out}/warehouse",
                   "tables": tables}, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(os.path.abspath(sys.argv[1]))
