"""The expected rows of the sqllogictest files for GROUPING SETS and window frames are DuckDB's:
this runs each file's SQL through DuckDB again (test/sqllogictest/check_with_duckdb.py) and fails
on any record whose expected rows DuckDB does not give, so that the files cannot drift from the
oracle. (build/aishell_sqllogictest runs the same files through aishell.)"""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "sqllogictest"))

import check_with_duckdb  # noqa: E402

FILES = sorted(
    os.path.join(d, f)
    for folder in ("grouping", "window")
    for d, _, fs in os.walk(os.path.join(ROOT, "test", "sql", folder))
    for f in fs if f.endswith(".test"))


@pytest.mark.parametrize("path", FILES, ids=[os.path.relpath(p, ROOT) for p in FILES])
def test_expected_rows_are_duckdbs(path):
    problems = check_with_duckdb.check(path)
    assert not problems, "\n".join(problems)
