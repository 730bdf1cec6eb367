"""read_parquet / read_csv / read_json on s3:// (and s3a://, s3n://) paths in a real MinIO,
written by an independent client (boto3 + pyarrow), results compared with pyarrow's."""
import io
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

from aishell_cli import run_aishell


def query(sql, home, env, ok=True):
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        proc = run_aishell(["query", "--format", "jsonl", sql], home=home)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if ok:
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert proc.returncode != 0, proc.stdout
    return proc


def parquet_bytes(table):
    buf = io.BytesIO()
    pq.write_table(table, buf, row_group_size=1000)
    return buf.getvalue()


def test_read_parquet_glob_on_s3(s3, tmp_path):
    tables = []
    for i in range(3):
        n = 2500 + i
        t = pa.table({"id": pa.array(range(i * 10000, i * 10000 + n), pa.int64()),
                      "grp": pa.array([f"g{j % 7}" for j in range(n)]),
                      "x": pa.array([float(j) * 0.5 for j in range(n)])})
        tables.append(t)
        s3.put(f"sales/part-{i}.parquet", parquet_bytes(t))
    s3.put("sales/notes.txt", b"not parquet")
    s3.put("sales/nested/part-9.parquet", parquet_bytes(tables[0]))  # '*' stays in its folder
    rows = query(f"SELECT grp, count(*) AS n, sum(x) AS sx, max(id) AS mx "
                 f"FROM read_parquet('{s3.url('sales/*.parquet')}') GROUP BY grp ORDER BY grp",
                 tmp_path / "home", s3.env())
    want = {}
    for t in tables:
        for r in t.to_pylist():
            n, sx, mx = want.get(r["grp"], (0, 0.0, -1))
            want[r["grp"]] = (n + 1, sx + r["x"], max(mx, r["id"]))
    assert rows == [{"grp": g, "n": n, "sx": sx, "mx": mx} for g, (n, sx, mx) in sorted(want.items())]


def test_read_csv_and_json_on_s3a_and_s3n(s3, tmp_path):
    s3.put("csv/a.csv", b"id,name,score\n1,ann,1.5\n2,bob,\n")
    s3.put("csv/b.csv", b"id,name,score\n3,cy,4.25\n")
    s3.put("json/rows.json", b'{"k": 1, "v": "x"}\n{"k": 2, "v": "y"}\n')
    rows = query(f"SELECT id, name, score FROM read_csv('{s3.url('csv/*.csv', 's3a')}') ORDER BY id",
                 tmp_path / "home", s3.env())
    assert rows == [{"id": 1, "name": "ann", "score": 1.5}, {"id": 2, "name": "bob", "score": None},
                    {"id": 3, "name": "cy", "score": 4.25}]
    rows = query(f"SELECT sum(k) AS s, max(v) AS m FROM read_json('{s3.url('json/rows.json', 's3n')}')",
                 tmp_path / "home", s3.env())
    assert rows == [{"s": 3, "m": "y"}]


def test_s3_errors_name_the_path_and_hide_the_secret(s3, tmp_path):
    s3.put("err/t.csv", b"a\n1\n")
    missing = s3.url("err/missing.parquet")
    proc = query(f"SELECT * FROM read_parquet('{missing}')", tmp_path / "home", s3.env(), ok=False)
    assert "no file matches" in proc.stderr and missing in proc.stderr, proc.stderr
    proc = query(f"SELECT * FROM read_parquet('{s3.url('nothing/*.parquet')}')",
                 tmp_path / "home", s3.env(), ok=False)
    assert "no file matches" in proc.stderr, proc.stderr
    wrong = "wrong-secret-for-test-Q7"
    proc = query(f"SELECT * FROM read_csv('{s3.url('err/t.csv')}')", tmp_path / "home",
                 s3.env(secret=wrong), ok=False)
    assert "wrong S3 credentials" in proc.stderr and s3.url("err/t.csv") in proc.stderr, proc.stderr
    assert wrong not in proc.stderr + proc.stdout
    assert s3.secret_key not in proc.stderr + proc.stdout
