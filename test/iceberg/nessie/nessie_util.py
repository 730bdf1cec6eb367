"""Helpers for the Nessie tests (scripts/services/nessie.sh): the servers' settings, Nessie's own
API (branches, contents, Trino-shaped commits), and aishell runs."""
import json
import os
import urllib.error
import urllib.request
import uuid

import pytest

from aishell_cli import parse_json_rows, run_aishell


def missing(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def settings():
    need = ["AISHELL_TEST_NESSIE_URL", "AISHELL_TEST_NESSIE_REST_URL", "AISHELL_TEST_S3_ENDPOINT",
            "AISHELL_TEST_S3_ACCESS_KEY", "AISHELL_TEST_S3_SECRET_KEY", "AISHELL_TEST_S3_BUCKET"]
    for n in need:
        if not os.environ.get(n):
            missing(f"{n} is not set (run under scripts/with-services.sh; scripts/services/nessie.sh)")
    e = os.environ
    rest_root = e["AISHELL_TEST_NESSIE_REST_URL"].rsplit("/iceberg", 1)[0]
    return {
        "bare": e["AISHELL_TEST_NESSIE_URL"],
        "rest_root": rest_root,
        "rest": e["AISHELL_TEST_NESSIE_REST_URL"],
        "warehouse_name": e.get("AISHELL_TEST_NESSIE_REST_WAREHOUSE", "warehouse"),
        "rest_location": f"s3://{e['AISHELL_TEST_S3_BUCKET']}/nessie-rest/",
        "endpoint": e["AISHELL_TEST_S3_ENDPOINT"],
        "key": e["AISHELL_TEST_S3_ACCESS_KEY"],
        "secret": e["AISHELL_TEST_S3_SECRET_KEY"],
        "bucket": e["AISHELL_TEST_S3_BUCKET"],
        "region": e.get("AISHELL_TEST_S3_REGION", "us-east-1"),
    }


def s3_props(s, secret=None):
    return ["--property", f"s3.endpoint={s['endpoint']}", "--property", f"s3.access-key-id={s['key']}",
            "--property", f"s3.secret-access-key={secret or s['secret']}", "--property",
            "s3.path-style-access=true", "--property", f"s3.region={s['region']}"]


def api(root, method, path, body=None):
    """Nessie's REST API: (status, parsed JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(root + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        text = err.read().decode()
        try:
            return err.code, json.loads(text)
        except ValueError:
            return err.code, text


def head(root, ref="main"):
    status, body = api(root, "GET", f"/api/v2/trees/{ref}")
    assert status == 200, body
    return body["reference"]["hash"]


def create_branch(root, name, from_ref="main", empty=False):
    """A new branch at the head of `from_ref`, or with no commits at all (`empty`)."""
    h = head(root, from_ref)
    if empty:
        status, body = api(root, "GET", "/api/v2/config")
        assert status == 200, body
        h = body["noAncestorHash"]
    status, body = api(root, "POST", f"/api/v2/trees?name={name}&type=BRANCH",
                       {"type": "BRANCH", "name": from_ref, "hash": h})
    assert status == 200, body
    return body["reference"]["hash"]


def content(root, ref, key):
    status, body = api(root, "GET", f"/api/v2/trees/{ref}/contents/{'.'.join(key)}")
    if status == 404:
        return None
    assert status == 200, body
    return body["content"]


def trino_shaped_commit(root, branch, key, metadata_location, snapshot_id, content_id=None):
    """A commit as Trino's NessieIcebergClient makes it (API v1: PUT of IcebergTable.of(location,
    snapshot, schema, spec, sort order) with the expected hash)."""
    h = head(root, branch)
    c = {"type": "ICEBERG_TABLE", "metadataLocation": metadata_location, "snapshotId": snapshot_id,
         "schemaId": 0, "specId": 0, "sortOrderId": 0}
    if content_id:
        c["id"] = content_id
    status, body = api(root, "POST", f"/api/v1/trees/branch/{branch}/commit?expectedHash={h}",
                       {"commitMeta": {"message": "trino-shaped commit", "author": "test"},
                        "operations": [{"type": "PUT", "key": {"elements": key}, "content": c}]})
    assert status == 200, body


def create_namespace(root, branch, ns):
    h = head(root, branch)
    status, body = api(root, "POST", f"/api/v2/trees/{branch}@{h}/history/commit",
                       {"commitMeta": {"message": "ns"},
                        "operations": [{"type": "PUT", "key": {"elements": ns},
                                        "content": {"type": "NAMESPACE", "elements": ns}}]})
    assert status == 200, body


def unique(prefix="t"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def query(home, sql, ok=True):
    proc = run_aishell(["query", "--format", "jsonl", sql], home=home)
    if ok:
        assert proc.returncode == 0, f"aishell failed: {proc.stderr}\nSQL: {sql}"
        return parse_json_rows(proc.stdout)
    assert proc.returncode != 0, f"expected a failure, got {proc.stdout}\nSQL: {sql}"
    return proc.stderr + proc.stdout


def connect(home, url, name, *args, ok=True):
    proc = run_aishell(["connect", url, "--name", name, *args], home=home)
    if ok:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


def s3fs(s):
    from pyarrow import fs
    return fs.S3FileSystem(access_key=s["key"], secret_key=s["secret"], endpoint_override=s["endpoint"],
                           region=s["region"], scheme="http")


def list_keys(s, uri):
    """Files under an s3:// or s3a:// prefix (bucket/key paths)."""
    from pyarrow import fs
    path = uri.split("://", 1)[1].rstrip("/")
    infos = s3fs(s).get_file_info(fs.FileSelector(path, recursive=True, allow_not_found=True))
    return sorted(i.path for i in infos if i.type == fs.FileType.File)


def read_s3(s, uri):
    path = uri.split("://", 1)[1]
    with s3fs(s).open_input_file(path) as f:
        return f.read()


def pyiceberg_rest(s, prefix=None):
    from pyiceberg.catalog.rest import RestCatalog
    props = {"uri": s["rest"], "warehouse": s["warehouse_name"],
             "header.X-Iceberg-Access-Delegation": "vended-credentials"}
    if prefix:
        props["prefix"] = prefix
    return RestCatalog("nessie", **props)
