"""Helpers for the Parquet tests: where the parquet-testing conformance files are."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from aishell_cli import ROOT  # noqa: E402

# CI clones the repository with shared/ beside it: <parent>/shared/fixtures/parquet-testing.
FIXTURES = os.environ.get(
    "AISHELL_PARQUET_TESTING", os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "parquet-testing"))
if not os.path.isdir(FIXTURES) and os.path.isdir("/work/shared/fixtures/parquet-testing"):
    FIXTURES = "/work/shared/fixtures/parquet-testing"


def fixtures_dir(sub):
    path = os.path.join(FIXTURES, sub)
    if not os.path.isdir(path):
        if os.environ.get("CI") == "true":
            pytest.fail(f"parquet-testing fixtures not found at {path}")
        pytest.skip(f"parquet-testing fixtures not found at {path}")
    return path


def fixture_files(sub):
    path = os.path.join(FIXTURES, sub)
    if not os.path.isdir(path):
        return ["<missing>"]
    return sorted(f for f in os.listdir(path) if f.endswith(".parquet") or f.endswith(".parquet.encrypted"))
