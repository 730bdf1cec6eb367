"""Fixtures for `aishell serve`: a server on a free loopback port over the home that
test/util/aishell_serve.py makes, for the test module."""
import json

import pytest

from aishell_cli import run_aishell
from aishell_serve import Server, make_home


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    home = make_home(tmp)
    server = Server(home)
    yield server
    server.stop()


@pytest.fixture
def query_json():
    """query_json(home, sql) -> rows from `aishell query --format json` (the reference)."""

    def run(home, sql):
        r = run_aishell(["query", "--format", "json", sql], home=home)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    return run
