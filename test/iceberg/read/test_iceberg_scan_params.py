"""iceberg_scan's DuckDB named parameters (`name => value`, Trino's argument syntax): version,
version_name_format, allow_moved_paths, metadata_compression_codec, on tables pyiceberg and Spark
wrote; each result equals DuckDB's iceberg_scan with the same parameters."""
import json
import os
import shutil

import pytest

import duckdb_oracle
from aishell_cli import aishell_binary, parse_json_rows, run_aishell


def aishell(home, sql, ok=True):
    proc = run_aishell(["query", "--format", "jsonl", sql], home=home)
    if ok:
        assert proc.returncode == 0, f"{proc.stderr}\nSQL: {sql}"
        return parse_json_rows(proc.stdout)
    assert proc.returncode != 0, proc.stdout
    return proc.stderr


def duck(sql):
    return [list(r) for r in duckdb_oracle.connect("iceberg").execute(sql).fetchall()]


@pytest.fixture(scope="module")
def pyiceberg_table(tmp_path_factory):
    """A pyiceberg table with three metadata versions (00000-<uuid>, 00001-..., 00002-...): empty,
    then two appends."""
    if not os.path.exists(aishell_binary()):
        pytest.fail(f"{aishell_binary()} is missing: build first")
    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    d = tmp_path_factory.mktemp("scan-params")
    cat = SqlCatalog("c", uri=f"sqlite:///{d}/c.db", warehouse=f"file://{d}/wh")
    cat.create_namespace("db")
    t = cat.create_table("db.t", schema=pa.schema([("id", pa.int64()), ("s", pa.string())]))
    t.append(pa.table({"id": [1, 2], "s": ["a", "b"]}))
    t.append(pa.table({"id": [3], "s": ["c"]}))
    meta = sorted(os.listdir(f"{d}/wh/db/t/metadata"))
    names = [m[: -len(".metadata.json")] for m in meta if m.endswith(".metadata.json")]
    assert [n[:5] for n in names] == ["00000", "00001", "00002"]
    return {"dir": str(d), "location": f"{d}/wh/db/t", "names": names}


def test_version_picks_the_metadata_file(pyiceberg_table, tmp_path):
    loc, names = pyiceberg_table["location"], pyiceberg_table["names"]
    # A number finds NNNNN-<uuid>.metadata.json (pyiceberg's and Java's naming).
    for version, want in (("0", 0), ("1", 2), ("2", 3)):
        got = aishell(tmp_path, f"SELECT count(*) FROM iceberg_scan('{loc}', version => '{version}')")
        assert got == [[want]], version
    # DuckDB's spelling for such names: the full version string and a format.
    sql = (f"SELECT id, s FROM iceberg_scan('{loc}', version => '{names[1]}', "
           "version_name_format => '%s%s.metadata.json') ORDER BY id")
    assert aishell(tmp_path, sql) == duck(sql) == [[1, "a"], [2, "b"]]
    err = aishell(tmp_path, f"SELECT * FROM iceberg_scan('{loc}', version => '7')", ok=False)
    assert "no metadata file for version '7'" in err and "v7.metadata.json" in err, err


def test_allow_moved_paths(pyiceberg_table, tmp_path):
    moved = os.path.join(str(tmp_path), "moved_t")
    shutil.copytree(pyiceberg_table["location"], moved)
    hidden = pyiceberg_table["location"] + ".away"
    os.rename(pyiceberg_table["location"], hidden)  # the old paths no longer exist
    try:
        sql = (f"SELECT id, s FROM iceberg_scan('{moved}', version => '{pyiceberg_table['names'][2]}', "
               "version_name_format => '%s%s.metadata.json', allow_moved_paths => true) ORDER BY id")
        want = [[1, "a"], [2, "b"], [3, "c"]]
        assert aishell(tmp_path, sql) == want
        assert duck(sql) == want
        err = aishell(tmp_path, f"SELECT * FROM iceberg_scan('{moved}')", ok=False)
        assert "cannot read manifest list" in err, err
    finally:
        os.rename(hidden, pyiceberg_table["location"])


def test_unknown_parameter_lists_the_known_ones(pyiceberg_table, tmp_path):
    err = aishell(tmp_path, f"SELECT * FROM iceberg_scan('{pyiceberg_table['location']}', versoin => 1)", ok=False)
    assert "unknown parameter 'versoin'" in err, err
    for known in ("version", "version_name_format", "allow_moved_paths", "metadata_compression_codec",
                  "snapshot_from_id", "snapshot_from_timestamp"):
        assert known in err
    err = aishell(tmp_path, f"SELECT * FROM iceberg_scan('{pyiceberg_table['location']}', "
                            "metadata_compression_codec => 'lz4')", ok=False)
    assert "metadata_compression_codec 'lz4'" in err, err


def test_spark_versions_and_gzip_metadata(spark_warehouse, tmp_path):
    m = json.load(open(os.path.join(spark_warehouse, "tables.json")))
    products = m["tables"]["products"]["location"]
    for v in ("1", "2"):
        sql = f"SELECT count(*) FROM iceberg_scan('{products}', version => '{v}')"
        assert aishell(tmp_path, sql) == duck(sql), v
    gz = m["tables"]["products_gz"]["location"]
    files = os.listdir(os.path.join(gz, "metadata"))
    assert any(f.endswith(".gz.metadata.json") for f in files), files
    sql = (f"SELECT product_id, unit_price FROM iceberg_scan('{gz}', metadata_compression_codec => 'gzip') "
           "ORDER BY product_id")
    got = aishell(tmp_path, sql)
    assert len(got) > 0
    assert got == duck(sql)
    sql = (f"SELECT count(*) FROM iceberg_scan('{gz}', version => '2', metadata_compression_codec => 'gzip')")
    assert aishell(tmp_path, sql) == duck(sql)
