"""The Elasticsearch connector against a real Elasticsearch 8.17 (scripts/services/elasticsearch.sh):
mapping inference, filters/sort/limit/aggregations pushed down and not (expected answers computed
in Python over the documents loaded), point-in-time and scroll reads with slices, terms lookups,
_bulk writes with per-item errors, upserts by _id, and failures (server down, unknown index, wrong
credentials with the secret kept out of the output, 429 retried through a small proxy)."""
import http.server
import os
import socket
import threading

import pytest


MAPPING = {"properties": {
    "name": {"type": "keyword"},
    "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
    "body": {"type": "text"},
    "n": {"type": "long"}, "i": {"type": "integer"}, "s": {"type": "short"}, "b": {"type": "byte"},
    "d": {"type": "double"}, "f": {"type": "float"}, "h": {"type": "half_float"},
    "ok": {"type": "boolean"},
    "ts": {"type": "date", "format": "yyyy-MM-dd HH:mm:ss||epoch_millis"},
    "day": {"type": "date"},
    "ip": {"type": "ip"},
    "addr": {"properties": {"city": {"type": "keyword"}, "zip": {"type": "integer"},
                            "geo": {"properties": {"lat": {"type": "double"}}}}},
    "items": {"type": "nested", "properties": {"sku": {"type": "keyword"}, "qty": {"type": "integer"}}},
    "tags": {"type": "keyword"},
    "scores": {"type": "long"},
}}

DOCS = [
    {"_id": "a", "name": "ann", "title": "Hello World", "body": "quick brown fox", "n": 5, "i": 1, "s": 2,
     "b": 3, "d": 1.5, "f": 0.5, "h": 0.25, "ok": True, "ts": "2024-01-02 03:04:05", "day": "2024-01-02",
     "ip": "10.0.0.1", "addr": {"city": "Paris", "zip": 75001, "geo": {"lat": 48.8}},
     "items": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 2}], "tags": ["red", "blue"], "scores": [1, 2]},
    {"_id": "b", "name": "bob", "n": 7, "ts": 1700000000000, "tags": "green", "addr": {"city": "Oslo"}},
    {"_id": "c", "name": "cy", "title": "other", "n": None, "d": 2.5, "ok": False, "day": "2024-02-03T10:00:00Z"},
    {"_id": "d", "name": "dee", "n": -3, "d": -1.0, "ok": True, "addr": {"city": "Paris", "zip": 75002}},
]


def cols(shell, table):
    return {r[0]: r[1] for r in shell.rows(f"DESCRIBE es.default.{table}")}


def test_connections_and_mapping_types(es, index, shell):
    es.create(index, MAPPING)
    es.load(index, DOCS)
    r = shell.connect(f"array.{index}.scores=true")
    assert ("Elasticsearch 8.17.0" if es.kind == "elasticsearch" else "OpenSearch 2.19.6") in r.stdout, r.stdout
    listing = shell.run("connections")
    assert listing.returncode == 0
    summary = shell.run("connect", es.url, "--name", "es2").stdout
    assert f"{index} 4 documents" in summary, summary
    c = cols(shell, index)
    assert c["name"] == "varchar" and c["title"] == "varchar" and c["body"] == "varchar"
    assert (c["n"], c["i"], c["s"], c["b"]) == ("bigint", "integer", "smallint", "tinyint")
    assert (c["d"], c["f"], c["h"], c["ok"]) == ("double", "real", "real", "boolean")
    assert c["ts"] == "timestamp with time zone" and c["day"] == "timestamp with time zone"
    assert c["ip"] == "varchar"
    assert c["addr"] == "row(city varchar, geo row(lat double), zip integer)"
    assert c["items"] == "array(row(qty integer, sku varchar))"
    assert c["tags"] == "array(varchar)"       # seen holding an array in the sample
    assert c["scores"] == "array(bigint)"      # declared by property
    # _id, _score and _source are hidden from SELECT * but reachable by name.
    for sql in [f"SELECT * FROM es.{index} LIMIT 1", f"SELECT t.* FROM es.{index} t LIMIT 1"]:
        star = shell.run("query", "--format", "json", sql)
        assert star.returncode == 0 and "_source" not in star.stdout and "_score" not in star.stdout, star
    rows = shell.rows(f"SELECT _id, name, ts, day, addr.city, addr.geo.lat, items, tags, scores, "
                      f"json_extract_scalar(_source, '$.name') FROM es.{index} ORDER BY _id")
    assert rows[0][:2] == ["a", "ann"]
    assert rows[0][2].startswith("2024-01-02T03:04:05")
    assert rows[1][2].startswith("2023-11-14T22:13:20")     # epoch_millis
    assert rows[2][3].startswith("2024-02-03T10:00:00")     # strict_date_optional_time
    assert rows[0][4:6] == ["Paris", 48.8]
    assert [dict(x) for x in rows[0][6]] == [{"qty": 1, "sku": "x"}, {"qty": 2, "sku": "y"}]
    assert rows[0][7] == ["red", "blue"] and rows[1][7] == ["green"]
    assert rows[0][8] == [1, 2]
    assert rows[0][9] == "ann"
    assert rows[2][4] is None and rows[3][6] is None          # missing fields are NULL


def _expected(docs, pred):
    return sorted(d["_id"] for d in docs if pred(d))


FILTERS = [
    ("name = 'bob'", lambda d: d.get("name") == "bob"),
    ("name <> 'bob'", lambda d: d.get("name") is not None and d["name"] != "bob"),
    ("n > 0", lambda d: d.get("n") is not None and d["n"] > 0),
    ("NOT (n > 0)", lambda d: d.get("n") is not None and not d["n"] > 0),
    ("n IS NULL", lambda d: d.get("n") is None),
    ("ok", lambda d: d.get("ok") is True),
    ("NOT ok", lambda d: d.get("ok") is False),
    ("title = 'other'", lambda d: d.get("title") == "other"),
    ("name LIKE 'a%' OR name LIKE '%e'", lambda d: d["name"].startswith("a") or d["name"].endswith("e")),
    ("addr.city = 'Paris' AND d < 0", lambda d: d.get("addr", {}).get("city") == "Paris"
     and d.get("d") is not None and d["d"] < 0),
    ("name IN ('ann', 'cy', 'zed')", lambda d: d["name"] in ("ann", "cy", "zed")),
    ("name NOT IN ('ann', 'cy')", lambda d: d["name"] not in ("ann", "cy")),
    ("contains(tags, 'green') OR contains(scores, 2)",
     lambda d: "green" in _as_list(d.get("tags")) or 2 in _as_list(d.get("scores"))),
]


def _as_list(v):
    return [] if v is None else (v if isinstance(v, list) else [v])


@pytest.mark.parametrize("pushdown", [True, False])
def test_filters_equal_python(es, index, shell, pushdown):
    es.create(index, MAPPING)
    es.load(index, DOCS)
    shell.connect()
    for where, pred in FILTERS:
        got = sorted(r[0] for r in shell.rows(f"SELECT _id FROM es.{index} WHERE {where}", pushdown))
        assert got == _expected(DOCS, pred), where


def test_explain_shows_query_dsl(es, index, shell):
    es.create(index, MAPPING)
    es.load(index, DOCS)
    shell.connect()
    plan = shell.explain(f"SELECT name FROM es.{index} WHERE name = 'ann' AND n >= 2 AND title = 'x' "
                         f"AND name LIKE 'a%'")
    assert '"term":{"name":{"value":"ann"}}' in plan, plan
    assert '"range":{"n":{"gte":2}}' in plan
    assert '"term":{"title.raw":{"value":"x"}}' in plan           # text through its keyword sub-field
    assert '"prefix":{"name":{"value":"a"}}' in plan
    assert '"_source":{"includes":["name"]}' in plan
    plan = shell.explain(f"SELECT name, count(*), sum(n) FROM es.{index} GROUP BY name")
    assert '"composite"' in plan and '"sum":{"field":"n"}' in plan, plan
    assert '"term":{"tags":{"value":"red"}}' in shell.explain(f"SELECT name FROM es.{index} WHERE contains(tags, 'red')")
    plan = shell.explain(f"SELECT date_trunc('day', ts), addr.city, count(*) FROM es.{index} GROUP BY 1, 2")
    assert '"date_histogram":{"field":"ts","calendar_interval":"1d"' in plan, plan
    assert '"terms":{"field":"addr.city"' in plan, plan
    plan = shell.explain(f"SELECT name FROM es.{index} ORDER BY n DESC LIMIT 2")
    assert '"size":2' in plan and '"sort":[{"n":{"order":"desc","missing":"_last"}}]' in plan, plan
    # A literal cannot change the query: it is a JSON value.
    plan = shell.explain(f"SELECT name FROM es.{index} WHERE name = 'x\"}}}},{{\"match_all\":{{}}'")
    assert '"value":"x\\"}},{\\"match_all\\":{}"' in plan, plan


def test_full_text_match_and_score(es, index, shell):
    es.create(index, {"properties": {"body": {"type": "text"}, "k": {"type": "long"}}})
    texts = ["the quick brown fox", "a lazy dog", "Fox and fox again", "nothing here", "foxes"]
    es.load(index, [{"_id": str(i), "body": t, "k": i} for i, t in enumerate(texts)])
    shell.connect()
    sql = f"SELECT _id, _score FROM es.{index} WHERE match(body, 'FOX') ORDER BY _score DESC LIMIT 10"
    rows = shell.rows(sql)
    # The standard analyzer: lower-cased whole words ("foxes" is another word).
    assert sorted(r[0] for r in rows) == ["0", "2"]
    assert rows[0][0] == "2" and rows[0][1] > rows[1][1] > 0    # two matches score higher
    plan = shell.explain(sql)
    assert '"must":[{"match":{"body":{"query":"FOX"}}}]' in plan and '"_score"' in plan, plan
    assert shell.rows(f"SELECT k FROM es.{index} WHERE match(body, 'dog') AND k >= 1") == [[1]]
    r = shell.run("query", f"SET SESSION pushdown = false; SELECT k FROM es.{index} WHERE match(body, 'dog')")
    assert r.returncode != 0 and "only Elasticsearch runs" in r.stderr, r.stderr


def test_aggregations_equal_without_pushdown(es, index, shell):
    es.create(index, {"properties": {"g": {"type": "keyword"}, "v": {"type": "long"},
                                     "x": {"type": "double"}, "flag": {"type": "boolean"}}})
    docs = []
    for k in range(2500):   # more than one composite page
        d = {"_id": str(k), "g": f"g{k % 1200}", "v": k}
        if k % 7:
            d["x"] = k / 4
        if k % 5 == 0:
            d.pop("g")      # a missing group key
        if k % 3:
            d["flag"] = k % 2 == 0
        docs.append(d)
    es.load(index, docs)
    shell.connect()
    for sql in [f"SELECT g, count(*), sum(v), min(v), max(x), avg(x), count(x) FROM es.{index} GROUP BY g ORDER BY g",
                f"SELECT flag, count(*), sum(x) FROM es.{index} GROUP BY flag ORDER BY flag",
                f"SELECT count(*), sum(v), max(x) FROM es.{index} WHERE v > 100",
                f"SELECT g, count(DISTINCT flag), count(*) FROM es.{index} GROUP BY g ORDER BY g",
                f"SELECT flag, count(DISTINCT g) FROM es.{index} GROUP BY flag ORDER BY flag"]:
        assert shell.rows(sql) == shell.rows(sql, pushdown=False), sql
    assert shell.rows(f"SELECT count(*) FROM es.{index}") == [[2500]]
    assert '"d":{"terms":{"field":"g"' in shell.explain(f"SELECT count(DISTINCT g) FROM es.{index}")


@pytest.mark.parametrize("mode", ["pit", "scroll"])
def test_paged_sliced_reads(es, index, shell, mode):
    es.create(index, {"properties": {"k": {"type": "long"}, "s": {"type": "keyword"}}},
              settings={"number_of_shards": 2})
    n = 6000
    es.load(index, [{"_id": str(k), "k": k, "s": f"v{k % 10}"} for k in range(n)])
    shell.connect(f"scan.mode={mode}", "scan.page_size=500", "scan.slice_min_documents=1000")
    plan = shell.explain(f"SELECT k FROM es.{index}")
    # Which path ran: Elasticsearch's point in time unless scroll is asked for; OpenSearch scrolls.
    expected = "point in time" if mode == "pit" and es.kind == "elasticsearch" else "scroll"
    assert expected in plan, plan
    print(f"{es.kind}, scan.mode={mode}: read by {expected}")
    rows = shell.rows(f"SELECT count(*), count(DISTINCT k), sum(k), min(s || '') FROM es.{index}")
    assert rows == [[n, n, n * (n - 1) // 2, "v0"]]


def test_terms_lookups(es, index, shell):
    es.create(index, {"properties": {"user_id": {"type": "long"}, "page": {"type": "keyword"}}})
    es.load(index, [{"_id": str(k), "user_id": k % 500, "page": f"p{k}"} for k in range(3000)])
    shell.connect("federation.batch_size=40")
    sql = (f"SELECT count(*) FROM es.{index} v JOIN (SELECT x * 7 AS u FROM UNNEST(sequence(1, 100)) AS t(x)) k "
           f"ON v.user_id = k.u")
    plan = shell.explain(sql)
    assert '"terms":{"user_id":[<up to 40 keys>]}' in plan or "join keys" in plan, plan
    expected = sum(1 for k in range(3000) if (k % 500) % 7 == 0 and 1 <= (k % 500) // 7 <= 100)
    assert shell.rows(sql) == [[expected]]
    assert shell.rows(sql, pushdown=False) == [[expected]]


def test_writes_bulk_upsert_and_item_errors(es, index, shell):
    shell.connect()
    r = shell.run("query", f"CREATE TABLE es.{index} AS SELECT CAST(x AS VARCHAR) AS _id, x AS n, "
                           f"'v' || CAST(x AS VARCHAR) AS s, ARRAY[x, x + 1] AS arr, "
                           f"CAST(ROW(x, 'c') AS ROW(a BIGINT, b VARCHAR)) AS r "
                           f"FROM UNNEST(sequence(1, 50)) AS t(x)")
    assert r.returncode == 0, r.stderr
    assert es.call("GET", f"/{index}/_count")["count"] == 50
    assert es.call("GET", f"/{index}/_doc/7")["_source"] == {"n": 7, "s": "v7", "arr": [7, 8], "r": {"a": 7, "b": "c"}}
    assert shell.rows(f"SELECT arr, r.b FROM es.{index} WHERE n = 7") == [[[7, 8], "c"]]
    # INSERT with existing _id values replaces those documents (the upsert path).
    r = shell.run("query", f"INSERT INTO es.{index} (_id, n, s) VALUES ('7', 700, 'new'), ('51', 51, 'x')")
    assert r.returncode == 0, r.stderr
    assert es.call("GET", f"/{index}/_count")["count"] == 51
    assert shell.rows(f"SELECT n, s FROM es.{index} WHERE _id = '7'") == [[700, "new"]]
    # A value the index refuses: every refused item is reported, none silently dropped.
    es.create(index + "_strict", {"properties": {"d": {"type": "date", "format": "yyyy-MM-dd"}}})
    shell.run("connect", es.url, "--name", "es3")
    r = shell.run("query", f"INSERT INTO es3.{index}_strict (d) VALUES (TIMESTAMP '2024-01-01 10:00:00 UTC')")
    assert r.returncode != 0
    assert f"index '{index}_strict'" in r.stderr and "refused by _bulk" in r.stderr, r.stderr
    assert "item 1" in r.stderr and "parse" in r.stderr, r.stderr


def test_compressed_requests_and_responses(es, index, shell):
    # http.compression=true forces gzip on loopback: _bulk bodies and terms lists go compressed.
    shell.connect("http.compression=true", "federation.batch_size=3000")
    r = shell.run("query", f"CREATE TABLE es.{index} AS SELECT x AS k, 'value ' || CAST(x AS VARCHAR) AS v "
                           f"FROM UNNEST(sequence(1, 5000)) AS t(x)")
    assert r.returncode == 0, r.stderr
    assert es.call("GET", f"/{index}/_count")["count"] == 5000
    assert shell.rows(f"SELECT count(*), sum(k + 0) FROM es.{index}") == [[5000, 5000 * 5001 // 2]]
    keys = ",".join(str(k) for k in range(1, 3001))
    assert shell.rows(f"SELECT count(*) FROM es.{index} WHERE k IN ({keys})") == [[3000]]


def test_unknown_index_and_server_down(es, shell, tmp_path):
    shell.connect()
    r = shell.run("query", "SELECT * FROM es.no_such_index_here")
    assert r.returncode != 0 and "no_such_index_here" in r.stderr, r.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = shell.run("connect", f"elasticsearch://elastic:s3cretpw@127.0.0.1:{port}", "--name", "down")
    assert r.returncode != 0
    assert "cannot reach Elasticsearch" in r.stderr and "s3cretpw" not in r.stderr + r.stdout, r.stderr


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A fake server that refuses everyone (401), recording the Authorization headers."""
    seen = []

    def do_GET(self):
        _Recorder.seen.append(self.headers.get("Authorization"))
        body = b'{"error":{"type":"security_exception","reason":"unable to authenticate"},"status":401}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_api_key_header_and_auth_failure(shell, es):
    server = _serve(_Recorder)
    try:
        port = server.server_address[1]
        r = shell.run("connect", f"elasticsearch://127.0.0.1:{port}", "--name", "k",
                      "--property", "api_key=c2VjcmV0LWtleS12YWx1ZQ==")
        assert r.returncode != 0
        assert _Recorder.seen[-1] == "ApiKey c2VjcmV0LWtleS12YWx1ZQ=="
        assert "401" in r.stderr and "authentication failed" in r.stderr, r.stderr
        assert "c2VjcmV0LWtleS12YWx1ZQ" not in r.stderr + r.stdout
        r = shell.run("connect", f"elasticsearch://elastic:hunter2pw@127.0.0.1:{port}", "--name", "p")
        assert r.returncode != 0 and "hunter2pw" not in r.stderr + r.stdout
        assert _Recorder.seen[-1].startswith("Basic ")
    finally:
        server.shutdown()
    if es.kind == "opensearch":
        # A key the server ignores (OpenSearch here has no security) is never listed.
        shell.connect("api_key=c2VjcmV0LWtleS12YWx1ZQ==", name="withkey")
        listing = shell.run("connections")
        assert listing.returncode == 0 and "c2VjcmV0LWtleS12YWx1ZQ" not in listing.stdout, listing.stdout


def _proxy(fail_searches, target):
    """Forwards to the real server, answering 429 to the first `fail_searches` searches (state
    "left"), or, once state "pass" searches went through, 500 to every later one (a server that
    fails mid-scan)."""
    state = {"left": fail_searches, "pass": None, "no_pit": False}

    class Proxy(http.server.BaseHTTPRequestHandler):
        def _forward(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if state["no_pit"] and "/_pit" in self.path:
                data = b'{"error":"Incorrect HTTP method for uri [/_pit], allowed: [GET]","status":405}'
                self.send_response(405)
            elif "_search" in self.path and state["pass"] is not None and state["pass"] <= 0:
                data = b'{"error":{"type":"node_closed_exception","reason":"node closed"},"status":500}'
                self.send_response(500)
            elif "_search" in self.path and state["left"] > 0:
                state["left"] -= 1
                data = b'{"error":{"type":"es_rejected_execution_exception","reason":"rejected"},"status":429}'
                self.send_response(429)
            else:
                if "_search" in self.path and state["pass"] is not None:
                    state["pass"] -= 1
                code, data = target.raw(method, self.path, body,
                                        self.headers.get("Content-Type") or "application/json")
                self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._forward("GET")

        def do_POST(self):
            self._forward("POST")

        def do_DELETE(self):
            self._forward("DELETE")

        def log_message(self, *args):
            pass

    return _serve(Proxy), state


def test_429_retried_then_reported(es, index, shell):
    es.create(index, {"properties": {"k": {"type": "long"}}})
    es.load(index, [{"k": k} for k in range(10)])
    server, state = _proxy(0, es)
    try:
        port = server.server_address[1]
        shell.connect(url=f"elasticsearch://127.0.0.1:{port}", name="px")
        state["left"] = 2
        assert shell.rows(f"SELECT count(*), sum(k + 0) FROM px.{index}") == [[10, 45]]
        state["left"] = 100
        r = shell.run("query", f"SELECT sum(k + 0) FROM px.{index}")
        assert r.returncode != 0 and "429" in r.stderr and index in r.stderr, r.stderr
    finally:
        server.shutdown()


def test_failure_mid_scan_names_index_and_position(es, index, shell):
    es.create(index, {"properties": {"k": {"type": "long"}}})
    es.load(index, [{"k": k} for k in range(1000)])
    server, state = _proxy(0, es)
    try:
        port = server.server_address[1]
        shell.connect("scan.page_size=100", url=f"elasticsearch://127.0.0.1:{port}", name="px")
        state["pass"] = 3
        r = shell.run("query", f"SELECT sum(k + 0) FROM px.{index}")
        assert r.returncode != 0
        assert f"reading index '{index}'" in r.stderr and "page after" in r.stderr, r.stderr
        assert "500" in r.stderr and "node closed" in r.stderr, r.stderr
    finally:
        server.shutdown()


def test_https_basic_auth_file_realm_users(es_only, tmp_path, shell_class):
    """The real server over HTTPS with file-realm users: wrong password (401), no CA (a
    certificate hint), plain HTTP against it, a user without the privilege (403), never a secret."""
    Shell = shell_class
    es = es_only
    password = os.environ["AISHELL_TEST_ES_PASSWORD"]
    reader_password = os.environ["AISHELL_TEST_ES_READER_PASSWORD"]
    ca = os.environ["AISHELL_TEST_ES_CA"]
    shell = Shell(tmp_path / "home", es.url)
    es.create("allowed_seen", {"properties": {"k": {"type": "long"}}})
    es.create("hidden_from_reader", {"properties": {"k": {"type": "long"}}})
    try:
        es.load("allowed_seen", [{"k": 1}, {"k": 2}])
        assert shell.connect().returncode == 0
        assert shell.rows("SELECT sum(k) FROM es.allowed_seen") == [[3]]
        secrets = [password, reader_password, "wrong-pw-123"]
        cases = [
            (f"elasticsearchs://aishell:wrong-pw-123@127.0.0.1:{os.environ['AISHELL_TEST_ES_PORT']}?tls.ca-file={ca}",
             ["401", "authentication failed"]),
            (f"elasticsearchs://aishell:{password}@127.0.0.1:{os.environ['AISHELL_TEST_ES_PORT']}",
             ["certificate", "tls.ca-file"]),
            (f"elasticsearch://aishell:{password}@127.0.0.1:{os.environ['AISHELL_TEST_ES_PORT']}",
             ["elasticsearchs://"]),
        ]
        for i, (url, expected) in enumerate(cases):
            r = shell.run("connect", url, "--name", f"bad{i}")
            assert r.returncode != 0
            for e in expected:
                assert e in r.stderr, r.stderr
            assert not any(s in r.stderr + r.stdout for s in secrets), r.stderr
        reader = (f"elasticsearchs://reader:{reader_password}@127.0.0.1:{os.environ['AISHELL_TEST_ES_PORT']}"
                  f"?tls.ca-file={ca}")
        r = shell.run("connect", reader, "--name", "rd")
        assert r.returncode == 0, r.stderr
        assert "allowed_seen" in r.stdout and "hidden_from_reader" not in r.stdout, r.stdout
        assert shell.rows("SELECT count(*) FROM rd.allowed_seen") == [[2]]
        r = shell.run("query", "INSERT INTO rd.allowed_seen (k) VALUES (3)")
        assert r.returncode != 0 and "403" in r.stderr and "privilege" in r.stderr, r.stderr
        assert reader_password not in r.stderr
    finally:
        es.call("DELETE", "/allowed_seen")
        es.call("DELETE", "/hidden_from_reader")


def test_alias_over_indices_and_mapping_conflict(es, index, shell):
    """An alias is a table over its indices (mappings merged); a field mapped to two types is an
    error naming the field and both indices."""
    es.create(index + "_a", {"properties": {"x": {"type": "keyword"}, "n": {"type": "long"}}})
    es.create(index + "_b", {"properties": {"x": {"type": "keyword"}, "m": {"type": "long"}}})
    es.create(index + "_c", {"properties": {"x": {"type": "long"}}})
    es.load(index + "_a", [{"x": "a", "n": 1}])
    es.load(index + "_b", [{"x": "b", "m": 2}])
    es.call("POST", "/_aliases", {"actions": [
        {"add": {"index": index + "_a", "alias": index + "_ab"}},
        {"add": {"index": index + "_b", "alias": index + "_ab"}},
        {"add": {"index": index + "_a", "alias": index + "_ac"}},
        {"add": {"index": index + "_c", "alias": index + "_ac"}}]})
    shell.connect()
    assert shell.rows(f"SELECT x, n, m FROM es.{index}_ab ORDER BY x") == [["a", 1, None], ["b", None, 2]]
    r = shell.run("query", f"SELECT * FROM es.{index}_ac")
    assert r.returncode != 0
    assert "field 'x'" in r.stderr and f"{index}_a" in r.stderr and f"{index}_c" in r.stderr, r.stderr


def test_scroll_when_point_in_time_is_refused(es, index, shell):
    """A server (here a proxy) that refuses to open a point in time: the sliced read scrolls."""
    es.create(index, {"properties": {"k": {"type": "long"}}}, settings={"number_of_shards": 2})
    es.load(index, [{"k": k} for k in range(1200)])
    server, state = _proxy(0, es)
    try:
        state["no_pit"] = True
        port = server.server_address[1]
        shell.connect("scan.page_size=100", "scan.slice_min_documents=100",
                      url=f"elasticsearch://127.0.0.1:{port}", name="px")
        assert shell.rows(f"SELECT count(*), count(DISTINCT k), sum(k + 0) FROM px.{index}") == \
            [[1200, 1200, 1200 * 1199 // 2]]
    finally:
        server.shutdown()
