"""The Iceberg REST catalog (`--type iceberg`) against Nessie's /iceberg endpoint (the REST-enabled
server of scripts/services/nessie.sh: warehouse `warehouse` on MinIO, STS credential vending).
Regression tests of issue 19's REST defects: staged create + assign-uuid, no writes outside the
warehouse, the name mapping on appends (and Parquet field ids), vended credentials for every read
of a loaded table, prefix encoding and `ref`, iceberg+http URLs, detached refs."""
import io
import json
import os

import pytest

from aishell_cli import aishell_binary, run_aishell
from nessie_util import (connect, create_branch, head, list_keys, pyiceberg_rest, query, read_s3,
                         settings, unique)


@pytest.fixture(scope="module")
def s():
    if not os.path.exists(aishell_binary()):
        pytest.fail(f"{aishell_binary()} is missing: build first")
    return settings()


def rest_connect(home, s, name="nr", *extra, url=None, ok=True):
    # No S3 keys: everything goes through the credentials Nessie vends.
    return connect(home, url or s["rest"], name, "--type", "iceberg", "--property",
                   f"warehouse={s['warehouse_name']}", *extra, ok=ok)


def fs_snapshot(*dirs):
    return {d: sorted(os.listdir(d)) for d in dirs}


def test_ctas_with_a_warehouse_name_stays_in_the_warehouse(s, tmp_path):
    """Staged create (location and uuid from the server), assign-uuid in the commit; nothing is
    written at the filesystem root or in the working directory."""
    ns = unique("ns")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before = fs_snapshot("/", str(cwd))
    rest_connect(tmp_path, s)
    proc = run_aishell(["query", f"CREATE TABLE nr.{ns}.t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, s)"],
                       home=tmp_path, cwd=str(cwd))
    assert proc.returncode == 0, proc.stderr
    assert fs_snapshot("/", str(cwd)) == before
    assert not os.path.exists("/data") and not os.path.exists("/metadata")
    t = pyiceberg_rest(s).load_table(f"{ns}.t")
    assert t.location().startswith(s["rest_location"]), t.location()
    assert t.scan().to_arrow().sort_by("id").to_pylist() == [{"id": 1, "s": "a"}, {"id": 2, "s": "b"}]
    # Data files under the table location; with Parquet field ids as Iceberg writers set them.
    import pyarrow.parquet as pq
    data = [k for k in list_keys(s, t.location() + "/data") if k.endswith(".parquet")]
    assert data
    schema = pq.read_schema(io.BytesIO(read_s3(s, "s3://" + data[0])))
    assert [schema.field(i).metadata[b"PARQUET:field_id"] for i in range(2)] == [b"1", b"2"]


def test_insert_into_a_pyiceberg_table_with_vended_credentials_only(s, tmp_path):
    """The append adds schema.name-mapping.default; the base manifest list is read with the
    loaded table's (vended) credentials; pyiceberg reads the result back."""
    import pyarrow as pa
    ns = unique("ns")
    cat = pyiceberg_rest(s)
    cat.create_namespace(ns)
    t = cat.create_table(f"{ns}.p", schema=pa.schema([("id", pa.int64()), ("name", pa.string())]))
    t.append(pa.table({"id": [1, 2], "name": ["a", "b"]}))
    assert "schema.name-mapping.default" not in t.properties
    rest_connect(tmp_path, s)
    query(tmp_path, f"INSERT INTO nr.{ns}.p VALUES (3, 'c')")
    t = cat.load_table(f"{ns}.p")
    assert t.scan().to_arrow().sort_by("id").to_pylist() == [
        {"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]
    mapping = json.loads(t.properties["schema.name-mapping.default"])
    assert {m["field-id"]: m["names"] for m in mapping} == {1: ["id"], 2: ["name"]}
    assert query(tmp_path, f"SELECT count(*) FROM nr.{ns}.p") == [[3]]


def test_prefix_and_ref(s, tmp_path):
    ns = unique("ns")
    rest_connect(tmp_path, s)
    query(tmp_path, f"CREATE TABLE nr.{ns}.t AS SELECT 1 AS id")
    branch = unique("dev")
    create_branch(s["rest_root"], branch)
    # A raw `|` in the prefix is encoded (it used to be HTTP 400).
    rest_connect(tmp_path, s, "raw", "--property", f"prefix={branch}|{s['warehouse_name']}")
    assert query(tmp_path, f"SELECT id FROM raw.{ns}.t") == [[1]]
    # `ref` builds the prefix from the server's nessie.prefix-pattern.
    rest_connect(tmp_path, s, "dev", "--property", f"ref={branch}")
    query(tmp_path, f"INSERT INTO dev.{ns}.t VALUES (2)")
    assert query(tmp_path, f"SELECT id FROM dev.{ns}.t ORDER BY id") == [[1], [2]]
    assert query(tmp_path, f"SELECT id FROM nr.{ns}.t") == [[1]]
    assert query(tmp_path, f"SELECT id FROM raw.{ns}.t ORDER BY id") == [[1], [2]]


def test_detached_ref_is_read_only_with_a_clear_message(s, tmp_path):
    ns = unique("ns")
    rest_connect(tmp_path, s)
    query(tmp_path, f"CREATE TABLE nr.{ns}.t AS SELECT 1 AS id")
    h = head(s["rest_root"])
    rest_connect(tmp_path, s, "old", "--property", f"ref=main@{h}")
    assert query(tmp_path, f"SELECT id FROM old.{ns}.t") == [[1]]
    err = query(tmp_path, f"INSERT INTO old.{ns}.t VALUES (2)", ok=False)
    assert "read-only" in err and f"main@{h}" in err, err
    assert "other writers" not in err
    assert query(tmp_path, f"SELECT id FROM nr.{ns}.t") == [[1]]


def test_iceberg_plus_http_url(s, tmp_path):
    ns = unique("ns")
    rest_connect(tmp_path, s)
    query(tmp_path, f"CREATE TABLE nr.{ns}.t AS SELECT 7 AS id")
    url = "iceberg+" + s["rest"]
    proc = run_aishell(["connect", url, "--name", "plus", "--property", f"warehouse={s['warehouse_name']}"],
                       home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert query(tmp_path, f"SELECT id FROM plus.{ns}.t") == [[7]]


def test_bare_nessie_rest_endpoint_says_why(s, tmp_path):
    """Seed 000's Nessie has no warehouse settings: its REST endpoint cannot serve; the message
    carries the server's reason, and --type nessie is the way in."""
    proc = connect(tmp_path, s["bare"] + "/iceberg", "x", "--type", "iceberg", ok=False)
    assert "No default-warehouse configured" in proc.stderr, proc.stderr
    assert "--type nessie" in proc.stderr, proc.stderr
    # Nessie's native API is not the REST protocol: the same hint.
    proc = connect(tmp_path, s["bare"] + "/api/v2", "y", "--type", "iceberg", ok=False)
    assert "HTTP 404" in proc.stderr and "--type nessie" in proc.stderr, proc.stderr
