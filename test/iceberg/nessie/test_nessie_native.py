"""The native Nessie catalog (`--type nessie`) against a real Nessie 0.99.0 over MinIO
(scripts/services/nessie.sh): the bare server, as seed 000 runs it, and the REST-enabled one for
interoperability with pyiceberg. Every test works in its own namespace or branch: the servers
are shared."""
import concurrent.futures
import json
import os

import pytest

from aishell_cli import aishell_binary, run_aishell
from nessie_util import (api, connect, content, create_branch, create_namespace, head, list_keys,
                         pyiceberg_rest, query, read_s3, s3_props, settings, trino_shaped_commit, unique)


@pytest.fixture(scope="module")
def s():
    if not os.path.exists(aishell_binary()):
        pytest.fail(f"{aishell_binary()} is missing: build first")
    return settings()


@pytest.fixture(scope="module")
def warehouse(s):
    return f"s3a://{s['bucket']}/nessie-native/{unique('w')}/"


def nessie_connect(home, s, url, name="nes", *extra, warehouse=None, ok=True):
    args = ["--type", "nessie"] + (["--property", f"warehouse={warehouse}"] if warehouse else [])
    return connect(home, url, name, *args, *s3_props(s), *extra, ok=ok)


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_create_insert_list_read(s, warehouse, tmp_path, api_version):
    ns = unique("ns")
    nessie_connect(tmp_path, s, f"{s['bare']}/api/{api_version}", "nes", "--property", "ref=main",
                   warehouse=warehouse)
    query(tmp_path, f"CREATE TABLE nes.{ns}.t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)")
    query(tmp_path, f"INSERT INTO nes.{ns}.t VALUES (3, 'c')")
    assert query(tmp_path, f"SELECT id, name FROM nes.{ns}.t ORDER BY id") == [[1, "a"], [2, "b"], [3, "c"]]
    assert [ns] in query(tmp_path, "SHOW SCHEMAS FROM nes")
    assert query(tmp_path, f"SHOW TABLES FROM nes.{ns}") == [["t"]]
    # Nessie holds the pointer: an ICEBERG_TABLE content with the ids, at a Nessie-style location.
    c = content(s["bare"], "main", [ns, "t"])
    assert c["type"] == "ICEBERG_TABLE"
    loc = c["metadataLocation"]
    assert loc.startswith(f"{warehouse}{ns}/t_"), loc
    meta = json.loads(read_s3(s, loc))
    assert c["snapshotId"] == meta["current-snapshot-id"]
    # Two commits: the create and the append; no metadata file beyond those.
    files = [k for k in list_keys(s, meta["location"] + "/metadata") if k.endswith(".metadata.json")]
    assert len(files) == 2, files


def test_trino_property_names(s, warehouse, tmp_path):
    """The values of seed 000's Trino catalog file, pasted as properties."""
    ns = unique("ns")
    # No URL argument: iceberg.nessie-catalog.uri stands in for it.
    proc = run_aishell(["connect", "--name", "iceberg", "--type", "nessie",
                   "--property", f"iceberg.nessie-catalog.uri={s['bare']}/api/v1",
                   "--property", "iceberg.nessie-catalog.ref=main",
                   "--property", f"iceberg.nessie-catalog.default-warehouse-dir={warehouse}",
                   "--property", f"s3.endpoint={s['endpoint']}", "--property", f"s3.aws-access-key={s['key']}",
                   "--property", f"s3.aws-secret-key={s['secret']}", "--property", "s3.path-style-access=true",
                   "--property", f"s3.region={s['region']}"], home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert s["secret"] not in proc.stdout + proc.stderr
    query(tmp_path, f"CREATE TABLE iceberg.{ns}.x AS SELECT 42 AS v")
    assert query(tmp_path, f"SELECT v FROM iceberg.{ns}.x") == [[42]]
    listed = run_aishell(["connections"], home=tmp_path)
    assert s["secret"] not in listed.stdout + listed.stderr


def test_branches_refs_and_detached_hash(s, warehouse, tmp_path):
    ns = unique("ns")
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "nes", warehouse=warehouse)
    query(tmp_path, f"CREATE TABLE nes.{ns}.t AS SELECT 1 AS id")
    before = head(s["bare"])
    branch = unique("dev")
    create_branch(s["bare"], branch)
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "dev", "--property", f"ref={branch}", warehouse=warehouse)
    query(tmp_path, f"INSERT INTO dev.{ns}.t VALUES (2)")
    # The branch has the new row, main does not.
    assert query(tmp_path, f"SELECT id FROM dev.{ns}.t ORDER BY id") == [[1], [2]]
    assert query(tmp_path, f"SELECT id FROM nes.{ns}.t") == [[1]]
    # Refs as versions: a branch name, branch@hash.
    assert query(tmp_path, f"SELECT id FROM nes.{ns}.t FOR VERSION AS OF '{branch}' ORDER BY id") == [[1], [2]]
    assert query(tmp_path, f"SELECT id FROM nes.{ns}.t FOR VERSION AS OF 'main@{before}'") == [[1]]
    assert query(tmp_path, f"SELECT id FROM nes.{ns}.t FOR VERSION AS OF '{before}'") == [[1]]
    err = query(tmp_path, f"SELECT id FROM nes.{ns}.t FOR VERSION AS OF 'no_such_ref'", ok=False)
    assert "Named reference 'no_such_ref' not found" in err and "Nessie catalog" in err, err
    # A write on a detached hash is refused, clearly, and changes nothing.
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "old", "--property", f"ref=main@{before}",
                   warehouse=warehouse)
    assert query(tmp_path, f"SELECT id FROM old.{ns}.t") == [[1]]
    err = query(tmp_path, f"INSERT INTO old.{ns}.t VALUES (9)", ok=False)
    assert "read-only" in err and "detached" in err, err
    assert "other writers" not in err
    assert query(tmp_path, f"SELECT id FROM nes.{ns}.t") == [[1]]


def test_concurrent_inserts_leave_no_orphan_metadata(s, warehouse, tmp_path):
    ns = unique("ns")
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "nes", warehouse=warehouse)
    query(tmp_path, f"CREATE TABLE nes.{ns}.t AS SELECT 0 AS id")

    def insert(i):
        return run_aishell(["query", f"INSERT INTO nes.{ns}.t VALUES ({i})"], home=tmp_path)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        procs = list(pool.map(insert, range(1, 7)))
    ok = [i + 1 for i, p in enumerate(procs) if p.returncode == 0]
    for p in procs:
        if p.returncode != 0:  # a lost race after the retries: a clean message
            assert "commit attempts" in p.stderr and "other writers" in p.stderr, p.stderr
    assert ok, [p.stderr for p in procs]
    got = sorted(r[0] for r in query(tmp_path, f"SELECT id FROM nes.{ns}.t"))
    assert got == sorted([0] + ok)
    # Every metadata file is the current one or in its log: no unreferenced metadata file.
    loc = content(s["bare"], "main", [ns, "t"])["metadataLocation"]
    meta = json.loads(read_s3(s, loc))
    referenced = {loc.split("://", 1)[1]} | {m["metadata-file"].split("://", 1)[1] for m in meta["metadata-log"]}
    files = {k for k in list_keys(s, meta["location"] + "/metadata") if k.endswith(".metadata.json")}
    assert files == referenced


def test_missing_table_wrong_keys_and_server_down(s, warehouse, tmp_path):
    ns = unique("ns")
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "nes", warehouse=warehouse)
    query(tmp_path, f"CREATE TABLE nes.{ns}.t AS SELECT 1 AS id")
    err = query(tmp_path, f"SELECT * FROM nes.{ns}.nope", ok=False)
    assert "nope" in err, err
    # Wrong S3 secret: the error names the table, never the secret.
    bad = "wrong-" + s["secret"][::-1]
    connect(tmp_path, f"{s['bare']}/api/v2", "badkeys", "--type", "nessie", *s3_props(s, secret=bad))
    err = query(tmp_path, f"SELECT * FROM badkeys.{ns}.t", ok=False)
    assert f"{ns}.t" in err, err
    assert bad not in err and s["secret"] not in err
    # Nessie down (nothing listens there): a clear message naming the catalog.
    proc = connect(tmp_path, "http://127.0.0.1:9/api/v2", "down", "--type", "nessie", ok=False)
    assert proc.returncode != 0
    assert "cannot reach Nessie catalog http://127.0.0.1:9/api/v2" in proc.stderr, proc.stderr
    # A missing ref.
    proc = connect(tmp_path, f"{s['bare']}/api/v2", "noref", "--type", "nessie", "--property", "ref=no_such_branch",
                   ok=False)
    assert "no such ref 'no_such_branch'" in proc.stderr, proc.stderr


def test_pyiceberg_and_aishell_both_ways(s, tmp_path):
    """On the REST-enabled Nessie: aishell's native commits are read by pyiceberg through Nessie's
    Iceberg REST endpoint, and pyiceberg's tables are read and appended to by aishell."""
    import pyarrow as pa
    ns = unique("ns")
    nessie_connect(tmp_path, s, f"{s['rest_root']}/api/v2", "nes", warehouse=s["rest_location"])
    query(tmp_path, f"CREATE TABLE nes.{ns}.from_aishell AS SELECT * FROM (VALUES (1, 'x'), (2, 'y')) v(id, s)")
    cat = pyiceberg_rest(s)
    t = cat.load_table(f"{ns}.from_aishell")
    assert t.scan().to_arrow().sort_by("id").to_pylist() == [{"id": 1, "s": "x"}, {"id": 2, "s": "y"}]
    t = cat.create_table(f"{ns}.from_pyiceberg", schema=pa.schema([("id", pa.int64()), ("s", pa.string())]))
    t.append(pa.table({"id": [10, 11], "s": ["p", "q"]}))
    assert query(tmp_path, f"SELECT id, s FROM nes.{ns}.from_pyiceberg ORDER BY id") == [[10, "p"], [11, "q"]]
    query(tmp_path, f"INSERT INTO nes.{ns}.from_pyiceberg VALUES (12, 'r')")
    t = cat.load_table(f"{ns}.from_pyiceberg")
    assert [r["id"] for r in t.scan().to_arrow().sort_by("id").to_pylist()] == [10, 11, 12]


def test_trino_shaped_commits(s, warehouse, tmp_path):
    """A table committed the way Trino's Nessie client does it (API v1, IcebergTable content) is
    read by aishell, and aishell's commit keeps its content id and sets the ids Trino reads."""
    ns = unique("ns")
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "nes", warehouse=warehouse)
    query(tmp_path, f"CREATE TABLE nes.{ns}.src AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)")
    src = content(s["bare"], "main", [ns, "src"])
    meta = json.loads(read_s3(s, src["metadataLocation"]))
    # The same metadata file committed under a second key, as Trino would register it.
    trino_shaped_commit(s["bare"], "main", [ns, "trino_t"], src["metadataLocation"], meta["current-snapshot-id"])
    assert query(tmp_path, f"SELECT id, name FROM nes.{ns}.trino_t ORDER BY id") == [[1, "a"], [2, "b"]]
    before = content(s["bare"], "main", [ns, "trino_t"])
    query(tmp_path, f"INSERT INTO nes.{ns}.trino_t VALUES (3, 'c')")
    after = content(s["bare"], "main", [ns, "trino_t"])
    assert after["id"] == before["id"]
    new_meta = json.loads(read_s3(s, after["metadataLocation"]))
    assert after["snapshotId"] == new_meta["current-snapshot-id"] != before["snapshotId"]
    assert after["schemaId"] == new_meta["current-schema-id"]
    assert query(tmp_path, f"SELECT count(*) FROM nes.{ns}.trino_t") == [[3]]


def test_namespace_created_by_another_writer(s, warehouse, tmp_path):
    ns = unique("ns")
    create_namespace(s["bare"], "main", [ns])
    nessie_connect(tmp_path, s, f"{s['bare']}/api/v2", "nes", warehouse=warehouse)
    assert [ns] in query(tmp_path, "SHOW SCHEMAS FROM nes")
    query(tmp_path, f"CREATE TABLE nes.{ns}.t AS SELECT 1 AS id")
    assert query(tmp_path, f"SELECT id FROM nes.{ns}.t") == [[1]]
    status, body = api(s["bare"], "GET", f"/api/v2/trees/main/contents/{ns}")
    assert status == 200 and body["content"]["type"] == "NAMESPACE"
