"""bench/common.py, the helpers every benchmark script shares: timing, comparison, ratio table."""
import math
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import common  # noqa: E402


def test_timed_returns_the_median_and_the_last_result():
    calls = []
    seconds, result = common.timed(lambda: calls.append(1) or len(calls), 3)
    assert result == 3 and len(calls) == 3
    assert 0 <= seconds < 1


def test_compare_ordered_and_as_multisets():
    duck = [(1, 2.5, "a"), (2, None, "b")]
    assert common.compare(duck, [["1", "2.5", "a"], ["2", "", "b"]], ordered=True) is None
    assert common.compare(duck, [["2", "", "b"], ["1", "2.5", "a"]], ordered=False) is None
    assert "row 1" in common.compare(duck, [["2", "", "b"], ["1", "2.5", "a"]], ordered=True)
    assert "row count" in common.compare(duck, [["1", "2.5", "a"]], ordered=False)
    assert common.compare([(1.0000001,)], [["1.0"]], ordered=True) is None


def test_ratio_and_geomean():
    assert common.ratio(3, 2) == 1.5
    assert common.ratio(1, 0) == float("inf")
    assert common.geomean([2, 8]) == pytest.approx(4)
    assert common.geomean([2, 8, float("inf"), 0]) == pytest.approx(4)
    assert math.isnan(common.geomean([]))


def test_ratio_table_and_failures(capsys):
    common.print_ratio_table([("q1", 2.0, 1.0), ("q2", "ERROR", 0.5), ("q3", 0.5, 1.0)], "within 3x")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ""
    assert lines[1] == f"{'query':<18} {'aishell s':>10} {'duckdb s':>10} {'ratio':>8}"
    assert lines[2] == "-" * 49
    assert lines[3].split() == ["q1", "2.000", "1.000", "2.00x"]
    assert lines[4].split() == ["q2", "ERROR", "0.500", "-"]
    assert lines[-1].split()[:3] == ["geometric", "mean", "1.00x"] and lines[-1].endswith("(target: within 3x)")
    assert common.report_problems([]) == 0
    assert common.report_problems(["q2: aishell failed: boom"]) == 1
    assert capsys.readouterr().err == "\nFAILED:\n  q2: aishell failed: boom\n"


def test_aishell_process_failure_names_its_stderr(tmp_path):
    fake = tmp_path / "aishell"
    fake.write_text("#!/bin/sh\necho \"bad query at $4\" >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match="bad query at --format"):
        common.run_aishell(str(fake), "SELECT 1", 1, str(tmp_path / "home"))
