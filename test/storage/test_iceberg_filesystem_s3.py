"""The filesystem (Hadoop-style) Iceberg catalog on an s3:// warehouse in a real MinIO: aishell
creates a partitioned table and appends to it (commits by conditional PUT of the next
metadata file), then pyiceberg (an independent reader, through its own S3 client) reads the
same rows from the metadata aishell wrote."""
import json

from aishell_cli import run_aishell


def aishell(home, *args, ok=True):
    proc = run_aishell(list(args), home=home)
    assert (proc.returncode == 0) == ok, proc.stdout + proc.stderr
    return proc


def test_filesystem_catalog_on_s3_writes_tables_pyiceberg_reads(s3, tmp_path):
    home = str(tmp_path / "home")
    warehouse = s3.url("warehouse")
    aishell(home, "connect", warehouse, "--type", "iceberg", "--name", "lake",
            "--property", f"s3.endpoint={s3.endpoint}", "--property", f"s3.access-key-id={s3.access_key}",
            "--property", f"s3.secret-access-key={s3.secret_key}", "--property", "s3.path-style-access=true",
            "--property", f"s3.region={s3.region}")
    out = aishell(home, "query", "CREATE TABLE lake.sales.orders WITH (partitioning = ARRAY['region']) AS "
                  "SELECT * FROM (VALUES (1, 'eu', 10.5), (2, 'us', 20.0), (3, 'eu', 30.25)) v(id, region, amount)")
    assert "3 rows" in out.stdout
    aishell(home, "query", "INSERT INTO lake.sales.orders VALUES (4, 'us', 1.0), (5, 'apac', 2.5)")
    got = aishell(home, "query", "--format", "jsonl",
                  "SELECT region, count(*) AS n, sum(amount) AS total FROM lake.sales.orders GROUP BY region")
    rows = {r["region"]: (r["n"], float(r["total"])) for r in map(json.loads, got.stdout.splitlines())}
    assert rows == {"eu": (2, 40.75), "us": (2, 21.0), "apac": (1, 2.5)}
    # The secret never shows, not even in EXPLAIN.
    explain = aishell(home, "explain", "SELECT * FROM lake.sales.orders WHERE region = 'eu'")
    assert s3.secret_key not in explain.stdout + explain.stderr
    # Two files per commit (one per region); only the one eu file is read.
    assert "1 of 4 data files after pruning" in explain.stdout, explain.stdout

    # The Hadoop layout on S3: version-hint.text names v2 (CTAS, then INSERT).
    key = f"{s3.prefix}/warehouse/sales/orders/metadata/version-hint.text"
    hint = s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"].read().decode().strip()
    assert hint == "2"
    from pyiceberg.table import StaticTable
    table = StaticTable.from_metadata(
        f"{warehouse}/sales/orders/metadata/v2.metadata.json",
        properties={"s3.endpoint": s3.endpoint, "s3.access-key-id": s3.access_key,
                    "s3.secret-access-key": s3.secret_key, "s3.region": s3.region,
                    "s3.path-style-access": "true"})
    assert [f.name for f in table.spec().fields] == ["region"]
    got = sorted((r["id"], r["region"], float(r["amount"])) for r in table.scan().to_arrow().to_pylist())
    assert got == [(1, "eu", 10.5), (2, "us", 20.0), (3, "eu", 30.25), (4, "us", 1.0), (5, "apac", 2.5)]
