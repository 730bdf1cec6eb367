"""Page-index skipping: files written by pyarrow with write_page_index=True (small pages) queried
with filters give the same rows as DuckDB over the same files, and as the same data without a page
index. (That fewer pages are decoded is asserted by the ParquetFileReader gtests, which count
them.)"""
import json
import random

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aishell_cli import run_aishell

QUERIES = [
    "SELECT id, name, amount FROM read_parquet('{f}') WHERE id >= 1234 AND id < 1300 ORDER BY id",
    "SELECT count(*) AS n, sum(amount) AS s FROM read_parquet('{f}') WHERE day = DATE '2019-04-12'",
    "SELECT id, cat FROM read_parquet('{f}') WHERE name = 'n03999' ORDER BY id",
    "SELECT count(*) AS n FROM read_parquet('{f}') WHERE name > 'n04990' AND cat = 'red'",
    "SELECT id FROM read_parquet('{f}') WHERE noise < 5 ORDER BY id",
    "SELECT count(*) AS n FROM read_parquet('{f}') WHERE id < 0",
    "SELECT count(*) AS n, min(id) AS lo FROM read_parquet('{f}') WHERE amount >= 2400.5",
]


def write(path, page_index):
    rng = random.Random(7)
    n = 5000
    table = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "day": pa.array([17800 + i // 37 for i in range(n)], pa.int32()).cast(pa.date32()),
        "name": pa.array([f"n{i:05d}" for i in range(n)]),
        "cat": pa.array([["red", "green", "blue"][i % 3] for i in range(n)]),
        "amount": pa.array([None if i % 13 == 0 else i * 0.5 for i in range(n)], pa.float64()),
        "noise": pa.array([rng.randrange(1000) for _ in range(n)], pa.int32()),
    })
    pq.write_table(table, path, row_group_size=2000, write_page_index=page_index,
                   max_rows_per_page=100, compression="snappy")


def aishell_rows(sql, home):
    proc = run_aishell(["query", "--format", "jsonl", sql], home=home)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def normalize(rows):
    return [{k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
             for k, v in r.items()} for r in rows]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("page_index")
    with_index, without = str(d / "with.parquet"), str(d / "without.parquet")
    write(with_index, True)
    write(without, False)
    meta = pq.ParquetFile(with_index).metadata
    assert meta.row_group(0).column(0).has_column_index
    return with_index, without


@pytest.mark.parametrize("query", QUERIES)
def test_page_index_results_equal_duckdb(files, query, tmp_path):
    with_index, without = files
    got = aishell_rows(query.format(f=with_index), tmp_path / "home")
    plain = aishell_rows(query.format(f=without), tmp_path / "home")
    con = duckdb.connect()
    cur = con.execute(query.format(f=with_index))
    names = [c[0] for c in cur.description]
    want = [dict(zip(names, row)) for row in cur.fetchall()]
    want = [{k: (str(v) if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in want]
    assert normalize(got) == normalize(want)
    assert normalize(plain) == normalize(want)
