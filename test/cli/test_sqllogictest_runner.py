"""Self-tests of build/aishell_sqllogictest: it must pass good files and fail bad ones."""
import hashlib
import os
import subprocess

from aishell_cli import ROOT


def runner():
    build = os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build"))
    return os.path.join(build, "aishell_sqllogictest")


def run(tmp_path, name, text, *extra, env=None):
    path = tmp_path / name
    path.write_text(text)
    e = dict(os.environ)
    e.pop("CI", None)
    e.update(env or {})
    proc = subprocess.run([runner(), *extra, str(path)], capture_output=True, text=True, timeout=120, env=e)
    return proc, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


GOOD = """# name: good
statement ok
CREATE VIEW v AS SELECT * FROM (VALUES (1, 'a', 1.5), (2, NULL, 2.0), (3, '', 0.1)) AS t (i, s, d)

query ITR
SELECT i, s, d FROM v ORDER BY i
----
1	a	1.5
2	NULL	2.0
3	(empty)	0.1

query I rowsort
SELECT i FROM v
----
3
1
2

query I valuesort
SELECT i * 10 FROM v
----
30
10
20

statement error
SELECT * FROM no_such_table_xyz
----
no_such_table_xyz

loop k 0 3

query T
SELECT 'v' || CAST(${k} AS VARCHAR)
----
v${k}

endloop
"""


def test_good_file_passes(tmp_path):
    proc, last = run(tmp_path, "good.test", GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert last == "1 passed, 0 failed"


def test_wrong_result_fails_with_line_and_values(tmp_path):
    proc, last = run(tmp_path, "bad.test", "query I\nSELECT 1 + 1\n----\n3\n")
    assert proc.returncode == 1
    assert last == "0 passed, 1 failed"
    assert "bad.test:1:" in proc.stdout
    assert "expected '3', got '2'" in proc.stdout


def test_wrong_error_message_fails(tmp_path):
    proc, last = run(tmp_path, "err.test", "statement error\nSELECT * FROM no_such_table_xyz\n----\nsome other text\n")
    assert proc.returncode == 1 and last == "0 passed, 1 failed"
    assert "wrong error message" in proc.stdout


def test_unexpected_success_fails(tmp_path):
    proc, last = run(tmp_path, "ok.test", "statement error\nSELECT 1\n----\n")
    assert proc.returncode == 1 and "succeeded but an error was expected" in proc.stdout


def test_hash_results(tmp_path):
    values = [str(i) for i in range(1, 6)]
    good = hashlib.md5("".join(v + "\n" for v in values).encode()).hexdigest()
    sql = "SELECT x FROM (VALUES (1), (2), (3), (4), (5)) AS t (x) ORDER BY x"
    proc, last = run(tmp_path, "hash.test", f"query I\n{sql}\n----\n5 values hashing to {good}\n")
    assert proc.returncode == 0 and last == "1 passed, 0 failed", proc.stdout
    bad = "0" * 32
    proc, last = run(tmp_path, "hash_bad.test", f"query I\n{sql}\n----\n5 values hashing to {bad}\n")
    assert proc.returncode == 1 and "hash mismatch" in proc.stdout
    proc, last = run(tmp_path, "threshold.test", f"hash-threshold 2\n\nquery I\n{sql}\n----\n1\n2\n3\n4\n5\n")
    assert proc.returncode == 1 and "hash-threshold" in proc.stdout


def test_double_tolerance_but_exact_decimals(tmp_path):
    proc, _ = run(tmp_path, "dbl.test", "query R\nSELECT 1E0 / 3\n----\n0.333333333\n")
    assert proc.returncode == 0, proc.stdout
    proc, _ = run(tmp_path, "dec.test", "query D\nSELECT CAST(1.50 AS DECIMAL(4,2))\n----\n1.5\n")
    assert proc.returncode == 1, proc.stdout


def test_column_count_checked(tmp_path):
    proc, _ = run(tmp_path, "cols.test", "query II\nSELECT 1\n----\n1\n")
    assert proc.returncode == 1 and "wrong column count" in proc.stdout


def test_require_skips_unless_enabled_and_fails_in_ci(tmp_path):
    text = "require imaginary_feature\n\nquery I\nSELECT 1\n----\n1\n"
    proc, last = run(tmp_path, "req.test", text)
    assert proc.returncode == 0 and "SKIP" in proc.stdout and last == "0 passed, 0 failed"
    proc, last = run(tmp_path, "req.test", text, "--enable", "imaginary_feature")
    assert proc.returncode == 0 and last == "1 passed, 0 failed"
    proc, last = run(tmp_path, "req.test", text, env={"CI": "true"})
    assert proc.returncode == 1 and last == "0 passed, 1 failed"


def test_mode_skip_and_halt(tmp_path):
    text = ("mode skip\n\nquery I\nSELECT 1\n----\n2\n\nmode unskip\n\nquery I\nSELECT 1\n----\n1\n\n"
            "halt\n\nquery I\nSELECT 1\n----\n999\n")
    proc, last = run(tmp_path, "skip.test", text)
    assert proc.returncode == 0 and last == "1 passed, 0 failed", proc.stdout


def test_data_dir_substitution(tmp_path):
    text = "query I\nSELECT count(*) FROM read_csv('__DATA_DIR__/people.csv')\n----\n6\n"
    proc, last = run(tmp_path, "data.test", text, "--data-dir", os.path.join(ROOT, "test", "data"))
    assert proc.returncode == 0 and last == "1 passed, 0 failed", proc.stdout


def test_parse_error_reported(tmp_path):
    proc, last = run(tmp_path, "parse.test", "frobnicate\n")
    assert proc.returncode == 1 and "unknown record 'frobnicate'" in proc.stdout


def test_parallel_counts_files(tmp_path):
    (tmp_path / "d").mkdir()
    for i in range(4):
        (tmp_path / "d" / f"f{i}.test").write_text(f"query I\nSELECT {i}\n----\n{i if i != 3 else 99}\n")
    proc = subprocess.run([runner(), "-j", "2", str(tmp_path / "d")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines()[-1] == "3 passed, 1 failed"
