"""Nested Parquet columns (LIST, MAP, STRUCT) as ARRAY, MAP and ROW values.

Differential: random nested files written by pyarrow (lists of structs, maps, nested lists, NULL
at every level: NULL list, empty list, NULL element, NULL struct, NULL field, NULL map value),
read by aishell and by DuckDB with the same queries, equal results (compared as Python values:
aishell's JSON prints ARRAY as a list, MAP and ROW as objects; DuckDB returns lists and dicts).
Round trip: aishell writes the columns back to Parquet (`--format parquet`) and pyarrow and DuckDB
read back the values pyarrow reads from the original file."""
import decimal
import json
import os
import random
import re

import pytest

from aishell_cli import run_aishell

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

SEEDS = [1, 2, 3]
ROWS = 700

TYPE = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("a", pa.list_(pa.int32())),
    pa.field("s", pa.struct([pa.field("x", pa.int64()), pa.field("y", pa.string()),
                             pa.field("z", pa.list_(pa.float64()))])),
    pa.field("m", pa.map_(pa.string(), pa.int64())),
    pa.field("ls", pa.list_(pa.struct([pa.field("p", pa.string()), pa.field("q", pa.list_(pa.int32()))]))),
    pa.field("ll", pa.list_(pa.list_(pa.string()))),
    pa.field("ms", pa.map_(pa.int32(), pa.struct([pa.field("k", pa.bool_()), pa.field("v", pa.float64())]))),
    pa.field("r", pa.struct([pa.field("city", pa.string()), pa.field("zip", pa.int32())])),
])


def random_rows(seed):
    rnd = random.Random(seed)

    def maybe(f, p=0.15):
        return None if rnd.random() < p else f()

    def short_list(f, n=4):
        return [f() for _ in range(rnd.randrange(n + 1))]

    def text():
        return rnd.choice(["", "a", "Paris", "é✓", "x" * 40, "London", "b,c"])

    rows = []
    for i in range(ROWS):
        rows.append({
            "id": i,
            "a": maybe(lambda: short_list(lambda: maybe(lambda: rnd.randrange(-1000, 1000), 0.2))),
            "s": maybe(lambda: {"x": maybe(lambda: rnd.randrange(-10**12, 10**12)),
                                "y": maybe(text),
                                "z": maybe(lambda: short_list(lambda: maybe(lambda: rnd.randrange(-80, 80) / 4)))}),
            "m": maybe(lambda: list({f"k{rnd.randrange(6)}": maybe(lambda: rnd.randrange(100))
                                     for _ in range(rnd.randrange(4))}.items())),
            "ls": maybe(lambda: short_list(lambda: maybe(lambda: {
                "p": maybe(text), "q": maybe(lambda: short_list(lambda: maybe(lambda: rnd.randrange(50))))}))),
            "ll": maybe(lambda: short_list(lambda: maybe(lambda: short_list(lambda: maybe(text))), 3)),
            "ms": maybe(lambda: list({rnd.randrange(20): maybe(lambda: {"k": maybe(lambda: rnd.random() < 0.5),
                                                                         "v": maybe(lambda: rnd.randrange(9) / 2)})
                                      for _ in range(rnd.randrange(3))}.items())),
            "r": maybe(lambda: {"city": maybe(lambda: rnd.choice(["Paris", "Lyon", "Nice"])),
                                "zip": maybe(lambda: rnd.randrange(10000, 99999))}),
        })
    return rows


@pytest.fixture(scope="module", params=SEEDS)
def nested_file(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"nested{request.param}")
    path = str(out / "nested.parquet")
    table = pa.Table.from_pylist(random_rows(request.param), schema=TYPE)
    # Small row groups and pages: record assembly across page and row-group boundaries.
    pq.write_table(table, path, row_group_size=256, data_page_size=512,
                   use_dictionary=request.param != 2, compression="snappy" if request.param == 1 else "none",
                   write_page_index=request.param == 3)
    return {"path": path, "home": str(out / "home"), "dir": str(out)}


def norm(v):
    """Python values of either engine in one shape: maps and structs as dicts with string keys,
    floats and decimals as floats."""
    if isinstance(v, dict):
        return {str(k): norm(x) for k, x in v.items()}
    if isinstance(v, list):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):  # pyarrow's map
            return {str(k): norm(x) for k, x in v}
        return [norm(x) for x in v]
    if isinstance(v, (float, decimal.Decimal)) and not isinstance(v, bool):
        return float(v)
    return v


def ours(f, sql):
    proc = run_aishell(["query", "--format", "jsonl", sql.format(t=f"read_parquet('{f['path']}')")], home=f["home"])
    assert proc.returncode == 0, f"{sql}\n{proc.stderr}"
    return [norm(list(json.loads(line, parse_float=decimal.Decimal).values()))
            for line in proc.stdout.splitlines() if line.strip()]


def theirs(f, sql):
    con = duckdb.connect()
    return [norm(list(r)) for r in con.execute(sql.format(t=f"read_parquet('{f['path']}')")).fetchall()]


# (aishell SQL, DuckDB SQL); rows compare as sorted lists (ties in ORDER BY may come in any order).
QUERIES = [
    ("SELECT * FROM {t} ORDER BY id", "SELECT * FROM {t} ORDER BY id"),
    ("SELECT id, s.x, s.y, s.z, r.city FROM {t} ORDER BY id", "SELECT id, s.x, s.y, s.z, r.city FROM {t} ORDER BY id"),
    ("SELECT id, cardinality(a), cardinality(m), cardinality(ls) FROM {t} ORDER BY id",
     "SELECT id, len(a), cardinality(m), len(ls) FROM {t} ORDER BY id"),
    ("SELECT id, r.zip FROM {t} WHERE r.city = 'Paris' ORDER BY id",
     "SELECT id, r.zip FROM {t} WHERE r.city = 'Paris' ORDER BY id"),
    ("SELECT id, x FROM {t} CROSS JOIN UNNEST(a) AS u(x) ORDER BY id, x",
     "SELECT id, x FROM (SELECT id, unnest(a) AS x FROM {t}) ORDER BY id, x"),
    # UNNEST of an ARRAY(ROW) gives the row's fields as columns (Trino); a NULL element, NULLs.
    ("SELECT id, p, q FROM {t} CROSS JOIN UNNEST(ls) AS u(p, q) ORDER BY id",
     "SELECT id, e.p, e.q FROM (SELECT id, unnest(ls) AS e FROM {t}) ORDER BY id"),
    ("SELECT id, element_at(m, 'k1') FROM {t} ORDER BY id", "SELECT id, m['k1'] FROM {t} ORDER BY id"),
    # A filter on a flat column, evaluated in the scan: nested columns read for the kept rows only
    # (with seed 3's page index, pages without any are skipped).
    ("SELECT * FROM {t} WHERE id BETWEEN 130 AND 170 OR id > 690", "SELECT * FROM {t} WHERE id BETWEEN 130 AND 170 OR id > 690"),
    ("SELECT count(*), count(a), count(s), count(m), count(s.x) FROM {t}",
     "SELECT count(*), count(a), count(s), count(m), count(s.x) FROM {t}"),
]


@pytest.mark.parametrize("query", range(len(QUERIES)))
def test_same_results_as_duckdb(nested_file, query):
    mine, duck = QUERIES[query]
    got, want = ours(nested_file, mine), theirs(nested_file, duck)
    got, want = sorted(got, key=json.dumps), sorted(want, key=json.dumps)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"row {i}: aishell {g!r}, DuckDB {w!r}"


def test_schema_has_nested_types(nested_file):
    proc = run_aishell(["query", "--format", "jsonl",
                        f"SELECT typeof(ls) AS t, typeof(m) AS u, typeof(s) AS v FROM read_parquet('{nested_file['path']}') "
                        "LIMIT 1"], home=nested_file["home"])
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout.splitlines()[0])
    assert row["t"] == "array(row(p varchar, q array(integer)))"
    assert row["u"] == "map(varchar, bigint)"
    assert row["v"] == "row(x bigint, y varchar, z array(double))"


def test_written_file_reads_back_in_pyarrow_and_duckdb(nested_file):
    out = os.path.join(nested_file["dir"], "written.parquet")
    proc = run_aishell(["query", "--format", "parquet", "--output", out,
                        f"SELECT * FROM read_parquet('{nested_file['path']}') ORDER BY id"], home=nested_file["home"])
    assert proc.returncode == 0, proc.stderr
    want = pq.read_table(nested_file["path"]).to_pylist()
    got = pq.read_table(out).to_pylist()
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert norm(g) == norm(w), f"row {i}: written {g!r}, original {w!r}"
    con = duckdb.connect()
    duck = [norm(list(r)) for r in con.execute(f"SELECT * FROM read_parquet('{out}') ORDER BY id").fetchall()]
    orig = [norm(list(r)) for r in con.execute(
        f"SELECT * FROM read_parquet('{nested_file['path']}') ORDER BY id").fetchall()]
    assert duck == orig
    # And aishell reads its own file back.
    assert ours({"path": out, "home": nested_file["home"]}, "SELECT * FROM {t} ORDER BY id") == \
        ours(nested_file, "SELECT * FROM {t} ORDER BY id")
    # The written schema is the standard one: 3-level LIST, MAP key_value, STRUCT groups.
    schema = pq.ParquetFile(out).schema
    paths = {schema.column(i).path for i in range(len(schema))}
    assert "a.list.element" in paths
    assert "m.key_value.key" in paths and "m.key_value.value" in paths
    assert "ls.list.element.q.list.element" in paths
    assert "r.city" in paths


def test_legacy_and_constructed_values(tmp_path):
    """Values built in SQL write and read back; NULL vs empty vs NULL element stay distinct."""
    home = str(tmp_path / "home")
    out = str(tmp_path / "built.parquet")
    sql = ("SELECT * FROM (VALUES (1, ARRAY[1, NULL, 3], MAP(ARRAY['a'], ARRAY[ROW(1, 'x')]), ROW(ARRAY[ARRAY[2]], 'p')), "
           "(2, ARRAY[], MAP(ARRAY['b', 'c'], ARRAY[NULL, ROW(NULL, NULL)]), ROW(NULL, NULL)), "
           "(3, NULL, NULL, NULL)) AS v(id, a, m, r)")
    proc = run_aishell(["query", "--format", "parquet", "--output", out, sql], home=home)
    assert proc.returncode == 0, proc.stderr
    got = pq.read_table(out).to_pylist()
    assert [r["a"] for r in got] == [[1, None, 3], [], None]
    assert got[1]["m"] == [("b", None), ("c", {"field0": None, "field1": None})]
    assert got[0]["m"] == [("a", {"field0": 1, "field1": "x"})]
    assert got[0]["r"] == {"field0": [[2]], "field1": "p"}
    assert got[1]["r"] == {"field0": None, "field1": None}
    assert got[2]["r"] is None and got[2]["m"] is None


# A wide STRUCT (long padding fields, a nested STRUCT, a LIST): queries that use a few fields read
# only those leaf columns (the scan is asked for the fields: EXPLAIN shows them, and EXPLAIN
# ANALYZE counts fewer bytes), with the same results as DuckDB.
WIDE = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("w", pa.struct([
        pa.field("city", pa.string()),
        pa.field("addr", pa.struct([pa.field("zip", pa.int32()), pa.field("street", pa.string())])),
        pa.field("tags", pa.list_(pa.string())),
        *[pa.field(f"pad{i}", pa.string()) for i in range(8)],
    ])),
])


def wide_rows(seed, rows=600):
    rnd = random.Random(seed)

    def maybe(f, p=0.15):
        return None if rnd.random() < p else f()

    def pad():
        return "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(60))

    out = []
    for i in range(rows):
        w = maybe(lambda: {
            "city": maybe(lambda: rnd.choice(["Paris", "Lyon", "Nice"])),
            "addr": maybe(lambda: {"zip": maybe(lambda: rnd.randrange(10000, 99999)),
                                   "street": maybe(lambda: rnd.choice(["Main", "High", "Rue"]))}),
            "tags": maybe(lambda: [maybe(lambda: rnd.choice(["a", "b"])) for _ in range(rnd.randrange(3))]),
            **{f"pad{k}": maybe(pad) for k in range(8)},
        })
        out.append({"id": i, "w": w})
    return out


@pytest.fixture(scope="module", params=SEEDS)
def wide_file(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"wide{request.param}")
    path = str(out / "wide.parquet")
    table = pa.Table.from_pylist(wide_rows(request.param), schema=WIDE)
    pq.write_table(table, path, row_group_size=200, data_page_size=1024, use_dictionary=False,
                   compression="none", write_page_index=request.param == 3)
    return {"path": path, "home": str(out / "home"), "dir": str(out)}


WIDE_QUERIES = [
    "SELECT id, w.city FROM {t} ORDER BY id",
    "SELECT id, w.addr.zip FROM {t} WHERE w.city = 'Paris' ORDER BY id",
    "SELECT w.addr.street, count(*) FROM {t} GROUP BY w.addr.street",
    "SELECT id, w.tags FROM {t} WHERE w.addr IS NULL ORDER BY id",
    "SELECT id, w.addr FROM {t} WHERE id % 7 = 0 ORDER BY id",
    "SELECT c, z FROM (SELECT id, w.city AS c, w.addr AS a FROM {t}) CROSS JOIN (SELECT 1) AS u(z) "
    "WHERE a.zip > 50000 AND id < 300 ORDER BY id",
    "SELECT count(*), count(w), count(w.city), count(w.addr.street) FROM {t}",
    "SELECT id, w FROM {t} WHERE w.city = 'Nice' AND id > 500 ORDER BY id",
    "SELECT * FROM {t} WHERE w.addr.zip < 20000 ORDER BY id",
]


@pytest.mark.parametrize("query", range(len(WIDE_QUERIES)))
def test_field_projection_same_results_as_duckdb(wide_file, query):
    sql = WIDE_QUERIES[query]
    got, want = ours(wide_file, sql), theirs(wide_file, sql)
    got, want = sorted(got, key=json.dumps), sorted(want, key=json.dumps)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{sql}: row {i}: aishell {g!r}, DuckDB {w!r}"


def explain(f, sql, analyze=False):
    proc = run_aishell(["query", ("EXPLAIN ANALYZE " if analyze else "EXPLAIN ") +
                        sql.format(t=f"read_parquet('{f['path']}')")], home=f["home"])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def scan_line(plan):
    lines = [line for line in plan.splitlines() if "read_parquet " in line]
    assert len(lines) == 1, plan
    return lines[0]


def test_explain_shows_the_fields_asked(wide_file):
    plan = explain(wide_file, "SELECT id, w.addr.zip FROM {t} WHERE w.city = 'Paris'")
    scan = scan_line(plan)
    assert "columns=[id, w.addr.zip, w.city]" in scan or "columns=[id, w.city, w.addr.zip]" in scan, plan
    # Through a subquery that takes a field first.
    plan = explain(wide_file, "SELECT a.zip FROM (SELECT w.addr AS a FROM {t})")
    assert "columns=[w.addr.zip]" in scan_line(plan), plan
    # The whole column is used: the scan reads it whole.
    plan = explain(wide_file, "SELECT w.city, w FROM {t}")
    assert "columns=[w]" in scan_line(plan), plan


def bytes_read(f, sql):
    line = scan_line(explain(f, sql, analyze=True))
    m = re.search(r"bytes_read=(\d+)", line)
    assert m, line
    return int(m.group(1))


def test_one_field_of_a_wide_struct_reads_fewer_bytes(wide_file):
    # The file's own chunk sizes: what reading only w.city (and id) costs, against every leaf.
    meta = pq.ParquetFile(wide_file["path"]).metadata
    sizes = {}
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            col = meta.row_group(g).column(c)
            sizes[col.path_in_schema] = sizes.get(col.path_in_schema, 0) + col.total_compressed_size
    one = bytes_read(wide_file, "SELECT id, w.city FROM {t}")
    whole = bytes_read(wide_file, "SELECT id, w FROM {t}")
    assert one == sizes["id"] + sizes["w.city"]
    assert whole == sum(sizes.values())
    assert one * 5 < whole
    # A nested field: only its leaf.
    assert bytes_read(wide_file, "SELECT w.addr.zip FROM {t}") == sizes["w.addr.zip"]
