"""`aishell export last --format xlsx`: a workbook written by hand (a zip of XML parts), read back
with openpyxl (the test oracle): typed cells, NULL as empty, text with XML specials and non-ASCII,
the query sheet, redirection as seed 002 writes it, and bad input.
Run: python3 -m pytest test/shell/test_export_xlsx.py
"""
import os
import subprocess
import zipfile

import pytest

from aishell_cli import aishell_binary, run_aishell

openpyxl = pytest.importorskip("openpyxl") if os.environ.get("CI") != "true" else __import__("openpyxl")

QUERY = ("SELECT 1 AS id, 'Wireless <Mouse> & \"Co\" – ünïcode' AS name, 30618765.37 AS total, "
         "true AS paid, CAST(NULL AS VARCHAR) AS note, DATE '2026-12-07' AS day, "
         "CAST(9007199254740993 AS BIGINT) AS big "
         "UNION ALL SELECT 2, '  spaced  ', -0.5, false, 'x', DATE '2026-01-01', 7")


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    r = run_aishell(["query", QUERY + " ORDER BY id"], h)
    assert r.returncode == 0, r.stderr
    return h


def read(path):
    wb = openpyxl.load_workbook(path)
    return wb, [[c.value for c in row] for row in wb["Result"].iter_rows()]


def test_xlsx_read_back(home, tmp_path):
    out = tmp_path / "r.xlsx"
    r = run_aishell(["export", "last", "--format", "xlsx", "--output", str(out)], home)
    assert r.returncode == 0, r.stderr
    assert "Exported 2 rows to" in r.stderr
    assert zipfile.ZipFile(out).testzip() is None
    wb, rows = read(out)
    assert wb.sheetnames == ["Result", "Query"]
    assert rows[0] == ["id", "name", "total", "paid", "note", "day", "big"]
    assert rows[1][:5] == [1, 'Wireless <Mouse> & "Co" – ünïcode', 30618765.37, True, None]
    assert rows[1][5] == "2026-12-07"
    assert rows[1][6] == 9007199254740993 or rows[1][6] == 9007199254740992  # a double in Excel
    assert rows[2][:5] == [2, "  spaced  ", -0.5, False, "x"]
    assert wb["Result"]["A1"].font.b and wb["Result"].freeze_panes == "A2"
    about = {r[0].value: r[1].value for r in wb["Query"].iter_rows()}
    assert about["Query"].startswith("SELECT 1 AS id") and about["Rows"] == 2


def test_xlsx_through_redirection(home, tmp_path):
    out = tmp_path / "customer-profile.xlsx"
    env = dict(os.environ, AISHELL_HOME=str(home))
    with open(out, "wb") as f:
        r = subprocess.run([aishell_binary(), "export", "last", "--format", "xlsx"], stdout=f,
                           stderr=subprocess.PIPE, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    _, rows = read(out)
    assert len(rows) == 3 and rows[2][0] == 2


def test_xlsx_empty_result(tmp_path):
    h = tmp_path / "home"
    assert run_aishell(["query", "SELECT 1 AS a WHERE false"], h).returncode == 0
    out = tmp_path / "e.xlsx"
    r = run_aishell(["export", "last", "--format", "xlsx", "--output", str(out)], h)
    assert r.returncode == 0, r.stderr
    assert read(out)[1] == [["a"]]


def test_xlsx_bad_input(home, tmp_path):
    r = run_aishell(["export", "last", "--format", "xlxs", "--output", str(tmp_path / "x")], home)
    assert r.returncode == 2 and "did you mean xlsx?" in r.stderr, r.stderr
    r = run_aishell(["export", "last", "--format", "xlsx", "--output",
                     str(tmp_path / "missing-dir" / "x.xlsx")], home)
    assert r.returncode == 1 and "cannot write" in r.stderr and "missing-dir" in r.stderr, r.stderr
