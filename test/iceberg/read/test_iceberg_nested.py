"""Iceberg list, map and struct columns as ARRAY, MAP and ROW, against pyiceberg.

A table written by pyiceberg with nested columns (NULL at every level), then evolved inside its
struct (a field added, one renamed, one widened int -> long) and appended to again: aishell reads
the values pyiceberg reads, matching struct fields by field id. Round trip: aishell writes the
table back with CREATE TABLE AS (fresh field ids for the element, key, value and struct fields) and
pyiceberg reads the same values."""
import decimal
import json
import os

import pytest

from aishell_cli import run_aishell

pyiceberg = pytest.importorskip("pyiceberg")
pa = pytest.importorskip("pyarrow")
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402
from pyiceberg.schema import Schema  # noqa: E402
from pyiceberg.types import (DoubleType, IntegerType, ListType, LongType, MapType, NestedField,  # noqa: E402
                             StringType, StructType)

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "tags", ListType(10, StringType(), element_required=False)),
    NestedField(3, "attrs", MapType(11, StringType(), 12, LongType(), value_required=False)),
    NestedField(4, "addr", StructType(NestedField(13, "city", StringType()), NestedField(14, "zip", IntegerType()))),
    NestedField(5, "items", ListType(15, StructType(
        NestedField(16, "product_id", StringType()), NestedField(17, "quantity", IntegerType()),
        NestedField(18, "price", DoubleType())), element_required=False)),
)


def rows_v1(lo, hi):
    out = []
    for k in range(lo, hi):
        out.append({
            "id": k,
            "tags": None if k % 5 == 1 else [] if k % 5 == 2 else [f"t{k}", None if k % 3 == 0 else f"u{k}"],
            "attrs": None if k % 4 == 3 else [(f"a{j}", None if (k + j) % 3 == 0 else k * 10 + j) for j in range(k % 3)],
            "addr": None if k % 6 == 5 else {"city": None if k % 4 == 0 else ["Paris", "Lyon"][k % 2], "zip": k * 7},
            "items": None if k % 7 == 6 else [None if j == 2 else {"product_id": f"p{k}-{j}", "quantity": j + k % 4,
                                                                    "price": (k + j) / 4} for j in range(k % 4)],
        })
    return out


def arrow_v1():
    return pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("attrs", pa.map_(pa.string(), pa.int64())),
        pa.field("addr", pa.struct([pa.field("city", pa.string()), pa.field("zip", pa.int32())])),
        pa.field("items", pa.list_(pa.struct([pa.field("product_id", pa.string()), pa.field("quantity", pa.int32()),
                                              pa.field("price", pa.float64())]))),
    ])


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("iceberg_nested"))
    os.makedirs(os.path.join(root, "warehouse"))
    cat = SqlCatalog("test", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse")
    cat.create_namespace("db")
    t = cat.create_table("db.nested", schema=SCHEMA)
    t.append(pa.Table.from_pylist(rows_v1(0, 40), schema=arrow_v1()))
    # Evolution inside the struct: add a field, rename one, widen one.
    t = cat.load_table("db.nested")
    with t.update_schema() as u:
        u.add_column(("addr", "country"), StringType())
        u.rename_column("addr.city", "town")
        u.update_column("addr.zip", LongType())
        # Inside the list's element struct too: a field added, one renamed.
        u.add_column(("items", "element", "discount"), DoubleType())
        u.rename_column("items.element.price", "unit_price")
    t = cat.load_table("db.nested")
    arrow2 = pa.schema([
        arrow_v1().field("id"), arrow_v1().field("tags"), arrow_v1().field("attrs"),
        pa.field("addr", pa.struct([pa.field("town", pa.string()), pa.field("zip", pa.int64()),
                                    pa.field("country", pa.string())])),
        pa.field("items", pa.list_(pa.struct([pa.field("product_id", pa.string()), pa.field("quantity", pa.int32()),
                                              pa.field("unit_price", pa.float64()),
                                              pa.field("discount", pa.float64())])))])
    rows2 = rows_v1(40, 60)
    for r in rows2:
        if r["addr"] is not None:
            r["addr"] = {"town": r["addr"]["city"], "zip": r["addr"]["zip"] * 1000003, "country": "FR"}
        if r["items"] is not None:
            r["items"] = [None if i is None else {"product_id": i["product_id"], "quantity": i["quantity"],
                                                  "unit_price": i["price"], "discount": 0.5}
                          for i in r["items"]]
    t.append(pa.Table.from_pylist(rows2, schema=arrow2))
    home = os.path.join(root, "home")
    proc = run_aishell(["connect", f"sqlite:///{root}/catalog.db", "--type", "iceberg", "--name", "ice",
                        "--property", f"warehouse=file://{root}/warehouse"], home=home)
    assert proc.returncode == 0, proc.stderr
    return {"root": root, "catalog": cat, "home": home}


def query(lake, sql):
    proc = run_aishell(["query", "--format", "jsonl", sql], home=lake["home"])
    assert proc.returncode == 0, f"{sql}\n{proc.stderr}"
    return [json.loads(line, parse_float=decimal.Decimal) for line in proc.stdout.splitlines() if line.strip()]


def norm(v):
    if isinstance(v, dict):
        return {str(k): norm(x) for k, x in v.items()}
    if isinstance(v, list):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):  # pyarrow's map
            return {str(k): norm(x) for k, x in v}
        return [norm(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


MAP_COLUMNS = ("attrs", "m")


def pyiceberg_rows(lake, name):
    rows = lake["catalog"].load_table(f"db.{name}").scan().to_arrow().to_pylist()
    for r in rows:  # pyarrow's maps are lists of pairs: an empty one is [] (aishell's JSON: {})
        for c in MAP_COLUMNS:
            if r.get(c) is not None:
                r[c] = {str(k): v for k, v in r[c]}
    return sorted((norm(r) for r in rows), key=lambda r: r["id"])


def test_nested_columns_equal_pyiceberg(lake):
    got = [norm(r) for r in query(lake, "SELECT * FROM ice.db.nested ORDER BY id")]
    want = pyiceberg_rows(lake, "nested")
    assert len(got) == len(want) == 60
    assert list(got[0].keys()) == list(want[0].keys())
    for g, w in zip(got, want):
        assert g == w


def test_struct_evolution_by_field_id(lake):
    rows = query(lake, "SELECT id, addr.town, addr.zip, addr.country FROM ice.db.nested "
                       "WHERE id IN (0, 2, 5, 42, 47) ORDER BY id")
    want = {r["id"]: r["addr"] for r in pyiceberg_rows(lake, "nested")}
    for r in rows:
        w = want[r["id"]]
        assert [r["town"], r["zip"], r["country"]] == ([None] * 3 if w is None else [w["town"], w["zip"], w["country"]])
    # Rows written before the rename read the old 'city' data under 'town'; before the add, NULL.
    assert rows[0]["country"] is None and rows[3]["country"] == "FR"


def test_struct_fields_read_alone_by_field_id(lake):
    """A query using some fields of a struct reads only their leaves in each data file (matched by
    field id across the evolution): same values as pyiceberg, and EXPLAIN names the fields."""
    proc = run_aishell(["query", "EXPLAIN SELECT id, addr.zip FROM ice.db.nested WHERE addr.town = 'Paris'"],
                       home=lake["home"])
    assert proc.returncode == 0, proc.stderr
    assert "struct fields read: addr.town, addr.zip" in proc.stdout or \
        "struct fields read: addr.zip, addr.town" in proc.stdout, proc.stdout
    rows = query(lake, "SELECT id, addr.zip AS z, addr.country AS c FROM ice.db.nested WHERE addr.town IS NOT NULL "
                       "ORDER BY id")
    want = sorted((r["id"], r["addr"]["zip"], r["addr"]["country"]) for r in pyiceberg_rows(lake, "nested")
                  if r["addr"] is not None and r["addr"]["town"] is not None)
    assert [(r["id"], r["z"], r["c"]) for r in rows] == want
    proc = run_aishell(["query", "--format", "jsonl", "SELECT typeof(addr) AS t FROM ice.db.nested LIMIT 1"],
                       home=lake["home"])
    assert json.loads(proc.stdout)["t"] == "row(town varchar, zip bigint, country varchar)"
    # In the list's element struct: rows before the change read 'price' as 'unit_price', and NULL
    # for the added 'discount'.
    rows = query(lake, "SELECT id, e.unit_price AS p, e.discount AS d FROM (SELECT id, items[1] AS e "
                       "FROM ice.db.nested WHERE id IN (1, 2, 3, 41, 42, 43) AND cardinality(items) > 0) ORDER BY id")
    want = {r["id"]: r["items"][0] for r in pyiceberg_rows(lake, "nested") if r["items"]}
    assert rows and [[r["p"], r["d"]] for r in rows] == [[want[r["id"]]["unit_price"], want[r["id"]]["discount"]]
                                                         for r in rows]
    assert any(r["d"] is None for r in rows) and any(r["d"] == 0.5 for r in rows)


def test_unnest_items(lake):
    # UNNEST of an ARRAY(ROW) gives the fields as columns (a NULL element: NULLs).
    got = query(lake, "SELECT id, product_id, quantity FROM ice.db.nested "
                      "CROSS JOIN UNNEST(items) AS u(product_id, quantity, unit_price, discount) "
                      "WHERE product_id IS NOT NULL ORDER BY id, product_id")
    want = sorted(((r["id"], i["product_id"], i["quantity"]) for r in pyiceberg_rows(lake, "nested")
                   for i in (r["items"] or []) if i is not None))
    assert [(r["id"], r["product_id"], r["quantity"]) for r in got] == want


def test_ctas_round_trip_read_by_pyiceberg(lake):
    proc = run_aishell(["query", "CREATE TABLE ice.db.copied AS SELECT * FROM ice.db.nested"], home=lake["home"])
    assert proc.returncode == 0, proc.stderr
    t = lake["catalog"].load_table("db.copied")
    # The schema declares the nested types with fresh, unique field ids.
    ids = []

    def walk(field_type):
        if isinstance(field_type, StructType):
            for f in field_type.fields:
                ids.append(f.field_id)
                walk(f.field_type)
        elif isinstance(field_type, ListType):
            ids.append(field_type.element_id)
            walk(field_type.element_type)
        elif isinstance(field_type, MapType):
            ids.extend([field_type.key_id, field_type.value_id])
            walk(field_type.key_type)
            walk(field_type.value_type)
    walk(t.schema().as_struct())
    assert len(ids) == len(set(ids))
    assert t.metadata.last_column_id == max(ids)
    assert isinstance(t.schema().find_field("items").field_type, ListType)
    assert isinstance(t.schema().find_field("attrs").field_type, MapType)
    assert pyiceberg_rows(lake, "copied") == pyiceberg_rows(lake, "nested")
    # And aishell reads its own table back.
    assert [norm(r) for r in query(lake, "SELECT * FROM ice.db.copied ORDER BY id")] == \
        pyiceberg_rows(lake, "nested")


def test_ctas_constructed_values(lake):
    sql = ("CREATE TABLE ice.db.built AS SELECT * FROM (VALUES "
           "(1, ARRAY[ROW('p1', 2)], MAP(ARRAY['k'], ARRAY[1.5])), "
           "(2, ARRAY[], NULL), (3, NULL, MAP(ARRAY['a', 'b'], ARRAY[NULL, 2.5]))) AS v(id, items, m)")
    proc = run_aishell(["query", sql], home=lake["home"])
    assert proc.returncode == 0, proc.stderr
    rows = pyiceberg_rows(lake, "built")
    # pyiceberg 0.12 reads this NULL list of structs, after an empty one, as [] (a table pyiceberg
    # writes itself reads the same way): the data file, read by pyarrow, holds the NULL.
    assert [r["items"] for r in rows][:2] == [[{"field0": "p1", "field1": 2}], []]
    assert rows[2]["items"] in (None, [])
    assert [r["m"] for r in rows] == [{"k": 1.5}, None, {"a": None, "b": 2.5}]
    files = [task.file.file_path for task in lake["catalog"].load_table("db.built").scan().plan_files()]
    import pyarrow.parquet as pq
    data = sorted((r for f in files for r in pq.read_table(f.replace("file://", "")).to_pylist()),
                  key=lambda r: r["id"])
    assert [r["items"] for r in data] == [[{"field0": "p1", "field1": 2}], [], None]


def test_insert_into_pyiceberg_table_with_nested_columns(lake):
    """INSERT INTO a table pyiceberg created (data files with field ids, no name mapping): the new
    files carry the table's field names and the commit adds a name mapping covering the nested
    fields, so pyiceberg reads the new rows."""
    t = lake["catalog"].create_table("db.ins", schema=SCHEMA)
    t.append(pa.Table.from_pylist(rows_v1(0, 12), schema=arrow_v1()))
    proc = run_aishell(["query", "INSERT INTO ice.db.ins SELECT id + 100, tags, attrs, addr, items FROM ice.db.ins"],
                       home=lake["home"])
    assert proc.returncode == 0, proc.stderr
    rows = pyiceberg_rows(lake, "ins")
    assert len(rows) == 24
    old, new = rows[:12], rows[12:]
    assert [dict(r, id=r["id"] - 100) for r in new] == old
    assert [norm(r) for r in query(lake, "SELECT * FROM ice.db.ins ORDER BY id")] == rows
