"""The Iceberg REST catalog end to end: pyiceberg creates and fills a table through Apache
Iceberg's REST fixture server (warehouse in MinIO), then `aishell connect http://... --type
iceberg` reads it with equal results."""
import json
import uuid

import pyarrow as pa
import pytest

from aishell_cli import run_aishell


def pyiceberg_catalog(rest, s3):
    from pyiceberg.catalog.rest import RestCatalog

    props = {"uri": rest["url"], "warehouse": rest["warehouse"]}
    if rest["on_s3"]:
        props.update({"s3.endpoint": s3.endpoint, "s3.access-key-id": s3.access_key,
                      "s3.secret-access-key": s3.secret_key, "s3.region": s3.region,
                      "s3.path-style-access": "true"})
    return RestCatalog("rest", **props)


def test_pyiceberg_table_through_rest_reads_equal_in_aishell(iceberg_rest, request, tmp_path):
    s3 = request.getfixturevalue("s3") if iceberg_rest["on_s3"] else None
    catalog = pyiceberg_catalog(iceberg_rest, s3)
    ns = f"aishell_py_{uuid.uuid4().hex[:10]}"
    catalog.create_namespace(ns)
    data = pa.table({"id": pa.array(range(1, 501), pa.int64()),
                     "region": pa.array([["north", "south", "east", "west"][i % 4] for i in range(500)]),
                     "amount": pa.array([round(i * 1.25, 2) for i in range(500)], pa.float64())})
    table = catalog.create_table(f"{ns}.sales", schema=data.schema)
    table.append(data.slice(0, 300))
    table.append(data.slice(300))  # two snapshots
    assert table.metadata_location.startswith(iceberg_rest["warehouse"])
    want = {}
    for r in table.scan().to_arrow().to_pylist():
        n, s = want.get(r["region"], (0, 0.0))
        want[r["region"]] = (n + 1, s + r["amount"])

    home = tmp_path / "home"
    args = ["connect", iceberg_rest["url"], "--type", "iceberg", "--name", "rest",
            "--property", f"warehouse={iceberg_rest['warehouse']}"]
    if iceberg_rest["on_s3"]:
        # Only the endpoint: the REST server vends the credentials with the table.
        args += ["--property", f"s3.endpoint={s3.endpoint}", "--property", "s3.path-style-access=true"]
    proc = run_aishell(args, home=home)
    if proc.returncode != 0 and "iceberg" in proc.stderr.lower() and (
            "unknown" in proc.stderr.lower() or "unsupported" in proc.stderr.lower()):
        pytest.xfail("the iceberg connector (branch iceberg) has not landed: " + proc.stderr.strip())
    assert proc.returncode == 0, proc.stderr
    proc = run_aishell(["query", "--format", "jsonl",
                        f"SELECT region, count(*) AS n, sum(amount) AS s FROM rest.{ns}.sales "
                        "GROUP BY region ORDER BY region"], home=home)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [(r["region"], r["n"]) for r in rows] == [(k, v[0]) for k, v in sorted(want.items())]
    for r in rows:
        assert r["s"] == pytest.approx(want[r["region"]][1])
    if s3 is not None:
        assert s3.secret_key not in proc.stdout + proc.stderr
