"""Differential tests: the same SQL through aishell (CLI, --format json) and DuckDB (python),
over the same deterministic CSV tables; results compared as multisets (or in order when the
ORDER BY makes the order total), doubles with a tolerance.

{t1}, {t2}, {t3} in a query stand for typed subqueries over the CSV files (see conftest.py):
  t1(id, k, g, x, y, d, s)  3000 rows; k, g, s have NULLs
  t2(j, k, v, name)         400 rows; k has NULLs
  t3(g, m, label)           50 rows; g has NULLs
"""
import datetime
import decimal
import math
import tempfile

import duckdb
import pytest

from aishell_cli import parse_json_rows, run_aishell

# (id, sql, ordered): ordered=True when ORDER BY fixes the row order completely.
QUERIES = [
    # --- joins -------------------------------------------------------------------------
    ("inner_join", "SELECT a.id, b.j, b.v FROM {t1} a JOIN {t2} b ON a.k = b.k", False),
    ("left_join", "SELECT a.id, b.j FROM {t1} a LEFT JOIN {t2} b ON a.k = b.k", False),
    ("right_join", "SELECT a.id, b.j FROM {t1} a RIGHT JOIN {t2} b ON a.k = b.k", False),
    ("full_join", "SELECT a.id, b.j FROM {t1} a FULL OUTER JOIN {t2} b ON a.k = b.k", False),
    ("cross_join_count", "SELECT count(*), sum(a.m * b.v) FROM {t3} a CROSS JOIN {t2} b", False),
    ("join_using", "SELECT k, a.id, b.j FROM {t1} a JOIN {t2} b USING (k)", False),
    ("multi_key_join", "SELECT a.id, c.label FROM {t1} a JOIN {t3} c ON a.g = c.g AND a.y % 5 = c.m", False),
    ("left_join_extra_on", "SELECT a.id, b.j FROM {t1} a LEFT JOIN {t2} b ON a.k = b.k AND b.v > 50 WHERE a.id <= 500", False),
    ("self_join", "SELECT count(*) FROM {t2} a JOIN {t2} b ON a.k = b.k AND a.v < b.v", False),
    ("null_safe_join", "SELECT count(*) FROM {t1} a JOIN {t3} c ON a.g IS NOT DISTINCT FROM c.g", False),
    ("full_join_null_keys", "SELECT c.label, a.id FROM {t3} c FULL JOIN (SELECT * FROM {t1} WHERE id <= 200) a ON a.g = c.g", False),
    ("three_way_join", "SELECT a.id, b.name, c.label FROM {t1} a LEFT JOIN {t2} b ON a.k = b.k LEFT JOIN {t3} c ON a.g = c.g AND c.m = 0 WHERE a.id % 10 = 0", False),
    ("join_group", "SELECT a.g, count(*), sum(b.v) FROM {t1} a JOIN {t2} b ON a.k = b.k GROUP BY a.g", False),
    ("join_non_equi", "SELECT count(*) FROM {t3} a JOIN {t3} b ON a.m < b.m", False),
    # --- group by ------------------------------------------------------------------------
    ("group_by_g", "SELECT g, count(*), sum(y), min(x), max(x), avg(x) FROM {t1} GROUP BY g", False),
    ("group_by_having", "SELECT k, count(*) AS n FROM {t1} GROUP BY k HAVING count(*) > 60", False),
    ("count_distinct", "SELECT count(DISTINCT k), count(DISTINCT g), count(DISTINCT s), count(*) FROM {t1}", False),
    ("group_by_two_keys", "SELECT g, k % 3 AS r, count(*), sum(x) FROM {t1} GROUP BY g, k % 3", False),
    ("group_by_month", "SELECT extract(month FROM d) AS mo, count(*), min(d), max(d) FROM {t1} GROUP BY extract(month FROM d)", False),
    ("empty_aggregate", "SELECT count(*), sum(y), avg(x), min(s) FROM {t1} WHERE y > 5000", False),
    ("empty_group_by", "SELECT g, count(*) FROM {t1} WHERE y > 5000 GROUP BY g", False),
    ("global_aggregates", "SELECT count(*), count(k), sum(k), min(d), max(s) FROM {t1}", False),
    ("group_by_expression", "SELECT y % 7 AS bucket, count(*), sum(y) FROM {t1} GROUP BY y % 7", False),
    ("count_filter", "SELECT g, count(*) FILTER (WHERE x > 0), sum(y) FILTER (WHERE k IS NULL) FROM {t1} GROUP BY g", False),
    ("group_by_string_nulls", "SELECT s, count(*) FROM {t1} GROUP BY s", False),
    ("distinct_rows", "SELECT DISTINCT g, k % 2 AS parity FROM {t1}", False),
    # --- window functions ----------------------------------------------------------------
    ("row_number_partition", "SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) FROM {t1}", False),
    ("rank_dense_rank", "SELECT j, rank() OVER (ORDER BY k), dense_rank() OVER (ORDER BY k) FROM {t2}", False),
    ("running_sum", "SELECT id, sum(y) OVER (PARTITION BY g ORDER BY id) FROM {t1}", False),
    ("lag_lead", "SELECT id, lag(y) OVER (ORDER BY id), lead(y, 2) OVER (ORDER BY id) FROM {t1}", False),
    ("rows_frame", "SELECT j, sum(v) OVER (ORDER BY j ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM {t2}", False),
    ("count_over_partition", "SELECT j, count(*) OVER (PARTITION BY k), count(k) OVER () FROM {t2}", False),
    ("first_value", "SELECT id, first_value(y) OVER (PARTITION BY g ORDER BY id) FROM {t1}", False),
    ("top1_per_group", "SELECT g, id, x FROM (SELECT g, id, x, row_number() OVER (PARTITION BY g ORDER BY x DESC, id) AS rn FROM {t1}) t WHERE rn = 1", False),
    ("avg_over_partition", "SELECT j, avg(v) OVER (PARTITION BY k) FROM {t2}", False),
    # --- three-valued logic --------------------------------------------------------------
    ("not_comparison", "SELECT count(*) FROM {t1} WHERE NOT (k > 10)", False),
    ("and_nulls", "SELECT id, k > 10 AND g = 'a' FROM {t1} WHERE id <= 300", False),
    ("or_nulls", "SELECT id, k > 40 OR g = 'b' FROM {t1} WHERE id <= 300", False),
    ("in_list_null", "SELECT id, k IN (1, 2, NULL) FROM {t1} WHERE id <= 300", False),
    ("not_in_subquery_nulls", "SELECT count(*) FROM {t1} WHERE k NOT IN (SELECT k FROM {t2})", False),
    ("coalesce_nullif", "SELECT id, coalesce(k, -1), nullif(g, 'a'), coalesce(s, g, 'none') FROM {t1} WHERE id <= 300", False),
    ("is_distinct_from", "SELECT count(*) FROM {t1} a JOIN {t2} b ON a.id = b.j WHERE a.k IS DISTINCT FROM b.k", False),
    ("case_nulls", "SELECT id, CASE WHEN k IS NULL THEN 'none' WHEN k < 25 THEN 'low' ELSE 'high' END FROM {t1}", False),
    ("where_null_compare", "SELECT count(*) FROM {t1} WHERE k = NULL OR g <> g", False),
    # --- set operations ------------------------------------------------------------------
    ("union", "SELECT k FROM {t1} UNION SELECT k FROM {t2}", False),
    ("union_all", "SELECT g FROM {t1} WHERE id < 100 UNION ALL SELECT g FROM {t3}", False),
    ("intersect", "SELECT k FROM {t1} INTERSECT SELECT k FROM {t2}", False),
    ("except", "SELECT k FROM {t2} EXCEPT SELECT k FROM {t1} WHERE g = 'a'", False),
    ("union_ordered", "SELECT k FROM {t1} UNION SELECT k FROM {t2} ORDER BY k NULLS FIRST", True),
    # --- subqueries ----------------------------------------------------------------------
    ("scalar_subquery", "SELECT id, x FROM {t1} WHERE x > (SELECT avg(x) + 90 FROM {t1})", False),
    ("correlated_scalar", "SELECT j, (SELECT count(*) FROM {t1} a WHERE a.k = b.k) FROM {t2} b", False),
    ("in_subquery", "SELECT count(*) FROM {t1} WHERE k IN (SELECT k FROM {t2} WHERE v > 90)", False),
    ("not_in_not_null", "SELECT count(*) FROM {t1} WHERE k NOT IN (SELECT k FROM {t2} WHERE k IS NOT NULL)", False),
    ("exists_correlated", "SELECT count(*) FROM {t2} b WHERE EXISTS (SELECT 1 FROM {t1} a WHERE a.k = b.k AND a.y > 900)", False),
    ("not_exists_correlated", "SELECT j FROM {t2} b WHERE NOT EXISTS (SELECT 1 FROM {t1} a WHERE a.k = b.k)", False),
    ("derived_table", "SELECT g, n FROM (SELECT g, count(*) AS n FROM {t1} GROUP BY g) t WHERE n > 500", False),
    ("cte_twice", "WITH c AS (SELECT k, count(*) AS n FROM {t1} GROUP BY k) SELECT a.k, a.n, b.n FROM c a JOIN c b ON a.k = b.k + 1", False),
    # --- sort / top-N --------------------------------------------------------------------
    ("top_n_desc", "SELECT id, x FROM {t1} ORDER BY x DESC, id LIMIT 10", True),
    ("top_n_nulls_first", "SELECT id, g FROM {t1} ORDER BY g NULLS FIRST, id LIMIT 20", True),
    ("offset_limit", "SELECT id, d FROM {t1} ORDER BY d, id OFFSET 5 LIMIT 10", True),
    ("top_n_desc_nulls_last", "SELECT id, k FROM {t1} ORDER BY k DESC NULLS LAST, id LIMIT 15", True),
    ("sort_full", "SELECT j, k, v FROM {t2} ORDER BY v, k NULLS FIRST, j", True),
    ("sort_strings", "SELECT s, id FROM {t1} WHERE id <= 400 ORDER BY s, id", True),
    # --- scalar functions, dates ---------------------------------------------------------
    ("string_functions", "SELECT id, upper(s), length(s), substr(s, 2, 3), s || '-' || g FROM {t1} WHERE id <= 300", False),
    ("date_interval_filter", "SELECT count(*) FROM {t1} WHERE d >= DATE '2024-06-01' - INTERVAL '30' DAY AND d < DATE '2024-06-01'", False),
    ("math_functions", "SELECT id, abs(y), round(x, 1), ceil(x), floor(x) FROM {t1} WHERE id <= 300", False),
    ("date_extract", "SELECT extract(year FROM d), extract(day FROM d), count(*) FROM {t1} GROUP BY 1, 2", False),
]


def normalize(v):
    """A comparable form of a value from either engine."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, datetime.datetime):
        if v.time() == datetime.time(0) and v.tzinfo is None:
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, str):
        try:
            f = float(v)
            if v.strip() and not v.strip().lower() in ("nan", "inf", "infinity", "-infinity"):
                return f
        except ValueError:
            pass
        if v.lower() == "true":
            return True
        if v.lower() == "false":
            return False
        return v
    return str(v)


def sort_key(row):
    key = []
    for v in row:
        if v is None:
            key.append((0, 0, ""))
        elif isinstance(v, bool):
            key.append((1, int(v), ""))
        elif isinstance(v, float):
            key.append((2, round(v, 6) if math.isfinite(v) else v, ""))
        else:
            key.append((3, 0, str(v)))
    return key


def values_equal(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= 1e-9 or abs(a - b) <= 1e-6 * max(abs(a), abs(b))
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


@pytest.mark.parametrize("name,sql,ordered", QUERIES, ids=[q[0] for q in QUERIES])
def test_matches_duckdb(name, sql, ordered, diff_data, tmp_path):
    text = sql.format(**diff_data)
    expected = duckdb.connect().execute(text).fetchall()
    proc = run_aishell(["query", "--format", "json", text], home=tmp_path / "home")
    assert proc.returncode == 0, f"aishell failed (exit {proc.returncode}):\n{proc.stderr}\n{proc.stdout[:2000]}"
    actual = parse_json_rows(proc.stdout)
    problem = compare(expected, actual, ordered)
    assert problem is None, f"{name}: {problem}\nSQL: {text}"


def test_query_count():
    assert len(QUERIES) >= 50
    assert len({q[0] for q in QUERIES}) == len(QUERIES)


def test_compare_catches_differences():
    # The comparison itself must be able to fail.
    assert compare([[1, "a"]], [[1, "a"]], False) is None
    assert compare([[1, "a"], [2, None]], [[2, None], [1, "a"]], False) is None
    assert compare([[1, "a"], [2, None]], [[2, None], [1, "a"]], True) is not None
    assert compare([[1.0000001]], [[1.0]], False) is None
    assert compare([[1.1]], [[1.0]], False) is not None
    assert compare([[None]], [[0]], False) is not None
    assert compare([[1]], [[1], [1]], False) is not None
    assert compare([[datetime.date(2024, 1, 2)]], [["2024-01-02"]], False) is None


def test_duckdb_side_runs_every_query(diff_data):
    # Guards the reference side: every query must be valid for DuckDB over the same data.
    con = duckdb.connect()
    for name, sql, _ in QUERIES:
        con.execute(sql.format(**diff_data)).fetchall()
