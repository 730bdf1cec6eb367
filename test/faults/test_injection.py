"""Injection: hostile strings (quotes, backslashes, NUL bytes where the type allows, `$`
operators, JSON fragments, Redis glob characters, newlines, `'; DROP TABLE`, unicode) go through
pushed-down filters, LIKE prefixes, key lookups and INSERTs into each live source. The rows aishell
returns must equal what the server's own client returns for the exact literal, an INSERT must
store exactly the literal, and nothing outside the query's rows may change.
"""
import pytest

from sources import CATALOG, open_source

HOSTILE = [
    "it's", "'; DROP TABLE h; --", "x' OR '1'='1", "back\\slash", "back\\'quote", "trail\\", '"dq"',
    "$gt", "$where", '{"$ne": null}', '{"$gt": ""}', "{}", "[]", "a.b", "*", "a*", "?", "[a-z]*", "\\*",
    "h:*", "%", "_", "a%b_c", "line\nbreak", "cr\r\nlf", "tab\there", "ünïcödé ✓ 日本", "😀",
    "\u2028sep", "/* c */", "-- c", "${x}", "\\u0000", ")", "", " ", "null", "true", "0", "a\"b'c`d",
    "SELECT 1", "}}", "<script>",
]
NUL = "nul\x00byte"  # only where the stored type allows it: never sent through SQL text


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


class Hostile:
    """Table h of a source: (id, v) with v the hostile strings, plus decoys that a too-wide
    filter (an unescaped glob, an operator) would also match."""

    def __init__(self, src):
        self.src = src
        self.rows = [(i + 1, s) for i, s in enumerate(HOSTILE)]
        self.rows += [(1000, "decoy"), (1001, "a-z"), (1002, "backslash"), (1003, "aXbYc"),
                      (1004, "h:x"), (1005, "ax")]
        if src.kind in ("mongodb", "elasticsearch", "redis"):
            self.rows.append((1006, NUL))
        kind = src.kind
        getattr(self, "load_" + kind.replace("-", "_"))()

    # loading through the server's own client -------------------------------------------------
    def load_postgres(self):
        s = self.src
        s.psql(f"CREATE TABLE {s.schema}.h (id int PRIMARY KEY, v text)")
        values = ", ".join(f"({i}, {pg_literal(v)})" for i, v in self.rows)
        s.psql(f"INSERT INTO {s.schema}.h VALUES {values}")

    def load_redis(self):
        # Keys are the hostile strings (the key pattern's {id}); v repeats them.
        c = self.src.client()
        with c.pipeline() as p:
            for i, v in self.rows:
                p.hset(f"{self.src.prefix}:h:{v}", mapping={"n": str(i), "v": v})
            p.execute()

    def load_mongodb(self):
        self.src.coll("h").insert_many([{"_id": i, "id": i, "v": v} for i, v in self.rows])

    def load_elasticsearch(self):
        import json
        s = self.src
        s.call("PUT", f"/{s.prefix}_h", {"mappings": {"properties": {"id": {"type": "long"},
                                                                      "v": {"type": "keyword"}}}})
        lines = []
        for i, v in self.rows:
            lines += [json.dumps({"index": {"_index": f"{s.prefix}_h", "_id": str(i)}}), json.dumps({"id": i, "v": v})]
        status, out = s.call("POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)
        assert status == 200 and not out.get("errors"), out

    # the server's own answer for `v = s` -------------------------------------------------------
    def direct_equal(self, s):
        src = self.src
        if src.kind == "postgres":
            out = src.psql_var(f"SELECT string_agg(id::text, ',' ORDER BY id) FROM {src.schema}.h WHERE v = :'s'", s)
            return sorted(int(x) for x in out.strip().split(",") if x)
        if src.kind == "redis":
            # A key part is never empty and never holds ':' (redis_key_pattern.cpp): such a key
            # is not a row of the table, and INSERT refuses such an id.
            if not s or ":" in s:
                return []
            h = src.client().hgetall(f"{src.prefix}:h:{s}".encode())
            return [int(h[b"n"])] if h else []
        if src.kind == "mongodb":
            return sorted(d["id"] for d in src.coll("h").find({"v": s}))
        if src.kind == "elasticsearch":
            status, out = src.call("POST", f"/{src.prefix}_h/_search", {"size": 100, "query": {"term": {"v": s}}})
            assert status == 200, out
            return sorted(h["_source"]["id"] for h in out["hits"]["hits"])
        raise AssertionError(src.kind)

    def direct_all(self, strings):
        """direct_equal of each string; PostgreSQL answers all of them in one psql run."""
        if self.src.kind != "postgres":
            return [self.direct_equal(s) for s in strings]
        import subprocess
        src = self.src
        args = []
        for q, s in enumerate(strings):
            args += ["-v", f"s{q}={s}"]
        sql = " UNION ALL ".join(f"SELECT {q}, id FROM {src.schema}.h WHERE v = :'s{q}'" for q in range(len(strings)))
        r = subprocess.run(["psql", src.url, "-X", "-q", "-At", "-F", ",", "-v", "ON_ERROR_STOP=1"] + args,
                           input=sql + ";\n", capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        out = [[] for _ in strings]
        for line in r.stdout.splitlines():
            q, i = line.split(",")
            out[int(q)].append(int(i))
        return [sorted(x) for x in out]

    def snapshot(self):
        src = self.src
        if src.kind == "redis":
            c = src.client()
            return sorted((k, tuple(sorted(c.hgetall(k).items()))) for k in c.scan_iter(match=f"{src.prefix}:*", count=1000))
        return src.keys_touched()


def pg_literal(v):
    return "E'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" if v else "''"


def redis_id(s):
    return "w" + s.replace(":", ";")


def table(src):
    return src.table("h")


def key_col(src):
    return "id" if src.kind == "redis" else "v"


def id_col(src):
    return "CAST(n AS BIGINT)" if src.kind == "redis" else "id"


@pytest.fixture(params=[pytest.param(n, marks=pytest.mark.connector(n))
                        for n in ("postgres", "redis", "mongodb", "elasticsearch")])
def hostile(request, tmp_path):
    src = open_source(request.param, tmp_path, request.node.nodeid, load=False)
    if src.kind == "postgres":
        src.psql_var = lambda sql, s: _psql_var(src, sql, s)
    if src.kind == "redis":
        r = src.aishell("connect", f"{src.url.rsplit('/', 1)[0]}/{src.db}", "--name", "hz",
                        "--property", f"table.h={src.prefix}:h:{{id}}", "--property", "column.h.id=varchar",
                        "--property", "column.h.n=varchar", "--property", "column.h.v=varchar")
        assert r.returncode == 0, r.stderr
    h = Hostile(src)
    yield h
    src.stop()


def _psql_var(src, sql, s):
    import subprocess
    r = subprocess.run(["psql", src.url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-v", f"s={s}"],
                       input=sql + "\n", capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def tref(h):
    return "hz.default.h" if h.src.kind == "redis" else table(h.src)


def test_pushed_filters_match_the_direct_client(hostile):
    h, src = hostile, hostile.src
    key = key_col(src)
    branches = [f"SELECT {q} AS q, {id_col(src)} AS id FROM {tref(h)} WHERE {key} = {sql_str(s)}"
                for q, s in enumerate(HOSTILE)]
    before = h.snapshot()
    got = src.rows(" UNION ALL ".join(branches) + " ORDER BY 1, 2")
    want = sorted([q, i] for q, ids in enumerate(h.direct_all(HOSTILE)) for i in ids)
    assert sorted(got) == want
    # Every literal matched its own row, and only it (the decoys never match).
    assert [q for q, _ in want] == [q for q, s in enumerate(HOSTILE)
                                    if src.kind != "redis" or (s and ":" not in s)]
    assert h.snapshot() == before


def test_like_prefix_escapes_globs(hostile):
    h, src = hostile, hostile.src
    key = key_col(src)
    pats = [s for s in HOSTILE if s and "%" not in s and "_" not in s and "\\" not in s]
    branches = [f"SELECT {q} AS q, {id_col(src)} AS id FROM {tref(h)} WHERE {key} LIKE {sql_str(s + '%')}"
                for q, s in enumerate(pats)]
    got = src.rows(" UNION ALL ".join(branches) + " ORDER BY 1, 2")
    rows = [(i, v) for i, v in h.rows if src.kind != "redis" or (v and ":" not in v)]
    want = sorted([q, i] for q, s in enumerate(pats) for i, v in rows if v.startswith(s))
    assert sorted(got) == want


def test_lookup_join_with_hostile_keys(hostile):
    h, src = hostile, hostile.src
    key = key_col(src)
    values = ", ".join(f"({q}, {sql_str(s)})" for q, s in enumerate(HOSTILE))
    sql = (f"SELECT k.q, {id_col(src).replace('n', 't.n') if src.kind == 'redis' else 't.id'} FROM "
           f"(VALUES {values}) AS k(q, s) LEFT JOIN {tref(h)} t ON t.{key} = k.s ORDER BY 1, 2")
    got = src.rows(sql)
    want = sorted([q, i] for q, ids in enumerate(h.direct_all(HOSTILE)) for i in (ids or [None]))
    assert sorted(got, key=repr) == sorted(want, key=repr)


def test_insert_stores_exactly_the_literal(hostile):
    h, src = hostile, hostile.src
    before = h.snapshot()
    base = 5000
    if src.kind == "redis":
        values = ", ".join(f"({sql_str(redis_id(s))}, '{base + q}', {sql_str(s)})" for q, s in enumerate(HOSTILE))
        sql = f"INSERT INTO hz.default.h (id, n, v) VALUES {values}"
    else:
        values = ", ".join(f"({base + q}, {sql_str(s)})" for q, s in enumerate(HOSTILE))
        sql = f"INSERT INTO {table(src)} (id, v) VALUES {values}"
    r = src.query(sql)
    assert r.returncode == 0, r.stderr
    keys = [redis_id(s) if src.kind == "redis" else s for s in HOSTILE]
    for q, (s, key, got) in enumerate(zip(HOSTILE, keys, h.direct_all(keys))):
        want = [base + q] + [i for i, v in h.rows if v == key]
        assert sorted(got) == sorted(want), f"{s!r} was not stored exactly"
    after = h.snapshot()
    if isinstance(before, dict):  # nothing but table h changed
        assert {k: v for k, v in after.items() if k != "h"} == {k: v for k, v in before.items() if k != "h"}
    else:
        assert set(before) <= set(after) and len(after) == len(before) + len(HOSTILE)


@pytest.mark.parametrize("hostile", [pytest.param("redis", marks=pytest.mark.connector("redis"))], indirect=True)
def test_redis_insert_refuses_a_key_part_with_a_colon(hostile):
    h, src = hostile, hostile.src
    before = h.snapshot()
    r = src.query("INSERT INTO hz.default.h (id, n, v) VALUES ('ok', '1', 'x'), ('a:b', '2', 'y')")
    assert 0 < r.returncode < 128
    assert "holds ':'" in r.stderr and "'hz'" in r.stderr, r.stderr
    assert h.snapshot() == before
