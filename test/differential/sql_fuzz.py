#!/usr/bin/env python3
"""A differential SQL fuzzer (SQLancer-style): random tables and data, random queries with joins,
subqueries, aggregates, window functions, NULLs, CASE and casts, run by aishell (the CLI) and by
DuckDB on the same data; plus the ternary logic partitioning check on aishell alone (a query's rows
are the union of its rows WHERE p, WHERE NOT p and WHERE p IS NULL).

Results are compared as multisets of rows (numbers with a relative tolerance). A mismatch is
shrunk (the WHERE predicate and select list reduced while the mismatch stays) and written as a
sqllogictest file (expected rows from DuckDB) under --out.

  test/differential/sql_fuzz.py --seed 1 --schemas 5 --queries 40   (make fuzz runs a longer one)
  test/differential/test_sql_fuzz.py runs a short fixed-seed run in CI.

The generated SQL keeps to what both engines mean the same way: no '/' (DuckDB divides integers
into a DOUBLE), no '%', small integers (no overflow), ORDER BY only inside window functions whose
result does not depend on ties."""
import argparse
import datetime
import decimal
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from aishell_cli import run_aishell  # noqa: E402

TYPES = ["INTEGER", "BIGINT", "VARCHAR", "BOOLEAN", "DATE", "DOUBLE"]
WORDS = ["a", "b", "ab", "B", "", "zz", "a%", "x_y"]


class Table:
    def __init__(self, name, columns, rows):
        self.name, self.columns, self.rows = name, columns, rows  # columns: [(name, type)]


def literal(value, typ):
    if value is None:
        return f"CAST(NULL AS {typ})"
    if typ in ("INTEGER", "BIGINT"):
        return f"CAST({value} AS {typ})"
    if typ == "DOUBLE":
        return f"CAST({value!r} AS DOUBLE)"
    if typ == "VARCHAR":
        return "'" + value.replace("'", "''") + "'"
    if typ == "BOOLEAN":
        return "TRUE" if value else "FALSE"
    if typ == "DATE":
        return f"DATE '{value.isoformat()}'"
    raise ValueError(typ)


def random_value(rng, typ):
    if rng.random() < 0.2:
        return None
    if typ in ("INTEGER", "BIGINT"):
        return rng.randint(-5, 5)
    if typ == "DOUBLE":
        return rng.choice([0.0, -1.5, 2.25, 3.0, -0.0, 100.5])
    if typ == "VARCHAR":
        return rng.choice(WORDS)
    if typ == "BOOLEAN":
        return rng.random() < 0.5
    if typ == "DATE":
        return datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(-3, 3))


def random_schema(rng):
    tables = []
    for t in range(rng.randint(1, 3)):
        ncols = rng.randint(1, 4)
        cols = [(f"c{i}", rng.choice(TYPES)) for i in range(ncols)]
        if not any(c[1] in ("INTEGER", "BIGINT") for c in cols):
            cols.append((f"c{ncols}", "INTEGER"))
        rows = [[random_value(rng, typ) for _, typ in cols] for _ in range(rng.randint(0, 12))]
        tables.append(Table(f"t{t}", cols, rows))
    return tables


def view_sql(table):
    names = ", ".join(c for c, _ in table.columns)
    if not table.rows:
        nulls = ", ".join(f"{literal(None, typ)} AS {c}" for c, typ in table.columns)
        return f"CREATE OR REPLACE VIEW {table.name} AS SELECT {nulls} WHERE FALSE"
    values = ", ".join("(" + ", ".join(literal(v, typ) for v, (_, typ) in zip(row, table.columns)) + ")"
                       for row in table.rows)
    return f"CREATE OR REPLACE VIEW {table.name} AS SELECT * FROM (VALUES {values}) AS v ({names})"


class Gen:
    """Random expressions over the columns in scope: [(qualified name, type)]."""

    def __init__(self, rng, scope, tables, correlated=0.0, level=0):
        self.rng, self.scope, self.tables = rng, scope, tables
        # Probability of a correlated subquery where an expression or predicate is made; level:
        # how deep this generator's scope is nested (inner aliases s0, s1, ...).
        self.correlated, self.level = correlated, level

    def column(self, typ=None):
        cands = [c for c in self.scope if typ is None or c[1] == typ or
                 (typ in ("INTEGER", "BIGINT") and c[1] in ("INTEGER", "BIGINT"))]
        return self.rng.choice(cands) if cands else None

    def int_expr(self, depth=0):
        if self.correlated and depth <= 2 and self.rng.random() < self.correlated:
            sub = self.corr_scalar()
            if sub:
                return sub
        r = self.rng.random()
        c = self.column("INTEGER")
        if depth > 2 or r < 0.35:
            return c[0] if c and self.rng.random() < 0.7 else str(self.rng.randint(-3, 3))
        if r < 0.6:
            op = self.rng.choice(["+", "-", "*"])
            return f"({self.int_expr(depth + 1)} {op} {self.int_expr(depth + 1)})"
        if r < 0.7:
            return f"abs({self.int_expr(depth + 1)})"
        if r < 0.8:
            return f"coalesce({self.int_expr(depth + 1)}, {self.int_expr(depth + 1)})"
        if r < 0.9:
            return (f"CASE WHEN {self.pred(depth + 1)} THEN {self.int_expr(depth + 1)} "
                    f"ELSE {self.int_expr(depth + 1)} END")
        s = self.column("VARCHAR")
        if s:
            return f"length({s[0]})"
        return f"nullif({self.int_expr(depth + 1)}, {self.rng.randint(-2, 2)})"

    def str_expr(self, depth=0):
        c = self.column("VARCHAR")
        r = self.rng.random()
        if depth > 2 or r < 0.5:
            return c[0] if c and r < 0.4 else "'" + self.rng.choice(WORDS) + "'"
        if r < 0.65:
            return f"({self.str_expr(depth + 1)} || {self.str_expr(depth + 1)})"
        if r < 0.8:
            return f"{self.rng.choice(['lower', 'upper'])}({self.str_expr(depth + 1)})"
        if r < 0.9:
            return f"CAST({self.int_expr(depth + 1)} AS VARCHAR)"
        return f"coalesce({self.str_expr(depth + 1)}, 'none')"

    def pred(self, depth=0):
        if self.correlated and depth <= 2 and self.rng.random() < self.correlated:
            sub = self.corr_pred()
            if sub:
                return sub
        r = self.rng.random()
        if depth > 2:
            r = self.rng.random() * 0.5
        if r < 0.25:
            op = self.rng.choice(["=", "<>", "<", "<=", ">", ">="])
            return f"{self.int_expr(depth + 1)} {op} {self.int_expr(depth + 1)}"
        if r < 0.33:
            op = self.rng.choice(["=", "<>", "<", ">="])
            return f"{self.str_expr(depth + 1)} {op} {self.str_expr(depth + 1)}"
        if r < 0.38:
            b = self.column("BOOLEAN")
            if b:
                return b[0]
        if r < 0.42:
            d = self.column("DATE")
            if d:
                return f"{d[0]} {self.rng.choice(['<', '=', '>='])} DATE '2024-01-0{self.rng.randint(1, 3)}'"
        if r < 0.46:
            c = self.column("DOUBLE")
            if c:
                return f"{c[0]} {self.rng.choice(['<', '=', '>'])} {self.rng.choice(['0', '2.25', '-1.5'])}"
        if r < 0.5:
            return f"({self.int_expr(depth + 1)}) IS {self.rng.choice(['', 'NOT '])}NULL"
        if r < 0.6:
            return f"({self.pred(depth + 1)}) {self.rng.choice(['AND', 'OR'])} ({self.pred(depth + 1)})"
        if r < 0.66:
            return f"NOT ({self.pred(depth + 1)})"
        if r < 0.72:
            lo = self.rng.randint(-3, 1)
            return f"{self.int_expr(depth + 1)} BETWEEN {lo} AND {lo + self.rng.randint(0, 4)}"
        if r < 0.78:
            items = ", ".join(self.rng.choice(["NULL", str(self.rng.randint(-3, 3))])
                              for _ in range(self.rng.randint(1, 3)))
            return f"{self.int_expr(depth + 1)} {self.rng.choice(['', 'NOT '])}IN ({items})"
        if r < 0.83:
            s = self.column("VARCHAR")
            if s:
                return f"{s[0]} {self.rng.choice(['', 'NOT '])}LIKE '{self.rng.choice(['a%', '%b', '_', '%', 'a_'])}'"
        if r < 0.88 and self.tables:
            t = self.rng.choice(self.tables)
            ic = [c for c, typ in t.columns if typ in ("INTEGER", "BIGINT")]
            inner = Gen(self.rng, [(f"s.{c}", typ) for c, typ in t.columns], [])
            return (f"{self.int_expr(depth + 1)} {self.rng.choice(['', 'NOT '])}IN "
                    f"(SELECT s.{ic[0]} FROM {t.name} s WHERE {inner.pred(2)})")
        if r < 0.93 and self.tables:
            t = self.rng.choice(self.tables)
            ic = [c for c, typ in t.columns if typ in ("INTEGER", "BIGINT")]
            inner = Gen(self.rng, [(f"s.{c}", typ) for c, typ in t.columns], [])
            return f"{self.rng.choice(['', 'NOT '])}EXISTS (SELECT 1 FROM {t.name} s WHERE {inner.pred(2)})"
        if r < 0.96 and self.tables:
            t = self.rng.choice(self.tables)
            ic = [c for c, typ in t.columns if typ in ("INTEGER", "BIGINT")]
            return f"{self.int_expr(depth + 1)} > (SELECT max(s.{ic[0]}) FROM {t.name} s)"
        return f"{self.int_expr(depth + 1)} IS NOT DISTINCT FROM {self.int_expr(depth + 1)}"


    # ----- correlated subqueries (unnested by aishell, as DuckDB does) -----------------------

    def corr_source(self):
        """(table, alias, inner int columns, WHERE text) of a subquery correlated with this
        scope: comparisons of any operator, expressions, one or two outer columns, under AND or
        OR, and sometimes a further level of nesting that refers to both scopes."""
        outer = [c for c in self.scope if c[1] in ("INTEGER", "BIGINT")]
        if not self.tables or not outer:
            return None
        t = self.rng.choice(self.tables)
        alias = f"s{self.level}"
        icols = [(f"{alias}.{c}", typ) for c, typ in t.columns]
        ints = [c for c in icols if c[1] in ("INTEGER", "BIGINT")]
        inner = Gen(self.rng, icols, [], 0.0, self.level + 1)
        conds = []
        for _ in range(self.rng.choice([1, 1, 2])):
            o = self.rng.choice(outer)[0]
            i = self.rng.choice(ints)[0]
            op = self.rng.choice(["=", "=", "<", ">", "<>", "<=", ">=", "IS NOT DISTINCT FROM"])
            if self.rng.random() < 0.25:
                conds.append(f"{i} + {self.rng.randint(-1, 1)} {op} coalesce({o}, 0)")
            else:
                conds.append(f"{i} {op} {o}")
        if self.rng.random() < 0.5:
            conds.append(inner.pred(2))
        if self.rng.random() < 0.15 and self.level < 1:
            # A second level: refers to the subquery's columns and to the outermost ones.
            deeper = Gen(self.rng, icols + outer, self.tables, 0.0, self.level + 1)
            sub = deeper.corr_pred(force_exists=True)
            if sub:
                conds.append(sub)
        if self.rng.random() < 0.2 and len(conds) > 1:
            return t, alias, ints, f"({conds[0]}) OR ({' AND '.join(conds[1:])})"
        return t, alias, ints, " AND ".join(conds)

    def corr_scalar(self):
        src = self.corr_source()
        if not src:
            return None
        t, alias, ints, where = src
        i = self.rng.choice(ints)[0]
        r = self.rng.random()
        if r < 0.15:
            return f"(SELECT {i} FROM {t.name} {alias} WHERE {where} ORDER BY {i} NULLS FIRST LIMIT 1)"
        if r < 0.22:
            return (f"(SELECT count(*) FROM (SELECT {i} AS x FROM {t.name} {alias} WHERE {where} "
                    f"ORDER BY {i} LIMIT {self.rng.randint(0, 2)}) AS l{self.level})")
        agg = self.rng.choice(["count(*)", "count({i})", "sum({i})", "min({i})", "max({i})",
                               "count(*) + 1", "coalesce(max({i}), -1)", "count(DISTINCT {i})"])
        return f"(SELECT {agg.format(i=i)} FROM {t.name} {alias} WHERE {where})"

    def corr_pred(self, force_exists=False):
        src = self.corr_source()
        if not src:
            return None
        t, alias, ints, where = src
        i = self.rng.choice(ints)[0]
        r = 0.0 if force_exists else self.rng.random()
        neg = self.rng.choice(["", "NOT "])
        if r < 0.35:
            return f"{neg}EXISTS (SELECT 1 FROM {t.name} {alias} WHERE {where})"
        outer = Gen(self.rng, self.scope, [], 0.0, self.level)
        x = outer.int_expr(2)
        if r < 0.7:
            return f"{x} {neg}IN (SELECT {i} FROM {t.name} {alias} WHERE {where})"
        op = self.rng.choice(["=", "<>", "<", ">", "<=", ">="])
        q = self.rng.choice(["ANY", "ALL", "SOME"])
        return f"{x} {op} {q} (SELECT {i} FROM {t.name} {alias} WHERE {where})"


def correlated(rng, scope, tables):
    """A correlated [NOT] EXISTS or IN subquery: aishell takes them only as a WHERE conjunct."""
    t = rng.choice(tables)
    ic = [c for c, typ in t.columns if typ in ("INTEGER", "BIGINT")]
    outer = [c for c in scope if c[1] in ("INTEGER", "BIGINT")][0][0]
    inner = Gen(rng, [(f"s.{c}", typ) for c, typ in t.columns], []).pred(2)
    if rng.random() < 0.5:
        return (f"{rng.choice(['', 'NOT '])}EXISTS (SELECT 1 FROM {t.name} s WHERE {inner} "
                f"AND s.{ic[0]} = {outer})")
    return f"{outer} IN (SELECT s.{ic[0]} FROM {t.name} s WHERE {inner} AND s.{ic[0]} >= {outer})"


def random_from(rng, tables):
    """A FROM clause and the columns in its scope."""
    a = rng.choice(tables)
    scope = [(f"a.{c}", typ) for c, typ in a.columns]
    text = f"{a.name} a"
    if len(tables) > 1 and rng.random() < 0.6:
        b = rng.choice(tables)
        bscope = [(f"b.{c}", typ) for c, typ in b.columns]
        kind = rng.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN"])
        if kind == "CROSS JOIN":
            text += f" CROSS JOIN {b.name} b"
        else:
            ai = [c for c in scope if c[1] in ("INTEGER", "BIGINT")][0][0]
            bi = [c for c in bscope if c[1] in ("INTEGER", "BIGINT")][0][0]
            extra = ""
            if rng.random() < 0.3:
                extra = " AND " + Gen(rng, scope + bscope, []).pred(2)
            text += f" {kind} {b.name} b ON {ai} = {bi}{extra}"
        scope += bscope
    return text, scope


def grouping_sets_query(rng, g, scope, where):
    """GROUP BY with GROUPING SETS, ROLLUP, CUBE or a mixture, grouping() and aggregates with
    DISTINCT and FILTER, sometimes HAVING: (kind, select_list, where + GROUP BY ...)."""
    keys = []
    for _ in range(rng.randint(2, 3)):
        keys.append(rng.choice(scope)[0] if rng.random() < 0.7 else g.int_expr(1))
    k = keys + [keys[0]] * (3 - len(keys))
    grouping = rng.choice([
        f"ROLLUP ({k[0]}, {k[1]})",
        f"CUBE ({k[0]}, {k[1]})",
        f"GROUPING SETS (({k[0]}, {k[1]}), ({k[0]}), ())",
        f"GROUPING SETS (({k[1]}), ({k[0]}, {k[2]}))",
        f"{k[0]}, ROLLUP ({k[1]}, {k[2]})",
        f"ROLLUP ({k[0]}), CUBE ({k[1]})",
        f"GROUPING SETS ({k[0]}, ({k[1]}, {k[0]}), ({k[0]}), ())",
        f"ROLLUP (({k[0]}, {k[1]}), {k[2]})",
    ])
    aggs = []
    for _ in range(rng.randint(1, 3)):
        f = rng.choice(["count(*)", "count({e})", "sum({e})", "min({e})", "max({e})",
                        "count(DISTINCT {e})", "sum({e}) FILTER (WHERE {p})",
                        "count(*) FILTER (WHERE {p})", "sum(DISTINCT {e})"])
        aggs.append(f.format(e=g.int_expr(1), p=g.pred(2)))
    items = [f"{keys[0]} AS k0", f"{keys[1]} AS k1", f"grouping({keys[0]}, {keys[1]}) AS g"] + aggs
    having = ""
    if rng.random() < 0.3:
        having = rng.choice([f" HAVING count(*) > {rng.randint(0, 2)}",
                             f" HAVING grouping({keys[0]}) = {rng.randint(0, 1)}"])
    return "agg", ", ".join(items), f"{where} GROUP BY {grouping}{having}"


def window_frame_query(rng, g, scope, where):
    """A window aggregate over a RANGE or GROUPS frame (results do not depend on the order of
    ties), written inline or through the WINDOW clause: (kind, select_list, where [WINDOW])."""
    numeric = [c for c, typ in scope if typ in ("INTEGER", "BIGINT", "DOUBLE")]
    dates = [c for c, typ in scope if typ == "DATE"]
    part = rng.choice(scope)[0]
    direction = rng.choice(["", " DESC"])
    nulls = rng.choice(["", " NULLS FIRST", " NULLS LAST"])
    n, m = rng.randint(0, 3), rng.randint(0, 3)
    bounds = [("UNBOUNDED PRECEDING", "{n} PRECEDING"), ("{n} PRECEDING", "{m} FOLLOWING"),
              ("{n} PRECEDING", "CURRENT ROW"), ("CURRENT ROW", "{m} FOLLOWING"),
              ("{n} FOLLOWING", "{m} FOLLOWING"), ("{n} PRECEDING", "UNBOUNDED FOLLOWING"),
              ("{n} PRECEDING", "{m} PRECEDING")]
    start, end = rng.choice(bounds)
    if start == "{n} FOLLOWING" and end == "{m} FOLLOWING" or start == "{n} PRECEDING" and end == "{m} PRECEDING":
        n, m = max(n, m), min(n, m)
        if start == "{n} FOLLOWING":
            n, m = m, n
    unit = rng.choice(["RANGE", "GROUPS"])
    if unit == "RANGE" and dates and rng.random() < 0.5:
        key = rng.choice(dates)
        off = lambda v: f"INTERVAL '{v}' DAY"  # noqa: E731
    elif unit == "RANGE" and numeric:
        key = rng.choice(numeric)
        off = str
    else:
        unit = "GROUPS"
        key = rng.choice(scope)[0]
        off = str
    frame = f"{unit} BETWEEN {start.format(n=off(n), m=off(m))} AND {end.format(n=off(n), m=off(m))}"
    fn = rng.choice(["sum({e})", "count(*)", "count({e})", "min({e})", "max({e})"]).format(e=g.int_expr(1))
    order = f"ORDER BY {key}{direction}{nulls}"
    if rng.random() < 0.4:
        spec = f"PARTITION BY {part}" if rng.random() < 0.7 else ""
        return ("window", f"{key}, {fn} OVER (w {order} {frame})",
                f"{where} WINDOW w AS ({spec})")
    return "window", f"{key}, {fn} OVER (PARTITION BY {part} {order} {frame})", where


def random_query(rng, tables, corr=0.0):
    """(kind, select_list, from, where): kind is 'rows' (TLP applies) or 'agg'/'window'.
    corr: the probability of a correlated subquery at each expression (select list, WHERE under
    AND/OR/NOT, CASE, HAVING, ORDER BY, LATERAL)."""
    from_sql, scope = random_from(rng, tables)
    if corr and rng.random() < 0.15:
        # LATERAL: a derived table that refers to the FROM items before it.
        lat = Gen(rng, scope, tables, 0.0, 0).corr_scalar()
        if lat:
            how = rng.choice([", LATERAL", " CROSS JOIN LATERAL", " LEFT JOIN LATERAL"])
            on = " ON true" if how.startswith(" LEFT") else ""
            from_sql += f"{how} (SELECT {lat} AS n) AS lat{on}"
            scope = scope + [("lat.n", "BIGINT")]
    g = Gen(rng, scope, tables, corr)
    where = g.pred()
    r = rng.random()
    if r < 0.12:
        kind, select, where = grouping_sets_query(rng, g, scope, where)
        return kind, select, from_sql, where
    if r < 0.24:
        kind, select, where = window_frame_query(rng, g, scope, where)
        return kind, select, from_sql, where
    if rng.random() < 0.2:
        where = f"({where}) AND {correlated(rng, scope, tables)}"
    r = rng.random()
    if r < 0.55:
        if corr and rng.random() < 0.1:
            where += f" ORDER BY {g.int_expr()}"  # a multiset either way: ORDER BY runs, unchecked
        items = []
        for _ in range(rng.randint(1, 3)):
            k = rng.random()
            if k < 0.4:
                items.append(rng.choice(scope)[0])
            elif k < 0.7:
                items.append(g.int_expr())
            elif k < 0.85:
                items.append(g.str_expr())
            else:
                items.append(f"({g.pred()})")
        if rng.random() < 0.15:
            return "distinct", "DISTINCT " + ", ".join(items), from_sql, where
        return "rows", ", ".join(items), from_sql, where
    if r < 0.85:
        key = g.int_expr(2) if rng.random() < 0.5 else rng.choice(scope)[0]
        aggs = []
        for _ in range(rng.randint(1, 3)):
            f = rng.choice(["count(*)", "count({e})", "sum({e})", "min({e})", "max({e})",
                            "count(DISTINCT {e})", "sum({e}) FILTER (WHERE {p})", "bool_or({p})"])
            aggs.append(f.format(e=g.int_expr(1), p=g.pred(2)))
        having = f" HAVING count(*) > {rng.randint(0, 2)}" if rng.random() < 0.3 else ""
        if corr and key in [c for c, _ in scope] and rng.random() < 0.5:
            # Correlated with the group key: in HAVING and in the select list.
            kg = Gen(rng, [c for c in scope if c[0] == key], tables, 0.0, 0)
            sub = kg.corr_scalar() if rng.random() < 0.6 else None
            if sub and rng.random() < 0.5:
                having = f" HAVING count(*) >= {sub}"
            elif sub:
                aggs.append(sub)
        if rng.random() < 0.25:
            return "agg", ", ".join(aggs), from_sql, where  # one global group
        return "agg", f"{key} AS k, " + ", ".join(aggs), from_sql, f"{where} GROUP BY {key}{having}"
    part = rng.choice(scope)[0]
    win = rng.choice([f"sum({g.int_expr(1)}) OVER (PARTITION BY {part})",
                      f"count(*) OVER (PARTITION BY {part})",
                      f"max({g.int_expr(1)}) OVER ()",
                      f"min({g.int_expr(1)}) OVER (PARTITION BY {part})"])
    return "window", f"{rng.choice(scope)[0]}, {win}", from_sql, where


# ----- running -------------------------------------------------------------------------------------

def norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        f = float(v)
        if math.isnan(f):
            return "nan"
        return round(f, 6) if f != int(f) or abs(f) > 2**53 else int(f)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return str(v)


def key(row):
    return tuple((0, "") if v is None else (1, repr(v)) for v in row)


def same(a, b):
    if len(a) != len(b):
        return False
    for ra, rb in zip(sorted(a, key=key), sorted(b, key=key)):
        for x, y in zip(ra, rb):
            if isinstance(x, float) or isinstance(y, float):
                if x is None or y is None or not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


def duckdb_rows(con, sql):
    try:
        return [tuple(norm(v) for v in row) for row in con.execute(sql).fetchall()], None
    except Exception as e:  # noqa: BLE001
        return None, str(e).split("\n")[0]


def json_arrays(text):
    """The JSON arrays of `--format json` output, one per statement with rows (message lines such
    as "CREATE OR REPLACE VIEW" skipped)."""
    # Objects as their (key, value) pairs: a result may have two columns of the same name.
    dec, pos, arrays = json.JSONDecoder(object_pairs_hook=list), 0, []
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        if text[pos] != "[":
            nl = text.find("\n", pos)
            pos = len(text) if nl < 0 else nl + 1
            continue
        arr, pos = dec.raw_decode(text, pos)
        arrays.append(arr)
    return arrays


def aishell_run(home, setup, queries):
    """Runs the setup statements, then each query; returns [(rows or None, error)]."""
    results = []
    batch = "; ".join(setup + queries)
    p = run_aishell(["query", "--format", "json", "--max-rows", "100000", batch], home, timeout=120)
    if p.returncode == 0:
        arrays = json_arrays(p.stdout)
        arrays = arrays[len(arrays) - len(queries):] if len(arrays) >= len(queries) else None
        if arrays is not None:
            return [([tuple(norm(v) for _, v in obj) for obj in arr], None) for arr in arrays]
    for q in queries:  # one failed (or the output was not as expected): one at a time
        p = run_aishell(["query", "--format", "json", "--max-rows", "100000", "; ".join(setup + [q])],
                        home, timeout=60)
        if p.returncode != 0:
            lines = (p.stderr + "\n" + p.stdout).split("\n")
            results.append((None, next((ln for ln in lines if ln.startswith("Error")), lines[0])))
            continue
        arrays = json_arrays(p.stdout)
        results.append(([tuple(norm(v) for _, v in obj) for obj in arrays[-1]], None))
    return results


def build_sql(select, from_sql, where):
    return f"SELECT {select} FROM {from_sql} WHERE {where}"


class Mismatch(Exception):
    pass


def check_schema(rng, tables, nqueries, workdir, stats, corr=0.0):
    import duckdb
    con = duckdb.connect()
    setup = [view_sql(t) for t in tables]
    for s in setup:
        con.execute(s)
    home = tempfile.mkdtemp(dir=workdir)
    cases = []  # (description, queries, check)
    for _ in range(nqueries):
        kind, select, from_sql, where = random_query(rng, tables, corr)
        q = build_sql(select, from_sql, where)
        cases.append(("differential", [q], kind))
        if kind == "rows":
            p = where
            base = f"SELECT {select} FROM {from_sql}"
            cases.append(("tlp", [base, f"{base} WHERE {p}", f"{base} WHERE NOT ({p})",
                                  f"{base} WHERE ({p}) IS NULL"], kind))
    all_queries = [q for _, qs, _ in cases for q in qs]
    got = aishell_run(home, setup, all_queries)
    i = 0
    failures = []
    for what, qs, kind in cases:
        results = got[i:i + len(qs)]
        i += len(qs)
        if what == "differential":
            stats["differential"] += 1
            ours, err = results[0]
            theirs, derr = duckdb_rows(con, qs[0])
            if theirs is None and ours is None:
                stats["both_errors"] += 1
                continue
            if theirs is None:
                stats["duckdb_errors"] += 1  # DuckDB refused what aishell ran: not compared
                continue
            if ours is None:
                stats["aishell_errors"] += 1
                stats["aishell_error_samples"].append(f"{err}\n    in: {qs[0]}")
                continue
            if not same(ours, theirs):
                failures.append(("differential", qs, "rows differ from DuckDB", theirs, ours))
        else:
            stats["tlp"] += 1
            if any(r[0] is None for r in results):
                stats["tlp_errors"] += 1
                continue
            union = results[1][0] + results[2][0] + results[3][0]
            if not same(results[0][0], union):
                theirs, _ = duckdb_rows(con, qs[0])
                failures.append(("tlp", qs,
                                 "TLP: WHERE p / NOT p / p IS NULL do not add up to the query",
                                 theirs, results[0][0]))
    return setup, failures


def still_fails(tables, what, qs, workdir):
    """Whether the mismatch of `qs` (a differential query, or TLP's four) remains on `tables`."""
    import duckdb
    con = duckdb.connect()
    setup = [view_sql(t) for t in tables]
    for st in setup:
        con.execute(st)
    got = aishell_run(tempfile.mkdtemp(dir=workdir), setup, qs)
    if any(r[0] is None for r in got):
        return False
    if what == "differential":
        theirs, _ = duckdb_rows(con, qs[0])
        return theirs is not None and not same(got[0][0], theirs)
    return not same(got[0][0], got[1][0] + got[2][0] + got[3][0])


def shrink(tables, what, qs, workdir):
    """Removes table rows one at a time while the mismatch remains; returns the smaller tables."""
    tables = [Table(t.name, t.columns, list(t.rows)) for t in tables]
    for t in tables:
        i = 0
        while i < len(t.rows):
            removed = t.rows.pop(i)
            if not still_fails(tables, what, qs, workdir):
                t.rows.insert(i, removed)
                i += 1
    return tables


def write_slt(out_dir, name, setup, queries, expected, note):
    """A sqllogictest file: the views, then each query with DuckDB's rows as the expected ones."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".test")
    with open(path, "w") as f:
        f.write(f"# name: {name}\n# description: found by test/differential/sql_fuzz.py: {note}\n"
                "# group: [fuzz]\n\n")
        for s in setup:
            f.write(f"statement ok\n{s}\n\n")
        for query in queries:
            width = len(expected[0]) if expected else 1
            f.write(f"query {'T' * width} rowsort\n{query}\n----\n")
            for row in sorted(expected or [], key=key):
                f.write("\t".join("NULL" if v is None else str(v).lower() if isinstance(v, bool)
                                  else str(v) for v in row) + "\n")
            f.write("\n")
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--schemas", type=int, default=5)
    ap.add_argument("--queries", type=int, default=30, help="queries per schema")
    ap.add_argument("--seconds", type=float, default=0,
                    help="keep making schemas (--queries each) until this much time has passed")
    ap.add_argument("--out", default=None, help="where mismatches are written as .test files")
    ap.add_argument("--correlated", type=float, default=0.05,
                    help="probability of a correlated subquery at each expression (0 turns off)")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    stats = {"differential": 0, "tlp": 0, "both_errors": 0, "duckdb_errors": 0, "tlp_errors": 0,
             "aishell_errors": 0, "aishell_error_samples": []}
    all_failures = []
    with tempfile.TemporaryDirectory() as workdir:
        start = time.monotonic()
        schemas = 0
        while schemas < args.schemas or time.monotonic() - start < args.seconds:
            schemas += 1
            tables = random_schema(rng)
            setup, failures = check_schema(rng, tables, args.queries, workdir, stats,
                                           args.correlated)
            for what, qs, why, expected, got in failures:
                small = shrink(tables, what, qs, workdir)
                all_failures.append((small, what, qs, why, expected, got))
    import duckdb
    for n, (tables, what, qs, why, expected, got) in enumerate(all_failures):
        setup = [view_sql(t) for t in tables]
        con = duckdb.connect()
        for st in setup:
            con.execute(st)
        expected, _ = duckdb_rows(con, qs[0])
        queries = [qs[0]]
        if what == "tlp":
            queries.append(" UNION ALL ".join(f"({q})" for q in qs[1:]))
        print(f"--- mismatch {n + 1}: {why} (tables shrunk to the rows that matter)\n" +
              "\n".join(s + ";" for s in setup) + "\n" + ";\n".join(queries) + ";")
        print(f"    DuckDB: {expected}\n    aishell (before shrinking): {got}")
        if args.out:
            path = write_slt(args.out, f"seed{seed}_{n + 1}", setup, queries, expected, why)
            print("    written to", path)
    for sample in stats["aishell_error_samples"][:5]:
        print("aishell refused what DuckDB ran:", sample)
    print(f"sql_fuzz: seed {seed}: {schemas} schemas, {stats['differential']} differential queries "
          f"({stats['duckdb_errors']} refused by DuckDB only, {stats['aishell_errors']} by aishell "
          f"only, {stats['both_errors']} by both), "
          f"{stats['tlp']} TLP checks ({stats['tlp_errors']} with an error), "
          f"{len(all_failures)} mismatches")
    return 1 if all_failures else 0


if __name__ == "__main__":
    sys.exit(main())
