#!/usr/bin/env python3
"""Generates seed 000's Customer 360 data deterministically (seeded RNG), as the notebook does:

  customers   (customer_id 'cust_00001'.., customer_name, email, region, signup_date)
              -> SQLite database (standing in for PostgreSQL) and/or CSV
  products    (product_id 'prod_00001'.., product_name, category, unit_price) -> CSV
  transactions(transaction_id, customer_id, product_id, quantity, transaction_date, total_amount)
              -> CSV, transaction dates in the last 90 days

Usage: gen_demo_data.py --out DIR [--customers N] [--products N] [--transactions N]
                        [--customers-format sqlite|csv] [--seed S] [--today YYYY-MM-DD]
Writes DIR/customers.db (or DIR/warehouse/demo/customers.csv), DIR/warehouse/demo/products.csv
and DIR/warehouse/demo/transactions.csv.
"""
import argparse
import csv
import datetime
import os
import random
import sqlite3
import sys
import time

REGIONS = ["North America", "Europe", "Asia", "South America", "Australia"]
CATEGORIES = ["Electronics", "Clothing", "Books", "Home", "Sports"]


def customers(n, rng, today):
    for i in range(1, n + 1):
        region = REGIONS[int(rng.random() * 5)]
        signup = today - datetime.timedelta(days=30 + int(rng.random() * 701))  # 30..730 days ago
        yield (f"cust_{i:05d}", f"Customer {i}", f"customer{i}@example.com", region, signup.isoformat())


def write_customers_sqlite(path, n, rng, today):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("""CREATE TABLE customers (
        customer_id VARCHAR(50) PRIMARY KEY,
        customer_name VARCHAR(100),
        email VARCHAR(100),
        region VARCHAR(50),
        signup_date DATE)""")
    con.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", customers(n, rng, today))
    con.commit()
    con.close()


def write_customers_csv(path, n, rng, today):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "customer_name", "email", "region", "signup_date"])
        w.writerows(customers(n, rng, today))


def products(n, rng):
    for i in range(1, n + 1):
        category = CATEGORIES[int(rng.random() * 5)]
        price = round(10.0 + rng.random() * 490.0, 2)
        yield (f"prod_{i:05d}", f"{category} Item {i}", category, price)


def transactions(n, n_customers, n_products, rng, today):
    """(transaction_id, customer_id, product_id, quantity, transaction_date (date), total_amount)."""
    dates = [today - datetime.timedelta(days=d) for d in range(91)]
    rand = rng.random
    for i in range(1, n + 1):
        yield (
            f"txn_{i:06d}",
            f"cust_{int(rand() * n_customers) + 1:05d}",
            f"prod_{int(rand() * n_products) + 1:05d}",
            int(rand() * 5) + 1,
            dates[int(rand() * 91)],
            float(f"{50.0 + rand() * 950.0:.2f}"),
        )


def write_products_csv(path, n, rng):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["product_id", "product_name", "category", "unit_price"])
        for pid, name, category, price in products(n, rng):
            w.writerow([pid, name, category, f"{price:.2f}"])


def write_transactions_csv(path, n, n_customers, n_products, rng, today):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["transaction_id", "customer_id", "product_id", "quantity", "transaction_date", "total_amount"])
        batch = []
        for tid, cid, pid, qty, day, amount in transactions(n, n_customers, n_products, rng, today):
            batch.append((tid, cid, pid, qty, day.isoformat(), f"{amount:.2f}"))
            if len(batch) == 50000:
                w.writerows(batch)
                batch.clear()
        w.writerows(batch)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--customers", type=int, default=int(os.environ.get("DEMO_CUSTOMERS", 100000)))
    p.add_argument("--products", type=int, default=int(os.environ.get("DEMO_PRODUCTS", 10000)))
    p.add_argument("--transactions", type=int, default=int(os.environ.get("DEMO_TRANSACTIONS", 1000000)))
    p.add_argument("--customers-format", choices=["sqlite", "csv"], default="sqlite")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--today", help="the date transactions are relative to (default: today)")
    a = p.parse_args(argv)
    for name in ("customers", "products", "transactions"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be at least 1")
    today = datetime.date.fromisoformat(a.today) if a.today else datetime.date.today()
    start = time.time()
    demo_dir = os.path.join(a.out, "warehouse", "demo")
    os.makedirs(demo_dir, exist_ok=True)
    # Separate generators per table, so one table's size does not change another's contents.
    if a.customers_format == "sqlite":
        write_customers_sqlite(os.path.join(a.out, "customers.db"), a.customers, random.Random(a.seed), today)
    else:
        write_customers_csv(os.path.join(demo_dir, "customers.csv"), a.customers, random.Random(a.seed), today)
    write_products_csv(os.path.join(demo_dir, "products.csv"), a.products, random.Random(a.seed + 1))
    write_transactions_csv(os.path.join(demo_dir, "transactions.csv"), a.transactions, a.customers, a.products,
                           random.Random(a.seed + 2), today)
    print(f"generated {a.customers:,} customers, {a.products:,} products, {a.transactions:,} transactions "
          f"in {time.time() - start:.1f}s under {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
