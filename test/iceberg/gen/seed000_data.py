#!/usr/bin/env python3
"""Seed 000's sources, generated as its notebook does (scripts/gen_demo_data.py's seeded rows):

  PostgreSQL public.customers  (customer_id VARCHAR(50) PRIMARY KEY, customer_name, email, region,
                                signup_date DATE), in database `aishell_seed000` of the test
                                PostgreSQL service (created through the service's admin login)
  Iceberg demo.products        (product_id, product_name, category, unit_price DOUBLE)
  Iceberg demo.transactions    (transaction_id, customer_id, product_id, quantity BIGINT,
                                transaction_date DATE, total_amount DOUBLE),
                               PARTITIONED BY day(transaction_date)

The Iceberg tables are written by pyiceberg into a SQL catalog (SQLite) at OUT/catalog.db with
warehouse OUT/warehouse; transaction dates are relative to `today`.

Usage: seed000_data.py OUT [--customers N] [--products N] [--transactions N] [--today YYYY-MM-DD]
                           [--pg-url URL]
"""
import argparse
import datetime
import fcntl
import os
import subprocess
import sys
import tempfile
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import gen_demo_data  # noqa: E402

SEED = 42
PG_DATABASE = "aishell_seed000"

PRODUCTS_DDL = ("product_id STRING, product_name STRING, category STRING, unit_price DOUBLE")


def write_iceberg(out, n_customers, n_products, n_transactions, today):
    from pyiceberg.catalog.sql import SqlCatalog

    os.makedirs(os.path.join(out, "warehouse"), exist_ok=True)
    catalog = SqlCatalog("iceberg", uri=f"sqlite:///{out}/catalog.db", warehouse=f"file://{out}/warehouse")
    write_tables(catalog, n_customers, n_products, n_transactions, today)
    return {
        "catalog": f"{out}/catalog.db",
        "warehouse": f"{out}/warehouse",
        "products": catalog.load_table("demo.products").metadata_location,
        "transactions": catalog.load_table("demo.transactions").metadata_location,
    }


def write_tables(catalog, n_customers, n_products, n_transactions, today):
    """demo.products and demo.transactions through any pyiceberg catalog (SQL, or Nessie's REST)."""
    import random

    import pyarrow as pa
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import DayTransform
    from pyiceberg.types import DateType, DoubleType, LongType, NestedField, StringType

    catalog.create_namespace("demo")
    products_schema = Schema(
        NestedField(1, "product_id", StringType()),
        NestedField(2, "product_name", StringType()),
        NestedField(3, "category", StringType()),
        NestedField(4, "unit_price", DoubleType()),
    )
    rows = list(gen_demo_data.products(n_products, random.Random(SEED + 1)))
    products = pa.table({
        "product_id": pa.array([r[0] for r in rows], pa.string()),
        "product_name": pa.array([r[1] for r in rows], pa.string()),
        "category": pa.array([r[2] for r in rows], pa.string()),
        "unit_price": pa.array([r[3] for r in rows], pa.float64()),
    })
    t = catalog.create_table("demo.products", schema=products_schema)
    t.append(products)

    tx_schema = Schema(
        NestedField(1, "transaction_id", StringType()),
        NestedField(2, "customer_id", StringType()),
        NestedField(3, "product_id", StringType()),
        NestedField(4, "quantity", LongType()),
        NestedField(5, "transaction_date", DateType()),
        NestedField(6, "total_amount", DoubleType()),
    )
    spec = PartitionSpec(PartitionField(source_id=5, field_id=1000, transform=DayTransform(),
                                        name="transaction_date_day"))
    rows = list(gen_demo_data.transactions(n_transactions, n_customers, n_products, random.Random(SEED + 2), today))
    cols = list(zip(*rows))
    transactions = pa.table({
        "transaction_id": pa.array(cols[0], pa.string()),
        "customer_id": pa.array(cols[1], pa.string()),
        "product_id": pa.array(cols[2], pa.string()),
        "quantity": pa.array(cols[3], pa.int64()),
        "transaction_date": pa.array(cols[4], pa.date32()),
        "total_amount": pa.array(cols[5], pa.float64()),
    })
    t = catalog.create_table("demo.transactions", schema=tx_schema, partition_spec=spec)
    t.append(transactions)


def _psql(pg_bin, url, sql=None, stdin=None, admin=False):
    u = urllib.parse.urlparse(url)
    env = dict(os.environ)
    psql = os.path.join(pg_bin, "psql") if pg_bin else "psql"
    args = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432)]
    if admin:
        args += ["-U", "postgres", "-d", "postgres"]
        env.pop("PGPASSWORD", None)
    else:
        args += ["-U", urllib.parse.unquote(u.username or ""), "-d", PG_DATABASE]
        env["PGPASSWORD"] = urllib.parse.unquote(u.password or "")
    if sql is not None:
        args += ["-tAc", sql]
    proc = subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0:
        # Never echo the URL: it holds the password.
        who = "the admin login (user postgres)" if admin else "the test user"
        raise RuntimeError(f"psql as {who} on {u.hostname}:{u.port} failed: {proc.stderr.strip()}")
    return proc.stdout


def seed000_pg_url(pg_url):
    """The test service's URL, pointing at the seed's own database."""
    u = urllib.parse.urlparse(pg_url)
    return urllib.parse.urlunparse(u._replace(path="/" + PG_DATABASE))


def load_postgres(pg_url, n_customers, today, pg_bin=None):
    """Creates database aishell_seed000 (owned by the test user) with public.customers, unless the
    same rows are already there. Serialized by a file lock (pytest-xdist workers)."""
    import random

    u = urllib.parse.urlparse(pg_url)
    user = urllib.parse.unquote(u.username or "")
    stamp = f"customers {n_customers} {today.isoformat()} seed {SEED}"
    lock_path = os.path.join(tempfile.gettempdir(), f"aishell-seed000-pg-{u.port}.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        exists = _psql(pg_bin, pg_url, f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'", admin=True)
        if exists.strip() != "1":
            _psql(pg_bin, pg_url, f'CREATE DATABASE {PG_DATABASE} OWNER "{user}"', admin=True)
        have = _psql(pg_bin, pg_url, "SELECT to_regclass('public.seed000_stamp') IS NOT NULL")
        if have.strip() == "t" and _psql(pg_bin, pg_url, "SELECT stamp FROM public.seed000_stamp").strip() == stamp:
            return
        lines = ["SET client_min_messages = warning;", "BEGIN;",
                 "DROP TABLE IF EXISTS public.customers, public.seed000_stamp;",
                 # The seed's DDL, unchanged.
                 """CREATE TABLE IF NOT EXISTS public.customers (
        customer_id VARCHAR(50) PRIMARY KEY,
        customer_name VARCHAR(100),
        email VARCHAR(100),
        region VARCHAR(50),
        signup_date DATE
    );""", "COPY public.customers FROM STDIN WITH (FORMAT csv);"]
        for row in gen_demo_data.customers(n_customers, random.Random(SEED), today):
            lines.append(",".join(f'"{v}"' for v in row))
        lines += ["\\.", f"CREATE TABLE public.seed000_stamp AS SELECT '{stamp}'::text AS stamp;", "COMMIT;"]
        _psql(pg_bin, pg_url, stdin="\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--customers", type=int, default=200)
    p.add_argument("--products", type=int, default=50)
    p.add_argument("--transactions", type=int, default=2000)
    p.add_argument("--today")
    p.add_argument("--pg-url", default=os.environ.get("AISHELL_TEST_PG_URL"))
    a = p.parse_args()
    today = datetime.date.fromisoformat(a.today) if a.today else datetime.date.today()
    info = write_iceberg(os.path.abspath(a.out), a.customers, a.products, a.transactions, today)
    if a.pg_url:
        load_postgres(a.pg_url, a.customers, today, os.environ.get("AISHELL_TEST_PG_BIN"))
    print(info)


if __name__ == "__main__":
    main()
