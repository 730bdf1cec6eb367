"""A short, fixed-seed run of the differential SQL fuzzer (sql_fuzz.py): random tables and queries
through aishell and DuckDB, and the ternary logic partitioning check. Any mismatch fails and is
written as a sqllogictest file; `make fuzz` runs it longer with a new seed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sql_fuzz  # noqa: E402


def test_differential_sql_fuzz_short_run(tmp_path, capsys):
    rc = sql_fuzz.main(["--seed", "20261207", "--schemas", "4", "--queries", "20",
                        "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert " 0 mismatches" in out


def test_differential_sql_fuzz_correlated_subqueries(tmp_path, capsys):
    """Correlated subqueries in every clause (select list, WHERE under OR/NOT, CASE, HAVING,
    aggregate arguments, ORDER BY, LATERAL), unnested by aishell, against DuckDB."""
    rc = sql_fuzz.main(["--seed", "20261208", "--schemas", "3", "--queries", "20",
                        "--correlated", "0.3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert " 0 mismatches" in out
