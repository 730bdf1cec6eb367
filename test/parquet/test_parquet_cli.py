"""Parquet where users meet it: read_parquet() in `aishell query`, and a file:// catalog listing
the Parquet files of a folder as tables next to CSV files."""
import json
import os
import shutil

import pyarrow.parquet as pq

from aishell_cli import ROOT, run_aishell

DATA = os.path.join(ROOT, "test", "sql", "parquet", "data")


def jsonl(proc):
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_file_catalog_lists_parquet_files_as_tables(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(os.path.join(DATA, "people.parquet"), folder / "people.parquet")
    shutil.copy(os.path.join(ROOT, "test", "data", "orders.csv"), folder / "orders.csv")
    home = tmp_path / "home"
    proc = run_aishell(["connect", f"file://{folder}", "--name", "files"], home=home)
    assert proc.returncode == 0, proc.stderr
    assert "people" in proc.stdout
    rows = jsonl(run_aishell(["query", "--format", "jsonl",
                              "SELECT city, count(*) AS n, sum(age) AS s FROM files.people "
                              "WHERE city IS NOT NULL GROUP BY city ORDER BY city"], home=home))
    table = pq.read_table(folder / "people.parquet").to_pylist()
    want = {}
    for r in table:
        if r["city"] is None:
            continue
        n, s = want.get(r["city"], (0, 0))
        want[r["city"]] = (n + 1, s + (r["age"] or 0))
    assert rows == [{"city": c, "n": n, "s": s} for c, (n, s) in sorted(want.items())]


def test_read_parquet_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1" + b"\x00" * 40 + b"PAR1")
    proc = run_aishell(["query", f"SELECT * FROM read_parquet('{bad}')"], home=tmp_path / "home")
    assert proc.returncode != 0
    assert "bad.parquet" in proc.stderr and "corrupt footer" in proc.stderr
