"""Seed 000 end to end on Nessie, as the seed configures it: demo.transactions and demo.products
written by pyiceberg through Nessie (its Iceberg REST endpoint) into MinIO, PostgreSQL's
public.customers, and aishell with catalogs `postgresql` and `iceberg` where `iceberg` is the
native Nessie catalog connected with the values of the seed's Trino catalog file
(iceberg.nessie-catalog.uri=.../api/v1, iceberg.nessie-catalog.ref, default-warehouse-dir,
s3.aws-access-key, ...). The `make demo` SQL must give what DuckDB computes over the same data
(the same seeded generator, written locally by test_seed000.py's fixture).

Each run writes into its own Nessie branch (the server is shared)."""
import datetime
import os
import sys

import pytest

import duckdb_oracle
import iceberg_cache
from aishell_cli import aishell_binary, run_aishell

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "nessie"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "gen"))
import seed000_data  # noqa: E402
from nessie_util import create_branch, pyiceberg_rest, settings, unique  # noqa: E402
from test_seed000 import (C360_ALL, C360_FROM, CATEGORY, CUSTOMERS, PRODUCTS, REGION_CATEGORY,  # noqa: E402
                          REGIONAL, REGIONAL_ALL, TRANSACTIONS, aishell, assert_rows_equal)


@pytest.fixture(scope="module")
def seed_nessie():
    pg_url = os.environ.get("AISHELL_TEST_PG_URL")
    if not pg_url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: AISHELL_TEST_PG_URL is not set")
        pytest.skip("AISHELL_TEST_PG_URL is not set (run under scripts/with-services.sh)")
    if not os.path.exists(aishell_binary()):
        pytest.fail(f"{aishell_binary()} is missing: build first")
    s = settings()
    today = datetime.date.today()
    # The oracle's copy: the same generator into a local SQL catalog (cached, shared with
    # test_seed000.py).
    script = os.path.join(os.path.dirname(HERE), "gen", "seed000_data.py")
    sources = [script, os.path.join(os.path.dirname(HERE), "..", "..", "scripts", "gen_demo_data.py")]
    out = iceberg_cache.cached_warehouse(
        "seed000", sources,
        lambda o: seed000_data.write_iceberg(o, CUSTOMERS, PRODUCTS, TRANSACTIONS, today),
        extra=f"{today} {CUSTOMERS} {PRODUCTS} {TRANSACTIONS}")
    seed000_data.load_postgres(pg_url, CUSTOMERS, today, os.environ.get("AISHELL_TEST_PG_BIN"))
    # The Nessie copy: pyiceberg through Nessie's REST endpoint, on a fresh branch.
    branch = unique("seed000")
    create_branch(s["rest_root"], branch, empty=True)
    catalog = pyiceberg_rest(s, prefix=f"{branch}|{s['warehouse_name']}")
    seed000_data.write_tables(catalog, CUSTOMERS, PRODUCTS, TRANSACTIONS, today)
    from pyiceberg.catalog.sql import SqlCatalog
    local = SqlCatalog("iceberg", uri=f"sqlite:///{out}/catalog.db", warehouse=f"file://{out}/warehouse")
    return {"s": s, "branch": branch, "pg_url": seed000_data.seed000_pg_url(pg_url),
            "products": local.load_table("demo.products").metadata_location,
            "transactions": local.load_table("demo.transactions").metadata_location}


@pytest.fixture(scope="module")
def duck(seed_nessie):
    con = duckdb_oracle.connect("iceberg", "postgres")
    con.execute(f"ATTACH '{seed_nessie['pg_url']}' AS postgresql (TYPE postgres, READ_ONLY)")
    con.execute("ATTACH ':memory:' AS iceberg")
    con.execute("CREATE SCHEMA iceberg.demo")
    for t in ("transactions", "products"):
        con.execute(f"CREATE VIEW iceberg.demo.{t} AS SELECT * FROM iceberg_scan('{seed_nessie[t]}')")
    return con


@pytest.fixture(scope="module")
def home(seed_nessie, tmp_path_factory):
    s = seed_nessie["s"]
    h = tmp_path_factory.mktemp("seed000-nessie-home")
    proc = run_aishell(["connect", seed_nessie["pg_url"], "--name", "postgresql"], home=h)
    assert proc.returncode == 0, proc.stderr
    # The seed's Trino catalog file, as properties (its URL is Nessie's API v1).
    proc = run_aishell([
        "connect", f"{s['rest_root']}/api/v1", "--type", "nessie", "--name", "iceberg",
        "--property", f"iceberg.nessie-catalog.ref={seed_nessie['branch']}",
        "--property", f"iceberg.nessie-catalog.default-warehouse-dir=s3a://{s['bucket']}/warehouse/",
        "--property", f"s3.endpoint={s['endpoint']}", "--property", f"s3.aws-access-key={s['key']}",
        "--property", f"s3.aws-secret-key={s['secret']}", "--property", "s3.path-style-access=true",
        "--property", f"s3.region={s['region']}"], home=h)
    assert proc.returncode == 0, proc.stderr
    assert s["secret"] not in proc.stdout + proc.stderr
    return h


def test_counts(home, duck):
    assert aishell(home, "SELECT count(*) FROM iceberg.demo.transactions") == [[TRANSACTIONS]]
    assert aishell(home, "SELECT count(*) FROM iceberg.demo.products") == [[PRODUCTS]]
    assert aishell(home, f"SELECT count(*) {C360_FROM}") == [[TRANSACTIONS]]


def test_customer_360_full_join(home, duck):
    assert_rows_equal(aishell(home, C360_ALL), duck.execute(C360_ALL).fetchall(), False, "customer 360")


@pytest.mark.parametrize("name,sql", [("regional", REGIONAL), ("regional_all", REGIONAL_ALL),
                                      ("category", CATEGORY)])
def test_seed_analytics(home, duck, name, sql):
    assert_rows_equal(aishell(home, sql), duck.execute(sql).fetchall(), True, name)


def test_region_category_revenue(home, duck):
    assert_rows_equal(aishell(home, REGION_CATEGORY), duck.execute(REGION_CATEGORY).fetchall(), False,
                      "region x category")


def test_pruning_by_day_partition(home, duck):
    sql = ("SELECT count(*), sum(quantity) FROM iceberg.demo.transactions "
           "WHERE transaction_date >= CURRENT_DATE - INTERVAL '7' DAY")
    assert_rows_equal(aishell(home, sql), duck.execute(sql).fetchall(), True, "last 7 days")
    proc = run_aishell(["explain", sql], home=home)
    assert proc.returncode == 0, proc.stderr
    assert "data files after pruning" in proc.stdout, proc.stdout
