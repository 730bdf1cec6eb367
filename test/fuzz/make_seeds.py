#!/usr/bin/env python3
"""Writes the generated seed inputs of the fuzz targets into test/fuzz/corpus/<target>/.

Committed seeds are small and hand-shaped here (RESP replies, PostgreSQL COPY sessions, BSON
documents, JSON documents with paths); the larger ones come from elsewhere at run time
(scripts/run-fuzz.sh: every statement of test/sql for sql_fuzzer, test/data for the CSV and JSON
Lines readers). Regression inputs (crashes found) live beside them as regress-*.
Usage: test/fuzz/make_seeds.py   (rewrites the seed-* files; deterministic)"""
import json
import os
import struct
import uuid

import bson  # pymongo's

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# --- RESP: first byte = mode (piece size, Space/Commit, Discard), then replies ---
resp = {
    "status": b"+OK\r\n",
    "error": b"-ERR unknown command 'FOO'\r\n",
    "integer": b":1000\r\n:-42\r\n",
    "bulk": b"$5\r\nhello\r\n$0\r\n\r\n$-1\r\n",
    "array": b"*3\r\n$3\r\nfoo\r\n:7\r\n*2\r\n+a\r\n$-1\r\n*-1\r\n*0\r\n",
    "scan": b"*2\r\n$1\r\n0\r\n*3\r\n$5\r\nuser:1\r\n$5\r\nuser:2\r\n$5\r\nuser:3\r\n",
    "hgetall": b"*4\r\n$4\r\nname\r\n$5\r\nAlice\r\n$3\r\nage\r\n$2\r\n30\r\n",
    "nested": b"*1\r\n*1\r\n*1\r\n*2\r\n:1\r\n$2\r\nhi\r\n",
    "json": b'$27\r\n[{"a":1,"b":[true,null]}]\r\n\r\n',
}
for i, (name, replies) in enumerate(sorted(resp.items())):
    write("resp", name, bytes([[0, 1, 3, 0x47, 0x80, 0xC5][i % 6]]) + replies)


# --- PostgreSQL COPY: ncols, a type byte per column, a piece-size byte, then server messages ---
def msg(t, body):
    return t + struct.pack(">I", len(body) + 4) + body


def copy_session(types, rows, header=True):
    out = msg(b"H", b"\x01" + struct.pack(">h", len(types)) + b"\x00\x01" * len(types))
    first = True
    for row in rows:
        body = b""
        if first and header:
            body += b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
            first = False
        body += struct.pack(">h", len(row))
        for v in row:
            body += struct.pack(">i", -1) if v is None else struct.pack(">i", len(v)) + v
        out += msg(b"d", body)
    out += msg(b"d", struct.pack(">h", -1))
    out += msg(b"c", b"") + msg(b"C", b"COPY %d\x00" % len(rows)) + msg(b"Z", b"I")
    return out


def numeric(digits, weight, sign, dscale):
    return struct.pack(">hhHh", len(digits), weight, sign, dscale) + b"".join(
        struct.pack(">h", d) for d in digits)


PG = {  # type byte (pg_copy_fuzzer.cpp ColumnType) -> sample values
    0: [b"\x01", b"\x00"],
    1: [struct.pack(">h", -7)],
    2: [struct.pack(">i", 123456)],
    3: [struct.pack(">q", -(2**40))],
    4: [struct.pack(">f", 1.5)],
    5: [struct.pack(">d", -2.25)],
    6: [numeric([12, 3400], 0, 0, 2), numeric([], 0, 0xC000, 0)],
    7: [numeric([1, 2345, 6789, 1200], 1, 0x4000, 6)],
    8: [struct.pack(">i", 8000)],
    9: [struct.pack(">q", 757382400000000)],
    10: [b"hello", "h\u00e9llo \u65e5".encode()],
    11: [b"\x00\x01\xff"],
    12: [b'{"a": [1, 2, {"b": null}]}'],
    13: [uuid.UUID("12345678-1234-5678-1234-567812345678").bytes],
    14: [struct.pack(">q", 45296000000)],
    15: [numeric([9999, 9999], 1, 0, 0)],
}
for t, values in PG.items():
    rows = [[v] for v in values] + [[None]]
    write("pg_copy", "type%02d" % t, bytes([1, t, 15]) + copy_session([t], rows))
write("pg_copy", "mixed", bytes([4, 3, 10, 6, 9, 4]) +
      copy_session([3, 10, 6, 9], [[PG[3][0], b"x", PG[6][0], PG[9][0]], [None, None, None, None]]))
write("pg_copy", "error", bytes([1, 2, 15]) + msg(b"E", b"SERROR\x00C42P01\x00Mrelation \"t\" does not exist\x00\x00") + msg(b"Z", b"I"))
write("pg_copy", "nocols", bytes([0, 15]) + copy_session([], [[], []]))

# --- BSON: first byte = mode (bit 0: flatten sub-documents), then documents ---
docs = [
    [{"_id": bson.ObjectId("64b7f1a2c3d4e5f601234567"), "name": "Alice", "age": 30,
      "address": {"city": "Paris", "geo": {"lat": 48.85, "lon": 2.35}}, "tags": ["a", "b"]},
     {"_id": bson.ObjectId("64b7f1a2c3d4e5f601234568"), "name": "Bob", "age": bson.Int64(2**40),
      "address": None, "tags": []}],
    [{"_id": 1, "amount": bson.Decimal128("12.345"), "when": bson.datetime.datetime(2024, 3, 1),
      "blob": bson.Binary(b"\x00\x01", 0), "u": bson.Binary(uuid.UUID(int=7).bytes, 4),
      "ok": True, "x": 1.5},
     {"_id": 2, "amount": bson.Decimal128("-0.5"), "when": None, "ok": False, "x": 2}],
    [{"_id": "k1", "mixed": 1, "arr": [1, "two", {"three": 3}], "re": bson.Regex("^a", "i")},
     {"_id": "k2", "mixed": "str", "arr": [[1, 2], [3]], "ts": bson.Timestamp(1, 2),
      "code": bson.Code("f()"), "min": bson.MinKey(), "max": bson.MaxKey()}],
]
for i, ds in enumerate(docs):
    write("bson", "docs%d" % i, bytes([i % 2]) + b"".join(bson.encode(d) for d in ds))

# --- JSON functions: a path, a newline, a document ---
json_seeds = [
    ("$.a", '{"a": 1, "b": [1, 2, 3]}'),
    ("$.b[1]", '{"a": 1, "b": [1, 2, 3]}'),
    ('$["x y"].z', '{"x y": {"z": "w\\u00e9"}}'),
    ("$[0].k", '[{"k": null}, true, false, -1.5e300]'),
    ("$", '"just a string \\n with escapes \\ud83d\\ude00"'),
    ("$.a.b.c.d", '{"a": {"b": {"c": {"d": [[[]]]}}}}'),
    ("$.big", '{"big": 123456789012345678901234567890, "neg": -0.0}'),
    ("$..x", "not json"),
]
for i, (path, doc) in enumerate(json_seeds):
    write("json_functions", "doc%d" % i, path + "\n" + doc)
# --- Elasticsearch: first byte = mode (odd: a _mapping body, a NUL, then the response; even: the
# fixed mapping of es_search_fuzzer.cpp), then a _search response ---
es_hits = [
    {"_id": "1", "_score": 1.5, "_source": {"name": "a", "n": "7", "i": 3, "sh": -2, "by": 127,
     "f": 1.25, "hf": 0.5, "d": -1e300, "sf": 12.345, "ok": True, "ip": "10.0.0.1",
     "geo": {"lat": 1.5, "lon": 2.5}, "ts": "2024/01/02 03:04:05", "day": "2024-02-29",
     "sec": 1704164645, "iso": "2024-01-02T03:04:05.678Z", "nanos": "2024-01-02T03:04:05.123456789Z",
     "addr": {"city": "x", "zip": [1, 2], "deep": {"x": 1}}, "items": [{"sku": "s1", "qty": 2}, {"sku": "s2"}],
     "tags": ["t1", "t2"], "nums": [1, None, 3], "flags": True, "title": "hello world"}, "sort": [3, "a"]},
    {"_id": "2", "_score": None, "_source": {"name": ["b"], "n": 5.0, "ts": 1000, "items": {"sku": "one"},
     "tags": "one", "addr": None, "ok": "true", "iso": "2024-01-02"}},
    {"_id": "3", "_source": {}},
]
es_responses = {
    "pit": {"pit_id": "p1", "took": 3, "hits": {"total": {"value": 3}, "hits": es_hits}},
    "scroll": {"_scroll_id": "s1", "hits": {"hits": es_hits[:1]}},
    "empty": {"hits": {"hits": []}},
    "mismatch": {"hits": {"hits": [{"_id": "9", "_source": {"n": "seven", "i": 1e20, "ok": 3}}]}},
}
for name, response in es_responses.items():
    write("es_search", name, b"\x00" + json.dumps(response).encode())
es_mapping = {"a-1": {"mappings": {"properties": {
    "k": {"type": "keyword"}, "v": {"type": "long"},
    "o": {"properties": {"p": {"type": "date", "format": "epoch_second||yyyy"}}},
    "nest": {"type": "nested", "properties": {"q": {"type": "double"}}}}}},
    "a-2": {"mappings": {"_meta": {"aishell": {"arrays": ["k"]}}, "properties": {"k": {"type": "keyword"}}}}}
es_doc = {"hits": {"hits": [{"_id": "x", "_source": {"k": ["a", "b"], "v": 1, "o": {"p": 2024},
                                                     "nest": [{"q": 1.5}]}}]}}
write("es_search", "own-mapping", b"\x01" + json.dumps(es_mapping).encode() + b"\x00" + json.dumps(es_doc).encode())
print("wrote seeds under", ROOT)
