"""Fixtures for the command-line tests: a fresh AISHELL_HOME, a folder of CSV files, a SQLite db."""
import shutil
import sqlite3

import pytest

from aishell_cli import ROOT, run_aishell


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def cli(home):
    """cli("query", "SELECT 1", stdin=None) runs aishell with this test's AISHELL_HOME."""

    def run(*args, stdin=None, cwd=None):
        return run_aishell(list(args), home=home, stdin=stdin, cwd=cwd)

    return run


@pytest.fixture
def csv_dir(tmp_path):
    d = tmp_path / "files"
    d.mkdir()
    for name in ("people.csv", "orders.csv", "malformed.csv"):
        shutil.copy(f"{ROOT}/test/data/{name}", d / name)
    return d


@pytest.fixture
def sqlite_db(tmp_path):
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, region TEXT, score REAL);
        INSERT INTO customers VALUES (1, 'Ann', 'Europe', 4.5), (2, 'Ben', 'Asia', NULL),
                                     (3, 'Cid', 'Europe', 3.0), (4, 'Dee', NULL, 5.0);
        CREATE TABLE purchases (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL);
        INSERT INTO purchases VALUES (10, 1, 20.0), (11, 1, 5.5), (12, 3, 7.25), (13, 9, 1.0);
        """
    )
    con.commit()
    con.close()
    return path
