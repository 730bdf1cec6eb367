"""The Trino REST protocol of `aishell serve` over raw HTTP: paging, cancel, bad input, the
queue bound, password authentication over TLS and per-user connection visibility."""
import base64
import hashlib
import json
import os
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from aishell_cli import aishell_binary
from aishell_serve import Server, make_home

# The served home has a SQLite source (test/util/aishell_serve.py).
pytestmark = pytest.mark.connector("sqlite")

LONG_QUERY = ("SELECT count(*) FROM UNNEST(sequence(1, 10000)) t(x) "
              "CROSS JOIN UNNEST(sequence(1, 10000)) u(y) CROSS JOIN UNNEST(sequence(1, 100)) v(z)")


def http(method, url, body=None, headers=None, context=None):
    req = urllib.request.Request(url, data=body.encode() if body is not None else None,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def post(server, sql, headers=None, context=None):
    h = {"X-Trino-User": "tester"}
    h.update(headers or {})
    status, hdrs, body = http("POST", server.url + "/v1/statement", sql, h, context)
    assert status == 200, body
    return json.loads(body)


def follow(first, headers=None, context=None):
    """Every document of a query, following nextUri."""
    docs = [first]
    while "nextUri" in docs[-1]:
        status, _, body = http("GET", docs[-1]["nextUri"], headers=headers or {"X-Trino-User": "tester"},
                               context=context)
        assert status == 200, body
        docs.append(json.loads(body))
    return docs


def test_pages_columns_stats(served):
    docs = follow(post(served, "SELECT x, CAST(x AS VARCHAR) s FROM UNNEST(sequence(1, 10000)) t(x)"))
    data = [row for d in docs for row in d.get("data", [])]
    assert sorted(r[0] for r in data) == list(range(1, 10001))
    cols = next(d["columns"] for d in docs if "columns" in d)
    assert cols[0]["type"] == "integer" or cols[0]["type"] == "bigint"
    assert cols[1]["typeSignature"] == {"rawType": "varchar",
                                        "arguments": [{"kind": "LONG", "value": 2147483647}]}
    last = docs[-1]
    assert last["stats"]["state"] == "FINISHED"
    assert last["stats"]["progressPercentage"] == 100.0
    assert all(d["id"] == docs[0]["id"] for d in docs)


def test_nested_type_signature(served):
    docs = follow(post(served, "SELECT CAST(ROW(1, ARRAY['a']) AS ROW(n INTEGER, tags ARRAY(VARCHAR))) r"))
    col = next(d["columns"] for d in docs if "columns" in d)[0]
    assert col["type"] == "row(n integer, tags array(varchar))"
    sig = col["typeSignature"]
    assert sig["rawType"] == "row"
    assert sig["arguments"][0] == {"kind": "NAMED_TYPE", "value": {
        "fieldName": {"name": "n"}, "typeSignature": {"rawType": "integer", "arguments": []}}}
    tags = sig["arguments"][1]["value"]["typeSignature"]
    assert tags["rawType"] == "array" and tags["arguments"][0]["kind"] == "TYPE"
    data = [row for d in docs for row in d.get("data", [])]
    assert data == [[[1, ["a"]]]]


def test_delete_cancels_a_running_query(served):
    first = post(served, LONG_QUERY, {"X-Trino-Session": "max_cartesian_rows=0"})
    status, _, body = http("GET", first["nextUri"], headers={"X-Trino-User": "tester"})
    doc = json.loads(body)
    assert doc["stats"]["state"] in ("QUEUED", "RUNNING")
    status, _, _ = http("DELETE", doc["nextUri"], headers={"X-Trino-User": "tester"})
    assert status == 204
    docs = follow(doc)
    assert docs[-1]["stats"]["state"] == "FAILED"
    assert docs[-1]["error"]["errorName"] == "USER_CANCELED"


def test_unknown_next_uri_and_bad_token(served):
    status, _, body = http("GET", served.url + "/v1/statement/executing/nope/x/1",
                           headers={"X-Trino-User": "tester"})
    assert status == 404 and "query nope not found" in body
    first = post(served, "SELECT 1")
    bad = first["nextUri"].rsplit("/", 1)[0] + "/7"
    status, _, body = http("GET", bad, headers={"X-Trino-User": "tester"})
    assert status == 404 and "invalid token 7" in body
    # Asking again for the current page gives the same document (a client retry).
    docs = follow(first)
    status, _, again = http("GET", docs[-2]["nextUri"], headers={"X-Trino-User": "tester"})
    assert status == 200 and json.loads(again) == docs[-1]


def test_bad_requests(served):
    status, _, body = http("POST", served.url + "/v1/statement", "SELECT 1", {})
    assert status == 400 and "X-Trino-User" in body
    status, _, body = http("POST", served.url + "/v1/statement", "", {"X-Trino-User": "t"})
    assert status == 400 and "empty" in body
    status, _, body = http("POST", served.url + "/v1/statement", "SELECT 1",
                           {"X-Trino-User": "t", "X-Trino-Session": "novalue"})
    assert status == 400 and "malformed X-Trino-Session header" in body
    status, _, body = http("POST", served.url + "/v1/statement", "SELECT 1",
                           {"X-Trino-User": "t", "X-Trino-Time-Zone": "not a zone"})
    assert status == 400 and "X-Trino-Time-Zone" in body
    doc = post(served, "SELECT 1", {"X-Trino-Catalog": "nosuch"})
    doc = follow(doc)[-1]
    assert doc["error"]["errorName"] == "CATALOG_NOT_FOUND" and "X-Trino-Catalog" in doc["error"]["message"]
    doc = follow(post(served, "EXECUTE missing USING 1"))[-1]
    assert doc["error"]["errorName"] == "NOT_FOUND"
    doc = follow(post(served, "SELECT 1,\n  2 +", {}))[-1]
    assert doc["error"]["errorName"] == "SYNTAX_ERROR"
    assert doc["error"]["errorLocation"]["lineNumber"] == 2
    status, _, body = http("GET", served.url + "/v1/nothing", headers={"X-Trino-User": "t"})
    assert status == 404


def test_prepared_statement_headers(served):
    status, headers, body = http("POST", served.url + "/v1/statement",
                                 "PREPARE q1 FROM SELECT name FROM lake.default.people WHERE id = ?",
                                 {"X-Trino-User": "tester"})
    added = headers.get("X-Trino-Added-Prepare")
    assert added and added.startswith("q1=")
    doc = post(served, "EXECUTE q1 USING 2", {"X-Trino-Prepared-Statement": added})
    data = [r for d in follow(doc) for r in d.get("data", [])]
    assert data == [["Bob"]]
    doc = follow(post(served, "EXECUTE q1 USING 1, 2", {"X-Trino-Prepared-Statement": added}))[-1]
    assert "Incorrect number of parameters" in doc["error"]["message"]
    docs = follow(post(served, "DESCRIBE OUTPUT q1", {"X-Trino-Prepared-Statement": added}))
    rows = [r for d in docs for r in d.get("data", [])]
    assert rows == [["name", "", "", "", "varchar", 0, False]]
    docs = follow(post(served, "DESCRIBE INPUT q1", {"X-Trino-Prepared-Statement": added}))
    assert [r for d in docs for r in d.get("data", [])] == [[0, "unknown"]]
    status, headers, _ = http("POST", served.url + "/v1/statement", "START TRANSACTION",
                              {"X-Trino-User": "tester"})
    assert headers.get("X-Trino-Started-Transaction-Id")


def test_queue_full(tmp_path):
    home = make_home(tmp_path)
    from aishell_cli import run_aishell
    for k, v in (("server.max_concurrent_queries", "1"), ("server.max_queued_queries", "1")):
        r = run_aishell(["config", "set", k, v], home=home)
        assert r.returncode == 0, r.stderr
    server = Server(home)
    try:
        h = {"X-Trino-Session": "max_cartesian_rows=0"}
        running = post(server, LONG_QUERY, h)
        waiting = post(server, LONG_QUERY, h)
        refused = post(server, "SELECT 1")
        assert refused["stats"]["state"] == "FAILED"
        assert refused["error"]["errorName"] == "QUERY_QUEUE_FULL"
        assert "server.max_concurrent_queries = 1" in refused["error"]["message"]
        for q in (running, waiting):
            http("DELETE", q["nextUri"], headers={"X-Trino-User": "tester"})
        for q in (running, waiting):
            assert follow(q)[-1]["error"]["errorName"] == "USER_CANCELED"
        # Once they are gone, queries run again.
        data = [r for d in follow(post(server, "SELECT 42")) for r in d.get("data", [])]
        assert data == [[42]]
    finally:
        server.stop()


def pbkdf2_line(user, password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1000)
    return f"{user}:1000:{salt.hex()}:{digest.hex()}\n"


def test_password_auth_over_tls_and_acl(tmp_path, monkeypatch):
    import ssl
    # requests prefers these to a session's own CA file (the test's self-signed certificate).
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    trino = pytest.importorskip("trino")
    home = make_home(tmp_path)
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    users = tmp_path / "users.txt"
    users.write_text("# test users\n" + pbkdf2_line("alice", "s3cret-A") + pbkdf2_line("bob", "pw-B"))
    acl = tmp_path / "acl.yaml"
    acl.write_text("users:\n  alice: [lake, shop]\n  bob:\n    - shop\ndefault: []\n")
    # --auth password refuses to run without TLS.
    r = subprocess.run([aishell_binary(), "serve", "--port", "0",
                        "--auth", "password", "--users", str(users)],
                       env={**os.environ, "AISHELL_HOME": str(home)}, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode != 0 and "needs TLS" in r.stderr
    server = Server(home, ["--auth", "password", "--users", str(users), "--tls-cert", str(cert),
                           "--tls-key", str(key), "--acl", str(acl)])
    try:
        assert server.scheme == "https"
        ctx = ssl.create_default_context(cafile=str(cert))

        def auth(user, pw):
            return {"X-Trino-User": user,
                    "Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}

        status, headers, body = http("POST", server.url + "/v1/statement", "SELECT 1",
                                     {"X-Trino-User": "alice"}, ctx)
        assert status == 401 and "WWW-Authenticate" in headers
        status, _, body = http("POST", server.url + "/v1/statement", "SELECT 1",
                               auth("alice", "wrong"), ctx)
        assert status == 401 and "invalid user name or password" in body
        assert "wrong" not in body
        h = auth("alice", "s3cret-A")
        h["X-Trino-User"] = "bob"
        status, _, body = http("POST", server.url + "/v1/statement", "SELECT 1", h, ctx)
        assert status == 403
        # trino-python-client with BasicAuthentication over HTTPS.
        def catalogs(user, pw):
            conn = trino.dbapi.connect(host=server.host, port=server.port, user=user,
                                       http_scheme="https",
                                       auth=trino.auth.BasicAuthentication(user, pw),
                                       verify=str(cert))
            cur = conn.cursor()
            cur.execute("SHOW CATALOGS")
            return sorted(r[0] for r in cur.fetchall())
        assert catalogs("alice", "s3cret-A") == ["lake", "shop", "system"]
        assert catalogs("bob", "pw-B") == ["shop", "system"]
        conn = trino.dbapi.connect(host=server.host, port=server.port, user="bob",
                                   http_scheme="https", auth=trino.auth.BasicAuthentication("bob", "pw-B"),
                                   verify=str(cert))
        cur = conn.cursor()
        with pytest.raises(trino.exceptions.TrinoUserError) as e:
            cur.execute("SELECT * FROM lake.default.people")
            cur.fetchall()
        assert e.value.error_name in ("CATALOG_NOT_FOUND", "TABLE_NOT_FOUND")
    finally:
        log = server.stop()
    assert "s3cret-A" not in log and "pw-B" not in log
    assert "authentication failed for user alice" in log


def test_concurrent_queries_each_with_its_own_memory_budget(served):
    """Queries run at the same time; one over its own max_memory fails alone."""
    trino = pytest.importorskip("trino")
    big_sort = ("SELECT x, y, CAST(x AS VARCHAR) || CAST(y AS VARCHAR) s FROM "
                "UNNEST(sequence(1, 10000)) t(x) CROSS JOIN UNNEST(sequence(1, 20)) u(y) "
                "ORDER BY s DESC")
    results = {}

    def run(name, props):
        cur = trino.dbapi.connect(host=served.host, port=served.port, user=name,
                                  session_properties=props).cursor()
        try:
            cur.execute(big_sort)
            results[name] = len(cur.fetchall())
        except trino.exceptions.TrinoQueryError as e:
            results[name] = e.error_name

    threads = [threading.Thread(target=run, args=(f"ok{i}", {})) for i in range(3)]
    threads.append(threading.Thread(target=run, args=("small", {"max_memory": "1MB", "spill": "false"})))
    # With spilling on (the default) the same budget is enough: the sort spills to disk.
    threads.append(threading.Thread(target=run, args=("spilled", {"max_memory": "1MB"})))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["small"] == "EXCEEDED_LOCAL_MEMORY_LIMIT"
    assert [results[f"ok{i}"] for i in range(3)] == [200000] * 3
    assert results["spilled"] == 200000


def test_stats_report_spilled_bytes(served):
    """stats.spilledBytes is what the query wrote to spill files (0 when nothing spilled)."""
    sql = ("SELECT x, y, CAST(x AS VARCHAR) || CAST(y AS VARCHAR) s FROM "
           "UNNEST(sequence(1, 10000)) t(x) CROSS JOIN UNNEST(sequence(1, 20)) u(y) ORDER BY s DESC")
    docs = follow(post(served, sql, {"X-Trino-Session": "max_memory=1MB"}))
    assert docs[-1]["stats"]["state"] == "FINISHED"
    assert sum(len(d.get("data", [])) for d in docs) == 200000
    assert docs[-1]["stats"]["spilledBytes"] > 0
    docs = follow(post(served, "SELECT 1"))
    assert docs[-1]["stats"]["spilledBytes"] == 0


def test_no_source_password_in_responses_logs_or_dashboard(tmp_path):
    """A source that cannot be reached: its error reaches the client, its password does not."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "connections.json").write_text(json.dumps([{
        "name": "pg", "type": "postgres", "url": "postgres://app:Sup3rSecretPw@127.0.0.1:1/db",
        "properties": {}}]))
    server = Server(home)
    try:
        texts = []
        for sql in ("SELECT * FROM pg.public.t", "SHOW SCHEMAS FROM pg",
                    "SELECT * FROM read_csv('postgres://app:Sup3rSecretPw@x/y')"):
            doc = follow(post(server, sql))[-1]
            assert doc["stats"]["state"] == "FAILED"
            texts.append(json.dumps(doc))
        assert "postgres://app:***@127.0.0.1:1/db" in texts[0]
        for path in ("/v1/query", "/v1/federation", "/ui"):
            texts.append(http("GET", server.url + path, headers={"X-Trino-User": "t"})[2])
    finally:
        texts.append(server.stop())
    assert not [t for t in texts if "Sup3rSecretPw" in t]
