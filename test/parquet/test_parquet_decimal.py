"""DECIMAL wider than 18 digits (FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY) reads as exact VARCHAR text,
digit for digit pyarrow's value, and DESCRIBE says so."""
import decimal
import json

import pyarrow as pa
import pyarrow.parquet as pq

from aishell_cli import run_aishell

D = decimal.Decimal


def test_wide_decimals_read_as_exact_text(tmp_path):
    values38 = [D("12345678901234567890123456.789012345678"), D("-0.000000000001"), None, D("0"),
                D("-99999999999999999999999999.999999999999"), D("1E-12"), D("-1")]
    values50 = [D("1234567890123456789012345678901234567890123.45678"), D("-1.00001"), None,
                D("0.00000"), D("-99999999999999999999999999999999999999999999.99999"), D("7"), D("-0.5")]
    table = pa.table({
        "id": pa.array(range(len(values38)), pa.int32()),
        "d38": pa.array(values38, pa.decimal128(38, 12)),
        "d50": pa.array(values50, pa.decimal256(50, 5)),
        "d20": pa.array([D("-12345678901234567.891"), None, D("0.001"), D("1"), D("-0.001"), D("9"),
                         D("-99999999999999999.999")], pa.decimal128(20, 3)),
    })
    path = tmp_path / "wide.parquet"
    pq.write_table(table, path)
    # The same values as BYTE_ARRAY (parquet-mr style) via a second file with dictionary encoding.
    pq.write_table(table, tmp_path / "wide_dict.parquet", use_dictionary=True, compression="zstd")
    for f in (path, tmp_path / "wide_dict.parquet"):
        proc = run_aishell(["query", "--format", "jsonl", f"SELECT * FROM read_parquet('{f}') ORDER BY id"],
                           home=tmp_path / "home")
        assert proc.returncode == 0, proc.stderr
        rows = [json.loads(line, parse_float=D) for line in proc.stdout.splitlines() if line.strip()]
        want = pq.read_table(f).to_pylist()
        assert len(rows) == len(want)
        for mine, theirs in zip(rows, want):
            # Up to 38 digits: DECIMAL, exact (a JSON number); wider: the exact text.
            for col in ("d38", "d20"):
                mine_col = None if mine[col] is None else D(mine[col])
                assert mine_col == theirs[col], (col, mine[col], theirs[col])
            expected = None if theirs["d50"] is None else f"{theirs['d50']:f}"
            assert mine["d50"] == expected, ("d50", mine["d50"], expected)
    # DESCRIBE (a file:// catalog over the folder) notes how the columns are read.
    home = tmp_path / "home2"
    proc = run_aishell(["connect", f"file://{tmp_path}", "--name", "files"], home=home)
    assert proc.returncode == 0, proc.stderr
    proc = run_aishell(["query", "--format", "jsonl", "DESCRIBE files.wide"], home=home)
    assert proc.returncode == 0, proc.stderr
    described = {r["Column"]: r for r in (json.loads(line) for line in proc.stdout.splitlines() if line.strip())}
    assert described["d38"]["Type"] == "decimal(38,12)"
    assert described["d50"]["Type"] == "varchar"
    assert "DECIMAL(50,5) read as exact text" in described["d50"]["Comment"]
