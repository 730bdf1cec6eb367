"""Differential tests over nested values (ARRAY, ROW as STRUCT, MAP): the same queries through
aishell (CLI, --format json) and DuckDB (python duckdb), over the deterministic CSV tables of
conftest.py; DuckDB computes the expected results at test time.

Where the two dialects spell a function differently (Trino's cardinality is DuckDB's len, Trino's
CAST(ROW(...) AS ROW(a T, ...)) is DuckDB's struct_pack(a := ...), transform(a, x -> ...) is
list_transform(a, lambda x: ...)), a query has one text per engine; the semantics compared are
the same. Arrays compare as lists, rows as field -> value,
maps as key -> value (keys as text: JSON object keys are text).

{t1}, {t2}, {t3}: t1(id, k, g, x, y, d, s), t2(j, k, v, name), t3(g, m, label); see conftest.py.
"""
import datetime
import decimal
import math

import duckdb
import pytest

from aishell_cli import parse_json_rows, run_aishell

# (id, aishell sql, duckdb sql or None for the same text, ordered)
QUERIES = [
    # --- literals and element access --------------------------------------------------
    ("array_literal", "SELECT id, ARRAY[k, y, id] FROM {t1} WHERE id <= 300", None, False),
    ("array_subscript", "SELECT id, ARRAY[k, y, id][1], ARRAY[k, y, id][3] FROM {t1} WHERE id <= 300", None, False),
    ("nested_array_literal", "SELECT j, ARRAY[ARRAY[j], ARRAY[v, k]] FROM {t2}", None, False),
    ("struct_literal",
     "SELECT id, CAST(ROW(g, k) AS ROW(g VARCHAR, k INTEGER)) FROM {t1} WHERE id <= 300",
     "SELECT id, struct_pack(g := g, k := k) FROM {t1} WHERE id <= 300", False),
    ("struct_field",
     "SELECT id, r.g, r.k FROM (SELECT id, CAST(ROW(g, k) AS ROW(g VARCHAR, k INTEGER)) AS r FROM {t1}) t WHERE id <= 300",
     "SELECT id, r.g, r.k FROM (SELECT id, struct_pack(g := g, k := k) AS r FROM {t1}) t WHERE id <= 300", False),
    # --- array_agg --------------------------------------------------------------------
    ("array_agg_ordered", "SELECT g, array_agg(id ORDER BY id) FROM {t1} GROUP BY g", None, False),
    ("array_agg_keeps_nulls", "SELECT g, array_agg(k ORDER BY id) FROM {t1} WHERE id <= 200 GROUP BY g", None, False),
    ("array_agg_desc", "SELECT k, array_agg(name ORDER BY v DESC, j) FROM {t2} GROUP BY k", None, False),
    ("array_agg_filter", "SELECT g, array_agg(id ORDER BY id) FILTER (WHERE y > 900) FROM {t1} GROUP BY g", None, False),
    ("array_agg_of_arrays", "SELECT m, array_agg(ARRAY[m, j] ORDER BY j) FROM {t3} a JOIN {t2} b ON a.m = b.v GROUP BY m", None, False),
    ("array_agg_of_structs",
     "SELECT m, array_agg(CAST(ROW(label, g) AS ROW(label VARCHAR, g VARCHAR)) ORDER BY label) FROM {t3} GROUP BY m",
     "SELECT m, array_agg(struct_pack(label := label, g := g) ORDER BY label) FROM {t3} GROUP BY m", False),
    ("cardinality",
     "SELECT g, cardinality(array_agg(id)) FROM {t1} GROUP BY g",
     "SELECT g, len(array_agg(id)) FROM {t1} GROUP BY g", False),
    # --- UNNEST -----------------------------------------------------------------------
    ("unnest_round_trip",
     "SELECT g, x FROM (SELECT g, array_agg(k) AS a FROM {t1} WHERE id <= 500 GROUP BY g) s CROSS JOIN UNNEST(a) AS u(x)",
     None, False),
    ("unnest_sum",
     "SELECT g, sum(x), count(x), count(*) FROM (SELECT g, array_agg(k) AS a FROM {t1} GROUP BY g) s CROSS JOIN UNNEST(a) AS u(x) GROUP BY g",
     None, False),
    ("unnest_ordinality",
     "SELECT m, x, n FROM (SELECT m, array_agg(label ORDER BY label) AS a FROM {t3} GROUP BY m) s CROSS JOIN UNNEST(a) WITH ORDINALITY AS u(x, n)",
     None, False),
    ("unnest_literal", "SELECT x FROM UNNEST(ARRAY[3, 1, NULL, 2]) AS u(x)", None, False),
    # --- nested values as keys --------------------------------------------------------
    ("group_by_array", "SELECT ARRAY[k % 3, y % 2], count(*), sum(x) FROM {t1} GROUP BY ARRAY[k % 3, y % 2]", None, False),
    ("group_by_struct",
     "SELECT CAST(ROW(g, k % 2) AS ROW(g VARCHAR, p INTEGER)), count(*) FROM {t1} GROUP BY 1",
     "SELECT struct_pack(g := g, p := k % 2), count(*) FROM {t1} GROUP BY 1", False),
    ("distinct_arrays", "SELECT DISTINCT ARRAY[g, CAST(k % 4 AS VARCHAR)] FROM {t1}", None, False),
    ("count_distinct_arrays", "SELECT count(DISTINCT ARRAY[k % 5, y % 3]) FROM {t1}", None, False),
    ("join_on_arrays",
     "SELECT a.id, b.j FROM {t1} a JOIN {t2} b ON ARRAY[a.k, a.y % 50] = ARRAY[b.k, b.v % 50]", None, False),
    ("order_by_array", "SELECT j, ARRAY[v % 7, j] FROM {t2} ORDER BY ARRAY[v % 7, j]", None, True),
    ("order_by_array_desc", "SELECT j, ARRAY[k, j] FROM {t2} WHERE k IS NOT NULL ORDER BY ARRAY[k, j] DESC", None, True),
    ("array_agg_distinct", "SELECT m, array_agg(DISTINCT g ORDER BY g) FROM {t3} WHERE g IS NOT NULL GROUP BY m", None, False),
    # --- lambdas (DuckDB: list_transform, list_filter, list_reduce with an initial value) --
    ("transform_lambda",
     "SELECT g, transform(array_agg(y ORDER BY id), v -> v * 2 + k) FROM {t1} WHERE k IS NOT NULL AND id <= 400 GROUP BY g, k",
     "SELECT g, list_transform(array_agg(y ORDER BY id), lambda v: v * 2 + k) FROM {t1} WHERE k IS NOT NULL AND id <= 400 GROUP BY g, k",
     False),
    ("filter_lambda",
     "SELECT g, filter(array_agg(y ORDER BY id), v -> v > 0) FROM {t1} GROUP BY g",
     "SELECT g, list_filter(array_agg(y ORDER BY id), lambda v: v > 0) FROM {t1} GROUP BY g", False),
    ("reduce_lambda",
     "SELECT g, reduce(array_agg(y ORDER BY id), BIGINT '0', (s, v) -> s * 3 % 1000003 + v, s -> s) FROM {t1} GROUP BY g",
     "SELECT g, list_reduce(array_agg(y ORDER BY id), lambda s, v: s * 3 % 1000003 + v, BIGINT '0') FROM {t1} GROUP BY g",
     False),
    # --- maps -------------------------------------------------------------------------
    ("histogram", "SELECT m, histogram(g) FROM {t3} GROUP BY m", None, False),
    ("map_subscript",
     "SELECT j, map(ARRAY['v', 'j'], ARRAY[v, j])['v'] FROM {t2}",
     "SELECT j, map(['v', 'j'], [v, j])['v'] FROM {t2}", False),
]


def normalize(v):
    """A comparable form of a value from either engine (nested values recursively)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, dict):  # DuckDB STRUCT / MAP
        return ("obj", tuple(sorted((str(k), normalize(x)) for k, x in v.items())))
    if isinstance(v, list) and hasattr(v, "values"):  # a JSON object (parse_json_rows' pairs)
        return ("obj", tuple(sorted((str(k), normalize(x)) for k, x in v)))
    if isinstance(v, (list, tuple)):
        return ("list", tuple(normalize(x) for x in v))
    if isinstance(v, str):
        return v
    return str(v)


def sort_key(row):
    return [repr(v) for v in row]


def values_equal(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= 1e-9 or abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    return a == b


def compare(expected, actual, ordered):
    exp = [[normalize(v) for v in r] for r in expected]
    act = [[normalize(v) for v in r] for r in actual]
    if not ordered:
        exp.sort(key=sort_key)
        act.sort(key=sort_key)
    if len(exp) != len(act):
        return f"row count differs: duckdb {len(exp)}, aishell {len(act)}"
    for i, (e, a) in enumerate(zip(exp, act)):
        if len(e) != len(a) or not all(values_equal(x, y) for x, y in zip(e, a)):
            return f"row {i + 1} differs:\n  duckdb:  {e}\n  aishell: {a}"
    return None


@pytest.mark.parametrize("name,sql,duck_sql,ordered", QUERIES, ids=[q[0] for q in QUERIES])
def test_nested_matches_duckdb(name, sql, duck_sql, ordered, diff_data, tmp_path):
    expected = duckdb.connect().execute((duck_sql or sql).format(**diff_data)).fetchall()
    text = sql.format(**diff_data)
    proc = run_aishell(["query", "--format", "json", text], home=tmp_path / "home")
    assert proc.returncode == 0, f"aishell failed (exit {proc.returncode}):\n{proc.stderr}\n{proc.stdout[:2000]}"
    actual = parse_json_rows(proc.stdout)
    problem = compare(expected, actual, ordered)
    assert problem is None, f"{name}: {problem}\nSQL: {text}"


def test_compare_catches_nested_differences():
    # The comparison itself must be able to fail, inside nested values too.
    assert compare([[[1, None]]], [[[1, None]]], True) is None
    assert compare([[[1, None]]], [[[None, 1]]], True) is not None
    assert compare([[{"a": 1, "b": [2]}]], [[{"b": [2], "a": 1}]], True) is None
    assert compare([[{"a": 1}]], [[{"a": 2}]], True) is not None
    assert compare([[{1: 2}]], [[{"1": 2}]], True) is None
    assert compare([[[1]]], [[[1, 1]]], True) is not None
