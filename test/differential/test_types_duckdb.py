"""Differential tests for the scalar types of issue 16 (TINYINT, SMALLINT, REAL, DECIMAL up to 38
digits, VARBINARY, UUID, TIME): the same SQL through aishell (CLI, --format json) and DuckDB
(python), results compared in the test. DuckDB computes every expected value at test time.

Two kinds of cases:
  - EXPRESSIONS: constant expressions both engines accept with the same semantics (Trino's and
    DuckDB's agree on them: no integer division, no type names, no rounding of REAL/DOUBLE casts);
  - QUERIES over random Parquet files written by pyarrow ({t}: 3000 rows, {u}: 300 rows), read by
    each engine's read_parquet: int8, int16, float32, decimal128(9,2) / (20,2) / (38,10), binary,
    uuid (FIXED_LEN_BYTE_ARRAY(16), UUID annotation), time64(us), with NULLs everywhere; filters,
    aggregates, GROUP BY, joins, ORDER BY, DISTINCT and set operations on those columns.

Comparison: decimals and integers exactly (a JSON number of aishell is a float only when it has
15 digits or fewer, which a float holds exactly); REAL and DOUBLE with a relative tolerance of
1e-6; VARBINARY as base64 (aishell's JSON, as Trino's); UUID and TIME as text.
"""
import base64
import datetime
import decimal
import math
import random
import uuid

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aishell_cli import parse_json_rows, run_aishell

# (id, sql): constant expressions.
EXPRESSIONS = [
    ("tinyint_arith", "SELECT TINYINT '100' + TINYINT '27', TINYINT '-100' - TINYINT '28', TINYINT '-7' * TINYINT '18'"),
    ("smallint_arith", "SELECT SMALLINT '32000' + SMALLINT '767', SMALLINT '-300' * SMALLINT '100', -SMALLINT '-32767'"),
    ("width_mix", "SELECT TINYINT '100' + SMALLINT '1000', SMALLINT '30000' + 100000, BIGINT '5000000000' + TINYINT '1'"),
    ("width_compare", "SELECT TINYINT '1' = 1, SMALLINT '300' > TINYINT '127', BIGINT '5000000000' > 2147483647, TINYINT '-128' < SMALLINT '-127'"),
    ("int_decimal_compare", "SELECT TINYINT '1' = 1.0, SMALLINT '2' < 2.5, 5 > 4.99, TINYINT '2' = 2.01"),
    ("int_real_compare", "SELECT 3 = REAL '3', 16777217 = REAL '16777216', 1 = REAL '1.0000001'"),
    ("int_to_decimal", "SELECT TINYINT '-3' * 1.25, SMALLINT '7' + 0.5, BIGINT '9223372036854775807' + 0.5"),
    ("small_casts", "SELECT CAST(2.5 AS TINYINT), CAST(-2.5 AS SMALLINT), CAST(127 AS TINYINT), CAST(-32768 AS SMALLINT)"),
    ("real_basics", "SELECT REAL '1.5', REAL '1.5' * REAL '-4', CAST(REAL '0.1' AS DOUBLE), CAST(0.1e0 AS REAL) = REAL '0.1'"),
    ("real_vs_double", "SELECT REAL '1.1' = 1.1e0, REAL '1.5' = 1.5e0, REAL '1.1' > 1.1e0, CAST(REAL '1.1' AS DOUBLE)"),
    ("real_ints", "SELECT CAST(REAL '-7.25' AS INTEGER), CAST(REAL '1e10' AS BIGINT), CAST(TINYINT '-7' AS REAL)"),
    ("decimal38_literal", "SELECT CAST('12345678901234567890123456789012345678' AS DECIMAL(38,0)), CAST('-1234567890123456789012345678.9012345678' AS DECIMAL(38,10))"),
    ("decimal38_add", "SELECT CAST('12345678901234567890.12' AS DECIMAL(22,2)) + CAST('87654321098765432109.87' AS DECIMAL(22,2)), CAST('-12345678901234567890.5' AS DECIMAL(30,1)) - CAST('0.55' AS DECIMAL(20,2))"),
    ("decimal38_mul", "SELECT CAST('9999999999999999999' AS DECIMAL(19,0)) * CAST('9999999999999999999' AS DECIMAL(19,0)), CAST('1.5' AS DECIMAL(2,1)) * CAST('12345678901234567890.12' AS DECIMAL(22,2))"),
    ("decimal38_mod", "SELECT CAST('-12345678901234567890.75' AS DECIMAL(22,2)) % CAST(1 AS DECIMAL(20,0)), CAST('12345678901234567890123.5' AS DECIMAL(30,1)) % CAST(7 AS DECIMAL(20,0))"),
    ("decimal38_rescale", "SELECT CAST(CAST('12345678901234567890.125' AS DECIMAL(23,3)) AS DECIMAL(22,2)), CAST(CAST('-12345678901234567890.125' AS DECIMAL(23,3)) AS DECIMAL(22,2)), CAST(CAST('0.5' AS DECIMAL(2,1)) AS DECIMAL(20,0))"),
    ("decimal38_casts", "SELECT CAST(CAST('-9223372036854775808' AS DECIMAL(25,0)) AS BIGINT), CAST(BIGINT '9223372036854775807' AS DECIMAL(38,18)), CAST(TINYINT '-128' AS DECIMAL(25,2)), CAST(1e20 AS DECIMAL(38,0))"),
    ("decimal38_double", "SELECT CAST(CAST('12345678901234567890.5' AS DECIMAL(21,1)) AS DOUBLE), CAST(CAST('0.000000000000000000000000000001' AS DECIMAL(38,30)) AS DOUBLE)"),
    ("decimal38_varchar", "SELECT CAST(CAST('12345678901234567890.12' AS DECIMAL(22,2)) AS VARCHAR), CAST('  -0012345678901234567890.126  ' AS DECIMAL(25,2))"),
    ("decimal38_compare", "SELECT CAST(1 AS DECIMAL(38,10)) = CAST(1 AS DECIMAL(20,0)), CAST('12345678901234567890.1' AS DECIMAL(21,1)) < CAST('12345678901234567890.11' AS DECIMAL(22,2)), CAST('9223372036854775808' AS DECIMAL(19,0)) > BIGINT '9223372036854775807'"),
    ("varbinary_hex", "SELECT to_hex(from_hex('0aff')), from_hex('00ff10'), from_hex(''), to_hex(from_hex(''))"),
    ("varbinary_compare", "SELECT from_hex('0a') < from_hex('0aff'), from_hex('ff') > from_hex('0aff'), from_hex('80') > from_hex('7f'), from_hex('') < from_hex('00')"),
    ("uuid_basics", "SELECT UUID '12151FD2-7586-11E9-8F9E-2A86E4085A59', CAST(UUID '12151fd2-7586-11e9-8f9e-2a86e4085a59' AS VARCHAR), CAST('12151fd2-7586-11e9-8f9e-2a86e4085a59' AS UUID) = UUID '12151fd2-7586-11e9-8f9e-2a86e4085a59'"),
    ("uuid_order", "SELECT UUID '80000000-0000-0000-0000-000000000000' > UUID '7fffffff-ffff-ffff-ffff-ffffffffffff', UUID '00000000-0000-0000-8000-000000000000' > UUID '00000000-0000-0000-7fff-ffffffffffff'"),
    ("time_basics", "SELECT TIME '10:00:00.5', TIME '23:59:59.999999', CAST('01:02:03.123' AS TIME), CAST(TIMESTAMP '2024-01-02 03:04:05.678' AS TIME), CAST(TIME '01:02:03.123456' AS VARCHAR)"),
    ("time_compare", "SELECT TIME '10:00:00' < TIME '10:00:00.000001', TIME '12:00:00' = CAST('12:00' AS TIME), TIME '23:00:00' BETWEEN TIME '22:00:00' AND TIME '23:59:59'"),
]

# (id, sql, ordered): {t} and {u} are the Parquet files; ordered when ORDER BY fixes the order.
QUERIES = [
    # --- scans and projections of every type ---
    ("scan_all", "SELECT * FROM {t}", False),
    ("scan_join_side", "SELECT * FROM {u}", False),
    ("project_arith", "SELECT id, i8 + i16, i16 + 70000, i8 - 1000, -i16, f32 * 2, d9 + d20, d38 * 2, d38 + d20, d38 - d9, -d38 FROM {t}", False),
    ("project_casts", "SELECT id, CAST(i8 AS VARCHAR), CAST(i16 AS DOUBLE), CAST(d38 AS VARCHAR), CAST(d20 AS DOUBLE), CAST(u AS VARCHAR), CAST(t AS VARCHAR), to_hex(bin) FROM {t}", False),
    ("decimal_rescale", "SELECT id, CAST(d38 AS DECIMAL(38,2)), CAST(d38 AS DECIMAL(30,0)), CAST(d20 AS DECIMAL(38,10)), CAST(d9 AS DECIMAL(20,1)) FROM {t}", False),
    ("decimal_mul_mixed", "SELECT id, d20 * d9, d38 * i8, d20 * i16 FROM {t}", False),
    # --- filters ---
    ("filter_tinyint", "SELECT id, i8 FROM {t} WHERE i8 > 50 OR i8 < -120", False),
    ("filter_smallint_decimal", "SELECT id FROM {t} WHERE i16 BETWEEN -100.5 AND 2000.5", False),
    ("filter_real", "SELECT id, f32 FROM {t} WHERE f32 > 0.5 AND f32 <= 10.25", False),
    ("filter_real_in", "SELECT id FROM {t} WHERE f32 IN (0.25, 0.5, 1.75, -2.5)", False),
    ("filter_decimal38", "SELECT id, d38 FROM {t} WHERE d38 > CAST('1000000000000000.5' AS DECIMAL(38,10))", False),
    ("filter_decimal38_eq", "SELECT id FROM {t} WHERE d38 IN (SELECT d38 FROM {u} WHERE k < 50)", False),
    ("filter_decimal_cross_scale", "SELECT id FROM {t} WHERE d20 = d9", False),
    ("filter_binary", "SELECT id FROM {t} WHERE bin = from_hex('0102') OR bin > from_hex('fe')", False),
    ("filter_uuid", "SELECT id FROM {t} WHERE u > CAST('80000000-0000-0000-0000-000000000000' AS UUID)", False),
    ("filter_time", "SELECT id, t FROM {t} WHERE t >= TIME '12:00:00' AND t < TIME '13:30:00.5'", False),
    ("filter_nulls", "SELECT count(*), count(i8), count(f32), count(d38), count(bin), count(u), count(t) FROM {t} WHERE i8 IS NULL OR d38 IS NULL OR u IS NULL", False),
    # --- aggregates ---
    ("aggregates_ints", "SELECT sum(i8), sum(i16), min(i8), max(i8), min(i16), max(i16), avg(i8), avg(i16), count(DISTINCT i8) FROM {t}", False),
    ("aggregates_real", "SELECT min(f32), max(f32), sum(CAST(f32 AS DOUBLE)), count(DISTINCT f32) FROM {t}", False),
    ("aggregates_decimal", "SELECT sum(d38), min(d38), max(d38), sum(d20), min(d20), max(d20), sum(d9), count(DISTINCT d38) FROM {t}", False),
    ("aggregates_others", "SELECT min(bin), max(bin), min(u), max(u), min(t), max(t), count(DISTINCT bin), count(DISTINCT u), count(DISTINCT t) FROM {t}", False),
    ("empty_aggregates", "SELECT sum(d38), min(u), max(t), sum(i8), min(bin), max(f32) FROM {t} WHERE id < 0", False),
    # --- GROUP BY on each type ---
    ("group_tinyint", "SELECT i8, count(*), sum(i16), sum(d38) FROM {t} GROUP BY i8", False),
    ("group_smallint", "SELECT i16 % 7, count(*), min(d20) FROM {t} GROUP BY i16 % 7", False),
    ("group_real", "SELECT f32, count(*), max(id) FROM {t} GROUP BY f32", False),
    ("group_decimal38", "SELECT d38, count(*), sum(i8), min(id) FROM {t} GROUP BY d38", False),
    ("group_decimal20", "SELECT d20, count(*) FROM {t} GROUP BY d20", False),
    ("group_binary", "SELECT bin, count(*), sum(d9) FROM {t} GROUP BY bin", False),
    ("group_uuid", "SELECT u, count(*), sum(d38) FROM {t} GROUP BY u", False),
    ("group_time", "SELECT t, count(*) FROM {t} GROUP BY t", False),
    ("group_two_keys", "SELECT g, i8 % 3, count(*), sum(d38), max(f32) FROM {t} GROUP BY g, i8 % 3", False),
    ("group_having", "SELECT d38, count(*) FROM {t} GROUP BY d38 HAVING count(*) > 40", False),
    ("distinct_rows", "SELECT DISTINCT g, bin FROM {t}", False),
    ("distinct_decimal", "SELECT DISTINCT d38 FROM {t}", False),
    # --- joins on each type ---
    ("join_decimal38", "SELECT a.id, b.k FROM {t} a JOIN {u} b ON a.d38 = b.d38", False),
    ("join_decimal_scales", "SELECT a.id, b.k FROM {t} a JOIN {u} b ON a.d20 = b.d38", False),
    ("join_widths", "SELECT a.id, b.k FROM {t} a JOIN {u} b ON a.i8 = b.i16", False),
    ("join_binary", "SELECT a.id, b.k FROM {t} a JOIN {u} b ON a.bin = b.bin", False),
    ("join_uuid", "SELECT a.id, b.k FROM {t} a JOIN {u} b ON a.u = b.u", False),
    ("join_time", "SELECT a.id, b.k FROM {t} a JOIN {u} b ON a.t = b.t", False),
    ("left_join_decimal", "SELECT b.k, count(a.id), sum(a.i16) FROM {u} b LEFT JOIN {t} a ON a.d38 = b.d38 GROUP BY b.k", False),
    ("semi_join_uuid", "SELECT count(*) FROM {t} WHERE u IN (SELECT u FROM {u})", False),
    # --- ordering and set operations ---
    ("order_decimal38", "SELECT id, d38 FROM {t} ORDER BY d38 DESC NULLS FIRST, id LIMIT 50", True),
    ("order_binary", "SELECT id, bin FROM {t} ORDER BY bin, id LIMIT 50", True),
    ("order_uuid", "SELECT id, u FROM {t} ORDER BY u NULLS FIRST, id LIMIT 50", True),
    ("order_time", "SELECT id, t FROM {t} ORDER BY t DESC, id LIMIT 50", True),
    ("order_real", "SELECT id, f32 FROM {t} ORDER BY f32, id LIMIT 50", True),
    ("order_tinyint", "SELECT id, i8 FROM {t} ORDER BY i8 DESC, i16, id LIMIT 50", True),
    ("union_decimal", "SELECT d38 FROM {t} UNION SELECT d38 FROM {u}", False),
    ("intersect_uuid", "SELECT u FROM {t} INTERSECT SELECT u FROM {u}", False),
    ("except_binary", "SELECT bin FROM {t} EXCEPT SELECT bin FROM {u}", False),
    ("window_decimal", "SELECT id, sum(d20) OVER (PARTITION BY i8 % 4 ORDER BY id) FROM {t} WHERE id <= 500", False),
]

DEC_POOL_SIZE = 120


def _maybe(rng, value, null_ratio=0.08):
    return None if rng.random() < null_ratio else value


def _tables():
    with decimal.localcontext() as ctx:
        ctx.prec = 50  # exact arithmetic on 38-digit values
        return _tables_exact()


def _tables_exact():
    rng = random.Random(16016)
    d38_pool = [decimal.Decimal(rng.randint(-10 ** 35, 10 ** 35)).scaleb(-10) for _ in range(DEC_POOL_SIZE)]
    d38_pool += [decimal.Decimal("0.0000000001"), decimal.Decimal("-99999999999999999999.9999999999")]
    bin_pool = [b"", b"\x00", b"\x01\x02", b"\x01", b"\x7f", b"\x80", b"\xfe\xff", b"\xff"] + [
        bytes(rng.randrange(256) for _ in range(rng.randint(1, 6))) for _ in range(30)]
    uuid_pool = [uuid.UUID(int=rng.getrandbits(128)).bytes for _ in range(60)]
    uuid_pool += [uuid.UUID("80000000-0000-0000-0000-000000000000").bytes,
                  uuid.UUID("7fffffff-ffff-ffff-ffff-ffffffffffff").bytes]
    time_pool = [datetime.time(rng.randrange(24), rng.randrange(60), rng.randrange(60),
                               rng.choice([0, 500000, rng.randrange(1000000)])) for _ in range(80)]
    real_pool = [x / 4 for x in range(-40, 41)] + [1e-3, 3.1, 123456.7, -1e10]
    small_pool = [decimal.Decimal(rng.randint(-10 ** 6, 10 ** 6)).scaleb(-2) for _ in range(50)]

    schema_t = pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("g", pa.string()),
        pa.field("i8", pa.int8()),
        pa.field("i16", pa.int16()),
        pa.field("f32", pa.float32()),
        pa.field("d9", pa.decimal128(9, 2)),
        pa.field("d20", pa.decimal128(20, 2)),
        pa.field("d38", pa.decimal128(38, 10)),
        pa.field("bin", pa.binary()),
        pa.field("u", pa.uuid()),
        pa.field("t", pa.time64("us")),
    ])
    rows = []
    for i in range(1, 3001):
        rows.append({
            "id": i,
            "g": _maybe(rng, rng.choice("abcd")),
            "i8": _maybe(rng, rng.randint(-128, 127)),
            "i16": _maybe(rng, rng.randint(-30000, 30000)),
            "f32": _maybe(rng, rng.choice(real_pool)),
            "d9": _maybe(rng, decimal.Decimal(rng.randint(-10 ** 6, 10 ** 6)).scaleb(-2)),
            "d20": _maybe(rng, decimal.Decimal(rng.randint(-10 ** 16, 10 ** 16)).scaleb(-2)
                          if rng.random() < 0.7 else rng.choice(small_pool)),
            "d38": _maybe(rng, rng.choice(d38_pool)),
            "bin": _maybe(rng, rng.choice(bin_pool)),
            "u": _maybe(rng, rng.choice(uuid_pool)),
            "t": _maybe(rng, rng.choice(time_pool)),
        })
    t = pa.Table.from_pylist(rows, schema=schema_t)
    schema_u = pa.schema([
        pa.field("k", pa.int32(), nullable=False),
        pa.field("i16", pa.int16()),
        pa.field("d38", pa.decimal128(38, 10)),
        pa.field("bin", pa.binary()),
        pa.field("u", pa.uuid()),
        pa.field("t", pa.time64("us")),
    ])
    # Join keys: mostly values of {t}'s pools, some absent from {t}; d38 also holds values equal
    # to some of {t}'s d20 values at another scale.
    u_rows = []
    for k in range(300):
        d38 = rng.choice(d38_pool) if k % 3 else rng.choice(small_pool)
        u_rows.append({
            "k": k,
            "i16": _maybe(rng, rng.randint(-140, 140)),
            "d38": _maybe(rng, d38),
            "bin": _maybe(rng, rng.choice(bin_pool + [b"\x99\x98"])),
            "u": _maybe(rng, rng.choice(uuid_pool + [uuid.UUID(int=k).bytes])),
            "t": _maybe(rng, rng.choice(time_pool + [datetime.time(0, 0, 0, k)])),
        })
    u = pa.Table.from_pylist(u_rows, schema=schema_u)
    return t, u


@pytest.fixture(scope="module")
def type_files(tmp_path_factory):
    base = tmp_path_factory.mktemp("typesdata")
    t, u = _tables()
    pq.write_table(t, base / "t.parquet", row_group_size=1000)
    pq.write_table(u, base / "u.parquet")
    return {"t": f"read_parquet('{base / 't.parquet'}')", "u": f"read_parquet('{base / 'u.parquet'}')"}


# --- comparison ---------------------------------------------------------------------------------

def normalize(v):
    """A comparable form of a value from either engine."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return ("bytes", base64.b64encode(bytes(v)).decode())
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.time):
        text = v.isoformat()
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(v, int):
        return decimal.Decimal(v)
    if isinstance(v, decimal.Decimal):
        return v
    if isinstance(v, float):
        return v
    return str(v)


def values_equal(a, b):
    """a from DuckDB, b from aishell (both normalized)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, tuple) and a[0] == "bytes":
        return isinstance(b, str) and a[1] == b  # aishell's JSON: base64, as Trino's
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal):
        return a == b
    if isinstance(a, decimal.Decimal) and isinstance(b, float):
        # A JSON number of 15 digits or fewer: the float's shortest text is the decimal's.
        return decimal.Decimal(repr(b)) == a
    if isinstance(a, (float, decimal.Decimal)) and isinstance(b, (float, decimal.Decimal)):
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        if math.isinf(x) or math.isinf(y):
            return x == y
        return abs(x - y) <= 1e-9 or abs(x - y) <= 1e-6 * max(abs(x), abs(y))
    return a == b


def sort_key(row):
    key = []
    for v in row:
        if v is None:
            key.append((0, ""))
        elif isinstance(v, (decimal.Decimal, float)):
            key.append((1, f"{float(v):+.6e}"))
        elif isinstance(v, tuple):
            key.append((2, v[1]))
        else:
            key.append((3, str(v)))
    return key


def compare(expected, actual, ordered):
    exp = [[normalize(v) for v in r] for r in expected]
    act = [[normalize(v) for v in r] for r in actual]
    if not ordered:
        # aishell's VARBINARY arrives as base64 text: sort DuckDB's bytes by the same text.
        exp.sort(key=lambda r: sort_key([x[1] if isinstance(x, tuple) else x for x in r]))
        act.sort(key=sort_key)
    if len(exp) != len(act):
        return f"row count differs: duckdb {len(exp)}, aishell {len(act)}"
    for i, (e, a) in enumerate(zip(exp, act)):
        if len(e) != len(a) or not all(values_equal(x, y) for x, y in zip(e, a)):
            return f"row {i + 1} differs:\n  duckdb:  {e}\n  aishell: {a}"
    return None


def run_both(sql, home):
    expected = duckdb.connect().execute(sql).fetchall()
    proc = run_aishell(["query", "--format", "json", sql], home=home)
    assert proc.returncode == 0, f"aishell failed (exit {proc.returncode}):\n{proc.stderr}\n{proc.stdout[:2000]}"
    return expected, parse_json_rows(proc.stdout)


@pytest.mark.parametrize("name,sql", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_expression_matches_duckdb(name, sql, tmp_path):
    expected, actual = run_both(sql, tmp_path / "home")
    problem = compare(expected, actual, True)
    assert problem is None, f"{name}: {problem}\nSQL: {sql}"


@pytest.mark.parametrize("name,sql,ordered", QUERIES, ids=[q[0] for q in QUERIES])
def test_query_matches_duckdb(name, sql, ordered, type_files, tmp_path):
    text = sql.format(**type_files)
    expected, actual = run_both(text, tmp_path / "home")
    problem = compare(expected, actual, ordered)
    assert problem is None, f"{name}: {problem}\nSQL: {text}"


def test_files_hold_what_the_queries_need(type_files):
    """Guards the data: NULLs in every column, repeated keys, join matches for each key type."""
    con = duckdb.connect()
    t, u = type_files["t"], type_files["u"]
    nulls = con.execute(f"SELECT count(*) - count(i8), count(*) - count(f32), count(*) - count(d38), "
                        f"count(*) - count(bin), count(*) - count(u), count(*) - count(t) FROM {t}").fetchone()
    assert all(n > 50 for n in nulls), nulls
    assert con.execute(f"SELECT max(d38) > 1e20, min(d38) < -1e20, count(DISTINCT d38) < 200 FROM {t}").fetchone() == (
        True, True, True)
    for key in ("d38", "bin", "u", "t"):
        matches = con.execute(f"SELECT count(*) FROM {t} a JOIN {u} b ON a.{key} = b.{key}").fetchone()[0]
        assert matches > 100, (key, matches)
    assert con.execute(f"SELECT count(*) FROM {t} a JOIN {u} b ON a.d20 = b.d38").fetchone()[0] > 0
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {t})").fetchall())
    assert types["i8"] == "TINYINT" and types["f32"] == "FLOAT" and types["u"] == "UUID", types


def test_compare_catches_differences():
    assert compare([[decimal.Decimal("1.10")]], [[1.1]], False) is None
    assert compare([[decimal.Decimal("12345678901234567890.1")]], [[decimal.Decimal("12345678901234567890.2")]],
                   False) is not None
    assert compare([[decimal.Decimal("0.3")]], [[0.30000001]], False) is not None
    assert compare([[b"\x01\x02"]], [["AQI="]], False) is None
    assert compare([[b"\x01\x02"]], [["AQM="]], False) is not None
    assert compare([[datetime.time(10, 0, 0, 500000)]], [["10:00:00.5"]], False) is None
    assert compare([[0.10000000149011612]], [[0.1]], False) is None  # a REAL, printed by each
    assert compare([[None]], [[0]], False) is not None
    assert compare([[1], [2]], [[2], [1]], True) is not None


def test_case_counts():
    assert len(EXPRESSIONS) >= 20 and len(QUERIES) >= 40
    assert len({e[0] for e in EXPRESSIONS} | {q[0] for q in QUERIES}) == len(EXPRESSIONS) + len(QUERIES)
