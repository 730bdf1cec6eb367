"""Rows of a parallel scan without ORDER BY come out in the file's order (DuckDB's
preserve_insertion_order): the Exchange above scan -> filter -> project hands batches on split by
split. pyarrow and Python read the same files as the oracle. With
`SET SESSION preserve_insertion_order = false` the rows are the same, in any order."""
import csv
import io

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 200_000


def ok(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("order")
    ids = list(range(ROWS))
    table = pa.table({"id": ids, "s": [f"r{i}" for i in ids]})
    pq.write_table(table, d / "t.parquet", row_group_size=4000)  # 50 row groups
    with open(d / "t.csv", "w") as f:  # large enough to be read as several byte ranges
        f.write("id,s\n")
        for i in ids:
            f.write(f"{i},r{i}{'x' * 200}\n")
    return d


def rows(cli, sql, *pre):
    out = ok(cli("--threads", "2", "query", "--format", "csv", "--max-rows", "0",
                 "; ".join(list(pre) + [sql]))).stdout
    return [int(r[0]) for r in list(csv.reader(io.StringIO(out)))[1:]]


@pytest.mark.parametrize("reader", ["read_parquet('{d}/t.parquet')", "read_csv('{d}/t.csv')"])
def test_rows_come_in_file_order(cli, files, reader):
    src = reader.format(d=files)
    plan = ok(cli("--threads", "2", "query", f"EXPLAIN ANALYZE SELECT id FROM {src} WHERE id % 7 = 3")).stdout
    assert "Exchange (2 workers, scan order)" in plan, plan
    split_counts = [int(w.split("=")[1]) for w in plan.split() if w.startswith("splits=")]
    assert split_counts and split_counts[0] > 2, plan  # really read in parallel pieces
    assert rows(cli, f"SELECT id FROM {src}") == list(range(ROWS))
    assert rows(cli, f"SELECT id FROM {src} WHERE id % 7 = 3") == list(range(3, ROWS, 7))
    # LIMIT takes the first rows of the file, OFFSET skips the first rows.
    assert rows(cli, f"SELECT id FROM {src} WHERE id % 1000 >= 990 LIMIT 12 OFFSET 3") == [
        993, 994, 995, 996, 997, 998, 999, 1990, 1991, 1992, 1993, 1994]


def test_order_can_be_given_up(cli, files):
    src = f"read_parquet('{files}/t.parquet')"
    off = "SET SESSION preserve_insertion_order = false"
    plan = ok(cli("--threads", "2", "query", f"{off}; EXPLAIN ANALYZE SELECT id FROM {src}")).stdout
    assert "Exchange (2 workers)" in plan and "scan order" not in plan, plan
    got = rows(cli, f"SELECT id FROM {src} WHERE id % 5 = 0", off)
    assert sorted(got) == list(range(0, ROWS, 5))
    shown = ok(cli("query", "SHOW SESSION LIKE 'preserve%'")).stdout
    assert "preserve_insertion_order" in shown and "true" in shown
