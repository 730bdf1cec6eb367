"""Iceberg tables written by pyiceberg (SqlCatalog on SQLite + a local file warehouse) for the
read-path tests: every primitive type, each partition transform, partition-spec evolution,
schema evolution, several snapshots, an overwrite, and v2 position and equality deletes (delete
files written with pyarrow and committed through pyiceberg's snapshot producer)."""
import datetime
import decimal
import os
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.manifest import (DataFile, DataFileContent, FileFormat, ManifestContent,
                                ManifestWriterV2)
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import (BucketTransform, DayTransform, HourTransform,
                                  IdentityTransform, MonthTransform, TruncateTransform,
                                  YearTransform)
from pyiceberg.typedef import Record
from pyiceberg.types import (BinaryType, BooleanType, DateType, DecimalType, DoubleType,
                             FloatType, IntegerType, LongType, NestedField, StringType,
                             TimestampType, TimestamptzType)

CATALOG_NAME = "test"


def catalog(root):
    warehouse = os.path.join(root, "warehouse")
    os.makedirs(warehouse, exist_ok=True)
    return SqlCatalog(CATALOG_NAME, uri=f"sqlite:///{root}/catalog.db",
                      warehouse=f"file://{warehouse}")


def _ts(day, hour=0):
    return datetime.datetime(2024, 1, 1, hour) + datetime.timedelta(days=day)


def _events_schema():
    return Schema(
        NestedField(1, "id", LongType(), required=False),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "amount", DoubleType(), required=False),
        NestedField(4, "ts", TimestampType(), required=False),
        NestedField(5, "day", DateType(), required=False),
        NestedField(6, "category", StringType(), required=False),
    )


def _events_arrow(n, start=0):
    rows = {
        "id": [start + i for i in range(n)],
        "name": [f"name{(start + i) % 37:03d}" if i % 11 else None for i in range(n)],
        "amount": [round((start + i) * 1.25 % 1000, 2) for i in range(n)],
        "ts": [_ts((start + i) % 400, (start + i) % 24) for i in range(n)],
        "day": [(_ts((start + i) % 400)).date() for i in range(n)],
        "category": [["a", "b", "c", "d", None][(start + i) % 5] for i in range(n)],
    }
    return pa.table(rows, schema=pa.schema([
        ("id", pa.int64()), ("name", pa.string()), ("amount", pa.float64()),
        ("ts", pa.timestamp("us")), ("day", pa.date32()), ("category", pa.string())]))


def build_types(cat):
    schema = Schema(
        NestedField(1, "b", BooleanType(), required=False),
        NestedField(2, "i", IntegerType(), required=False),
        NestedField(3, "l", LongType(), required=False),
        NestedField(4, "f", FloatType(), required=False),
        NestedField(5, "d", DoubleType(), required=False),
        NestedField(6, "dec", DecimalType(10, 2), required=False),
        NestedField(7, "dt", DateType(), required=False),
        NestedField(8, "ts", TimestampType(), required=False),
        NestedField(9, "tstz", TimestamptzType(), required=False),
        NestedField(10, "s", StringType(), required=False),
        NestedField(11, "bin", BinaryType(), required=False),
    )
    t = cat.create_table("db.types", schema=schema,
                         properties={"write.avro.compression-codec": "null"})
    n = 50
    data = pa.table({
        "b": [i % 3 == 0 if i % 7 else None for i in range(n)],
        "i": [i * 3 - 40 if i % 9 else None for i in range(n)],
        "l": [i * 10_000_000_000 - 7 for i in range(n)],
        "f": [i / 4 for i in range(n)],
        "d": [i * 1.5 - 3 if i % 5 else None for i in range(n)],
        "dec": [decimal.Decimal(f"{i * 7 - 100}.{i % 100:02d}") for i in range(n)],
        "dt": [datetime.date(2020, 1, 1) + datetime.timedelta(days=i * 13) for i in range(n)],
        "ts": [datetime.datetime(2021, 5, 6, 7, 8, 9, 123456) + datetime.timedelta(hours=i * 5)
               for i in range(n)],
        "tstz": [datetime.datetime(2022, 1, 1, tzinfo=datetime.timezone.utc)
                 + datetime.timedelta(minutes=i * 77) for i in range(n)],
        "s": [f"str-{i}-é" if i % 4 else None for i in range(n)],
        "bin": [f"bytes{i}".encode() for i in range(n)],
    }, schema=schema.as_arrow())
    t.append(data)
    return t


def build_partitioned(cat):
    """One table per transform, each with two appends (several files per partition)."""
    specs = {
        "p_identity": PartitionField(6, 1000, IdentityTransform(), "category"),
        "p_bucket": PartitionField(1, 1000, BucketTransform(4), "id_bucket"),
        "p_truncate": PartitionField(2, 1000, TruncateTransform(6), "name_trunc"),
        "p_year": PartitionField(4, 1000, YearTransform(), "ts_year"),
        "p_month": PartitionField(5, 1000, MonthTransform(), "day_month"),
        "p_day": PartitionField(4, 1000, DayTransform(), "ts_day"),
        "p_hour": PartitionField(4, 1000, HourTransform(), "ts_hour"),
        "p_trunc_int": PartitionField(1, 1000, TruncateTransform(50), "id_trunc"),
        "p_bucket_str": PartitionField(2, 1000, BucketTransform(3), "name_bucket"),
    }
    # Manifests with every Avro codec (pyiceberg's default is deflate).
    codecs = {"p_bucket": "zstandard", "p_day": "snappy", "p_identity": "null"}
    tables = {}
    for name, field in specs.items():
        n = 120 if name != "p_hour" else 60
        props = {}
        if name in codecs:
            props["write.avro.compression-codec"] = codecs[name]
        t = cat.create_table(f"db.{name}", schema=_events_schema(),
                             partition_spec=PartitionSpec(field), properties=props)
        t.append(_events_arrow(n))
        t.append(_events_arrow(n, start=1000))
        tables[name] = t
    return tables


def build_spec_evolution(cat):
    """Unpartitioned, then identity(category), then day(ts): files of three specs."""
    t = cat.create_table("db.spec_evolution", schema=_events_schema())
    t.append(_events_arrow(40))
    with t.update_spec() as u:
        u.add_identity("category")
    t.append(_events_arrow(40, start=100))
    with t.update_spec() as u:
        u.add_field("ts", DayTransform(), "ts_day")
    t.append(_events_arrow(40, start=200))
    return t


def build_evolution(cat):
    """Schema evolution: add, rename, drop, reorder, and a type promotion (int -> long)."""
    schema = Schema(
        NestedField(1, "id", IntegerType(), required=False),
        NestedField(2, "old_name", StringType(), required=False),
        NestedField(3, "dropped", StringType(), required=False),
        NestedField(4, "score", DoubleType(), required=False),
    )
    t = cat.create_table("db.evolution", schema=schema)
    t.append(pa.table({"id": pa.array([1, 2, 3], pa.int32()), "old_name": ["a", "b", "c"],
                       "dropped": ["x", "y", "z"], "score": [1.5, 2.5, None]}))
    with t.update_schema() as u:
        u.add_column("added", StringType())
        u.rename_column("old_name", "new_name")
        u.delete_column("dropped")
        u.move_first("score")
        u.update_column("id", LongType())
    t = cat.load_table("db.evolution")
    t.append(pa.table({"score": [4.5], "id": pa.array([4], pa.int64()), "new_name": ["d"],
                       "added": ["new"]}, schema=t.schema().as_arrow()))
    return t


def build_snapshots(cat):
    """Several snapshots: append, append, overwrite (for time travel)."""
    t = cat.create_table("db.snapshots", schema=_events_schema())
    t.append(_events_arrow(10))
    t.append(_events_arrow(10, start=10))
    t.overwrite(_events_arrow(5, start=100))
    t.append(_events_arrow(3, start=200))
    return t


class _DeleteManifestWriter(ManifestWriterV2):
    def content(self):
        return ManifestContent.DELETES

    @property
    def _meta(self):
        meta = dict(super()._meta)
        meta["content"] = "deletes"
        return meta


def _commit_delete_files(table, delete_files):
    """Commits delete files with pyiceberg's fast-append producer, in a DELETES manifest."""
    from pyiceberg.manifest import ManifestEntry, ManifestEntryStatus
    from pyiceberg.table.snapshots import Operation
    from pyiceberg.table.update.snapshot import _FastAppendFiles

    with table.transaction() as tx:
        producer = tx.update_snapshot().fast_append()
        assert isinstance(producer, _FastAppendFiles)

        def manifests(self=producer):
            writer = _DeleteManifestWriter(self._transaction.table_metadata.spec(), self.schema(),
                                           self.new_manifest_output(), self._snapshot_id,
                                           self._compression)
            with writer:
                for f in delete_files:
                    writer.add(ManifestEntry.from_args(status=ManifestEntryStatus.ADDED,
                                                       snapshot_id=self._snapshot_id,
                                                       sequence_number=None,
                                                       file_sequence_number=None, data_file=f))
            return [writer.to_manifest_file()] + self._existing_manifests()

        producer._manifests = manifests
        producer._operation = Operation.OVERWRITE
        for f in delete_files:
            producer._added_data_files.append(f)
        producer.commit()


def _write_parquet(table, path, arrow):
    pq.write_table(arrow, path)
    return os.path.getsize(path)


def _position_delete_file(ddir, name, rows):
    schema = pa.schema([
        pa.field("file_path", pa.string(), nullable=False,
                 metadata={b"PARQUET:field_id": b"2147483546"}),
        pa.field("pos", pa.int64(), nullable=False, metadata={b"PARQUET:field_id": b"2147483545"})])
    path = os.path.join(ddir, name)
    pq.write_table(pa.table({"file_path": [r[0] for r in rows], "pos": [r[1] for r in rows]},
                            schema=schema), path)
    f = DataFile.from_args(content=DataFileContent.POSITION_DELETES, file_path="file://" + path,
                           file_format=FileFormat.PARQUET, partition=Record(),
                           record_count=len(rows), file_size_in_bytes=os.path.getsize(path))
    f.spec_id = 0
    return f


def _data_files(t):
    return sorted(task.file.file_path for task in t.scan().plan_files())


def build_deletes(cat, root):
    """A v2 table with position delete files (pyiceberg reads these too)."""
    t = cat.create_table("db.deletes", schema=_events_schema(),
                         properties={"format-version": "2"})
    t.append(_events_arrow(30))
    t.append(_events_arrow(30, start=100))
    files = _data_files(t)
    ddir = os.path.join(root, "deletes")
    os.makedirs(ddir, exist_ok=True)
    # Rows 0, 5, 29 of the first file and row 3 of the second.
    _commit_delete_files(t, [_position_delete_file(
        ddir, "pos-deletes-1.parquet",
        [(files[0], 0), (files[0], 5), (files[0], 29), (files[1], 3)])])
    # A second delete file, and rows appended later that it must not touch.
    t = cat.load_table("db.deletes")
    _commit_delete_files(t, [_position_delete_file(ddir, "pos-deletes-2.parquet",
                                                   [(files[1], 7), (files[1], 8)])])
    t = cat.load_table("db.deletes")
    t.append(_events_arrow(10, start=500))
    return cat.load_table("db.deletes")


def build_eq_deletes(cat, root):
    """A v2 table with an equality delete file on category (field 6): rows with category 'b'
    written before the delete are gone, rows appended after it stay."""
    t = cat.create_table("db.eq_deletes", schema=_events_schema(),
                         properties={"format-version": "2"})
    t.append(_events_arrow(30))
    ddir = os.path.join(root, "eq_deletes")
    os.makedirs(ddir, exist_ok=True)
    schema = pa.schema([pa.field("category", pa.string(), metadata={b"PARQUET:field_id": b"6"}),
                        pa.field("id", pa.int64(), metadata={b"PARQUET:field_id": b"1"})])
    path = os.path.join(ddir, "eq-deletes.parquet")
    pq.write_table(pa.table({"category": ["b", "c"], "id": [1, 2]}, schema=schema), path)
    f = DataFile.from_args(content=DataFileContent.EQUALITY_DELETES, file_path="file://" + path,
                           file_format=FileFormat.PARQUET, partition=Record(), record_count=2,
                           file_size_in_bytes=os.path.getsize(path), equality_ids=[6, 1])
    f.spec_id = 0
    _commit_delete_files(t, [f])
    t = cat.load_table("db.eq_deletes")
    t.append(_events_arrow(10, start=0))  # ids 0..9 again: (b, 1) and (c, 2) stay this time
    return cat.load_table("db.eq_deletes")


def eq_deletes_expected():
    """The rows of db.eq_deletes (as pylist of dicts), computed from the writes."""
    first = [r for r in _events_arrow(30).to_pylist()
             if (r["category"], r["id"]) not in {("b", 1), ("c", 2)}]
    return first + _events_arrow(10).to_pylist()


def build_all(root):
    cat = catalog(root)
    cat.create_namespace("db")
    build_types(cat)
    build_partitioned(cat)
    build_spec_evolution(cat)
    build_evolution(cat)
    build_snapshots(cat)
    build_deletes(cat, root)
    build_eq_deletes(cat, root)
    return cat


if __name__ == "__main__":
    import sys
    c = build_all(sys.argv[1])
    for ident in c.list_tables("db"):
        t = c.load_table(ident)
        n = t.scan().to_arrow().num_rows if ident[1] != "eq_deletes" else "?"
        print(ident, n, t.metadata_location)
