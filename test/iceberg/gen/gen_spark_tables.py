#!/usr/bin/env python3
"""Iceberg tables written by Spark (pyspark + iceberg-spark-runtime), running seed 000's own setup
cells against a local Hadoop catalog warehouse (catalog `lakehouse`, database `demo`):

  demo.products         the seed's product catalog cell (unpartitioned)
  demo.transactions     the seed's transaction history cell, PARTITIONED BY (days(transaction_date))
  demo.transactions_mor a v2 copy of transactions with merge-on-read deletes and updates, after
                        DELETE and UPDATE statements: its position delete files are real
  demo.typed_parts      float, double and decimal(38,10) columns, PARTITIONED BY (f, d, dec38)
                        (issue 16's wrong answers: a filter on them found no rows, or failed;
                        decimal(38) values read as NULL)

Writes, under OUT: warehouse/demo/<table>/ (metadata/vN.metadata.json + version-hint.text),
expected/<table>.parquet (Spark's own collect of the table), tables.json.
One JVM, local[2], small data; deterministic data (seeded RNG, fixed dates).

Usage: gen_spark_tables.py OUT [--jar PATH]
The runtime jar defaults to $HOME/.cache/aishell-jars/iceberg-spark-runtime-3.5_2.12-1.8.0.jar
(fetch it with: mvn dependency:copy -Dartifact=org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.8.0
-DoutputDirectory=$HOME/.cache/aishell-jars).
"""
import argparse
import datetime
import json
import os
import random

RUNTIME = "iceberg-spark-runtime-3.5_2.12-1.8.0.jar"
DEFAULT_JAR = os.path.join(os.path.expanduser("~"), ".cache", "aishell-jars", RUNTIME)

# The seed's parameters, scaled down (the notebook's defaults are much larger).
num_customers = 60
num_products = 40
num_transactions = 400
database_name = "demo"
iceberg_products_table = "products"
iceberg_transactions_table = "transactions"
TODAY = datetime.date(2026, 1, 15)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--jar", default=DEFAULT_JAR)
    a = p.parse_args()
    out = os.path.abspath(a.out)
    if not os.path.exists(a.jar):
        raise SystemExit(f"gen_spark_tables: missing {a.jar} (see the usage in this file's docstring)")
    warehouse = os.path.join(out, "warehouse")
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only
    from pyspark.sql import SparkSession
    from pyspark.sql.types import DateType, DoubleType, LongType, StringType, StructField, StructType

    spark = (SparkSession.builder.master("local[2]")
             .appName("aishell-iceberg-testdata")
             .config("spark.jars", a.jar)
             .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
             .config("spark.sql.catalog.lakehouse", "org.apache.iceberg.spark.SparkCatalog")
             .config("spark.sql.catalog.lakehouse.type", "hadoop")
             .config("spark.sql.catalog.lakehouse.warehouse", f"file://{warehouse}")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.default.parallelism", "2")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.memory", "1g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    random.seed(42)

    # --- the seed's "Setup: Iceberg Product Catalog" cell ---
    full_database = f"lakehouse.{database_name}"
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {full_database}")
    full_products_table = f"{full_database}.{iceberg_products_table}"
    spark.sql(f"""
        CREATE TABLE IF NOT EXISTS {full_products_table} (
            product_id STRING,
            product_name STRING,
            category STRING,
            unit_price DOUBLE
        ) USING iceberg
    """)
    categories = ["Electronics", "Clothing", "Books", "Home", "Sports"]
    products_data = []
    for i in range(num_products):
        product_id = f"prod_{i+1:05d}"
        category = random.choice(categories)
        product_name = f"{category} Item {i+1}"
        unit_price = round(random.uniform(10.0, 500.0), 2)
        products_data.append((product_id, product_name, category, unit_price))
    products_schema = StructType([
        StructField("product_id", StringType(), False),
        StructField("product_name", StringType(), False),
        StructField("category", StringType(), False),
        StructField("unit_price", DoubleType(), False)
    ])
    df_products = spark.createDataFrame(products_data, schema=products_schema)
    df_products.writeTo(full_products_table).using("iceberg").overwritePartitions()

    # --- the seed's "Setup: Iceberg Transaction History" cell (datetime.now() fixed) ---
    full_transactions_table = f"{full_database}.{iceberg_transactions_table}"
    spark.sql(f"""
        CREATE TABLE IF NOT EXISTS {full_transactions_table} (
            transaction_id STRING,
            customer_id STRING,
            product_id STRING,
            quantity BIGINT,
            transaction_date DATE,
            total_amount DOUBLE
        ) USING iceberg
        PARTITIONED BY (days(transaction_date))
    """)
    transactions_data = []
    for i in range(num_transactions):
        transaction_id = f"txn_{i+1:06d}"
        customer_id = f"cust_{random.randint(1, num_customers):05d}"
        product_id = f"prod_{random.randint(1, num_products):05d}"
        quantity = random.randint(1, 5)
        transaction_date = TODAY - datetime.timedelta(days=random.randint(0, 90))
        total_amount = round(random.uniform(50.0, 1000.0), 2)
        transactions_data.append((transaction_id, customer_id, product_id, quantity, transaction_date,
                                  total_amount))
    transactions_schema = StructType([
        StructField("transaction_id", StringType(), False),
        StructField("customer_id", StringType(), False),
        StructField("product_id", StringType(), False),
        StructField("quantity", LongType(), False),
        StructField("transaction_date", DateType(), False),
        StructField("total_amount", DoubleType(), False)
    ])
    df_transactions = spark.createDataFrame(transactions_data, schema=transactions_schema)
    df_transactions.writeTo(full_transactions_table).using("iceberg").overwritePartitions()

    # --- a v2 table after DELETE / UPDATE with merge-on-read: real position delete files ---
    mor = f"{full_database}.transactions_mor"
    spark.sql(f"""
        CREATE TABLE {mor} (
            transaction_id STRING, customer_id STRING, product_id STRING, quantity BIGINT,
            transaction_date DATE, total_amount DOUBLE
        ) USING iceberg
        PARTITIONED BY (days(transaction_date))
        TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='merge-on-read',
                       'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read')
    """)
    df_transactions.coalesce(2).writeTo(mor).append()
    spark.sql(f"DELETE FROM {mor} WHERE quantity = 1")
    spark.sql(f"UPDATE {mor} SET total_amount = round(total_amount * 2, 2) WHERE quantity = 5")
    spark.sql(f"DELETE FROM {mor} WHERE customer_id = 'cust_00007'")

    # --- identity partitions on float, double and decimal(38,10) (issue 16) ---
    import decimal
    from pyspark.sql.types import DecimalType, FloatType
    typed = f"{full_database}.typed_parts"
    spark.sql(f"""
        CREATE TABLE {typed} (id BIGINT, f FLOAT, d DOUBLE, dec38 DECIMAL(38,10), name STRING)
        USING iceberg
        PARTITIONED BY (f, d, dec38)
    """)
    floats = [3.1, 0.1, -2.5, 1e-3, None]
    doubles = [0.1, 3.1, -0.3, 1e300, None]
    decimals = [decimal.Decimal("12345678901234567890.1234567890"), decimal.Decimal("-0.0000000001"),
                decimal.Decimal("9999999999999999999999999999.9999999999"), decimal.Decimal("42"), None]
    typed_rows = [(k, floats[k % 5], doubles[(k // 5) % 5], decimals[(k // 2) % 5], f"n{k}") for k in range(60)]
    typed_schema = StructType([
        StructField("id", LongType(), False),
        StructField("f", FloatType(), True),
        StructField("d", DoubleType(), True),
        StructField("dec38", DecimalType(38, 10), True),
        StructField("name", StringType(), True),
    ])
    spark.createDataFrame(typed_rows, schema=typed_schema).coalesce(1).writeTo(typed).append()

    # --- gzip-compressed metadata files (v1.gz.metadata.json, ...), for iceberg_scan's
    # metadata_compression_codec => 'gzip' ---
    gz = f"{full_database}.products_gz"
    spark.sql(f"""
        CREATE TABLE {gz} (product_id STRING, product_name STRING, category STRING, unit_price DOUBLE)
        USING iceberg TBLPROPERTIES ('write.metadata.compression-codec'='gzip')
    """)
    spark.sql(f"INSERT INTO {gz} SELECT product_id, product_name, category, unit_price FROM {full_products_table}")

    import pyarrow as pa
    import pyarrow.parquet as pq
    tables = {}
    for name in ("products", "transactions", "transactions_mor", "typed_parts", "products_gz"):
        full = f"{full_database}.{name}"
        df = spark.table(full)
        arrow_types = {"string": pa.string(), "double": pa.float64(), "bigint": pa.int64(), "date": pa.date32(),
                       "float": pa.float32(), "decimal(38,10)": pa.decimal128(38, 10)}
        schema = pa.schema([pa.field(n, arrow_types[t]) for n, t in df.dtypes])
        rows = [r.asDict() for r in df.collect()]
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), os.path.join(out, "expected", f"{name}.parquet"))
        files = spark.sql(f"SELECT content, file_path FROM {full}.files").collect()
        snapshots = spark.sql(f"SELECT snapshot_id, operation FROM {full}.snapshots").collect()
        tables[name] = {
            "location": os.path.join(warehouse, database_name, name),
            "expected": f"expected/{name}.parquet",
            "sort_key": {"products": ["product_id"], "products_gz": ["product_id"],
                         "typed_parts": ["id"]}.get(name, ["transaction_id"]),
            "delete_files": sum(1 for f in files if f.content != 0),
            "data_files": sum(1 for f in files if f.content == 0),
            "snapshots": [[s.snapshot_id, s.operation] for s in snapshots],
        }
    spark.stop()
    with open(os.path.join(out, "tables.json"), "w") as f:
        json.dump({"warehouse": warehouse, "namespace": database_name, "today": TODAY.isoformat(),
                   "tables": tables}, f, indent=1)


if __name__ == "__main__":
    main()
