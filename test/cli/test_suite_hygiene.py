"""Rules for the test suites themselves."""
import pathlib
import re

TESTS = pathlib.Path(__file__).resolve().parent.parent


def test_no_test_imports_a_conftest_by_name():
    """`from conftest import X` works when one suite runs alone, and picks another suite's conftest
    when several are collected together (as CI does): share through fixtures instead."""
    offenders = []
    for path in TESTS.rglob("*.py"):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if re.match(r"\s*(from\s+conftest\s+import|import\s+conftest\b)", line):
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
