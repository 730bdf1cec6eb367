"""English questions over PostgreSQL join through declared FOREIGN KEYs, where no naming
convention would find the join (purchases.buyer -> accounts.acct_no). Needs the server of
scripts/services/postgres.sh; skips without it, except with CI=true, where it fails."""
import os
import subprocess

import pytest

from aishell_cli import parse_json_rows, run_aishell

pytestmark = pytest.mark.connector("postgres")

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
if not PG_URL:
    if os.environ.get("CI") == "true":
        raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
    pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)", allow_module_level=True)

PSQL = os.path.join(os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")


def psql(sql):
    out = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d",
                          PG_URL, "-c", sql], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    psql("""
        DROP SCHEMA IF EXISTS nlkeys CASCADE;
        CREATE SCHEMA nlkeys;
        CREATE TABLE nlkeys.accounts (acct_no integer PRIMARY KEY, holder text, city text);
        CREATE TABLE nlkeys.purchases (pid integer PRIMARY KEY,
                                       buyer integer REFERENCES nlkeys.accounts (acct_no),
                                       amount integer);
        INSERT INTO nlkeys.accounts
          SELECT i, 'holder ' || i, (ARRAY['Lyon', 'Oslo', 'Quito'])[1 + i % 3]
          FROM generate_series(1, 30) i;
        INSERT INTO nlkeys.purchases
          SELECT i, 1 + (i * 7) % 30, 10 + i % 17 FROM generate_series(1, 200) i;
        ANALYZE nlkeys.accounts, nlkeys.purchases;""")
    h = tmp_path_factory.mktemp("nlkeys") / "home"
    r = run_aishell(["connect", PG_URL, "--name", "shop"], h)
    assert r.returncode == 0, r.stderr
    yield h
    psql("DROP SCHEMA IF EXISTS nlkeys CASCADE")


def test_declared_foreign_key_is_the_join(home):
    r = run_aishell(["query", "--nl", "--format", "json",
                     "total amount of purchases by city in nlkeys"], home)
    assert r.returncode == 0, r.stderr
    assert "buyer" in r.stderr and "acct_no" in r.stderr  # the join, shown in the panel
    got = sorted([row[0], int(row[1])] for row in parse_json_rows(r.stdout))
    want = sorted([c, int(s)] for c, s in psql(
        "SELECT a.city, sum(p.amount) FROM nlkeys.purchases p "
        "JOIN nlkeys.accounts a ON a.acct_no = p.buyer GROUP BY a.city"))
    assert got == want
