"""TPC-H: the 22 queries through the aishell CLI and through DuckDB over the same Parquet files,
one test per query, results compared.

Data: DuckDB's dbgen (the tpch extension) at SF 0.1 (AISHELL_TPCH_SF overrides), written to
Parquet once and cached outside the clone by bench/tpch_data.py, which bench/bench_tpch.py shares.
SF 0.1 rather than 0.01: at 0.01 Q8's mkt_share is 0 for both years and Q17's avg_yearly is NULL,
so those two would check nothing; at 0.1 they have real values, and the 22 queries still take
about 2 seconds (generating the files once, about 2 more).
Both engines see the eight tables as views over read_parquet.

Queries: DuckDB's texts from tpch_queries(), unchanged (only the trailing semicolon is dropped).

Every query must agree: Q11 relies on Trino's DECIMAL precision rules up to 38 digits
(sum(decimal(15,2) * integer) * 0.0001000000 is DECIMAL(38, 12)).

Comparison:
- in order when the query has ORDER BY (each of them orders its whole result), otherwise (Q6,
  Q14, Q17, Q19: one row each) as multisets;
- DECIMAL results exactly (aishell's CSV text as decimal.Decimal against DuckDB's Decimal);
- integers and strings exactly; NULL is an empty CSV field (TPC-H has no empty strings);
- DOUBLE results of DuckDB: DuckDB types avg(decimal) and decimal / decimal as DOUBLE, Trino (and
  aishell) as DECIMAL rounded to the result's scale (Q1's avg_*, Q8's mkt_share, Q14's
  promo_revenue). aishell's text with s fractional digits must then equal DuckDB's double rounded
  to s digits: within half a unit of the last digit, plus a relative 1e-9 for the double's own
  rounding error. For a double printed in full by aishell, s is large and this is a 1e-9 relative
  tolerance.
"""
import csv
import io
import os
import sys

import pytest

from aishell_cli import ROOT, run_aishell

sys.path.insert(0, os.path.join(ROOT, "bench"))
import tpch_data  # noqa: E402

SF = float(os.environ.get("AISHELL_TPCH_SF", "0.1"))
QUERIES = tpch_data.queries()


@pytest.fixture(scope="module")
def tpch(tmp_path_factory):
    """(AISHELL_HOME with the eight views, DuckDB connection with the same views)."""
    folder = tpch_data.data_dir(SF)
    home = tmp_path_factory.mktemp("tpch-home")
    from aishell_cli import aishell_binary
    tpch_data.aishell_views(aishell_binary(), home, folder)
    con = tpch_data.duckdb_views(tpch_data.connect(), folder)
    yield home, con
    con.close()


def params():
    for nr, sql in QUERIES:
        yield pytest.param(nr, sql, id=f"q{nr:02d}")


@pytest.mark.parametrize("nr,sql", list(params()))
def test_tpch_query(tpch, nr, sql):
    home, con = tpch
    proc = run_aishell(["query", "--format", "csv", sql], home=home, timeout=300)
    assert proc.returncode == 0, f"Q{nr} failed in aishell: {proc.stderr.strip()}"
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    ai_rows = [r or [""] for r in rows[1:]]  # a one-column NULL row is an empty CSV line
    cur = con.execute(sql)
    types = [str(c[1]) for c in cur.description]
    duck_rows = cur.fetchall()
    assert len(rows[0]) == len(types), f"Q{nr}: aishell columns {rows[0]}, duckdb {len(types)}"
    problem = tpch_data.differences(ai_rows, duck_rows, types, tpch_data.is_ordered(sql))
    assert problem is None, f"Q{nr} at SF {SF:g}: {problem}"
